"""``database import`` on a data directory whose disk is full, or fills up during the import."""

import os
import shutil

from tests.faults import fill_up, tmpfs


def test_an_import_onto_a_full_disk_says_so_in_one_line(library_home):
    """Not "disk I/O error": the message names the full disk and the data directory."""
    library = library_home(imported=False)
    with tmpfs(library.data, size="512k"):
        filler = fill_up(library.data)
        try:
            result = library.cli("database", "import")
        finally:
            os.remove(filler)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"the data directory's disk is full ({library.data}" in result.stderr
    assert "disk I/O error" not in result.stderr


def used(path):
    info = os.statvfs(path)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def empty(directory):
    for entry in os.scandir(directory):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.remove(entry.path)


def test_a_disk_that_fills_up_during_an_import_stops_it_with_one_clear_line(library_home):
    """No warning per album before the reason: the import stops at the first full write."""
    library = library_home(imported=False)
    with tmpfs(library.data, size="4m"):
        assert library.cli("database", "import").returncode == 0
        needed = used(library.data)   # what a whole import writes
        empty(library.data)
        filler = fill_up(library.data, leave=needed // 2)
        try:
            result = library.cli("database", "import", "--workers", "1")
        finally:
            os.remove(filler)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "disk is full" in output.splitlines()[-1], output
    assert len([line for line in output.splitlines() if "WARNING" in line]) < 3, output
