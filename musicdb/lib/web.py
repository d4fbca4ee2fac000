"""The WSGI router of the one server port: WebSocket upgrade, the WebUI, webdata, media, stream.

URL layout as MusicDB 8's Apache set-up (foundations.md §5):

==========================  =============================================
``/``                       a small page (users open it to accept the certificate)
``/musicdb/``               the WebUI directory (``[webui] directory``)
``/musicdb/webdata/``       ``<data>/webdata``; ``config.js`` is generated
``/musicdb/music/``         the music directory (the video player needs it)
``/musicdb/videoframes/``   video thumbnails and previews: ``<data>/webdata/artwork``
exact extra routes          e.g. the audio stream at ``[Icecast] mountname``
==========================  =============================================

Any WebSocket upgrade, whatever its path, goes to the WebSocket server.
"""

import logging
import os

from musicdb.lib import datadir, httpfiles, tls, webdata

log = logging.getLogger(__name__)


def ssl_arguments(cfg):
    """TLS settings for the server; a missing certificate pair is created first.

    Raises:
        tls.CertificateError: the certificate or key cannot be used.
    """
    tls.ensure_certificate(cfg.websocket.cert, cfg.websocket.key)
    return tls.ssl_args(cfg.websocket.cert, cfg.websocket.key)


def make_app(cfg, wsserver, routes=None):
    """The WSGI application for ``cfg``; ``routes`` maps exact paths to WSGI apps."""
    routes = dict(routes or {})
    artwork = os.path.join(cfg.directories.data, "webdata", "artwork")
    mounts = [
        ("/musicdb/webdata/", os.path.join(cfg.directories.data, "webdata")),
        ("/musicdb/videoframes/", artwork),  # frames live in the artwork directory
        ("/musicdb/music/", cfg.directories.music),
        ("/musicdb/", cfg.webui.directory),
    ]

    def app(environ, start_response):
        if environ.get("wsgi.websocket") is not None:
            return wsserver.serve_websocket(environ)
        path = httpfiles.request_path(environ)
        if path in routes:
            return routes[path](environ, start_response)
        if environ.get("REQUEST_METHOD", "GET") not in httpfiles.ALLOWED_METHODS:
            return httpfiles.method_not_allowed(environ, start_response)
        if path == "/":
            return httpfiles.serve_bytes(environ, start_response, webdata.welcome_page(),
                                         "text/html; charset=utf-8")
        if path == "/musicdb":
            return _redirect(start_response, "/musicdb/")
        if path == "/musicdb/webdata/config.js":
            return _config_js(environ, start_response, cfg)
        for prefix, root in mounts:
            if path.startswith(prefix):
                return httpfiles.serve_file(environ, start_response, root, path[len(prefix):])
        return httpfiles.serve_bytes(environ, start_response, b"Not Found\n",
                                     "text/plain", status="404 Not Found")
    return app


def _config_js(environ, start_response, cfg):
    """config.js for this very server: the WebUI needs no editing."""
    port = _server_port(environ) or cfg.websocket.port
    url = webdata.websocket_url_for(environ, port, tls=cfg.websocket.tls)
    text = webdata.render_config_js(url, datadir.read_api_key(cfg.directories.data))
    return httpfiles.serve_bytes(environ, start_response, text.encode("utf-8"),
                                 "text/javascript; charset=utf-8",
                                 headers=[("Cache-Control", "no-store")])


def _server_port(environ):
    """The port this request came in on (differs from the config when it says 0)."""
    try:
        return int(environ.get("SERVER_PORT", 0))
    except ValueError:
        return 0


def _redirect(start_response, location):
    start_response("301 Moved Permanently", [("Location", location), ("Content-Length", "0")])
    return [b""]
