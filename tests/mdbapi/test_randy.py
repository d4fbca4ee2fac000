"""Randy: exclusions, blacklists, the genre filter, randy.ini, speed."""

import os

import pytest

from musicdb.lib.cfg.randy import RandyConfigFile
from musicdb.mdbapi.randy import Randy
from tests.support import write_randy_ini

TRIES = 40   # a 50:50 candidate is missed 40 times in a row with p = 1e-12


def picks(pick, tries=TRIES):
    return {pick() for _ in range(tries)}


def write_state(datadir, text):
    with open(os.path.join(datadir, "state", "state.ini"), "w", encoding="utf-8") as handle:
        handle.write("[meta]\nversion = 4\n[MusicDB]\nuimode = audio\n" + text)


@pytest.fixture
def album(library):
    return library.add_album(library.add_artist())


# -- exclusions -------------------------------------------------------------------------

EXCLUSIONS = [  # (bad song columns, randy.ini change that allows it again, needed to exclude)
    ({"disabled": 1}, {"NoDisabled": False}, {}),
    ({"favorite": -1}, {"NoHated": False}, {}),
    ({"badaudio": 1}, {"NoBadFile": False}, {}),
    ({"liverecording": 1}, {"NoLiveMusic": False}, {"NoLiveMusic": True}),
    ({"playtime": 60}, {"MinSongLength": 30}, {}),
    ({"playtime": 900}, {"MaxSongLength": 1000}, {}),
]


@pytest.mark.parametrize("bad, allow, strict", EXCLUSIONS,
                         ids=["disabled", "hated", "badaudio", "live", "short", "long"])
def test_randy_excludes_songs_the_settings_exclude(datadir, randy, library, album,
                                                   bad, allow, strict):
    good = library.add_song(album, "Good", number=1)
    excluded = library.add_song(album, "Bad", number=2, **bad)
    write_randy_ini(datadir, **strict)
    assert picks(randy.get_song) == {good}
    write_randy_ini(datadir, **{**strict, **allow})
    assert picks(randy.get_song) == {good, excluded}


def test_live_recordings_are_allowed_by_the_created_settings(randy, library, album):
    """randy.ini is created with NoLiveMusic = False (the default for a missing key is True)."""
    live = library.add_song(album, "Live", liverecording=1)
    assert randy.get_song() == live


def test_hidden_albums_are_never_picked(randy, library):
    """MusicDB 8 picked hidden albums whenever a genre filter was active."""
    artist = library.add_artist()
    library.add_song(library.add_album(artist, "Hidden", hidden=1), "In hidden album")
    assert randy.get_song() is None


def test_every_eligible_album_gets_picked(randy, library):
    artist = library.add_artist()
    albums = [library.add_album(artist, f"A{n}") for n in range(3)]
    songs = {library.add_song(album, f"S{n}") for n, album in enumerate(albums)}
    assert picks(randy.get_song, 60) == songs


# -- blacklists ---------------------------------------------------------------------------

def only_lists(datadir, songs=0, albums=0, artists=0, videos=0, maxage=24):
    write_randy_ini(datadir, SongListLength=songs, AlbumListLength=albums,
                    ArtistListLength=artists, VideoListLength=videos, MaxAge=maxage)


def test_song_blacklist_blocks_recently_queued_songs(datadir, randy, library, album):
    only_lists(datadir, songs=5)
    first, second = library.add_song(album, "1", number=1), library.add_song(album, "2", number=2)
    randy.song_queued(first)
    assert picks(randy.get_song) == {second}


def test_album_blacklist_blocks_the_album_of_queued_songs(datadir, randy, library):
    only_lists(datadir, albums=2)
    artist = library.add_artist()
    one, two = library.add_album(artist, "One"), library.add_album(artist, "Two")
    queued, other = library.add_song(one, "Queued"), library.add_song(two, "Other")
    library.add_song(one, "Same album", number=2)
    randy.song_queued(queued)
    assert picks(randy.get_song) == {other}


