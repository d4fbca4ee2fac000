"""Serve files below a root directory as plain WSGI responses.

The router (``musicdb/lib/http/router.py``) mounts :func:`directory_app`
at a URL prefix such as ``/musicdb/webdata/``; the app gets the rest of the
path, URL-decoded once, in ``PATH_INFO`` and serves it with :func:`serve_file`.
Everything here answers with a status code instead of raising, because a
WSGI app has nobody above it to catch an exception politely.

Why so careful with paths: the same port serves the WebSocket API, so a path
that escapes the root would hand out the API key file or the databases.  Any
doubt about a path therefore ends in ``404 Not Found`` - never a directory
listing and never a hint whether something exists outside the root.

Why a hand-made range parser: the WebUI's ``<video>`` element and the
browsers' audio players seek with ``Range`` requests, so media files must
answer ``206 Partial Content``; everything is streamed in 64 KiB chunks so a
film never sits in memory.
"""

import mimetypes
import os
import posixpath
import re
import stat
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote

from musicdb.lib.http import compress

CHUNK_SIZE = 64 * 1024
ALLOWED_METHODS = ("GET", "HEAD")
INDEX_FILE = "index.html"

# Types the platform's mime.types may lack or get wrong (.js as
# application/x-javascript, .flac unknown, .opus missing).
MIME_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
    ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
    ".json": "application/json", ".svg": "image/svg+xml",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg", ".oga": "audio/ogg",
    ".opus": "audio/ogg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".wav": "audio/wav",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".ico": "image/x-icon",
}

# A relpath still holding these was decoded twice, or aims at another
# platform's separator; the router decodes exactly once.
_SUSPICIOUS = ("\x00", "\\", "%2e", "%2f", "%5c", "%00")

_UNSATISFIABLE = "unsatisfiable"
_RANGE_SPEC = re.compile(r"(\d*)-(\d*)", re.ASCII)


def guess_type(path):
    """Return the Content-Type for *path*; text types get ``charset=utf-8``."""
    ext = posixpath.splitext(path)[1].lower()
    ctype = MIME_TYPES.get(ext) or mimetypes.guess_type(path, strict=False)[0]
    ctype = ctype or "application/octet-stream"
    if ctype.startswith("text/"):
        ctype += "; charset=utf-8"
    return ctype


def request_path(environ):
    """Return ``SCRIPT_NAME + PATH_INFO`` as real text (see :func:`wsgi_text`)."""
    return wsgi_text(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))


def wsgi_text(raw):
    """Return a WSGI path string as real text.

    PEP 3333 hands the path over as latin-1 decoded bytes, so ``ä`` arrives as
    ``Ã¤``.  Re-decoding as UTF-8 makes artwork named after non-ASCII artists
    reachable; bytes that are not UTF-8 survive as surrogates, which ``os``
    functions map back to the original bytes.
    """
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:  # already real text (a router rewrote it)
        return raw
    return data.decode("utf-8", "surrogateescape")


def resolve(root, relpath):
    """Map *relpath* to a real path inside *root*, or ``None`` if it may escape.

    Rejects absolute paths, ``..`` segments, leftovers of a second decoding
    round (``%2e`` and friends), backslashes and NUL, and anything whose real
    path (symlinks followed) lies outside the real root.  Never raises.
    """
    if relpath.startswith("/") or any(s in relpath.lower() for s in _SUSPICIOUS):
        return None
    parts = [p for p in relpath.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, *parts))
    try:
        inside = os.path.commonpath([base, target]) == base
    except ValueError:
        return None
    return target if inside else None


def directory_app(root, cache_control="no-cache"):
    """A WSGI app serving the files below *root* at ``PATH_INFO`` (for a router mount)."""
    def app(environ, start_response):
        relpath = wsgi_text(environ.get("PATH_INFO", ""))[1:]
        return serve_file(environ, start_response, root, relpath, cache_control)
    return app


