"""Generated web content: the WebUI's ``webdata/config.js``, the welcome page, and the
page that explains a missing WebUI.

The legacy WebUI reads five global constants from ``webdata/config.js``
(protocol.md §1.2).  Its certificate help text takes the port from the URL
after the last ``:``, so the URL must end with ``:<port>`` and no path.

The welcome page answers a plain HTTPS GET on the WebSocket port: users
open that address once to accept the self-signed certificate (§1.3).
"""

import html
import json
import re

CONFIG_VERSION = 3        # format version of config.js, as in the shipped template
WATCHDOG_INTERVAL = 5000  # ms; the WebUI reconnects after this long without a packet

# Host names and IPv4 addresses, or a bracketed IPv6 address (zone ids allowed).
_HOSTNAME = re.compile(r"[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?\]")


def render_config_js(websocket_url, apikey):
    """Return the text of ``config.js`` for *websocket_url* and *apikey*.

    Values are JSON-encoded, which is valid JavaScript and escapes quotes,
    backslashes and line separators, so no key or host can break out of its
    string.  Raises TypeError if either value is not a ``str`` (``None``
    would silently become ``null``).
    """
    for value in (websocket_url, apikey):
        if not isinstance(value, str):
            raise TypeError("config.js values must be str, not %s" % type(value).__name__)
    return "\n".join([
        '"use strict";',
        "",
        "const CONFIG_VERSION      = %d;" % CONFIG_VERSION,
        "const WATCHDOG_RUN        = true;",
        "const WATCHDOG_INTERVAL   = %d;" % WATCHDOG_INTERVAL,
        "const WEBSOCKET_URL       = %s;" % json.dumps(websocket_url),
        "const WEBSOCKET_APIKEY    = %s;" % json.dumps(apikey),
        "",
    ])


def websocket_url_for(environ, port, tls=True):
    """Return ``wss://<host>:<port>`` for the host the browser used.

    The host comes from the ``Host`` header without its port, so the WebUI
    reaches the server under the same name it loaded the page from; an
    IPv6 address keeps its brackets.  A missing or implausible Host header
    falls back to ``SERVER_NAME``.
    """
    host = _split_host(environ.get("HTTP_HOST", ""))
    if not _HOSTNAME.fullmatch(host):
        host = environ.get("SERVER_NAME") or "localhost"
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host
    return "%s://%s:%d" % ("wss" if tls else "ws", host.lower(), int(port))


def _split_host(value):
    """Strip the port from a Host header value: ``[::1]:8443`` -> ``[::1]``."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        return value[:end + 1] if end > 0 else ""
    return value.split(":", 1)[0]


def missing_webui_page(directory):
    """The page ``/musicdb/`` answers when the legacy WebUI is not installed (UTF-8 bytes)."""
    where = html.escape(directory)
    page = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>MusicDB WebUI not installed</title></head>
<body>
<h1>The MusicDB 8 WebUI is not installed</h1>
<p>This server serves MusicDB 8's browser client at <code>/musicdb/</code>, but its
directory <code>{where}</code> holds no <code>index.html</code>.</p>
<p>To use it, copy the <code>webui</code> directory of MusicDB 8 there, or point the
server at it: set <code>directory</code> in the <code>[webui]</code> section of
<code>musicdb.ini</code>, or the environment variable <code>MUSICDB_WEBUI</code>, and
restart the server.</p>
</body>
</html>
""".format(where=where)
    return page.encode("utf-8")


def host_port(value):
    """The port of a Host header value (``[::1]:8443`` -> 8443), or None without one."""
    value = value.strip()
    rest = value[len(_split_host(value)):]
    if rest.startswith(":") and rest[1:].isdigit() and 0 < int(rest[1:]) < 65536:
        return int(rest[1:])
    return None


def welcome_page(name="MusicDB"):
    """Return the small HTML page (UTF-8 bytes) for a plain HTTPS GET.

    Reaching it proves the browser accepted the certificate; the link leads
    on to the WebUI.  *name* is HTML-escaped.
    """
    title = html.escape(name)
    page = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
<p>The {title} server is running, and this browser accepted its certificate.</p>
<p>Continue to the <a href="/musicdb/">{title} WebUI</a>.</p>
</body>
</html>
""".format(title=title)
    return page.encode("utf-8")
