"""Client address rules: which addresses a route admits, and who the client is behind a proxy.

An entry of a rule is an IP network (``192.168.1.0/24``, ``fd00::/8``) or a
bare address, which admits that address only.  MusicDB 8 matched entries as
text prefixes, so ``192.168.1`` also admitted ``192.168.10.5``; such an entry
is now an error (:func:`parse_networks`), reported when the configuration is
read, so a rule never silently admits more than its author meant.

A client connecting over IPv6 to a dual-stack socket has an IPv4-mapped
address (``::ffff:192.0.2.7``); it is matched as the IPv4 address it carries.
"""

import ipaddress


class RuleError(ValueError):
    """An entry of an address rule is neither an IP address nor an IP network."""


def parse_networks(entries):
    """The networks of *entries* (strings) as a tuple of ``ipaddress`` networks.

    ``192.168.1.7/24`` is taken as ``192.168.1.0/24``.

    Raises:
        RuleError: an entry is not an address or network; the message names it.
    """
    networks = []
    for entry in entries:
        text = str(entry).strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise RuleError(f"{text!r} is not an IP address or network "
                            f"(write e.g. 192.168.1.0/24 or 2001:db8::/32)") from None
    return tuple(networks)


def parse_address(address):
    """*address* as an ``ipaddress`` object, IPv4-mapped IPv6 as IPv4; None if it is none."""
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


class AddressRule:
    """Admits the addresses in any of its networks; a rule without entries admits everyone.

    Raises:
        RuleError: from the constructor, for a malformed entry.
    """

    def __init__(self, entries=()):
        self.networks = parse_networks(entries)

    def __bool__(self):
        return bool(self.networks)

    def admits(self, address):
        """True for an address in one of the networks (or for any address without networks)."""
        return not self.networks or self.contains_address(address)

    def contains(self, ip):
        """True if the ``ipaddress`` address *ip* is in one of the networks."""
        return any(ip.version == net.version and ip in net for net in self.networks)

    def contains_address(self, address):
        """True if the address text is in one of the networks (never without networks)."""
        ip = parse_address(address)
        return ip is not None and self.contains(ip)


def forwarded_client(peer, forwarded_for, proxies):
    """The client's address when *peer* is one of the trusted *proxies*, else *peer*.

    *forwarded_for* is the ``X-Forwarded-For`` header: each proxy appends the
    address it got the request from, so the list is read from the right and
    the first address that is not a trusted proxy is the client.  Anything a
    client wrote further left is ignored; a header that cannot be read leaves
    *peer*.  *proxies* is an :class:`AddressRule` (without entries: trust no one).
    The result is the address as text, IPv4-mapped IPv6 as IPv4.
    """
    if not proxies.contains_address(peer):
        return peer
    client = peer
    for item in reversed([part.strip() for part in (forwarded_for or "").split(",")]):
        ip = parse_address(item)
        if ip is None:
            break
        client = str(ip)
        if not proxies.contains(ip):
            break
    return client

