"""``musicdb tags``: list, add, rename and delete genres, sub-genres and moods.

``tags`` (or ``tags list``) prints the genres with their sub-genres and the
moods with icon, colour and position in the WebUI's mood grid (the HUD).
``tags add genre|subgenre|mood NAME``, ``tags rename TAG NAME``,
``tags delete TAG`` (with its sub-genres; the songs, albums and videos that
carried them lose them) and ``tags mood TAG --icon/--color/--posx/--posy``
change them; TAG is a tag ID or an exact name.  The edits are the WebUI's
(:class:`musicdb.mdbapi.tagging.Tagging`), checked the same way.  A running
server learns of them on ``kill -USR1 <server pid>``.
"""

import sys

from musicdb.lib.db.musicdb import TAG_CLASS_MOOD
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.ws.errors import ApiError, InvalidArguments, NotFound
from musicdb.mdbapi import events
from musicdb.mdbapi.library import Library
from musicdb.mod.database import RELOAD_HINT
from musicdb.mod.common import open_music_database

MOOD_OPTIONS = ("icon", "color", "posx", "posy")


def add_arguments(parser):
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("list", help="list genres, sub-genres and moods (the default)")
    add = commands.add_parser("add", help="add a genre, sub-genre or mood")
    add.add_argument("kind", choices=("genre", "subgenre", "mood"))
    add.add_argument("name")
    add.add_argument("--parent", help="the genre of a new sub-genre")
    _mood_options(add)
    rename = commands.add_parser("rename", help="rename a tag")
    rename.add_argument("tag", help="tag ID or name")
    rename.add_argument("name", help="the new name")
    delete = commands.add_parser("delete", help="delete a tag (and its sub-genres) everywhere")
    delete.add_argument("tag", help="tag ID or name")
    mood = commands.add_parser("mood", help="set a mood's icon, colour and grid position")
    mood.add_argument("tag", help="tag ID or name")
    _mood_options(mood)


def _mood_options(parser):
    parser.add_argument("--icon", help="a character or an HTML snippet (<...>)")
    parser.add_argument("--color", help="#RRGGBB")
    parser.add_argument("--posx", type=int, help="column in the mood grid")
    parser.add_argument("--posy", type=int, help="row in the mood grid")


def run(args, cfg):
    database = open_music_database(cfg)
    if database is None:
        return 1
    library = Library(database)
    library.tagging.bus = events.EventBus()  # no listeners here: a server learns of it by SIGUSR1
    command = args.command or "list"
    try:
        COMMANDS[command](args, library)
    except (ApiError, DatabaseError) as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    finally:
        database.close()
    if command != "list":
        print(RELOAD_HINT)
    return 0


def list_tags(args, library):
    print(format_tags(library.tags()))


def format_tags(tags):
    """The tag list as text: genres with their sub-genres indented, then the moods."""
    lines = ["Genres:"]
    for genre in tags["genres"]:
        lines.append(f"  {genre['id']:>4}  {genre['name']}")
        lines += [f"        {sub['id']:>4}  {sub['name']}" for sub in tags["subgenres"]
                  if sub["parentid"] == genre["id"]]
    lines.append("Moods:")
    for mood in tags["moods"]:
        look = ", ".join(f"{name} {mood[name]}" for name in MOOD_OPTIONS
                         if mood[name] is not None)
        lines.append(f"  {mood['id']:>4}  {mood['name']}" + (f"  ({look})" if look else ""))
    return "\n".join(lines)


def add_tag(args, library):
    tagging = library.tagging
    if args.kind == "genre":
        tagid = tagging.add_genre(args.name)
    elif args.kind == "subgenre":
        if not args.parent:
            raise_usage("a sub-genre needs --parent GENRE")
        tagid = tagging.add_subgenre(args.name, args.parent)
    else:
        tagid = tagging.add_mood(args.name, args.icon, args.color, args.posx, args.posy)
    print(f"{args.kind} {args.name!r}: tag {tagid}")


def rename_tag(args, library):
    tag = find_tag(library, args.tag)
    library.tagging.modify_tag(tag["id"], "name", args.name)
    print(f"Renamed tag {tag['id']} {tag['name']!r} to {args.name!r}")


def delete_tag(args, library):
    tag = find_tag(library, args.tag)
    removed = library.tagging.delete_tag(tag["id"])
    print(f"Deleted tag {tag['id']} {tag['name']!r}"
          + (f" and its {len(removed) - 1} sub-genre(s)" if len(removed) > 1 else "")
          + " from every song, album and video")


def set_mood(args, library):
    tag = find_tag(library, args.tag)
    if tag["class"] != TAG_CLASS_MOOD:
        raise InvalidArguments(f"Tag {tag['id']} {tag['name']!r} is no mood")
    given = {name: getattr(args, name) for name in MOOD_OPTIONS if getattr(args, name) is not None}
    if not given:
        raise_usage("give at least one of --icon, --color, --posx, --posy")
    with library.database.transaction():
        for name, value in given.items():
            library.tagging.modify_tag(tag["id"], name, value)
    print(f"Mood {tag['name']!r}: " + ", ".join(f"{k} {v}" for k, v in given.items()))


def find_tag(library, given):
    """The tag with ID or exact name ``given``.

    Raises:
        NotFound: no such tag.  InvalidArguments: the name belongs to several tags.
    """
    tags = library.database.get_tags()
    found = [tag for tag in tags if str(tag["id"]) == given] or \
        [tag for tag in tags if tag["name"] == given]
    if not found:
        raise NotFound(f"There is no tag {given!r} (see: musicdb tags)")
    if len(found) > 1:
        raise InvalidArguments(f"Several tags are named {given!r}: use one of the IDs "
                               + ", ".join(str(tag["id"]) for tag in found))
    return found[0]


def raise_usage(message):
    raise InvalidArguments(message)


COMMANDS = {"list": list_tags, "add": add_tag, "rename": rename_tag, "delete": delete_tag,
            "mood": set_mood}
