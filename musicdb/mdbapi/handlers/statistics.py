"""API area: statistics (see the AREAS table in handlers/__init__.py)."""
