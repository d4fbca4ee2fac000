"""Helpers of the Subsonic tests: a server with an app password, raw HTTP calls, XML vs JSON
(the schema checks are in :mod:`tests.mdbapi.subsonic.schemas`)."""

import hashlib
import http.client
import json
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlencode

from musicdb.lib.auth.subsonic import SubsonicCredentials, path_in
from tests.support import TEST_USER

APP_PASSWORD = "app-pässword-42"
NS = "{http://subsonic.org/restapi}"


def set_app_password(home, user=TEST_USER, password=APP_PASSWORD):
    SubsonicCredentials(path_in(str(home.data))).set_app_password(user, password)


def create_apikey(home, name, user=TEST_USER):
    return SubsonicCredentials(path_in(str(home.data))).create_apikey(user, name)


def token_auth(user=TEST_USER, password=APP_PASSWORD, salt="c19b2d"):
    token = hashlib.md5((password + salt).encode("utf-8")).hexdigest()
    return {"u": user, "t": token, "s": salt, "v": "1.16.1", "c": "tests"}


def raw(server, method, path, body=None, headers=None):
    """``(status, {header: value}, body)`` of one request with the raw ``path``."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def call(server, name, params=None, fmt="json", auth=None, method="GET", headers=None):
    """Call ``/rest/<name>``; ``auth`` defaults to token auth of the test account."""
    query = dict(token_auth() if auth is None else auth)
    if fmt:
        query["f"] = fmt
    query.update(params or {})
    text = urlencode(query, doseq=True)
    if method == "POST":
        return raw(server, "POST", "/rest/" + name, text,
                   {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    return raw(server, method, "/rest/" + name + "?" + text, headers=headers)


def answer(server, name, params=None, auth=None, method="GET"):
    """The ``subsonic-response`` JSON of a call that must succeed over HTTP (200)."""
    status, headers, body = call(server, name, params, "json", auth, method)
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)["subsonic-response"]


def ok(server, name, params=None, auth=None, method="GET"):
    response = answer(server, name, params, auth, method)
    assert response["status"] == "ok", response
    return response


def error_code(server, name, params=None, auth=None, fmt="json"):
    """The error code of a failed call (checked in the requested format)."""
    status, _, body = call(server, name, params, fmt, auth)
    assert status == 200, body
    if fmt == "json":
        response = json.loads(body)["subsonic-response"]
        assert response["status"] == "failed", response
        return response["error"]["code"]
    root = ElementTree.fromstring(body)
    assert root.get("status") == "failed"
    return int(root.find(NS + "error").get("code"))


def xml_plain(element):
    """An XML element as ``{attr: text, child: [plain...], "value": text}``."""
    plain = dict(element.attrib)
    plain.pop("xmlns", None)
    for child in element:
        plain.setdefault(child.tag.replace(NS, ""), []).append(xml_plain(child))
    if element.text and element.text.strip():
        plain["value"] = element.text
    return plain


def json_plain(value):
    """A JSON object in the shape of :func:`xml_plain` (scalars as XML writes them)."""
    plain = {}
    for key, item in value.items():
        if key == "value" and item == "":
            continue  # an empty text: XML cannot tell it from none
        if isinstance(item, dict):
            plain[key] = [json_plain(item)]
        elif isinstance(item, list):
            if item:
                plain[key] = [json_plain(x) if isinstance(x, dict) else {"value": str(x)}
                              for x in item]
        elif isinstance(item, bool):
            plain[key] = "true" if item else "false"
        else:
            plain[key] = str(item)
    return plain
