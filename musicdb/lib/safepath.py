"""Client paths are hostile until proven otherwise: resolve them inside one root.

A path a client sends (``Artist/2005 - Album/01 Song.mp3``) must name
something inside the music directory.  :func:`resolve` refuses, before any
file is touched: NUL bytes, names that are not valid UTF-8 (Python keeps
such bytes as surrogate escapes), absolute paths, ``.``/``..`` components,
empty components, names longer than the file system allows, and paths whose
resolved target (symbolic links followed) leaves the root.

:func:`check_new_name` and :func:`collision` protect the target of a rename
or a new directory: a name that differs from an existing one only in Unicode
normalisation (NFC against NFD) is refused everywhere, one that differs only
by case where the directory's file system ignores case.  Both are found by
listing the directory, the only way to see what the file system holds.

Plain blocking file-system calls; nothing here knows the application.
"""

import os
import unicodedata

DEFAULT_NAME_MAX = 255  # bytes; Linux file systems (pathconf may say otherwise)


class UnsafePath(ValueError):
    """A path or name that must not be used; the message says why."""


def resolve(root, relpath):
    """``(relpath, absolute path)`` of a client path below ``root``.

    The path need not exist.  The returned relative path uses ``/`` and has
    no trailing slash.

    Raises:
        UnsafePath: the path is no string, empty, or any of the forms above.
    """
    if not isinstance(relpath, str) or not relpath.strip("/"):
        raise UnsafePath("the path must be a non-empty text relative to the music directory")
    if relpath.startswith("/"):
        raise UnsafePath(f"{shown(relpath)}: absolute paths are not accepted; "
                         "send the path relative to the music directory")
    parts = relpath.rstrip("/").split("/")
    for part in parts:
        check_component(part, root)
    absolute = os.path.join(root, *parts)
    if not inside(os.path.realpath(absolute), os.path.realpath(root)):
        raise UnsafePath(f"{shown(relpath)}: leads out of the music directory "
                         "through a symbolic link")
    return "/".join(parts), absolute


def check_component(name, directory):
    """Refuse one path component that cannot be a safe name inside ``directory``.

    Raises:
        UnsafePath: empty, ``.``/``..``, contains ``/`` or NUL, not valid UTF-8,
            or longer than the file system allows.
    """
    if name in ("", ".", ".."):
        raise UnsafePath(f"{shown(name)!r}: empty, '.' and '..' path components are "
                         "not accepted")
    if "\0" in name or "/" in name:
        raise UnsafePath(f"{shown(name)}: names must not contain NUL bytes or '/'")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafePath(f"{shown(name)}: the name is not valid UTF-8") from None
    if len(encoded) > name_max(directory):
        raise UnsafePath(f"{shown(name)[:40]}...: the name is longer than the file system "
                         f"allows ({name_max(directory)} bytes)")


def check_new_name(directory, name, own=None):
    """Refuse ``name`` as a new entry of ``directory`` (``own``: the entry being renamed).

    Raises:
        UnsafePath: the name is unsafe (:func:`check_component`) or collides with
            an existing entry (:func:`collision`).
    """
    check_component(name, directory)
    existing = collision(directory, name, own)
    if existing is not None:
        raise UnsafePath(f"{shown(name)}: collides with the existing {shown(existing)!r} "
                         f"in {shown(directory)}")


def collision(directory, name, own=None):
    """The existing entry of ``directory`` that ``name`` would clash with, or None.

    Equal after NFC normalisation always clashes; equal after case folding
    clashes where the file system ignores case.  ``own`` (the entry being
    renamed) never clashes with itself, so a rename that only changes its
    case or normalisation is allowed.  A missing directory holds nothing.
    """
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return None
    ignore_case = case_insensitive(directory, names)
    folded = _fold(name, ignore_case)
    for existing in names:
        if existing != own and _fold(existing, ignore_case) == folded:
            return existing
    return None


def case_insensitive(directory, names):
    """Whether ``directory``'s file system ignores case, judged from one of its ``names``."""
    for existing in names:
        other = existing.swapcase()
        if other != existing and other not in names:
            return os.path.exists(os.path.join(directory, other))
    return False


def _fold(name, ignore_case):
    name = unicodedata.normalize("NFC", name)
    return name.casefold() if ignore_case else name


def name_max(directory):
    """The longest file name (in bytes) the file system of ``directory`` accepts."""
    while directory and not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    try:
        return os.pathconf(directory or "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def inside(path, root):
    """True if the absolute ``path`` is ``root`` or lies below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def shown(text):
    """``text`` for messages: bytes that are not UTF-8 as ``\\xNN``, NUL as ``\\x00``."""
    if not isinstance(text, str):
        return repr(text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.replace("\0", "\\x00")
