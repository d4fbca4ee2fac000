"""API area: queues (see the AREAS table in handlers/__init__.py)."""
