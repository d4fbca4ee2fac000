"""The packet rules of protocol.md §2 and §5, without a server."""

import json

import pytest

from musicdb.lib.ws import protocol
from musicdb.lib.ws.errors import InvalidAPIKey, InvalidJSON, InvalidPacket, UnknownMethod


def packet(**changes):
    base = {"method": "request", "fncname": "Bounce", "fncsig": "s", "arguments": {},
            "pass": None, "key": "k"}
    base.update(changes)
    return base


def test_parse_returns_a_complete_packet():
    assert protocol.parse(json.dumps(packet()))["fncname"] == "Bounce"


@pytest.mark.parametrize("text", ["", "{", "not json", "{'a': 1}"])
def test_parse_rejects_text_that_is_not_json(text):
    with pytest.raises(InvalidJSON):
        protocol.parse(text)


@pytest.mark.parametrize("value", [[], "text", 3, None])
def test_parse_rejects_json_that_is_not_an_object(value):
    with pytest.raises(InvalidPacket):
        protocol.parse(json.dumps(value))


@pytest.mark.parametrize("key", protocol.PACKET_KEYS)
def test_parse_names_the_missing_key(key):
    incomplete = packet()
    del incomplete[key]
    with pytest.raises(InvalidPacket, match=key):
        protocol.parse(json.dumps(incomplete))


def test_parse_rejects_a_method_that_is_not_a_string():
    with pytest.raises(InvalidPacket, match="method"):
        protocol.parse(json.dumps(packet(method=1)))


@pytest.mark.parametrize("key", ["secret", "ключ-🎵", "a" * 64])
def test_key_check_accepts_the_right_key(key):
    assert protocol.check_key(packet(key=key), key) is True


@pytest.mark.parametrize("wrong", ["Secret", "", None, 5, "secret ", "secre", "ключ"])
def test_key_check_refuses_every_other_key(wrong):
    with pytest.raises(InvalidAPIKey):
        protocol.check_key(packet(key=wrong), "secret")


def test_error_notification_never_echoes_either_key():
    with pytest.raises(InvalidAPIKey) as caught:
        protocol.check_key(packet(key="wrong-key"), "right-key")
    text = json.dumps(protocol.error_notification(caught.value, packet(key="wrong-key")))
    assert "wrong-key" not in text and "right-key" not in text


@pytest.mark.parametrize("method", ["response", "notification", "CALL", ""])
def test_only_client_methods_are_accepted(method):
    with pytest.raises(UnknownMethod):
        protocol.check_method(packet(method=method))


def test_answer_echoes_fncsig_and_pass_and_may_rename():
    sent = packet(fncsig="ShowAlbum", **{"pass": {"from": "hud"}})
    answer = protocol.answer(sent, "broadcast", [1], fncname="GetSong")
    assert answer == {"method": "broadcast", "fncname": "GetSong", "fncsig": "ShowAlbum",
                      "arguments": [1], "pass": {"from": "hud"}}


def test_error_notification_repeats_the_request_without_the_key():
    error = InvalidPacket("bad")
    note = protocol.error_notification(error, packet())
    assert note["method"] == "notification"
    assert (note["fncname"], note["fncsig"]) == ("MusicDB:Error", "onError")
    assert note["arguments"]["code"] == "InvalidPacket"
    assert note["arguments"]["request"] == {"method": "request", "fncname": "Bounce",
                                            "fncsig": "s", "pass": None}


def test_encode_refuses_nan():
    with pytest.raises(ValueError):
        protocol.encode({"arguments": float("nan")})


def test_encode_splices_raw_json_arguments_verbatim():
    """A cached answer (RawJSON) is embedded as is; the packet reads back as if encoded whole."""
    arguments = [{"name": "Bänd", "albums": []}]
    raw = protocol.RawJSON(protocol.encode(arguments))
    packet = protocol.answer({"fncname": "F", "fncsig": "s", "pass": {"x": 1}}, "response", raw)
    text = protocol.encode(packet)
    assert text == protocol.encode(dict(packet, arguments=arguments))
    assert raw in text and json.loads(text)["arguments"] == arguments


def test_encode_still_refuses_nan_beside_raw_json():
    with pytest.raises(ValueError):
        protocol.encode({"arguments": protocol.RawJSON("[]"), "pass": float("nan")})
