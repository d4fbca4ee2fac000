"""Address rules (musicdb/lib/netaccess.py): networks, not text prefixes."""

import pytest

from musicdb.lib.netaccess import AddressRule, RuleError, forwarded_client


def test_a_network_admits_its_addresses_and_no_others():
    """192.168.1.0/24 admits 192.168.1.5 and not 192.168.10.5 (the old prefix bug)."""
    rule = AddressRule(["192.168.1.0/24"])
    assert rule.admits("192.168.1.5")
    assert not rule.admits("192.168.10.5")


def test_a_bare_address_admits_that_address_only():
    rule = AddressRule(["10.0.0.7"])
    assert rule.admits("10.0.0.7")
    assert not rule.admits("10.0.0.70") and not rule.admits("10.0.0.8")


def test_ipv6_networks_and_ipv4_mapped_clients():
    """IPv6 rules match IPv6 clients; a mapped IPv4 client matches the IPv4 rule."""
    rule = AddressRule(["2001:db8::/32", "127.0.0.1"])
    assert rule.admits("2001:db8:1::9")
    assert not rule.admits("2001:db9::1")
    assert rule.admits("::ffff:127.0.0.1")
    assert not rule.admits("::ffff:127.0.0.2")


def test_without_entries_everyone_is_admitted_and_garbage_never():
    assert AddressRule([]).admits("203.0.113.9")
    assert not AddressRule(["10.0.0.0/8"]).admits("not an address")


@pytest.mark.parametrize("entry", ["192.168.1", "192.168.1.", "10.0.0.0/33", "example.org"])
def test_a_malformed_entry_is_an_error_naming_it(entry):
    with pytest.raises(RuleError, match=repr(entry).replace(".", r"\.")):
        AddressRule(["10.0.0.0/8", entry])


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    """The rightmost untrusted address is the client; anything a client prepended is ignored."""
    proxies = AddressRule(["127.0.0.1", "10.9.0.0/16"])
    assert forwarded_client("203.0.113.5", "198.51.100.1", proxies) == "203.0.113.5"
    assert forwarded_client("127.0.0.1", "198.51.100.1", proxies) == "198.51.100.1"
    assert forwarded_client("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.9.1.1",
                            proxies) == "198.51.100.1"
    assert forwarded_client("::ffff:127.0.0.1", "::ffff:192.0.2.1", proxies) == "192.0.2.1"
    assert forwarded_client("127.0.0.1", None, proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "garbage", proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "198.51.100.1", AddressRule()) == "127.0.0.1"
