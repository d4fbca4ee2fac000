"""API area search: ``Find`` over artist, album and song names (MiSE, ``app.mise``).

Differences from MusicDB 8, on purpose: a query that normalizes to nothing
(``"!!"``) answers with empty lists instead of nothing; IDs in a stale
search cache are skipped instead of failing the request; a ``limit`` of 0
or less yields no songs (MusicDB 8 still returned one), and one above 200
counts as 200 (``library.MAX_FIND_LIMIT``); only the first 256
characters of a search string count (``mise.MAX_QUERY``), so a huge one
cannot stall the server.
"""

from . import handler
from .arguments import integer, string


@handler("Find", args={"searchstring": string, "limit": integer}, heavy=True)
def find(args, app):
    """Artists, albums and songs whose names match, best match first, ``limit`` of each."""
    return app.library.find(args["searchstring"], args["limit"])
