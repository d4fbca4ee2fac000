"""The address-list keys of musicdb.ini: ``[Icecast] allow`` and ``[websocket] trustedproxies``."""

import subprocess
import sys

import pytest

from musicdb.lib.cfg.musicdb import ConfigError, MusicDBConfig
from tests.support import ROOT, write_config


def test_networks_and_addresses_are_read_as_a_list(tmp_path):
    path = write_config(tmp_path, 0, extra="[Icecast]\nallow = 192.168.1.0/24, ::1\n")
    cfg = MusicDBConfig(path)
    assert cfg.icecast.allow == ["192.168.1.0/24", "::1"]
    assert cfg.websocket.trustedproxies == []


@pytest.mark.parametrize("section,key,value", [
    ("Icecast", "allow", "10.0.0.0/8, 192.168.1"),
    ("websocket", "trustedproxies", "localhost"),
])
def test_a_malformed_entry_names_file_section_key_and_entry(tmp_path, section, key, value):
    path = write_config(tmp_path, 0, extra=f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as caught:
        MusicDBConfig(path)
    message = str(caught.value)
    assert path in message and f"[{section}] {key}" in message
    assert repr(value.split(", ")[-1]) in message


def test_the_server_refuses_to_start_with_one_line_and_exit_1(tmp_path):
    path = write_config(tmp_path, 0, extra="[Icecast]\nallow = 192.168.1.\n")
    done = subprocess.run([sys.executable, f"{ROOT}/musicdb.py", "--config", path, "server"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "[Icecast] allow" in lines[0] and path in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
