"""``python -m musicdb`` and the ``musicdb`` console script: the same as ``python musicdb.py``."""
from gevent import monkey

# Patch before anything else imports socket, ssl, threading or subprocess.
monkey.patch_all()

import sys  # noqa: E402

from musicdb.mod import main  # noqa: E402


def run():
    sys.exit(main())


if __name__ == "__main__":
    run()
