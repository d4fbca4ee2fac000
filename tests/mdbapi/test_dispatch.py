"""The handler table: validation before execution, answers per method, forced broadcasts."""

import pytest

from musicdb.mdbapi import handlers
from musicdb.mdbapi.handlers import EVERYONE, SENDER, Context, handler
from musicdb.mdbapi.handlers.arguments import ENTRY_ID, ID, STR, Optional


@pytest.fixture
def table(monkeypatch):
    """A private handler table with a getter, a setter forcing it, and a failing function."""
    monkeypatch.setattr(handlers, "HANDLERS", {})
    store = {"value": 1, "calls": 0}

    @handler("GetValue", args={"itemid": ID})
    def get_value(args, ctx):
        return {"itemid": args["itemid"], "value": store["value"]}

    @handler("SetValue", args={"itemid": ID, "value": STR}, forced=("GetValue", "itemid"))
    def set_value(args, ctx):
        store["value"] = args["value"]

    @handler("Cut", args={"itemid": ID}, answered_by=("GetValue", "itemid"))
    def cut(args, ctx):
        store["calls"] += 1

    @handler("Explode")
    def explode(args, ctx):
        raise RuntimeError("boom")

    @handler("Named", args={"name": STR, "limit": Optional(ID, 5)})
    def named(args, ctx):
        return args

    return store


def packet(fncname, arguments=None, method="request"):
    return {"method": method, "fncname": fncname, "fncsig": "sig", "arguments": arguments,
            "pass": {"p": 1}, "key": "k"}


def test_request_is_answered_to_the_sender_only(table):
    [(to, answer)] = handlers.dispatch(packet("GetValue", {"itemid": "7"}), Context())
    assert to == SENDER
    assert answer["method"] == "response"
    assert answer["arguments"] == {"itemid": 7, "value": 1}
    assert (answer["fncsig"], answer["pass"]) == ("sig", {"p": 1})


def test_call_gets_no_answer(table):
    assert handlers.dispatch(packet("GetValue", {"itemid": 1}, "call"), Context()) == []


def test_broadcast_goes_to_everyone(table):
    [(to, answer)] = handlers.dispatch(packet("GetValue", {"itemid": 1}, "broadcast"), Context())
    assert to == EVERYONE and answer["method"] == "broadcast"


@pytest.mark.parametrize("method", ["call", "request", "broadcast"])
def test_forced_broadcast_renames_and_reaches_everyone_for_every_method(table, method):
    [(to, answer)] = handlers.dispatch(
        packet("SetValue", {"itemid": 3, "value": "new"}, method), Context())
    assert to == EVERYONE
    assert answer["method"] == "broadcast" and answer["fncname"] == "GetValue"
    assert answer["arguments"] == {"itemid": 3, "value": "new"}


def test_renamed_answer_for_a_request_and_null_broadcast(table):
    [(_, answer)] = handlers.dispatch(packet("Cut", {"itemid": 2}), Context())
    assert answer["fncname"] == "GetValue" and answer["arguments"]["itemid"] == 2
    [(to, answer)] = handlers.dispatch(packet("Cut", {"itemid": 2}, "broadcast"), Context())
    assert to == EVERYONE and answer["fncname"] == "Cut" and answer["arguments"] is None
    assert handlers.dispatch(packet("Cut", {"itemid": 2}, "call"), Context()) == []
    assert table["calls"] == 3


@pytest.mark.parametrize("arguments", [None, {}, {"itemid": True}, {"itemid": 0},
                                       {"itemid": "x"}, {"itemid": 1.5}, [1]])
def test_bad_arguments_change_nothing_and_answer_an_error(table, arguments):
    sent = packet("SetValue", arguments)
    if isinstance(arguments, dict):
        arguments.setdefault("value", "changed")
    [(to, error)] = handlers.dispatch(sent, Context())
    assert to == SENDER
    assert error["fncname"] == "MusicDB:Error"
    assert error["arguments"]["code"] == "InvalidArguments"
    assert table["value"] == 1


def test_unknown_function_is_an_error(table):
    [(_, error)] = handlers.dispatch(packet("GetFoo"), Context())
    assert error["arguments"]["code"] == "UnknownFunction"
    assert "GetFoo" in error["arguments"]["message"]


def test_a_failing_handler_becomes_an_internal_error(table):
    [(_, error)] = handlers.dispatch(packet("Explode"), Context())
    assert error["arguments"]["code"] == "InternalError"
    assert "boom" not in error["arguments"]["message"]


def test_optional_argument_takes_its_default(table):
    [(_, answer)] = handlers.dispatch(packet("Named", {"name": "x"}), Context())
    assert answer["arguments"] == {"name": "x", "limit": 5}


def test_entry_ids_are_128_bit_decimal_strings():
    assert ENTRY_ID("168493523207840521806064336792025247758") == \
        168493523207840521806064336792025247758
    for bad in ("-1", "1e3", str(2 ** 128), True, None, 1.5):
        with pytest.raises(ValueError):
            ENTRY_ID(bad)


def test_registering_a_name_twice_is_refused(table):
    with pytest.raises(RuntimeError):
        handler("GetValue")(lambda args, ctx: None)


def test_every_area_module_loads():
    handlers.load_areas()
    assert "Bounce" in handlers.HANDLERS
