"""Fixtures of the Subsonic tests: the /rest/ WSGI app in-process on the test library."""

import io
import json
import xml.etree.ElementTree as ElementTree
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from musicdb.lib.auth.accounts import AccountStore, path_in
from musicdb.lib.auth.limiter import FailureLimiter
from musicdb.mdbapi import subsonic
from tests.mdbapi.subsonic.support import set_app_password, token_auth
from tests.support import TEST_USER, ServerProcess


class Home:
    def __init__(self, data):
        self.data = data


@pytest.fixture
def subsonic_cfg():
    """The ``[subsonic]`` settings of :func:`rest_raw` (parametrize it to change them)."""
    return {}


@pytest.fixture
def rest_raw(app, datadir, subsonic_cfg):
    """``rest_raw(name, address="10.0.0.1", auth=None, fmt="json", **params)`` -> the body
    bytes of one in-process call (HTTP status asserted 200)."""
    app.cfg.subsonic = SimpleNamespace(**subsonic_cfg)
    accounts = AccountStore(path_in(datadir), cost=4)
    accounts.add(TEST_USER, "login-password")
    set_app_password(Home(datadir))
    wsgi = subsonic.build(app, accounts, FailureLimiter(max_failures=3, block=60))

    def call(name, address="10.0.0.1", auth=None, fmt="json", **params):
        query = dict(token_auth() if auth is None else auth, f=fmt, **params)
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/" + name, "SCRIPT_NAME": "/rest",
                   "QUERY_STRING": urlencode(query, doseq=True), "REMOTE_ADDR": address,
                   "wsgi.input": io.BytesIO()}
        seen = []
        body = b"".join(wsgi(environ, lambda status, headers: seen.append(status)))
        assert seen == ["200 OK"]
        return body
    yield call
    wsgi.annotations.close()


@pytest.fixture
def rest(rest_raw):
    """``rest(name, address="10.0.0.1", **params)`` -> the JSON ``subsonic-response``
    (``fmt="xml"``: the parsed XML root)."""
    def call(name, address="10.0.0.1", auth=None, fmt="json", **params):
        body = rest_raw(name, address, auth, fmt, **params)
        if fmt == "xml":
            return ElementTree.fromstring(body)
        return json.loads(body)["subsonic-response"]
    return call


@pytest.fixture(scope="module")
def server(home):
    """The real server on the module's ``home`` (each module makes its own library)."""
    server = ServerProcess(home.home)
    try:
        yield server
    finally:
        server.stop()
