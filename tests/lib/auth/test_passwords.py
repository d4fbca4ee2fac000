"""Password hashes: scrypt with a salt per hash and the parameters stored with it."""

import pytest

from musicdb.lib.auth import passwords


def test_a_hash_verifies_its_password_only():
    stored = passwords.make_hash("correct hörse", cost=4)
    assert passwords.verify("correct hörse", stored)
    assert not passwords.verify("correct horse", stored)


def test_every_hash_has_its_own_salt_and_carries_its_parameters():
    first, second = passwords.make_hash("same", cost=4), passwords.make_hash("same", cost=4)
    assert first != second
    assert passwords.parse(first)[:3] == (4, passwords.BLOCK_SIZE, passwords.PARALLEL)


def test_a_hash_of_another_cost_still_verifies():
    """The cost is read from the hash, so raising the configured cost keeps old hashes valid."""
    assert passwords.verify("pw", passwords.make_hash("pw", cost=5))


def test_the_default_cost_is_memory_hard():
    """32 MiB per hash (n = 2**15, r = 8) at least."""
    assert 128 * passwords.BLOCK_SIZE * (1 << passwords.DEFAULT_COST) >= 32 << 20


@pytest.mark.parametrize("stored", ["", "md5$abc", "scrypt$4$8$1$!!$AAAA", "scrypt$40$8$1$AAAA$AAAA",
                                    "scrypt$x$8$1$AAAA$AAAA"])
def test_a_foreign_or_broken_hash_is_a_format_error(stored):
    with pytest.raises(passwords.HashFormatError):
        passwords.verify("pw", stored)
