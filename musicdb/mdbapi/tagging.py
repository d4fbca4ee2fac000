"""Edits of the library's tags, lyrics and album and video settings (api-editing.md §2, §3).

:class:`Tagging` is the one place that changes them, for every API: the
WebSocket handlers (``handlers/tags.py``, ``handlers/settings.py``), the
``musicdb.py tags`` command, and later a web page or the Subsonic API.  Each
method checks everything first and raises before writing, so a refused edit
leaves nothing half-written; edits of several rows run in one transaction.
After the write it emits ``events.LIBRARY_CHANGED`` with data saying what
changed (``{"change": ..., ids...}``), which empties the library's answer
cache.  MiSE indexes artist, album and song names only (hidden albums
included), so none of these edits touch its cache.

Raises (every public method):
    NotFound: a song, album, video or tag ID does not exist.
    InvalidArguments: a value is out of its range or of the wrong type.
"""

import logging
import re

from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, TAG_CLASS_MOOD, TAG_CLASS_SUBGENRE
from musicdb.lib.ws.errors import InvalidArguments, NotFound

from . import events

log = logging.getLogger(__name__)

TAG_CLASSES = {TAG_CLASS_GENRE: "genre", TAG_CLASS_SUBGENRE: "sub-genre", TAG_CLASS_MOOD: "mood"}
APPROVALS = (0, 1, 2)  # set by an algorithm, by the user, by the user as a training example
COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
COLOR_NAMES = ("bgcolor", "fgcolor", "hlcolor")
LYRICS_STATES = range(5)  # empty, from file, from the internet, from the user, instrumental
LYRICS_NONE, LYRICS_INSTRUMENTAL = 0, 4
TAG_ATTRIBUTES = ("name", "parentid", "icontype", "icon", "color", "posx", "posy")
ICON_TEXT, ICON_HTML = 1, 2
TARGET_TABLES = {"song": "songs", "album": "albums", "video": "videos"}


def checked_color(value, what="color"):
    """``value`` if it is a ``#RRGGBB`` string.

    Raises:
        InvalidArguments: anything else.
    """
    if not isinstance(value, str) or not COLOR.fullmatch(value):
        raise InvalidArguments(f"{what} must be a color like #A0B1C2, not {value!r}")
    return value