def test_artist_blacklist_blocks_the_artist_of_queued_songs(datadir, randy, library):
    only_lists(datadir, artists=1)
    first = library.add_album(library.add_artist("First"))
    second = library.add_album(library.add_artist("Second"))
    queued, other = library.add_song(first, "Queued"), library.add_song(second, "Other")
    library.add_song(first, "Same artist", number=2)
    randy.song_queued(queued)
    assert picks(randy.get_song) == {other}


def test_a_blacklist_of_length_zero_is_off(datadir, randy, library, album):
    only_lists(datadir)
    song = library.add_song(album)
    randy.song_queued(song)
    assert randy.get_song() == song


def test_blacklists_keep_only_the_newest_entries(datadir, randy, library, album):
    only_lists(datadir, songs=2)
    songs = [library.add_song(album, str(n), number=n) for n in range(4)]
    for song in songs:
        randy.song_queued(song)
    assert randy.blacklists.ids("songs") == songs[2:]
    assert picks(randy.get_song) == set(songs[:2])


def test_blacklist_entries_expire_after_max_age(datadir, randy, library, album, clock):
    only_lists(datadir, songs=5, maxage=1)
    first, second = library.add_song(album, "1", number=1), library.add_song(album, "2", number=2)
    randy.song_queued(first)
    clock.now += 3601
    assert picks(randy.get_song) == {first, second}


def test_blacklists_are_saved_and_loaded_by_a_new_randy(datadir, randy, library, album, clock):
    only_lists(datadir, songs=5, albums=2, artists=1)
    song = library.add_song(album)
    randy.song_queued(song)
    with open(os.path.join(datadir, "state", "songblacklist.csv"), "rb") as handle:
        assert handle.read() == f'"SongID","TimeStamp"\r\n{song},{clock.now}\r\n'.encode()
    again = Randy(library.db, datadir, clock=clock)
    assert again.blacklists.ids("albums") == [library.db.get_song(song)["albumid"]]
    assert again.get_song() is None


def test_a_blacklist_switched_on_while_running_works_at_once(datadir, randy, library, album):
    """MusicDB 8 crashed when a length went from 0 to N without a restart."""
    only_lists(datadir)
    first, second = library.add_song(album, "1", number=1), library.add_song(album, "2", number=2)
    randy.song_queued(first)
    only_lists(datadir, songs=3)
    randy.song_queued(first)
    assert picks(randy.get_song) == {second}


def test_song_from_album_prefers_unlisted_songs_and_falls_back_to_listed(
        datadir, randy, library, album):
    only_lists(datadir, songs=5)
    first, second = library.add_song(album, "1", number=1), library.add_song(album, "2", number=2)
    randy.song_queued(first)
    assert picks(lambda: randy.get_song_from_album(album)) == {second}
    randy.song_queued(second)
    assert picks(lambda: randy.get_song_from_album(album)) == {first, second}


def test_song_from_album_ignores_the_genre_filter_but_not_the_constraints(
        datadir, randy, library, album):
    metal = library.add_tag("Metal")
    write_state(datadir, "[GenreFilter]\nMetal = True\n")
    song = library.add_song(album, "Fine")
    library.add_song(album, "Off", disabled=1)
    assert picks(lambda: randy.get_song_from_album(album)) == {song}
    assert randy.get_song() is None and metal


# -- genre filter -------------------------------------------------------------------------

@pytest.fixture
def genres(library):
    """Rock (Punk, Grunge) and Metal (Doom); the spec's example tree {Rock: [Grunge]}."""
    rock, metal = library.add_tag("Rock"), library.add_tag("Metal")
    tags = {"rock": rock, "metal": metal, "punk": library.add_tag("Punk", 2, rock),
            "grunge": library.add_tag("Grunge", 2, rock), "doom": library.add_tag("Doom", 2, metal)}
    return tags


def test_genre_filter_picks_albums_as_the_spec_example_says(datadir, randy, library, genres):
    write_state(datadir, "[GenreFilter]\nRock = True\nMetal = False\n"
                         "[SubgenreFilter:Rock]\nPunk = False\n")
    artist, songs = library.add_artist(), {}
    for name, tags in {"grunge": ("rock", "grunge"), "punk": ("rock", "punk"),
                       "rockonly": ("rock",), "doom": ("rock", "doom"), "metal": ("metal",),
                       "untagged": ()}.items():
        album = library.add_album(artist, name)
        for tag in tags:
            library.tag("album", album, genres[tag], approval=0)
        songs[name] = library.add_song(album, name)
    assert picks(randy.get_song, 60) == {songs["grunge"], songs["rockonly"]}


