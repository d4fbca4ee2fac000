"""``musicdb tags``, ``stats`` and ``mise`` on the command line, and a running server learning
of a tag change by SIGUSR1."""

import signal

import pytest

from tests.support import run_cli
from tests.support import free_port, write_config


@pytest.fixture
def tagged(library):
    """An album of two songs; a genre with a sub-genre carried by a song and the album."""
    artist = library.add_artist("Sömé Bänd")
    album = library.add_album(artist, "Röads")
    songs = [library.add_song(album, "Fïrst", 1), library.add_song(album, "Second", 2)]
    rock = library.add_tag("Rock", 1)
    kraut = library.add_tag("Krautrock", 2, parentid=rock)
    library.tag("song", songs[0], kraut)
    library.tag("album", album, rock)
    return {"album": album, "songs": songs, "rock": rock, "kraut": kraut}


@pytest.fixture
def cli(library, tmp_path):
    """``cli(*args)`` runs musicdb.py on the ``library`` database (no server running)."""
    config = write_config(str(tmp_path / "server"), free_port())
    return lambda *args: run_cli(config, *args)


def test_tags_lists_genres_with_sub_genres_and_moods(cli, library, tagged):
    library.add_tag("Happy", 3, icon="☺", icontype=1, color="#FF0000", posx=1, posy=0)
    done = cli("tags")
    assert done.returncode == 0, done.stderr
    assert f"{tagged['rock']:>4}  Rock\n        {tagged['kraut']:>4}  Krautrock" in done.stdout
    assert "Happy  (icon ☺, color #FF0000, posx 1, posy 0)" in done.stdout


def test_add_rename_and_set_a_mood(cli, library):
    assert cli("tags", "add", "genre", "Jäzz").returncode == 0
    assert cli("tags", "add", "subgenre", "Bebop", "--parent", "Jäzz").returncode == 0
    assert cli("tags", "add", "mood", "Calm", "--icon", "☾").returncode == 0
    done = cli("tags", "mood", "Calm", "--color", "#102030", "--posx", "2", "--posy", "3")
    assert done.returncode == 0 and "kill -USR1" in done.stdout
    assert cli("tags", "rename", "Bebop", "Hard Bop").returncode == 0
    jazz = library.db.find_tag("Jäzz", 1)
    assert library.db.find_tag("Hard Bop", 2)["parentid"] == jazz["id"]
    calm = library.db.find_tag("Calm", 3)
    assert (calm["icon"], calm["icontype"], calm["color"], calm["posx"], calm["posy"]) == \
        ("☾", 1, "#102030", 2, 3)


@pytest.mark.parametrize("args, message", [
    (("tags", "add", "subgenre", "Orphan", "--parent", "Nope"), "no genre named 'Nope'"),
    (("tags", "add", "subgenre", "Orphan"), "needs --parent"),
    (("tags", "add", "mood", "Sad", "--color", "blue"), "must be a color"),
    (("tags", "rename", "Nope", "X"), "no tag 'Nope'"),
    (("tags", "mood", "Rock", "--posx", "1"), "is no mood"),
    (("tags", "delete", "999"), "no tag '999'"),
])
def test_bad_tag_commands_fail_with_a_message_and_change_nothing(cli, library, tagged, args,
                                                                 message):
    before = library.db.rows("SELECT * FROM tags")
    done = cli(*args)
    assert done.returncode == 1 and message in done.stderr
    assert library.db.rows("SELECT * FROM tags") == before


def test_a_tag_deleted_on_the_command_line_leaves_a_running_server_after_sigusr1(
        library_server, library, tagged, connect):
    server = library_server()
    client = connect(server)
    done = run_cli(server.config, "tags", "delete", "Rock")
    assert done.returncode == 0, done.stderr
    assert "and its 1 sub-genre(s)" in done.stdout and "kill -USR1" in done.stdout
    assert library.db.value("SELECT count(*) FROM songtags") == 0
    assert library.db.value("SELECT count(*) FROM albumtags") == 0
    server.signal(signal.SIGUSR1)
    client.wait_for(lambda p: p.get("fncname") == "sys:refresh")
    assert [tag["name"] for tag in client.request("GetTags")["genres"]] == ["Other"]
    assert client.request("GetSong", {"songid": tagged["songs"][0]})["tags"]["subgenres"] == []


def test_stats_prints_the_library_counts(cli, library, tagged):
    library.add_lyrics(tagged["songs"][0], "Lä")
    done = cli("stats")
    assert done.returncode == 0, done.stderr
    lines = dict(line.rsplit(":", 1) for line in done.stdout.splitlines())
    counts = {label.strip(): int(value.replace(",", "")) for label, value in lines.items()}
    assert (counts["Artists"], counts["Albums"], counts["Songs"], counts["Genres"],
            counts["Sub-genres"], counts["Songs with lyrics"], counts["Song tags"]) == \
        (1, 1, 2, 2, 1, 1, 1)


def test_mise_searches_from_the_shell(cli, library, tagged):
    done = cli("mise", "roads")
    assert done.returncode == 0, done.stderr
    assert "Albums:\n  Sömé Bänd – Röads\nSongs:" in done.stdout
