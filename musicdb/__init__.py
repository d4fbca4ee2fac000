"""MusicDB: a self-hosted music server compatible with the MusicDB 8 WebUI."""

__version__ = "9.0.0a1"
