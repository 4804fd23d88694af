"""Who a client is, for connection caps and fair shares: an address, or the writer's token."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

WRITER = "writer"
"""The key every request carrying the valid write token shares, whatever its address."""


@lru_cache(maxsize=4096)
def address_key(host: str) -> str:
    """Return the key of a client address: the IPv4 address, or the /64 of an IPv6 one.

    One IPv6 host is usually given a whole /64, so counting its addresses one by one would let a
    single machine take any number of shares.
    """
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
