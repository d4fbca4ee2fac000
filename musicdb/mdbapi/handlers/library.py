"""API area: library (see the AREAS table in handlers/__init__.py)."""
