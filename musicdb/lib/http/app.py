"""The route table of the one server port: WebSocket upgrade, the WebUI, webdata, media, stream.

URL layout as MusicDB 8's Apache set-up (foundations.md §5):

==========================  =============================================
``/``                       a small page (users open it to accept the certificate)
``/musicdb``                redirects to ``/musicdb/``
``/musicdb/``               the WebUI directory (``[webui] directory``)
``/musicdb/webdata/``       ``<data>/webdata``; ``config.js`` is generated
``/musicdb/music/``         the music directory (the video player needs it)
``/musicdb/videoframes/``   video thumbnails and previews: ``<data>/webdata/artwork``
exact extra routes          e.g. the audio stream at ``[Icecast] mountname``
==========================  =============================================

Any WebSocket upgrade, whatever its path, goes to the WebSocket server.
The table knows nothing of the application: the extra routes are passed in.
The login (``gate``, a :class:`~musicdb.lib.http.login.LoginGate`) becomes the
router's one access check and adds ``/login`` and ``/logout``.
"""

import os

from musicdb.lib import datadir
from musicdb.lib.http import files
from musicdb.lib.http import tls
from musicdb.lib.http import webdata
from musicdb.lib.http.router import Router


def ssl_arguments(cfg):
    """TLS settings for the server; a missing certificate pair is created first.

    Raises:
        tls.CertificateError: the certificate or key cannot be used.
    """
    tls.ensure_certificate(cfg.websocket.cert, cfg.websocket.key)
    return tls.ssl_args(cfg.websocket.cert, cfg.websocket.key)


CONFIG_JS = "/musicdb/webdata/config.js"


def make_app(cfg, wsserver, routes=None, *, gate):
    """The :class:`Router` for ``cfg``; ``routes`` maps exact paths to WSGI apps.

    The extra routes accept every method (the stream answers its own 405)
    and are registered last, so they win over a page of the same path.
    ``gate`` must be given; only a test of the routing itself passes None
    (then nothing is refused).
    """
    router = Router(websocket=wsserver.serve_websocket)
    if gate is not None:
        gate.install(router, secret_paths=(CONFIG_JS,))  # it carries the API key
    router.route("/", _welcome)
    router.redirect("/musicdb", "/musicdb/")
    router.route(CONFIG_JS, _config_js_app(cfg))
    for prefix, root in file_mounts(cfg):
        router.mount(prefix, files.directory_app(root))
    for path, app in (routes or {}).items():
        router.route(path, app, methods=None)
    return router


def file_mounts(cfg):
    """``(URL prefix, directory)`` of every file tree the port serves."""
    webdata_dir = os.path.join(cfg.directories.data, "webdata")
    return [
        ("/musicdb/webdata/", webdata_dir),
        ("/musicdb/videoframes/", os.path.join(webdata_dir, "artwork")),  # frames live there
        ("/musicdb/music/", cfg.directories.music),
        ("/musicdb/", cfg.webui.directory),
    ]


def _welcome(environ, start_response):
    return files.serve_bytes(environ, start_response, webdata.welcome_page(),
                             "text/html; charset=utf-8")


def _config_js_app(cfg):
    """config.js for this very server: the WebUI needs no editing."""
    def app(environ, start_response):
        port = _server_port(environ) or cfg.websocket.port
        url = webdata.websocket_url_for(environ, port, tls=cfg.websocket.tls)
        text = webdata.render_config_js(url, datadir.read_api_key(cfg.directories.data))
        return files.serve_bytes(environ, start_response, text.encode("utf-8"),
                                 "text/javascript; charset=utf-8",
                                 headers=[("Cache-Control", "no-store")])
    return app


def _server_port(environ):
    """The port this request came in on (differs from the config when it says 0)."""
    try:
        return int(environ.get("SERVER_PORT", 0))
    except ValueError:
        return 0
