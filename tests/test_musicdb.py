"""The command line: global options before the module, one clear line for every user error."""

import http.client
import os
import re
import ssl
import subprocess
import sys


from tests.support import ROOT, Client, Endpoint, free_port, login, write_config


MUSICDB = os.path.join(ROOT, "musicdb.py")


def run(*args, env=None):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, MUSICDB, *args], capture_output=True, text=True,
                          timeout=60, env=environment)


def test_version_is_printed():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("MusicDB ")


def test_unknown_module_is_one_line_and_exit_1(tmp_path):
    result = run("--config", write_config(str(tmp_path), 9000), "dance")
    assert result.returncode == 1
    assert "dance" in result.stderr


def test_missing_module_is_exit_1():
    result = run()
    assert result.returncode == 1 and "module is required" in result.stderr


def test_missing_config_file_is_one_line_and_exit_1(tmp_path):
    result = run("--config", str(tmp_path / "missing.ini"), "server")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "missing.ini" in result.stderr


def test_bad_config_value_names_section_and_key(tmp_path):
    path = tmp_path / "musicdb.ini"
    path.write_text("[websocket]\nport = many\n")
    result = run("--config", str(path), "server")
    assert result.returncode == 1
    assert "[websocket] port" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_a_clear_error_and_exit_1(tmp_path):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("--config", write_config(str(tmp_path), port), "server")
    assert result.returncode == 1
    assert "Cannot start the WebSocket server" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_config_a_local_default_home_is_created_and_served(tmp_path):
    """The quick start: no --config and no /etc/musicdb.ini → a home with config, data, TLS."""
    home, port = tmp_path / "home", free_port()
    environment = dict(os.environ, MUSICDB_HOME=str(home), MUSICDB_PORT=str(port))
    proc = subprocess.Popen([sys.executable, MUSICDB, "server"], stderr=subprocess.PIPE,
                            text=True, env=environment)
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "MusicDB is running" in line or len(lines) > 500:
                break
        output = "".join(lines)
        assert lines[-1].strip() == f"MusicDB is running: open https://localhost:{port}/", output
        password = first_account_password(output)
        assert f"Log in as 'admin' with the password {password}" in output
        assert f"Stream for other players: https://localhost:{port}/stream" in output
        assert f"Music directory: {home / 'music'}" in output
        page = our_page_after_login(Endpoint(home, port, user="admin", password=password))
        assert b'<script type="module" src="app/main.js">' in page
        assert (home / "musicdb.ini").exists()
        assert (home / "data" / "config" / "wsapikey.txt").exists()
        assert (home / "data" / "websocket.cert").exists()
        demo = [name for _, _, names in os.walk(home / "music") for name in names]
        assert len(demo) >= 20, "the demo library was not generated"
        client = Client(Endpoint(home, port, user="admin", password=password))
        queue = client.request("GetSongQueue")
        assert len(queue) >= 1, "Randy picks no demo song"
        client.close()
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode == 0


def our_page_after_login(endpoint):
    """``/`` as a browser gets it after logging in with the form."""
    status, answer, cookie = login(endpoint, endpoint.user, endpoint.password)
    assert status == 303 and answer["location"] == "/musicdb/" and cookie
    context = ssl.create_default_context(cafile=os.path.join(endpoint.home, "data",
                                                             "websocket.cert"))
    context.check_hostname = False
    connection = http.client.HTTPSConnection("127.0.0.1", endpoint.port, context=context,
                                             timeout=10)
    try:
        connection.request("GET", "/", headers={"Cookie": cookie, "Accept": "text/html"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, (response.status, body)
    return body


def first_account_password(output):
    """The quick start's generated password, printed once at its first start."""
    found = re.search(r"Created the account 'admin' with the password (\S+)", output)
    assert found, output
    return found.group(1)


def run_server_briefly(config, *options):
    """Start the server with ``options``, stop it once it runs; returns its stderr."""
    proc = subprocess.Popen([sys.executable, MUSICDB, "--config", config, *options, "server"],
                            stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "MusicDB is running" in line:
            proc.terminate()
    proc.wait(20)
    return "".join(lines)


def test_verbose_and_quiet_override_the_configured_level(tmp_path):
    config = write_config(str(tmp_path), free_port())
    with open(config, "a") as handle:
        handle.write("[log]\nloglevel = WARNING\n")
    normal = run_server_briefly(config)
    verbose = run_server_briefly(config, "--verbose")
    quiet = run_server_briefly(config, "--quiet")
    assert " DEBUG " in verbose and " INFO " in verbose
    assert " INFO " not in normal and " DEBUG " not in normal
    assert " INFO " not in quiet and " WARNING " not in quiet


def test_log_goes_to_the_configured_file(tmp_path):
    logfile = tmp_path / "server.log"
    config = write_config(str(tmp_path), free_port())
    with open(config, "a") as handle:
        handle.write(f"[log]\nlogfile = {logfile}\nloglevel = INFO\n")
    stderr = run_server_briefly(config)
    assert " INFO " not in stderr
    assert "Listening on 127.0.0.1" in logfile.read_text()
