"""API area: the music directory (api-editing.md §5).

Scans (``FindNewContent``, ``FindAlbumSongFiles``) and renames that move a
file or directory together with its database entry; the work is in
:mod:`musicdb.mdbapi.librarydir`.  Renames answer true/false as in MusicDB
8; an unsafe or colliding path, or a failed write, is a ``MusicDB:Error``.
"""

from musicdb.mdbapi import librarydir

from . import handler
from .arguments import string
from .entries import refusals


@handler("FindNewContent")
@refusals
def find_new_content(args, app):
    return librarydir.find_new_content(app)


@handler("FindAlbumSongFiles", args={"albumpath": string})
@refusals
def find_album_song_files(args, app):
    return librarydir.find_album_song_files(app, args["albumpath"])


@handler("RenameMusicFile", args={"oldpath": string, "newpath": string})
@refusals
def rename_music_file(args, app):
    return librarydir.rename_music_file(app, args["oldpath"], args["newpath"])


@handler("RenameAlbumDirectory", args={"oldpath": string, "newpath": string})
@refusals
def rename_album_directory(args, app):
    return librarydir.rename_album_directory(app, args["oldpath"], args["newpath"])


@handler("RenameArtistDirectory", args={"oldpath": string, "newpath": string})
@refusals
def rename_artist_directory(args, app):
    return librarydir.rename_artist_directory(app, args["oldpath"], args["newpath"])


@handler("ChangeArtistDirectory", args={"oldalbumpath": string, "newartistdirectory": string})
@refusals
def change_artist_directory(args, app):
    return librarydir.change_artist_directory(app, args["oldalbumpath"],
                                              args["newartistdirectory"])