def whole_number(value, what):
    """An integer from an int, a float (truncated) or a decimal string, in SQLite's range.

    Raises:
        InvalidArguments: a boolean, a non-numeric string, another type, or a number
        beyond a signed 64-bit integer.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidArguments(f"{what} must be a number, not {value!r}")
    try:
        number = int(value)
    except (ValueError, OverflowError):
        raise InvalidArguments(f"{what} must be a whole number, not {value!r}") from None
    if not -2 ** 63 <= number < 2 ** 63:
        raise InvalidArguments(f"{what} is out of range")
    return number


def icon_type(icon):
    """2 for an HTML snippet (``<...>``), 1 for Unicode text (api-editing.md, AddMoodFlag)."""
    return ICON_HTML if icon.startswith("<") and icon.endswith(">") else ICON_TEXT


def blank_as_none(value):
    """``""`` counts as "not given" (MusicDB 8 crashed on it half-way through)."""
    return None if value == "" else value


class Tagging:
    """Tag, lyrics and settings edits of one music database; ``disabled`` makes tag edits no-ops."""

    def __init__(self, database, bus=events.bus, disabled=False):
        self.database = database
        self.bus = bus
        self.disabled = disabled  # [debug] disabletagging

    def _changed(self, change, **ids):
        """Announce a stored edit (never before the write)."""
        self.bus.emit(events.LIBRARY_CHANGED, {"change": change, **ids})

    # -- checks -------------------------------------------------------------------------

    def existing(self, target, objectid):
        """The song, album or video ``objectid``; raises NotFound."""
        entry = getattr(self.database, "get_" + target)(objectid)
        if entry is None:
            raise NotFound(f"There is no {target} with ID {objectid}")
        return entry

    def existing_tag(self, tagid, tagclass=None):
        """The tag ``tagid`` (of ``tagclass`` if given); raises NotFound / InvalidArguments."""
        tag = self.database.get_tag(tagid)
        if tag is None:
            raise NotFound(f"There is no tag with ID {tagid}")
        if tag["class"] not in TAG_CLASSES:
            raise InvalidArguments(f"Tag {tagid} has the unknown class {tag['class']!r}")
        if tagclass is not None and tag["class"] != tagclass:
            raise InvalidArguments(f"Tag {tagid} is no {TAG_CLASSES[tagclass]}")
        return tag

    # -- song, album and video tags -------------------------------------------------------

    def set_song_tag(self, songid, tagid, approval=1, confidence=1.0):
        """Tag a song, then derive its album's genres; a user-set mapping is never downgraded."""
        confidence = _confidence(approval, confidence)
        song = self.existing("song", songid)
        self.existing_tag(tagid)
        if self.disabled:
            return
        with self.database.transaction():
            self._set_mapping("song", songid, tagid, confidence, approval)
            self._derive_album_tags(song["albumid"])
        self._changed("songtags", songid=songid, albumid=song["albumid"], tagid=tagid)

    def remove_song_tag(self, songid, tagid):
        """Untag a song; the album's derived tags stay (derivation never removes)."""
        song = self.existing("song", songid)
        if self.disabled:
            return
        with self.database.transaction():
            self.database.remove_tag_mapping("song", songid, tagid)
            self._derive_album_tags(song["albumid"])
        self._changed("songtags", songid=songid, albumid=song["albumid"], tagid=tagid)

    def set_album_tag(self, albumid, tagid):
        """Tag an album as the user (approval 1); approval 2 stays."""
        self._set_user_tag("album", albumid, tagid)

    def remove_album_tag(self, albumid, tagid):
        self._remove_tag("album", albumid, tagid)

    def set_video_tag(self, videoid, tagid):
        self._set_user_tag("video", videoid, tagid)

    def remove_video_tag(self, videoid, tagid):
        self._remove_tag("video", videoid, tagid)

    def _set_user_tag(self, target, objectid, tagid):
        self.existing(target, objectid)
        self.existing_tag(tagid)
        if self.disabled:
            return
        self._set_mapping(target, objectid, tagid, 1.0, 1)
        self._changed(target + "tags", **{target + "id": objectid, "tagid": tagid})

    def _remove_tag(self, target, objectid, tagid):
        self.existing(target, objectid)
        if self.disabled:
            return
        self.database.remove_tag_mapping(target, objectid, tagid)
        self._changed(target + "tags", **{target + "id": objectid, "tagid": tagid})

    def _set_mapping(self, target, objectid, tagid, confidence, approval):
        """Write a mapping unless the stored one has a higher approval."""
        stored = self.database.get_tag_mapping(target, objectid, tagid)
        if stored is not None and (stored["approval"] or 0) > approval:
            return
        self.database.set_tag_mapping(target, objectid, tagid, confidence, approval)

    def _derive_album_tags(self, albumid):
        """Album genres/sub-genres (approval 0) from the share of songs the user tagged."""
        if albumid is None:
            return
        counts, songs = self.database.album_tag_counts(albumid)
        for tagid, count in counts.items():
            self._set_mapping("album", albumid, tagid, count / songs, 0)

    # -- tag definitions ------------------------------------------------------------------

    def add_genre(self, name):
        """Create a genre unless one has this name; returns its tag ID."""
        return self._add_tag(_tag_name(name), TAG_CLASS_GENRE)

    def add_subgenre(self, name, parentname):
        """Create a sub-genre of the genre ``parentname`` unless one has ``name``; returns its ID."""
        name = _tag_name(name)
        parent = self.database.find_tag(parentname, TAG_CLASS_GENRE)
        if parent is None:
            raise NotFound(f"There is no genre named {parentname!r} for the sub-genre {name!r}")
        return self._add_tag(name, TAG_CLASS_SUBGENRE, parent["id"])

    def add_mood(self, name, icon=None, color=None, posx=None, posy=None):
        """Create a mood with optional icon, colour and HUD position; returns its tag ID."""
        name = _tag_name(name)
        columns = _mood_columns(blank_as_none(icon), blank_as_none(color), posx, posy)
        found = self.database.find_tag(name, TAG_CLASS_MOOD)
        if found is not None:
            return found["id"]
        with self.database.transaction():
            tagid = self.database.add_tag(name, TAG_CLASS_MOOD)
            self.database.update_tag(tagid, **columns)
        self._changed("tags", tagid=tagid)
        return tagid

    def _add_tag(self, name, tagclass, parentid=None):
        found = self.database.find_tag(name, tagclass)
        if found is not None:
            return found["id"]
        tagid = self.database.add_tag(name, tagclass, parentid)
        self._changed("tags", tagid=tagid)
        return tagid

    def delete_tag(self, tagid):
        """Delete a tag, its sub-genres and all their mappings; returns the removed tag IDs."""
        self.existing_tag(tagid)
        removed = self.database.remove_tag(tagid)
        self._changed("tags", tagids=removed)
        return removed

    def modify_tag(self, tagid, attribute, value):
        """Set one attribute of a tag (TAG_ATTRIBUTES); an icon sets its icon type too."""
        tag = self.existing_tag(tagid)
        columns = self._tag_change(tag, attribute, value)
        self.database.update_tag(tagid, **columns)
        self._changed("tags", tagid=tagid, attribute=attribute)

    def _tag_change(self, tag, attribute, value):
        """The columns to write for ModifyTag; raises InvalidArguments."""
        if attribute == "name":
            return {"name": self._new_name(tag, value)}
        if attribute == "parentid":
            return {"parentid": self._new_parent(tag, value)}
        if attribute == "icontype":
            if value not in (ICON_TEXT, ICON_HTML) or isinstance(value, bool):
                raise InvalidArguments(f"icontype must be 1 or 2, not {value!r}")
            return {"icontype": value}
        if attribute in ("icon", "color", "posx", "posy"):
            return _mood_columns(**{attribute: blank_as_none(value)}, clear=attribute)
        raise InvalidArguments(f"A tag has no attribute {attribute!r}; "
                               f"one of {', '.join(TAG_ATTRIBUTES)}")

    def _new_name(self, tag, value):
        name = _tag_name(value)
        other = self.database.find_tag(name, tag["class"])
        if other is not None and other["id"] != tag["id"]:
            raise InvalidArguments(f"There is already a {TAG_CLASSES[tag['class']]} named {name!r}")
        return name

    def _new_parent(self, tag, value):
        if tag["class"] != TAG_CLASS_SUBGENRE:
            raise InvalidArguments(f"Tag {tag['id']} is no sub-genre and has no parent")
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArguments(f"parentid must be the ID of a genre, not {value!r}")
        return self.existing_tag(value, TAG_CLASS_GENRE)["id"]

    # -- lyrics ---------------------------------------------------------------------------

    def set_lyrics(self, songid, lyrics, lyricsstate):
        """Store a song's lyrics and lyrics state (api-editing.md, SetSongLyrics)."""
        state = whole_number(lyricsstate, "lyricsstate")
        if state not in LYRICS_STATES:
            raise InvalidArguments(f"lyricsstate must be 0 to 4, not {lyricsstate!r}")
        if lyrics is not None and not isinstance(lyrics, str):
            raise InvalidArguments("lyrics must be a text or null")
        self.existing("song", songid)
        lyrics = blank_as_none(lyrics)
        if lyrics is None and state != LYRICS_INSTRUMENTAL:
            state = LYRICS_NONE
        if state in (LYRICS_NONE, LYRICS_INSTRUMENTAL):
            lyrics = None
        self.database.set_lyrics(songid, lyrics, state)
        self._changed("lyrics", songid=songid)

    # -- album settings ---------------------------------------------------------------------

    def hide_album(self, albumid, hide):
        """Hide or show an album: hidden albums leave the lists, Randy and the queues' refill."""
        if not isinstance(hide, bool):
            raise InvalidArguments("hide must be true or false")
        self._album_setting(albumid, "hidden", hidden=int(hide))

    def set_album_origin(self, albumid, origin):
        if not isinstance(origin, str):
            raise InvalidArguments("origin must be a text")
        self._album_setting(albumid, "origin", origin=origin)

    def set_album_import_time(self, albumid, importtime):
        added = whole_number(importtime, "importtime")
        if added < 0:
            raise InvalidArguments("importtime must be unix seconds, not negative")
        self._album_setting(albumid, "added", added=added)

    def set_album_color(self, albumid, colorname, value):
        self._album_setting(albumid, colorname, **_color_column(colorname, value))

    def _album_setting(self, albumid, change, **columns):
        self.existing("album", albumid)
        self.database.update_album_settings(albumid, **columns)
        self._changed("album." + change, albumid=albumid)

    # -- video settings ---------------------------------------------------------------------

    def set_video_color(self, videoid, colorname, value):
        columns = _color_column(colorname, value)
        self.existing("video", videoid)
        self.database.update_video_settings(videoid, **columns)
        self._changed("video." + colorname, videoid=videoid)

    def set_video_time_frame(self, videoid, begin, end):
        """Play only ``begin``..``end`` seconds (null: the start / the end) of a video."""
        video = self.existing("video", videoid)
        playtime = video["playtime"]
        begin = 0 if begin is None else whole_number(begin, "begin")
        end = playtime if end is None else whole_number(end, "end")
        if end is None or not 0 <= begin <= end:
            raise InvalidArguments(f"The time frame {begin}..{end} s is no range of seconds")
        if isinstance(playtime, int) and end > playtime:
            raise InvalidArguments(f"The time frame ends at {end} s, after the video ({playtime} s)")
        self.database.update_video_settings(videoid, vbegin=begin, vend=end)
        self._changed("video.timeframe", videoid=videoid)

    def set_video_thumbnail(self, videoid, thumbnailfile):
        """Record the thumbnail file written into the video's frames directory."""
        self.database.update_video_settings(videoid, thumbnailfile=thumbnailfile)
        self._changed("video.thumbnail", videoid=videoid)


