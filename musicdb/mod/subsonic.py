"""``musicdb subsonic password USER | apikey create USER NAME | apikey list | apikey revoke NAME``.

Subsonic clients log in with an *app password* (not the login password, which
is stored only as a hash: token authentication needs the password in clear)
or with an API key.  The app password is asked twice on the terminal, or read
as one line from stdin with ``--stdin``.  A running server sees changes at once.
"""

import sys

from musicdb.lib.auth.accounts import AccountError, AccountStore
from musicdb.lib.auth.accounts import path_in as accounts_path
from musicdb.lib.auth.subsonic import SubsonicCredentials, path_in
from musicdb.mod.user import read_password


def add_arguments(parser):
    parser.add_argument("action", choices=("password", "apikey"),
                        help="password USER: set the app password; apikey create USER NAME | "
                             "list | revoke NAME")
    parser.add_argument("words", nargs="*", help="USER, or create USER NAME / list / revoke NAME")
    parser.add_argument("--stdin", action="store_true",
                        help="read the app password as one line from stdin instead of asking twice")


def run(args, cfg):
    store = SubsonicCredentials(path_in(cfg.directories.data))
    accounts = AccountStore(accounts_path(cfg.directories.data))
    try:
        if args.action == "password":
            return set_password(store, accounts, args)
        return apikey(store, accounts, args.words)
    except AccountError as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nmusicdb: no password given; nothing changed", file=sys.stderr)
        return 1


def _require_user(accounts, name):
    if not accounts.exists(name):
        raise AccountError(f"no user {name!r} (create it with: musicdb user add {name})")


def set_password(store, accounts, args):
    if len(args.words) != 1:
        raise AccountError("usage: subsonic password USER")
    user = args.words[0]
    _require_user(accounts, user)
    store.set_app_password(user, read_password(args.stdin))
    print(f"Set the Subsonic app password of {user}.")
    return 0


def apikey(store, accounts, words):
    action, rest = (words[0], words[1:]) if words else ("", [])
    if action == "create" and len(rest) == 2:
        _require_user(accounts, rest[0])
        key = store.create_apikey(rest[0], rest[1])
        print(f"API key {rest[1]} of {rest[0]} (shown only now):\n{key}")
        return 0
    if action == "list" and not rest:
        for name, user, created in store.apikeys():
            print(f"{name}\t{user}\t{created}")
        return 0
    if action == "revoke" and len(rest) == 1:
        store.revoke_apikey(rest[0])
        print(f"Revoked the API key {rest[0]}.")
        return 0
    raise AccountError("usage: subsonic apikey create USER NAME | list | revoke NAME")
