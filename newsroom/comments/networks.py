"""Networks a moderator may ban: one address or a range of them, written the way people write them.

A ban is stored as the network in its canonical text form ("203.0.113.0/24"); whether an address falls in
a banned network is then one indexed lookup of the few networks that could hold it, on any database.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError

# A network ban always ends: a week unless the moderator chooses otherwise, a year at most.
NETWORK_BAN_DAYS = 7
NETWORK_BAN_MAX_DAYS = 365
# Wider ranges than these hold whole providers' customers: banning one would silence far too many readers.
WIDEST_PREFIX = {4: 16, 6: 32}


def parse_network(text: str) -> str:
    """The canonical form of an address or range a moderator typed, or a ValidationError saying why not."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Give an address (203.0.113.7) or a range (203.0.113.0/24).", code="required")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValidationError(
            "“%(value)s” is not an address or a range. Write an address like 203.0.113.7 or 2001:db8::7, "
            "or a range like 203.0.113.0/24.",
            code="invalid",
            params={"value": text[:60]},
        ) from None
    widest = WIDEST_PREFIX[network.version]
    if network.prefixlen < widest:
        raise ValidationError(
            "A range wider than /%(widest)s holds too many readers to ban at once; choose a narrower one.",
            code="too_wide",
            params={"widest": widest},
        )
    return str(network)


def networks_holding(address: str | None) -> list[str]:
    """Every network a ban may name that holds ``address``, from the address itself to the widest allowed."""
    if not address:
        return []
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return []
    if ip.version == 6 and ip.ipv4_mapped:
        # How a dual-stack server may report an IPv4 reader; the comment itself stores it unpacked.
        ip = ip.ipv4_mapped
    return [
        str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
        for prefix in range(ip.max_prefixlen, WIDEST_PREFIX[ip.version] - 1, -1)
    ]


def network_holds(network: str, address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network)
    except (TypeError, ValueError):
        return False


def describe(network: str) -> str:
    """ "the address 203.0.113.7" or "the range 203.0.113.0/24 (256 addresses)", for pages and messages."""
    parsed = ipaddress.ip_network(network)
    if parsed.num_addresses == 1:
        return f"the address {parsed.network_address}"
    return f"the range {parsed} ({parsed.num_addresses:,} addresses)"
