"""The Subsonic/OpenSubsonic API at ``/rest/`` over the library layer (issue 14).

:func:`build` makes the WSGI app the server mounts; the login gate lets
``/rest/`` through, because Subsonic clients authenticate per request
(:mod:`.auth`).  Endpoint modules are listed in :data:`.api.AREAS`.
"""

import os

from musicdb.lib.auth import subsonic as credentials_file
from musicdb.lib.db.subsonicdb import AnnotationDatabase
from musicdb.lib.media.transcoder import find_ffmpeg

from .api import SubsonicApp
from .auth import Authenticator
from .transcode import MAX_TRANSCODES, Transcoding

PREFIX = "/rest/"


def build(app, accounts, limiter):
    """The ``/rest/`` app of ``app``; ``accounts`` and ``limiter`` are the login gate's.

    Raises:
        DatabaseError: ``<data>/subsonic.db`` cannot be opened.
    """
    data = app.cfg.directories.data
    annotations = AnnotationDatabase(os.path.join(data, "subsonic.db"))
    credentials = credentials_file.SubsonicCredentials(credentials_file.path_in(data))
    section = getattr(app.cfg, "subsonic", None)
    limit = getattr(section, "maxtranscodes", MAX_TRANSCODES)
    authenticator = Authenticator(accounts, credentials, limiter,
                                  token_auth=getattr(section, "tokenauth", True),
                                  password_auth=getattr(section, "passwordauth", True))
    return SubsonicApp(app, annotations, authenticator, Transcoding(find_ffmpeg(), limit))