def serve_file(environ, start_response, root, relpath, cache_control="no-cache"):
    """Answer a GET/HEAD for *relpath* below *root* (see module docstring).

    A directory serves its ``index.html`` (after a redirect that adds the
    missing trailing slash, so relative links in the page work).  The default
    ``Cache-Control: no-cache`` makes browsers revalidate, which costs a 304
    but never shows replaced artwork from the cache.  Never raises for
    client input; statuses: 200, 206, 301, 304, 403, 404, 405, 416.
    """
    if environ.get("REQUEST_METHOD", "GET") not in ALLOWED_METHODS:
        return method_not_allowed(environ, start_response)
    target = resolve(root, relpath)
    if target is not None and os.path.isdir(target):
        return _serve_directory(environ, start_response, root, relpath)
    opened = _open_regular(None if relpath.endswith("/") else target)
    if not isinstance(opened, tuple):
        return error_response(environ, start_response, opened)
    fobj, st = opened
    ctype = guess_type(target)
    if compress.compressible(ctype, st.st_size):
        return _text_response(environ, start_response, target, fobj, st, ctype, cache_control)
    return _file_response(environ, start_response, fobj, st, ctype, cache_control)


def _serve_directory(environ, start_response, root, relpath):
    """Serve the directory's index page, redirecting first if the URL lacks ``/``."""
    index = resolve(root, posixpath.join(relpath, INDEX_FILE))
    if index is None or not os.path.isfile(index):
        return error_response(environ, start_response, "404 Not Found")
    if not request_path(environ).endswith("/"):
        return redirect_with_slash(environ, start_response)
    return serve_file(environ, start_response, root, posixpath.join(relpath, INDEX_FILE))


def _open_regular(path):
    """Open *path* if it is a readable regular file.

    Returns ``(file, stat_result)`` or the error status.  ``O_NONBLOCK`` keeps
    a FIFO planted in the root from blocking the whole server on open.
    """
    if path is None:
        return "404 Not Found"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        return "403 Forbidden"
    except OSError:
        return "404 Not Found"
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return "404 Not Found"
    return os.fdopen(fd, "rb"), st


def make_etag(st):
    """Strong validator from size and modification time (ns): cheap and changes on every rewrite."""
    return '"%x-%x"' % (st.st_size, st.st_mtime_ns)


def _text_response(environ, start_response, path, fobj, st, ctype, cache_control):
    """A text file: gzip-compressed if the client accepts it (see ``compress``), else as is."""
    if not compress.accepts_gzip(environ):
        return _file_response(environ, start_response, fobj, st, ctype, cache_control,
                              vary=[compress.VARY])
    etag = compress.gzip_etag(make_etag(st))
    headers = [("ETag", etag), ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
               ("Cache-Control", cache_control), compress.VARY]
    try:
        if is_not_modified(environ, etag, st.st_mtime):
            start_response("304 Not Modified", headers)
            return []
        data = compress.compressed(path, make_etag(st), fobj)
    except OSError:
        return error_response(environ, start_response, "404 Not Found")
    finally:
        fobj.close()
    return serve_bytes(environ, start_response, data, ctype,
                       headers=headers + [("Content-Encoding", "gzip")])


def _file_response(environ, start_response, fobj, st, ctype, cache_control, vary=()):
    """Send headers and the (partial) body of an opened file; closes *fobj* when not streaming."""
    etag = make_etag(st)
    base = [("Accept-Ranges", "bytes"), ("ETag", etag),
            ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
            ("Cache-Control", cache_control), *vary]
    if is_not_modified(environ, etag, st.st_mtime):
        fobj.close()
        start_response("304 Not Modified", base)
        return []
    span = _requested_span(environ, etag, st)
    if span == _UNSATISFIABLE:
        fobj.close()
        extra = base + [("Content-Range", "bytes */%d" % st.st_size)]
        return error_response(environ, start_response, "416 Range Not Satisfiable", extra)
    first, last = span or (0, st.st_size - 1)
    headers = base + [("Content-Type", ctype), ("Content-Length", str(last - first + 1))]
    status = "200 OK"
    if span:
        status = "206 Partial Content"
        headers.append(("Content-Range", "bytes %d-%d/%d" % (first, last, st.st_size)))
    start_response(status, headers)
    if environ.get("REQUEST_METHOD") == "HEAD":
        fobj.close()
        return []
    return FileWrapper(fobj, first, last - first + 1)


def is_not_modified(environ, etag, mtime):
    """True if the client's cached copy is current (RFC 9110 §13.1.2, §13.1.3).

    If-None-Match wins over If-Modified-Since; an unparsable date is ignored.
    """
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or _weak(etag) in {_weak(t) for t in tags}
    since = _parse_http_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and int(mtime) <= since


def _weak(tag):
    """Strip a ``W/`` prefix: If-None-Match uses the weak comparison."""
    return tag[2:] if tag.startswith("W/") else tag


