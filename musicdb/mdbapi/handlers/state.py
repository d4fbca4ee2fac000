"""API area: state (see the AREAS table in handlers/__init__.py)."""
