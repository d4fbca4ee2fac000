"""``musicdb user add|passwd|remove|list|token [NAME]``: the accounts that may log in.

Passwords are asked twice on the terminal, or read as one line from stdin
with ``--stdin`` (for scripts).  There is no default password.  A running
server sees the change at once: a removed user or a changed password ends
that user's sessions.
"""

import getpass
import sys

from musicdb.lib.auth.accounts import AccountError, AccountStore, path_in

ACTIONS = ("add", "passwd", "remove", "list", "token")


def add_arguments(parser):
    parser.add_argument("action", choices=ACTIONS,
                        help="add, passwd (set a new password), remove, list, or token "
                             "(make a stream token for players: /stream?token=...)")
    parser.add_argument("name", nargs="?", help="the user name (all actions but list)")
    parser.add_argument("--stdin", action="store_true",
                        help="read the password as one line from stdin instead of asking twice")


def run(args, cfg):
    store = AccountStore(path_in(cfg.directories.data), cost=cfg.security.hashcost)
    if args.action != "list" and not args.name:
        print(f"musicdb: user {args.action} needs a NAME", file=sys.stderr)
        return 1
    try:
        return ACTION_FUNCTIONS[args.action](store, args)
    except AccountError as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nmusicdb: no password given; nothing changed", file=sys.stderr)
        return 1


def add(store, args):
    store.add(args.name, read_password(args.stdin))
    print(f"Created the user {args.name}.")
    return 0


def passwd(store, args):
    if not store.exists(args.name):
        raise AccountError(f"no user {args.name!r}")
    store.set_password(args.name, read_password(args.stdin))
    print(f"Changed the password of {args.name}; their sessions have ended.")
    return 0


def remove(store, args):
    store.remove(args.name)
    print(f"Removed the user {args.name}.")
    return 0


def list_users(store, args):
    for name in store.names():
        print(name)
    return 0


def token(store, args):
    value = store.new_stream_token(args.name)
    print(f"Stream token of {args.name} (shown only now; a new one replaces it):\n{value}\n"
          f"Players open https://HOST:PORT/stream?token={value}")
    return 0


ACTION_FUNCTIONS = {"add": add, "passwd": passwd, "remove": remove, "list": list_users,
                    "token": token}


def read_password(from_stdin):
    """The new password: one line of stdin, or typed twice on the terminal.

    Raises:
        AccountError: the two typed passwords differ.
        EOFError: stdin ended before a line.
    """
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise AccountError("the passwords differ; nothing changed")
    return first
