"""Unmasking client frames: the C path and the standard library's lanes give the XOR of RFC 6455."""

import os

import pytest

from musicdb.lib.ws import transport


def reference(payload, mask):
    return bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 1023, 409_601])
def test_both_ways_unmask_as_the_rfc_says(length):
    payload, mask = os.urandom(length), os.urandom(4)
    assert transport.unmask_lanes(payload, mask) == reference(payload, mask)
    assert transport.unmask(payload, mask) == reference(payload, mask)


def test_the_c_path_is_taken_where_wsaccel_is_installed():
    pytest.importorskip("wsaccel")
    assert transport.XorMaskerSimple is not None
