"""The API tests may use a server on an imported demo library (see tests/library/fixtures.py)."""

from tests.library.fixtures import demo_library, library_home  # noqa: F401
