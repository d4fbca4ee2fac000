"""Fixtures of the library tests (see fixtures.py)."""

from tests.library.fixtures import demo_library, imported_library, library_home  # noqa: F401
