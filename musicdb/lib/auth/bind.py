"""Where the server may listen: beyond loopback only with an account, and TLS unless allowed."""

import ipaddress

LOOPBACK_NAMES = ("localhost",)


def is_loopback(bind):
    """True for 127.0.0.0/8, ::1 and ``localhost``; ``0.0.0.0``/``::``/"" listen everywhere."""
    if bind.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(bind.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(bind, tls, allow_plain, has_accounts):
    """One line why the server must not listen on ``bind``, or None if it may."""
    if is_loopback(bind):
        return None
    if not has_accounts:
        return ("refusing to listen on %s without an account: create one with "
                "`python musicdb.py user add NAME` (or bind to 127.0.0.1)" % (bind or "*"))
    if not tls and not allow_plain:
        return ("refusing plain ws:// and http:// on %s: set [websocket] tls = True, or "
                "[security] allowplain = True behind a TLS reverse proxy" % (bind or "*"))
    return None
