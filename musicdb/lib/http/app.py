"""The route table of the one server port: WebSocket upgrade, the WebUI, webdata, media, stream.

URL layout as MusicDB 8's Apache set-up (foundations.md §5):

==========================  =============================================
``/``                       our own web page (``musicdb/web/index.html``), after the login
``/app/``                   its scripts and styles (``musicdb/web/``)
``/musicdb``                redirects to ``/musicdb/``
``/musicdb/``               the WebUI directory (``[webui] directory``)
``/musicdb/webdata/``       ``<data>/webdata``; ``config.js`` is generated
``/musicdb/music/``         the music directory (the video player needs it)
``/musicdb/videoframes/``   video thumbnails and previews: ``<data>/webdata/artwork``
exact extra routes          e.g. the audio stream at ``[Icecast] mountname``
==========================  =============================================

The music and the video frames require what the stream requires
(:func:`media_access`): ``[Icecast] allow`` and ``password``.

Any WebSocket upgrade, whatever its path, goes to the WebSocket server.
The table knows nothing of the application: the extra routes are passed in.
The login (``gate``, a :class:`~musicdb.lib.http.login.LoginGate`) becomes the
router's one access check and adds ``/login`` and ``/logout``.
"""

import os

from musicdb.lib import datadir
from musicdb.lib.http import access
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


def make_app(cfg, wsserver, routes=None, *, gate, apis=None):
    """The :class:`Router` for ``cfg``; ``routes`` maps exact paths to WSGI apps.

    The extra routes accept every method (the stream answers its own 405)
    and are registered last, so they win over a page of the same path.
    ``gate`` must be given; only a test of the routing itself passes None
    (then nothing is refused).  ``apis`` maps URL prefixes to WSGI apps that
    check credentials themselves (Subsonic at ``/rest/``): the gate lets them through.
    """
    router = Router(websocket=wsserver.serve_websocket)
    if gate is not None:
        gate.install(router, secret_paths=(CONFIG_JS,))  # it carries the API key
    _web_page_routes(router)
    router.redirect("/musicdb", "/musicdb/")
    router.route(CONFIG_JS, _config_js_app(cfg))
    media = media_access(cfg)
    for prefix, root in file_mounts(cfg):
        app = files.directory_app(root)
        router.mount(prefix, access.guarded(app, media) if prefix in MEDIA_PREFIXES else app)
    if not webui_installed(cfg):
        router.mount("/musicdb/", _missing_webui_app(cfg.webui.directory))
    for path, app in (routes or {}).items():
        router.route(path, app, methods=None)
    for prefix, app in (apis or {}).items():
        router.mount(prefix, app, methods=("GET", "HEAD", "POST"))
        if gate is not None:
            gate.open_prefixes += (prefix,)
    return router


MEDIA_PREFIXES = ("/musicdb/music/", "/musicdb/videoframes/")
MEDIA_REALM = "MusicDB Stream"  # one realm: a browser asks once for the stream and the media


def media_access(cfg):
    """The rule of the stream and the media: ``[Icecast] allow``.  Credentials (a
    session, an account, the ``[Icecast] password`` of a player) are the login's.

    Raises:
        netaccess.RuleError: an ``allow`` entry is malformed (the config check
        reports that first, naming the file).
    """
    return access.RouteAccess(cfg.icecast.allow, realm=MEDIA_REALM)


def file_mounts(cfg):
    """``(URL prefix, directory)`` of every file tree the port serves."""
    webdata_dir = os.path.join(cfg.directories.data, "webdata")
    return [
        ("/musicdb/webdata/", webdata_dir),
        ("/musicdb/videoframes/", os.path.join(webdata_dir, "artwork")),  # frames live there
        ("/musicdb/music/", cfg.directories.music),
        ("/musicdb/", cfg.webui.directory),
    ]


def webui_installed(cfg):
    """True if ``[webui] directory`` holds the WebUI's ``index.html``."""
    return os.path.isfile(os.path.join(cfg.webui.directory, "index.html"))


def _missing_webui_app(directory):
    """Every page below ``/musicdb/`` (but webdata and media) explains what is missing."""
    page = webdata.missing_webui_page(directory)

    def app(environ, start_response):
        return files.serve_bytes(environ, start_response, page, "text/html; charset=utf-8",
                                 status="404 Not Found")
    return app


WEB_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "web")
WEB_PAGE_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                "connect-src 'self' ws: wss:; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
]


def _web_page_routes(router):
    """Our own page at ``/`` and its files below ``/app/``; both revalidate by ETag."""
    assets = files.directory_app(WEB_DIRECTORY)

    def page(environ, start_response):
        def with_headers(status, headers, exc_info=None):
            return start_response(status, headers + WEB_PAGE_HEADERS, exc_info)
        return files.serve_file(environ, with_headers, WEB_DIRECTORY, "index.html")
    router.route("/", page)
    router.mount("/app/", assets)


def _config_js_app(cfg):
    """config.js for this very server: the WebUI needs no editing."""
    def app(environ, start_response):
        url = _websocket_url(environ, cfg)
        text = webdata.render_config_js(url, datadir.read_api_key(cfg.directories.data))
        return files.serve_bytes(environ, start_response, text.encode("utf-8"),
                                 "text/javascript; charset=utf-8",
                                 headers=[("Cache-Control", "no-store")])
    return app


def _websocket_url(environ, cfg):
    """``wss://host:port`` of this server, or of the trusted proxy the request came through.

    Behind a proxy (``musicdb.proxy``, see ``access.apply_forwarded``) the
    browser knows only the proxy: its scheme (``X-Forwarded-Proto``) and the
    port of its ``Host`` header, else the scheme's default port.
    """
    if "musicdb.proxy" in environ:
        secure = environ.get("wsgi.url_scheme") == "https"
        port = webdata.host_port(environ.get("HTTP_HOST", "")) or (443 if secure else 80)
        return webdata.websocket_url_for(environ, port, tls=secure)
    port = _server_port(environ) or cfg.websocket.port
    return webdata.websocket_url_for(environ, port, tls=cfg.websocket.tls)


def _server_port(environ):
    """The port this request came in on (differs from the config when it says 0)."""
    try:
        return int(environ.get("SERVER_PORT", 0))
    except ValueError:
        return 0
