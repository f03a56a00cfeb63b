"""Whether a host is one only this machine or its network can reach.

Two places care: QR labels must not encode an address a shopper's phone cannot open, and a
webhook must not be sent to the platform's own network (a channel could otherwise make the
catalog call its neighbours: server-side request forgery).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import unicodedata

_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")
"""Dotted parts in decimal, octal or hex: the IPv4 forms beside a.b.c.d that resolvers take."""
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
"""The NAT64 well-known prefix: the gateway forwards to the IPv4 address in its last bits."""


def is_private_host(host: str) -> bool:
    """A loopback, private, link-local or otherwise non-global address, or a name that only
    resolves inside a network (``localhost``, ``*.local``, a bare machine name) — however
    it is spelt: ``LOCALHOST``, ``localhost.`` (the root's trailing dot), ``127.1``,
    ``0x7f.1`` or ``2130706433`` (the forms a resolver reads as 127.0.0.1), an IPv4 address
    inside an IPv6 one (``::ffff:127.0.0.1``, 6to4, NAT64)."""
    host = unicodedata.normalize("NFKC", host.strip("[]")).lower().removesuffix(".")
    if host in ("", "localhost") or host.endswith((".localhost", ".local", ".internal")):
        return True
    address = _address(host)
    if address is None:
        return "." not in host
    return not address.is_global


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``host`` spells, if it spells one (the IPv4 one an IPv6 address
    carries, if it carries one)."""
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        if not _LEGACY_IPV4.match(host):
            return None
        try:  # 127.1, 0x7f.0.0.1, 017700000001: what inet_aton (and so getaddrinfo) reads
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        return inner or address
    return address


async def resolves_privately(host: str) -> bool:
    """Whether any address the name resolves to is non-global (a public-looking name pointed
    at an inside address). A name that does not resolve (yet) is not judged here: sending
    to it fails on its own."""
    if is_private_host(host):
        return True
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                            type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global
               for info in found)
