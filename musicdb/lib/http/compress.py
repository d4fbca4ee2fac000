"""gzip for the text files the port serves (pages, scripts, styles, JSON, SVG).

Why: our own web page is a handful of ES modules and a style sheet; gzip
shrinks them to about a quarter, which is most of the first load's size.
Media (MP3, JPEG, video) is compressed already and never goes through here.

Why a cache: a file is compressed once per version (its ETag) and kept in a
small LRU, so a reload costs a dictionary lookup.  Only files up to
:data:`MAX_SIZE` are compressed; a bigger text file goes out as it is.

The compressed variant is its own representation (RFC 9110 §8.8.3): it has
its own ETag (the file's with ``-gzip``), and both variants say
``Vary: Accept-Encoding`` so a shared cache keeps them apart.  A ``Range``
request always gets the plain file, whose byte offsets it means.
"""

import gzip
from collections import OrderedDict

MAX_SIZE = 4 * 1024 * 1024
MIN_SIZE = 512          # below a packet's worth gzip gains nothing
CACHE_ENTRIES = 64
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
VARY = ("Vary", "Accept-Encoding")

_cache = OrderedDict()   # (path, etag) -> gzip bytes


def compressible(ctype, size):
    """True if a file of type *ctype* and *size* bytes is worth compressing."""
    return MIN_SIZE <= size <= MAX_SIZE and ctype.startswith(COMPRESSIBLE)


def accepts_gzip(environ):
    """True if ``Accept-Encoding`` names gzip (or ``*``) without ``q=0``, and no Range is asked."""
    if environ.get("HTTP_RANGE"):
        return False
    for item in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return not _zero_quality(params)
    return False


def _zero_quality(params):
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value) == 0
            except ValueError:
                return False
    return False


def gzip_etag(etag):
    """The ETag of the gzip variant of a file whose plain ETag is *etag*."""
    return etag[:-1] + '-gzip"'


def compressed(path, etag, fobj):
    """The gzip bytes of the open file *fobj* (at *path*, version *etag*), from the cache if there.

    Raises:
        OSError: the file cannot be read.
    """
    key = (path, etag)
    data = _cache.get(key)
    if data is None:
        data = gzip.compress(fobj.read(MAX_SIZE + 1), compresslevel=6, mtime=0)
        _cache[key] = data
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return data
