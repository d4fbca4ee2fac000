"""API area: database entries (api-editing.md §4).

Each handler maps the spec's keys to :mod:`musicdb.mdbapi.librarydir`.
MusicDB 8 swallowed every failure (no answer); here a refused or failed edit
is one ``MusicDB:Error`` for the sender (:func:`refusals`), and nothing
changed.
"""

import functools

from musicdb.lib.ws.errors import InternalError, InvalidArguments, NotFound
from musicdb.mdbapi import librarydir

from . import handler
from .arguments import db_id, string


def refusals(function):
    """Turn the library layer's refusals into typed API errors."""
    @functools.wraps(function)
    def run(args, app):
        try:
            return function(args, app)
        except librarydir.EntryNotFound as error:
            raise NotFound(str(error)) from None
        except librarydir.EditFailed as error:
            raise InternalError(str(error)) from None
        except librarydir.EditError as error:
            raise InvalidArguments(str(error)) from None
    return run


@handler("RemoveSongEntry", args={"songid": db_id})
@refusals
def remove_song_entry(args, app):
    librarydir.remove_song(app, args["songid"])


@handler("CreateSongEntry", args={"newpath": string})
@refusals
def create_song_entry(args, app):
    librarydir.create_song(app, args["newpath"])


@handler("UpdateSongEntry", args={"songid": db_id, "newpath": string})
@refusals
def update_song_entry(args, app):
    librarydir.update_song(app, args["songid"], args["newpath"])


@handler("RemoveAlbumEntry", args={"albumid": db_id})
@refusals
def remove_album_entry(args, app):
    librarydir.remove_album(app, args["albumid"])


@handler("UpdateAlbumEntry", args={"albumid": db_id, "newpath": string})
@refusals
def update_album_entry(args, app):
    librarydir.update_album(app, args["albumid"], args["newpath"])


@handler("CreateArtistEntry", args={"name": string})
@refusals
def create_artist_entry(args, app):
    """``{"id", "name", "path"}`` of the (new or existing) artist; null if a file blocks it."""
    return librarydir.create_artist(app, args["name"])


@handler("UpdateArtistEntry", args={"artistid": db_id, "newpath": string})
@refusals
def update_artist_entry(args, app):
    librarydir.update_artist(app, args["artistid"], args["newpath"])


@handler("RemoveArtistEntry", args={"artistid": db_id})
@refusals
def remove_artist_entry(args, app):
    librarydir.remove_artist(app, args["artistid"])
