"""API area: playback (see the AREAS table in handlers/__init__.py)."""
