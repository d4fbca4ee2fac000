"""The helpers every test folder uses; the fixtures of ``tests/conftest.py`` are built on them.

* ``library``: :class:`Library`, a fresh music database filled by SQL (``add_song`` ...).
* ``app``: :func:`build_app`, an App on such a library, run in the test's own process.
* ``server``: :class:`ServerProcess`, the real ``musicdb.py server`` on a free 127.0.0.1 port.
* ``client``: :class:`Client`, a real WebSocket client whose waits time out.
* ``homes``: :func:`make_library_home`, a server home with the demo library imported.
"""

from tests.support.app import (STREAM_URL, Clock, build_app, make_cfg, wait_until,
                               write_randy_ini)
from tests.support.client import Client, NamedClient, wait_close
from tests.support.homes import (DemoLibrary, LibraryHome, import_demo_library,
                                 make_demo_library, make_library_home, run_cli)
from tests.support.library import Library
from tests.support.server import (BLOCKED_MARK, LEGACY_WEBUI, ROOT, TEST_PASSWORD, TEST_USER,
                                  Endpoint, ServerProcess, auth_headers, create_account,
                                  free_port, login, main_thread_times, poll, process_alive,
                                  needs_legacy_webui, server_blocks, session_cookie,
                                  write_config)

__all__ = [
    "STREAM_URL", "Clock", "build_app", "make_cfg", "wait_until", "write_randy_ini",
    "Client", "NamedClient", "wait_close",
    "DemoLibrary", "LibraryHome", "import_demo_library", "make_demo_library",
    "make_library_home", "run_cli",
    "Library",
    "BLOCKED_MARK", "LEGACY_WEBUI", "ROOT", "Endpoint", "ServerProcess", "free_port", "main_thread_times",
    "poll", "process_alive", "server_blocks", "write_config", "TEST_PASSWORD", "TEST_USER",
    "auth_headers", "create_account", "login", "session_cookie", "needs_legacy_webui",
]
