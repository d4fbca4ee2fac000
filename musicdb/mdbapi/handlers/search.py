"""API area: search (see the AREAS table in handlers/__init__.py)."""
