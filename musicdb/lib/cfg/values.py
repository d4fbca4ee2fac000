"""Reading values of MusicDB 8's INI files (state.ini, webui.ini, randy.ini).

Those files may be edited by hand, so values are read leniently: booleans as
``1/yes/true/on`` or ``0/no/false/off`` in any case, and anything absent or
unparsable as the caller's default instead of an error.
"""

TRUE_WORDS = ("1", "yes", "true", "on")
FALSE_WORDS = ("0", "no", "false", "off")


def parse_value(text, kind, default):
    """``text`` as ``kind`` (bool, int or str); ``default`` when absent or unparsable."""
    if text is None:
        return default
    if kind is bool:
        word = text.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else default
    if kind is int:
        try:
            return int(text.strip())
        except ValueError:
            return default
    return text


def parse_bool(text, default):
    """A boolean written by hand or by MusicDB 8; ``default`` when unparsable or absent."""
    return parse_value(text, bool, default)
