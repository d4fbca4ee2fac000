"""``musicdb demo [DEST]``: generate into DEST, or into the empty music directory and import."""

from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.mod import build_parser
from musicdb.mod import demo as demo_command
from tests.support import write_config


def run_demo(*argv, cfg=None):
    """``musicdb demo ARGV`` in this process (DEST commands need no config)."""
    args = build_parser().parse_args(["demo", *argv])
    return demo_command.run(args, cfg)


def test_command_writes_the_requested_songs(tmp_path, capsys):
    """`musicdb demo DEST --songs N --formats ...` fills DEST and exits 0."""
    assert run_demo(str(tmp_path), "--songs", "7", "--formats", "mp3,m4a") == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 7 and {p.suffix for p in files} == {".mp3", ".m4a"}
    output = capsys.readouterr()
    assert "7 songs" in output.out
    assert "\r" not in output.err  # stderr is no terminal here: no progress bar garbage


def test_command_reports_bad_format_and_exits_nonzero(tmp_path, capsys):
    """A typo in --formats is an error message, not a traceback."""
    assert run_demo(str(tmp_path), "--formats", "mp3,wma") == 1
    assert "formats" in capsys.readouterr().err


def test_without_dest_the_empty_music_directory_is_filled_and_imported(tmp_path, capsys):
    """The quick start's demo on demand; a second run refuses the now full directory."""
    cfg = MusicDBConfig(write_config(str(tmp_path), 9999))
    assert run_demo("--songs", "4", "--formats", "flac", "--seconds", "1", cfg=cfg) == 0
    assert "4 added" in capsys.readouterr().out
    database = MusicDatabase(str(tmp_path / "data" / "music.db"))
    assert database.rows("SELECT count(*) AS n FROM songs")[0]["n"] == 4
    database.close()
    assert run_demo("--songs", "4", cfg=cfg) == 1
    assert "not empty" in capsys.readouterr().err
