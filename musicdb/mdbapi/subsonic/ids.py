"""Subsonic IDs: ``ar-N`` (artist), ``al-N`` (album), ``tr-N`` (song), ``pl-N`` (playlist);
cover art ``al-N-<tag>``.  ``pl-0`` is the read-only playlist of the live song queue.

A strict pattern parses them before anything touches the disk or the
database; anything else is error 70 (not found).  The cover art tag changes
when the album's artwork does, so clients that cache by ID fetch the new one.
"""

import re

from .wire import NOT_FOUND, SubsonicError

KINDS = {"ar": "artist", "al": "album", "tr": "song", "pl": "playlist"}
PREFIXES = {kind: prefix for prefix, kind in KINDS.items()}
MAX_ID = 2**63 - 1
_ID = re.compile(r"(ar|al|tr|pl)-([1-9][0-9]{0,18})", re.ASCII)
QUEUE_PLAYLIST = "pl-0"
_COVER = re.compile(r"(al|tr)-([1-9][0-9]{0,18})(?:-[0-9a-f]{1,16})?", re.ASCII)


def make(kind, number):
    return "%s-%d" % (PREFIXES[kind], number)


def parse(text, kinds=("artist", "album", "song")):
    """``(kind, number)`` of an ID of one of ``kinds``.

    Raises:
        SubsonicError: code 70 for anything else.
    """
    match = _ID.fullmatch(text or "")
    if match is None or KINDS[match.group(1)] not in kinds or int(match.group(2)) > MAX_ID:
        raise SubsonicError(NOT_FOUND, "not found")
    return KINDS[match.group(1)], int(match.group(2))


def parse_cover(text):
    """``(kind, number)`` of a cover art ID (``al-N`` or ``tr-N``, tag optional).

    Raises:
        SubsonicError: code 70 for anything else.
    """
    match = _COVER.fullmatch(text or "")
    if match is None or int(match.group(2)) > MAX_ID:
        raise SubsonicError(NOT_FOUND, "not found")
    return KINDS[match.group(1)], int(match.group(2))
