"""The account file: private, atomic, no plain passwords, seen by a running server at once."""

import json
import os
import stat

import pytest

from musicdb.lib.auth.accounts import AccountError, AccountStore


@pytest.fixture
def store(tmp_path):
    return AccountStore(str(tmp_path / "config" / "accounts.json"), cost=4)


def test_an_added_user_verifies_and_the_file_is_private(store):
    store.add("anna", "long enough")
    assert store.verify("anna", "long enough")
    assert not store.verify("anna", "wrong password")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    text = open(store.path).read()
    assert "long enough" not in text and "scrypt$4$" in text


def test_unknown_users_are_checked_against_a_dummy_hash(store, monkeypatch):
    """The same scrypt work is done for a name that does not exist (no timing oracle)."""
    calls = []
    real = __import__("musicdb.lib.auth.passwords", fromlist=["verify"]).verify

    def counting(password, stored):
        calls.append(stored)
        return real(password, stored)
    monkeypatch.setattr("musicdb.lib.auth.passwords.verify", counting)
    assert not store.verify("nobody", "whatever pw")
    assert len(calls) == 1 and calls[0].startswith("scrypt$4$")


def test_names_passwords_and_duplicates_are_checked(store):
    store.add("anna", "long enough")
    with pytest.raises(AccountError, match="exists"):
        store.add("anna", "another one")
    with pytest.raises(AccountError, match="invalid user name"):
        store.add("bad:name", "long enough")
    with pytest.raises(AccountError, match="at least"):
        store.add("bert", "short")
    with pytest.raises(AccountError, match="no user"):
        store.set_password("nobody", "long enough")


def test_a_new_password_changes_the_stamp_and_removal_clears_it(store):
    store.add("anna", "long enough")
    before = store.stamp("anna")
    store.set_password("anna", "even longer pw")
    assert store.stamp("anna") not in (None, before)
    store.remove("anna")
    assert store.stamp("anna") is None and store.names() == []


def test_a_change_by_another_process_is_seen_without_a_restart(store, tmp_path):
    """The CLI writes the file; the server's store reads it again when it changed."""
    store.add("anna", "long enough")
    assert store.exists("anna")
    other = AccountStore(store.path, cost=4)
    other.remove("anna")
    assert not store.exists("anna")


def test_a_stream_token_is_stored_hashed_and_finds_its_user(store):
    store.add("anna", "long enough")
    token = store.new_stream_token("anna")
    assert store.user_for_stream_token(token) == "anna"
    assert store.user_for_stream_token(token + "x") is None
    assert token not in open(store.path).read()
    assert store.new_stream_token("anna") != token
    assert store.user_for_stream_token(token) is None


def test_a_broken_file_is_a_clear_error(store):
    os.makedirs(os.path.dirname(store.path))
    with open(store.path, "w") as handle:
        handle.write("{not json")
    with pytest.raises(AccountError, match="cannot read"):
        store.names()
    with open(store.path, "w") as handle:
        json.dump({"users": {"x": {"nohash": 1}}}, handle)
    assert AccountStore(store.path).names() == []
