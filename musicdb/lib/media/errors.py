"""The one error family of :mod:`musicdb.lib.media`.

Every module of the package defines its own error class under
:class:`MediaError` (``TagError``, ``MP3Error``, ``TranscodeError``,
``ArtworkError``), as mutagen does under ``MutagenError``.  Third-party and OS
errors are turned into those classes where they happen, with
:func:`convert_error`, so a caller never has to know which library failed.
"""

import contextlib

__all__ = ["MediaError", "convert_error"]


class MediaError(Exception):
    """A media file or image cannot be read, written or converted."""


class convert_error(contextlib.ContextDecorator):  # noqa: N801 - reads as a function
    """Re-raise ``source`` exceptions as ``target``: a decorator or a ``with`` block.

    ``source`` is an exception class or a tuple of them; exceptions that are
    already a ``target`` pass unchanged.  The new error's message is the
    original one, after ``context`` (e.g. the file name) when given, and it
    keeps the original as ``__cause__`` for the log.  ``target`` is called
    with that one message, so error classes that need more arguments convert
    by hand::

        @convert_error(OSError, ArtworkError)
        def ensure_default_artwork(directory): ...

        with convert_error(OSError, ArtworkError, f"artwork {name!r}"):
            ...
    """

    def __init__(self, source, target, context=None):
        self.source = source
        self.target = target
        self.context = context

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None or isinstance(error, self.target) or not isinstance(error, self.source):
            return False
        message = f"{self.context}: {error}" if self.context else str(error)
        raise self.target(message) from error