def test_no_genre_selected_means_no_filter(datadir, randy, library, genres):
    write_state(datadir, "[GenreFilter]\nRock = False\n")
    artist = library.add_artist()
    album = library.add_album(artist)
    library.tag("album", album, genres["metal"])
    song = library.add_song(album)
    assert randy.get_song() == song


def test_approved_song_tags_must_match_the_filter(datadir, randy, library, genres):
    write_state(datadir, "[GenreFilter]\nRock = True\n[SubgenreFilter:Rock]\nPunk = False\n")
    album = library.add_album(library.add_artist())
    library.tag("album", album, genres["rock"])
    songs = {name: library.add_song(album, name, number=n)
             for n, name in enumerate(("metal", "guessed", "untagged", "rock", "punk"))}
    library.tag("song", songs["metal"], genres["metal"], approval=1)
    library.tag("song", songs["guessed"], genres["metal"], approval=0)
    library.tag("song", songs["rock"], genres["rock"], approval=2)
    library.tag("song", songs["punk"], genres["punk"], approval=1)
    assert picks(randy.get_song, 60) == {songs["guessed"], songs["untagged"], songs["rock"]}


def test_video_genre_filter_uses_main_genres_only(datadir, randy, library, genres):
    write_state(datadir, "[GenreFilter]\nRock = True\n")
    artist = library.add_artist()
    rock, metal = library.add_video(artist, "Rock"), library.add_video(artist, "Metal")
    library.add_video(artist, "Untagged")
    library.tag("video", rock, genres["rock"], approval=0)
    library.tag("video", metal, genres["metal"])
    assert picks(randy.get_video) == {rock}


# -- videos -------------------------------------------------------------------------------

def test_videos_honour_constraints_and_the_video_blacklist(datadir, randy, library):
    only_lists(datadir, videos=3, artists=1)
    artist = library.add_artist()
    good, listed = library.add_video(artist, "Good"), library.add_video(artist, "Listed")
    library.add_video(artist, "Disabled", disabled=1)
    library.add_video(artist, "Hated", favorite=-1)
    library.add_video(artist, "Short", playtime=30)
    randy.video_queued(listed)
    assert picks(randy.get_video) == {good}


# -- nothing qualifies -----------------------------------------------------------------

def test_nothing_qualifies_returns_none_and_says_so_once(randy, library, notifications, caplog):
    album = library.add_album(library.add_artist())
    library.add_song(album, disabled=1)
    assert [randy.get_song() for _ in range(5)] == [None] * 5
    said = [n for n in notifications if n[0] == "MusicDB:Randy"]
    assert len(said) == 1 and said[0][2]["target"] == "song"
    assert sum("Randy found no song" in r.getMessage() for r in caplog.records) == 1
    library.add_song(album, "Enabled")
    assert randy.get_song() is not None
    library.db.execute("UPDATE songs SET disabled = 1")
    assert randy.get_song() is None
    assert len([n for n in notifications if n[0] == "MusicDB:Randy"]) == 2


# -- randy.ini ------------------------------------------------------------------------------

DEFAULTS = {"meta": {"version": 1},
            "Constraints": {"NoDisabled": True, "NoHated": True, "NoBadFile": True,
                            "NoLiveMusic": False, "MinSongLength": 120, "MaxSongLength": 600},
            "BlackLists": {"SongListLength": 5, "AlbumListLength": 2, "ArtistListLength": 1,
                           "VideoListLength": 3, "MaxAge": 24},
            "Limits": {"MaxTries": 10}}


def test_randy_ini_is_created_with_the_spec_values(datadir):
    config = RandyConfigFile(datadir).load()
    assert config == DEFAULTS
    assert list(config) == ["meta", "Constraints", "BlackLists", "Limits"]
    with open(os.path.join(datadir, "config", "randy.ini"), encoding="utf-8") as handle:
        text = handle.read()
    assert "[Constraints]\nNoDisabled = True\n" in text and "MinSongLength = 120\n" in text


