"""``musicdb user``: add, passwd, remove, list and token through the real command line."""

import os
import stat
import subprocess
import sys

import pytest

from musicdb.lib.auth.accounts import AccountStore, path_in
from tests.support import ROOT, free_port, write_config

MUSICDB = os.path.join(ROOT, "musicdb.py")


@pytest.fixture
def config(tmp_path):
    """A config whose hashes are cheap (the home also has the tests' account)."""
    return write_config(str(tmp_path), free_port(), extra="[security]\nhashcost = 4\n")


def user(config, *args, stdin=None):
    return subprocess.run([sys.executable, MUSICDB, "--config", config, "user", *args],
                          input=stdin, capture_output=True, text=True, timeout=60)


def store_of(config):
    return AccountStore(path_in(os.path.join(os.path.dirname(config), "data")))


def test_add_with_stdin_makes_a_private_account_without_the_password_in_it(config):
    result = user(config, "add", "bob", "--stdin", stdin="bobs secret pw\n")
    assert result.returncode == 0, result.stderr
    store = store_of(config)
    assert store.verify("bob", "bobs secret pw")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert "bobs secret pw" not in open(store.path).read()
    assert "scrypt$4$" in open(store.path).read()


def test_list_passwd_and_remove(config):
    user(config, "add", "bob", "--stdin", stdin="bobs secret pw\n")
    assert user(config, "list").stdout.split() == ["bob", "tester"]
    assert user(config, "passwd", "bob", "--stdin", stdin="a new password\n").returncode == 0
    assert store_of(config).verify("bob", "a new password")
    assert user(config, "remove", "bob").returncode == 0
    assert user(config, "list").stdout.split() == ["tester"]


@pytest.mark.parametrize("args, stdin, message", [
    (("add", "tester", "--stdin"), "long enough\n", "exists already"),
    (("add", "bob", "--stdin"), "short\n", "at least 8"),
    (("add", "bad:name", "--stdin"), "long enough\n", "invalid user name"),
    (("add", "bob", "--stdin"), "", "no password"),
    (("passwd", "nobody", "--stdin"), "long enough\n", "no user"),
    (("remove", "nobody"), None, "no user"),
    (("add",), None, "needs a NAME"),
])
def test_mistakes_are_one_line_and_exit_1(config, args, stdin, message):
    result = user(config, *args, stdin=stdin)
    assert result.returncode == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stream_token_is_shown_once_and_only_its_digest_kept(config):
    result = user(config, "token", "tester")
    token = result.stdout.split("\n")[1]
    assert result.returncode == 0 and f"/stream?token={token}" in result.stdout
    store = store_of(config)
    assert store.user_for_stream_token(token) == "tester"
    assert token not in open(store.path).read()
