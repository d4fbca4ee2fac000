"""Upload files: names from client data, chunks, and archives that try to escape or explode."""

import io
import os
import stat
import zipfile

import pytest

from musicdb.lib import uploadfiles
from musicdb.lib.uploadfiles import ArchiveError, ArchiveLimits, UploadError


def make_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    """``entries``: (name, data) or (ZipInfo, data)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def symlink_info(name):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def test_upload_names_follow_musicdb_and_refuse_hostile_checksums():
    checksum = "3f786850e387550fdab836ed7e6dc881de23001b"
    assert uploadfiles.upload_name("albumfile", checksum, "01 Start.flac") == \
        f"albumfile-{checksum}.flac"
    assert uploadfiles.upload_name("artwork", checksum, "cover") == f"artwork-{checksum}"
    assert uploadfiles.upload_name("artwork", checksum, "x.j/../pg") == f"artwork-{checksum}"
    for bad in ("../../etc/passwd", checksum.upper(), checksum[:-1], None, checksum + "/"):
        with pytest.raises(UploadError):
            uploadfiles.upload_name("albumfile", bad, "x.mp3")


def test_client_names_are_cleaned_into_one_component():
    assert uploadfiles.clean_name("AC/DC") == "AC\u2215DC"
    assert uploadfiles.clean_name("..hidden\x00name") == "hiddenname"
    with pytest.raises(UploadError):
        uploadfiles.clean_name("..")


def test_a_chunk_sent_twice_overwrites_itself(tmp_path):
    path = str(tmp_path / "upload")
    assert uploadfiles.write_chunk(path, 0, b"abc") == 3
    assert uploadfiles.write_chunk(path, 3, b"def") == 6
    assert uploadfiles.write_chunk(path, 3, b"def") == 6
    assert open(path, "rb").read() == b"abcdef"


def test_a_safe_archive_is_unpacked(tmp_path):
    archive = make_zip(tmp_path / "a.zip", [("Album/01 A.mp3", b"a" * 100),
                                            ("Album/cover.jpg", b"c")])
    files = uploadfiles.unpack_zip(archive, str(tmp_path / "out"))
    assert sorted(files) == ["Album/01 A.mp3", "Album/cover.jpg"]
    assert (tmp_path / "out" / "Album" / "01 A.mp3").read_bytes() == b"a" * 100


@pytest.mark.parametrize("name", ["../evil.mp3", "Album/../../evil.mp3", "/etc/evil",
                                  "C:/evil.mp3", "..\\evil.mp3"])
def test_archives_with_escaping_names_are_refused(tmp_path, name):
    archive = make_zip(tmp_path / "a.zip", [(name, b"x")])
    with pytest.raises(ArchiveError):
        uploadfiles.unpack_zip(archive, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.mp3").exists()


def test_archives_with_links_or_devices_are_refused(tmp_path):
    for number, mode in enumerate((stat.S_IFLNK | 0o777, stat.S_IFCHR | 0o666, stat.S_IFIFO)):
        info = zipfile.ZipInfo(f"Album/entry{number}")
        info.external_attr = mode << 16
        archive = make_zip(tmp_path / f"{number}.zip", [(info, b"/etc/passwd")])
        with pytest.raises(ArchiveError, match="links, devices"):
            uploadfiles.unpack_zip(archive, str(tmp_path / f"out{number}"))


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", [("Album/zeros.mp3", b"\0" * (20 << 20))])
    assert os.path.getsize(archive) < 100_000
    with pytest.raises(ArchiveError, match="zip bomb"):
        uploadfiles.unpack_zip(archive, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_archive_limits_on_entries_and_size(tmp_path):
    many = make_zip(tmp_path / "many.zip", [(f"f{n}", b"x") for n in range(20)])
    with pytest.raises(ArchiveError, match="entries"):
        uploadfiles.unpack_zip(many, str(tmp_path / "o1"), ArchiveLimits(entries=10))
    big = make_zip(tmp_path / "big.zip", [("f", os.urandom(5000))], zipfile.ZIP_STORED)
    with pytest.raises(ArchiveError, match="unpacks to"):
        uploadfiles.unpack_zip(big, str(tmp_path / "o2"), ArchiveLimits(size=1000))


def test_an_entry_that_declares_less_than_it_holds_is_refused(tmp_path):
    archive = tmp_path / "liar.zip"
    make_zip(archive, [("f.mp3", b"y" * 1000)], zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    # patch the central directory's uncompressed size (offset 24 of the entry) to 10
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError):
        uploadfiles.unpack_zip(archive, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_a_broken_archive_is_refused(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ArchiveError, match="broken"):
        uploadfiles.unpack_zip(archive, str(tmp_path / "out"))


def test_a_non_image_artwork_upload_is_refused(tmp_path):
    source = tmp_path / "cover.png"
    source.write_bytes(io.BytesIO(b"not an image").getvalue())
    with pytest.raises(UploadError):
        uploadfiles.convert_to_jpeg(str(source), str(tmp_path / "cover.jpg"))
