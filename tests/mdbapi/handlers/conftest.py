"""The editing tests use the read-API tests' library fixtures (plain SQL rows, a real server)."""

from tests.libraryapi.conftest import api, connect, ctx, library, library_server  # noqa: F401
