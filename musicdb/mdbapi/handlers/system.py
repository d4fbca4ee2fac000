"""Functions about the connection itself."""

from . import handler


@handler("Bounce", raw_args=True)
def bounce(args, app):
    """Return the arguments unchanged: a client reaches itself or everyone with its own data."""
    return args
