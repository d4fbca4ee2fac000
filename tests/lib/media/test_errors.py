"""One error family for the media package, and the converter that keeps it one."""

import pytest

from musicdb.lib.media.artwork import ArtworkError
from musicdb.lib.media.errors import MediaError, convert_error
from musicdb.lib.media.mp3 import MP3Error
from musicdb.lib.media.tags import TagError
from musicdb.lib.media.transcoder import TranscodeError, TranscoderUnavailable


class ShelfError(MediaError):
    pass


@pytest.mark.parametrize("error", [TagError, MP3Error, TranscodeError, TranscoderUnavailable,
                                   ArtworkError])
def test_every_media_error_is_a_media_error(error):
    """A caller catches the whole package's errors with one class."""
    assert issubclass(error, MediaError)


def test_convert_error_as_decorator_turns_the_source_into_the_target():
    """The original error stays the cause, its message the message."""
    @convert_error(OSError, ShelfError)
    def read():
        raise FileNotFoundError(2, "No such file or directory")

    with pytest.raises(ShelfError, match="No such file") as caught:
        read()
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_convert_error_as_with_block_puts_the_context_first():
    """The context (a file name) comes before the original message."""
    with pytest.raises(ShelfError, match="^cover.jpg: broken$"):
        with convert_error((OSError, ValueError), ShelfError, "cover.jpg"):
            raise ValueError("broken")


def test_convert_error_lets_other_errors_and_the_target_through():
    """Only the named sources are converted; a target error keeps its own message."""
    with pytest.raises(KeyError):
        with convert_error(OSError, ShelfError):
            raise KeyError("x")
    with pytest.raises(ShelfError, match="^own$"):
        with convert_error(Exception, ShelfError, "context"):
            raise ShelfError("own")


def test_convert_error_returns_the_result_when_nothing_fails():
    """The decorator is transparent for a call that succeeds."""
    assert convert_error(OSError, ShelfError)(lambda a, b=1: a + b)(2, b=3) == 5