def _confidence(approval, confidence):
    """The confidence to store for ``approval``: 1.0 unless an algorithm guessed (approval 0)."""
    if isinstance(approval, bool) or approval not in APPROVALS:
        raise InvalidArguments(f"approval must be 0, 1 or 2, not {approval!r}")
    if approval != 0:
        return 1.0
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) \
            or not 0 <= confidence <= 1:
        raise InvalidArguments(f"approval 0 needs a confidence from 0 to 1, not {confidence!r}")
    return float(confidence)


def _tag_name(name):
    if not isinstance(name, str) or not name.strip():
        raise InvalidArguments(f"A tag name must be a non-empty text, not {name!r}")
    return name.strip()


def _mood_columns(icon=None, color=None, posx=None, posy=None, clear=None):
    """Checked columns of a mood's look; ``clear`` names the one attribute that None resets."""
    columns = {}
    if icon is not None or clear == "icon":
        if icon is not None and not isinstance(icon, str):
            raise InvalidArguments(f"icon must be a text, not {icon!r}")
        columns.update(icon=icon, icontype=icon_type(icon) if icon is not None else None)
    if color is not None or clear == "color":
        columns["color"] = None if color is None else checked_color(color)
    for axis, value in (("posx", posx), ("posy", posy)):
        if value is not None or clear == axis:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidArguments(f"{axis} must be an integer, not {value!r}")
            columns[axis] = value
    return columns


def _color_column(colorname, value):
    if colorname not in COLOR_NAMES:
        raise InvalidArguments(f"colorname must be one of {', '.join(COLOR_NAMES)}, "
                               f"not {colorname!r}")
    return {colorname: checked_color(value, colorname)}