def _parse_http_date(value):
    """Return the POSIX time of an HTTP date, or ``None`` when absent or invalid."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _requested_span(environ, etag, st):
    """Return ``None`` (send everything), ``(first, last)`` or ``_UNSATISFIABLE``.

    A stale If-Range, a multi-range or a malformed header all mean "send
    everything", which RFC 9110 §14.2 allows.
    """
    header = environ.get("HTTP_RANGE")
    if not header or not _if_range_holds(environ.get("HTTP_IF_RANGE"), etag, st.st_mtime):
        return None
    return parse_range(header, st.st_size)


def _if_range_holds(value, etag, mtime):
    """True if there is no If-Range, or it still names this file version (strong match)."""
    if value is None:
        return True
    if value.startswith('"') or value.startswith("W/"):
        return value == etag
    return _parse_http_date(value) == int(mtime)


def parse_range(header, size):
    """Parse one ``bytes=`` range against a file of *size* bytes.

    Returns ``(first, last)`` inclusive, ``None`` for headers we ignore (not
    ``bytes``, several ranges, malformed) or ``"unsatisfiable"`` for a range
    that misses the file (answered with 416).
    """
    unit, _, spec = header.partition("=")
    match = _RANGE_SPEC.fullmatch(spec.strip())
    if unit.strip().lower() != "bytes" or not match or match.group() == "-":
        return None
    first_s, last_s = match.groups()
    if not first_s:  # suffix: the last n bytes
        length = int(last_s)
        return (max(size - length, 0), size - 1) if length and size else _UNSATISFIABLE
    first = int(first_s)
    if last_s and int(last_s) < first:
        return None
    if first >= size:
        return _UNSATISFIABLE
    return first, min(int(last_s or size - 1), size - 1)


class FileWrapper:
    """Iterate over *length* bytes of *fobj* from *offset* in ``CHUNK_SIZE`` pieces.

    The WSGI server calls :meth:`close` when the response ends or the client
    goes away, which closes the file.  A file that shrank meanwhile just ends
    early; the server then drops the connection, as the length was promised.
    """

    def __init__(self, fobj, offset, length, chunk_size=CHUNK_SIZE):
        self.fobj = fobj
        self.offset = offset
        self.length = length
        self.chunk_size = chunk_size

    def __iter__(self):
        self.fobj.seek(self.offset)
        remaining = self.length
        while remaining > 0:
            data = self.fobj.read(min(self.chunk_size, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data

    def close(self):
        self.fobj.close()


def serve_bytes(environ, start_response, data, content_type, status="200 OK", headers=()):
    """Answer with generated content (config.js, small HTML pages, error texts).

    *data* may be ``str`` (sent as UTF-8).  HEAD gets the same headers and no
    body.  ``Cache-Control: no-cache`` is added unless *headers* sets one,
    because generated content (the API key in config.js) can change at any
    start.  The method is not checked; use :func:`method_not_allowed` for that.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    extra = list(headers)
    names = {name.lower() for name, _ in extra}
    base = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    if "cache-control" not in names:
        base.append(("Cache-Control", "no-cache"))
    start_response(status, base + extra)
    if environ.get("REQUEST_METHOD") == "HEAD":
        return []
    return [data]


def error_response(environ, start_response, status, headers=()):
    """Send *status* with its reason as a short plain-text body."""
    body = status + "\n"
    return serve_bytes(environ, start_response, body, "text/plain; charset=utf-8",
                       status=status, headers=headers)


def method_not_allowed(environ, start_response):
    """Answer 405 with the ``Allow`` header RFC 9110 §15.5.6 requires."""
    return error_response(environ, start_response, "405 Method Not Allowed",
                          [("Allow", ", ".join(ALLOWED_METHODS))])


def redirect_with_slash(environ, start_response):
    """Redirect ``/musicdb`` to ``/musicdb/`` (query kept), as the router needs.

    Without the slash the browser would resolve the WebUI's relative links
    (``webdata/config.js``) against ``/`` instead of ``/musicdb/``.
    """
    location = quote(request_path(environ) + "/", safe="/:@!$&'()*+,;=~",
                     errors="surrogateescape")
    query = environ.get("QUERY_STRING")
    if query:
        location += "?" + query
    return redirect(environ, start_response, location)


def redirect(environ, start_response, location):
    """Answer ``301 Moved Permanently`` to *location* (an URL path, already quoted)."""
    return error_response(environ, start_response, "301 Moved Permanently",
                          [("Location", location)])

