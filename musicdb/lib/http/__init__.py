"""HTTP on the WebSocket's port: a router with prefix mounts and one access check,
file serving, generated web content, TLS.

``router`` is generic; ``app`` is MusicDB's route table (foundations.md §5).
Nothing here imports ``musicdb.mdbapi``: the stream's routes are passed in.
"""
