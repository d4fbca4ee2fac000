"""A tiny HTTPS client for the route tests: raw paths, verified TLS, full responses.

``http.client`` sends the path exactly as given (``urllib3``/``requests``
would remove ``..`` segments before the server ever sees them), which the
traversal tests need.  The server's own self-signed certificate is the only
trust anchor, so every request also proves that the certificate is valid
for ``127.0.0.1``.
"""

import http.client
import os
import ssl
from dataclasses import dataclass, field
from urllib.parse import quote

from tests.support import auth_headers


@dataclass
class Response:
    status: int
    headers: dict = field(repr=False)
    body: bytes = field(repr=False)

    def header(self, name):
        return self.headers.get(name.lower())


def tls_context(server):
    """A client context that trusts exactly the server's certificate."""
    cert = os.path.join(server.home, "data", "websocket.cert")
    return ssl.create_default_context(cafile=cert)


def fetch(server, path, method="GET", headers=None, host=None, auth=True):
    """Send one request with the raw *path*; returns a :class:`Response`.

    *host* replaces the ``Host`` header (a browser on another machine sends
    its own name for the server there).  With *auth* the request carries the
    test account's session cookie.
    """
    if auth:
        headers = {**auth_headers(server), **(headers or {})}
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10,
                                             context=tls_context(server))
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host or "127.0.0.1:%d" % server.port)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def videoframe_url(framesdir, filename):
    """What the WebUI's EncodeVideoThumbnailPath builds (encodeURI + encodeURIComponent),
    below /musicdb/ where its index.html lies."""
    return ("/musicdb/" + quote(f"videoframes/{framesdir}/", safe="/;,?:@&=+$-_.!~*'()#")
            + quote(filename, safe="-_.!~*'()"))