def test_an_unreadable_randy_ini_is_kept_aside_before_the_defaults_replace_it(datadir):
    """MusicDB 8 overwrote a file it could not parse, losing the user's settings."""
    path = os.path.join(datadir, "config", "randy.ini")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    broken = "[Constraints]\nMinSongLength = 30\nno section header above\n[[[\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("MinSongLength = 30\n" + broken)
    assert RandyConfigFile(datadir).load() == DEFAULTS
    with open(path + ".broken", encoding="utf-8") as handle:
        assert handle.read() == "MinSongLength = 30\n" + broken


def test_saved_strings_are_read_back_as_numbers_and_bad_values_as_defaults(datadir):
    config = RandyConfigFile(datadir)
    sent = {section: dict(values) for section, values in DEFAULTS.items()}
    sent["Constraints"].update(MinSongLength="60", MaxSongLength="", NoLiveMusic="maybe")
    saved = config.save(sent)
    assert saved["Constraints"]["MinSongLength"] == 60
    assert saved["Constraints"]["MaxSongLength"] == 600
    assert saved["Constraints"]["NoLiveMusic"] is True      # unparsable: the default
    assert RandyConfigFile(datadir).load() == saved


def test_a_save_with_a_missing_key_writes_nothing(datadir):
    config = RandyConfigFile(datadir)
    config.load()
    broken = {section: dict(values) for section, values in DEFAULTS.items()}
    broken["Constraints"]["MinSongLength"] = "1"
    del broken["Limits"]["MaxTries"]
    with pytest.raises(KeyError):
        config.save(broken)
    assert RandyConfigFile(datadir).load() == DEFAULTS


def test_a_saved_setting_applies_to_the_very_next_pick(datadir, randy, library, album):
    """MusicDB 8 applied saved settings only to connections opened later."""
    short = library.add_song(album, playtime=90)
    assert randy.get_song() is None
    config = randy.config.load()
    config["Constraints"]["MinSongLength"] = "60"
    randy.config.save(config)
    assert randy.get_song() == short


# -- a large library (its pick time is measured by benchmarks/randy_pick.py) -------------------

def test_picks_from_twenty_thousand_songs_vary_and_honour_the_filter(datadir, randy, library,
                                                                      genres):
    write_state(datadir, "[GenreFilter]\nRock = True\nMetal = True\n")
    db = library.db
    with db.transaction():
        for a in range(500):
            db.execute("INSERT INTO artists (artistid, name, path) VALUES (?, ?, ?)",
                       (a + 1, f"A{a}", f"A{a}"))
        db.executemany("INSERT INTO albums (albumid, artistid, name, path, numofcds, hidden) "
                       "VALUES (?, ?, ?, ?, 1, 0)",
                       [(b + 1, b // 4 + 1, f"B{b}", f"B{b}") for b in range(2000)])
        db.executemany("INSERT INTO albumtags (albumid, tagid) VALUES (?, ?)",
                       [(b + 1, genres["rock"] if b % 2 else genres["metal"]) for b in range(2000)])
        db.executemany("INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, "
                       "playtime) VALUES (?, ?, ?, ?, ?, 1, 0, 200)",
                       [(s // 10 + 1, s // 40 + 1, f"S{s}", f"S{s}", s % 10)
                        for s in range(20000)])
    for song in range(1, 6):
        randy.song_queued(song * 1000)
    found = [randy.get_song() for _ in range(20)]
    assert None not in found and len(set(found)) > 15
    assert not {song * 1000 for song in range(1, 6)} & set(found)


def test_simultaneous_first_reads_create_randy_ini_once_and_intact(datadir):
    """Both queues ask for the settings at the first start; the file must not be written twice at once."""
    import gevent
    config = RandyConfigFile(datadir)
    results = [g.value for g in gevent.joinall([gevent.spawn(config.load) for _ in range(5)])]
    assert results == [DEFAULTS] * 5
    assert RandyConfigFile(datadir).load() == DEFAULTS
    assert not [name for name in os.listdir(os.path.join(datadir, "config")) if ".tmp" in name]
