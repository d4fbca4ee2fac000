"""The layers hold: ``musicdb.lib`` (tools) never imports the application (``musicdb.mdbapi``)."""

import ast
import pathlib

import musicdb.lib

LIB = pathlib.Path(musicdb.lib.__file__).parent


def imported_modules(path):
    """Every module name ``path`` imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(LIB.parent.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_lib_never_imports_the_application():
    offenders = sorted(f"{path.relative_to(LIB.parent.parent)}: {name}"
                       for path in LIB.rglob("*.py") for name in imported_modules(path)
                       if name == "musicdb.mdbapi" or name.startswith("musicdb.mdbapi.")
                       or name == "musicdb.mod" or name.startswith("musicdb.mod."))
    assert offenders == []


def test_the_walk_sees_relative_and_absolute_imports():
    """The check itself can fail: a planted import of the application is found."""
    planted = LIB / "ws" / "_planted_for_test.py"
    planted.write_text("from musicdb.mdbapi import events\nfrom ...mdbapi import app\n")
    try:
        names = set(imported_modules(planted))
    finally:
        planted.unlink()
    assert {"musicdb.mdbapi.events", "musicdb.mdbapi.app"} <= names
