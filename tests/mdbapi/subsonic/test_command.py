"""``musicdb subsonic password|apikey``: the app password and API keys on the command line."""

import os
import stat
import subprocess
import sys

from musicdb.lib.auth.subsonic import SubsonicCredentials, key_digest, path_in
from tests.support import ROOT, TEST_USER, free_port, write_config


def run(config, *args, stdin=""):
    return subprocess.run([sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
                           "subsonic", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_password_apikey_create_list_revoke(tmp_path):
    config = write_config(str(tmp_path), free_port())
    store_path = path_in(str(tmp_path / "data"))
    result = run(config, "password", TEST_USER, "--stdin", stdin="an-app-password\n")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o600
    assert SubsonicCredentials(store_path).app_password(TEST_USER) == "an-app-password"
    created = run(config, "apikey", "create", TEST_USER, "phone")
    key = created.stdout.strip().splitlines()[-1]
    assert created.returncode == 0 and len(key) > 30
    with open(store_path, encoding="utf-8") as handle:
        content = handle.read()
    assert key not in content and key_digest(key) in content
    assert "phone\t" + TEST_USER in run(config, "apikey", "list").stdout
    assert run(config, "apikey", "revoke", "phone").returncode == 0
    assert SubsonicCredentials(store_path).user_for_apikey(key) is None


def test_unknown_users_and_short_passwords_are_refused(tmp_path):
    config = write_config(str(tmp_path), free_port())
    assert run(config, "password", "nobody", "--stdin", stdin="long-password\n").returncode == 1
    short = run(config, "password", TEST_USER, "--stdin", stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr
    assert run(config, "apikey", "create", "nobody", "x").returncode == 1
