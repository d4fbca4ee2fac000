"""The handler table: validation before execution, answers per method, forced broadcasts."""

import pytest

from musicdb.lib.ws.rpc import EVERYONE, SENDER, HandlerTable
from musicdb.mdbapi import handlers
from musicdb.mdbapi.handlers.arguments import entry_id, db_id, string, Optional

APP = object()   # what the server passes to every handler


@pytest.fixture
def table():
    """A private handler table with a getter, a setter forcing it, and a failing function."""
    table = HandlerTable()
    handler = table.handler
    store = table.store = {"value": 1, "calls": 0, "apps": set()}

    @handler("GetValue", args={"itemid": db_id})
    def get_value(args, ctx):
        store["apps"].add(ctx)
        return {"itemid": args["itemid"], "value": store["value"]}

    @handler("SetValue", args={"itemid": db_id, "value": string}, forced=("GetValue", "itemid"))
    def set_value(args, ctx):
        store["value"] = args["value"]

    @handler("Cut", args={"itemid": db_id}, answered_by=("GetValue", "itemid"))
    def cut(args, ctx):
        store["calls"] += 1

    @handler("Explode")
    def explode(args, ctx):
        raise RuntimeError("boom")

    @handler("Named", args={"name": string, "limit": Optional(db_id, 5)})
    def named(args, ctx):
        return args

    @handler("WhoAsks", caller=True)
    def who_asks(args, ctx, caller):
        return caller

    return table


def packet(fncname, arguments=None, method="request"):
    return {"method": method, "fncname": fncname, "fncsig": "sig", "arguments": arguments,
            "pass": {"p": 1}, "key": "k"}


def test_request_is_answered_to_the_sender_only(table):
    [(to, answer)] = table.dispatch(packet("GetValue", {"itemid": "7"}), APP)
    assert to == SENDER
    assert answer["method"] == "response"
    assert answer["arguments"] == {"itemid": 7, "value": 1}
    assert (answer["fncsig"], answer["pass"]) == ("sig", {"p": 1})


def test_call_gets_no_answer(table):
    assert table.dispatch(packet("GetValue", {"itemid": 1}, "call"), APP) == []


def test_broadcast_goes_to_everyone(table):
    [(to, answer)] = table.dispatch(packet("GetValue", {"itemid": 1}, "broadcast"), APP)
    assert to == EVERYONE and answer["method"] == "broadcast"


@pytest.mark.parametrize("method", ["call", "request", "broadcast"])
def test_forced_broadcast_renames_and_reaches_everyone_for_every_method(table, method):
    [(to, answer)] = table.dispatch(
        packet("SetValue", {"itemid": 3, "value": "new"}, method), APP)
    assert to == EVERYONE
    assert answer["method"] == "broadcast" and answer["fncname"] == "GetValue"
    assert answer["arguments"] == {"itemid": 3, "value": "new"}


def test_renamed_answer_for_a_request_and_null_broadcast(table):
    [(_, answer)] = table.dispatch(packet("Cut", {"itemid": 2}), APP)
    assert answer["fncname"] == "GetValue" and answer["arguments"]["itemid"] == 2
    [(to, answer)] = table.dispatch(packet("Cut", {"itemid": 2}, "broadcast"), APP)
    assert to == EVERYONE and answer["fncname"] == "Cut" and answer["arguments"] is None
    assert table.dispatch(packet("Cut", {"itemid": 2}, "call"), APP) == []
    assert table.store["calls"] == 3


@pytest.mark.parametrize("arguments", [None, {}, {"itemid": True}, {"itemid": 0},
                                       {"itemid": "x"}, {"itemid": 1.5}, [1]])
def test_bad_arguments_change_nothing_and_answer_an_error(table, arguments):
    sent = packet("SetValue", arguments)
    if isinstance(arguments, dict):
        arguments.setdefault("value", "changed")
    [(to, error)] = table.dispatch(sent, APP)
    assert to == SENDER
    assert error["fncname"] == "MusicDB:Error"
    assert error["arguments"]["code"] == "InvalidArguments"
    assert table.store["value"] == 1


def test_unknown_function_is_an_error(table):
    [(_, error)] = table.dispatch(packet("GetFoo"), APP)
    assert error["arguments"]["code"] == "UnknownFunction"
    assert "GetFoo" in error["arguments"]["message"]


def test_a_failing_handler_becomes_an_internal_error(table):
    [(_, error)] = table.dispatch(packet("Explode"), APP)
    assert error["arguments"]["code"] == "InternalError"
    assert "boom" not in error["arguments"]["message"]


def test_optional_argument_takes_its_default(table):
    [(_, answer)] = table.dispatch(packet("Named", {"name": "x"}), APP)
    assert answer["arguments"] == {"name": "x", "limit": 5}


def test_entry_ids_are_128_bit_decimal_strings():
    assert entry_id("168493523207840521806064336792025247758") == \
        168493523207840521806064336792025247758
    for bad in ("-1", "1e3", str(2 ** 128), True, None, 1.5):
        with pytest.raises(ValueError):
            entry_id(bad)


def test_registering_a_name_twice_is_refused(table):
    with pytest.raises(RuntimeError):
        table.handler("GetValue")(lambda args, ctx: None)


def test_handlers_get_the_app_and_only_asking_ones_the_caller(table):
    table.dispatch(packet("GetValue", {"itemid": 1}), APP)
    assert table.store["apps"] == {APP}
    [(_, answer)] = table.dispatch(packet("WhoAsks"), APP, caller="the connection")
    assert answer["arguments"] == "the connection"


def test_load_areas_fills_the_api_table():
    """Not dependent on another test having imported the areas first."""
    table = handlers.load_areas()
    assert table is handlers.TABLE
    assert {"Bounce", "GetArtists", "GetSongQueue", "Find"} <= set(table.names())
