"""Real storage faults for tests: a small tmpfs filled up, a read-only bind mount.

Both need root (CI runs as root); without it, or when ``mount`` fails, the
test is skipped with the reason.  Every mount is undone in ``finally``.
"""

import contextlib
import errno
import os
import subprocess

import pytest


def _mount(*args):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs or a bind mount needs root")
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} failed: {result.stderr.strip()}")


def _umount(path):
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


@contextlib.contextmanager
def tmpfs(path, size="1m"):
    """A tmpfs of ``size`` mounted on ``path`` (created) for the block."""
    os.makedirs(path, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextlib.contextmanager
def read_only(path):
    """``path`` bind-mounted read-only onto itself for the block."""
    _mount("--bind", str(path), str(path))
    try:
        result = subprocess.run(["mount", "-o", "remount,ro,bind", str(path)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"remounting {path} read-only failed: {result.stderr.strip()}")
        yield path
    finally:
        _umount(path)


def fill_up(directory, leave=0):
    """Write ``directory/filler`` until the file system has no byte left, then give
    ``leave`` bytes back; returns the filler's path."""
    path = os.path.join(directory, "filler")
    with open(path, "wb", buffering=0) as handle:
        for chunk in (65536, 4096, 512, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
        if leave:
            handle.truncate(max(0, handle.tell() - leave))
    return path
