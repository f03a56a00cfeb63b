"""Whether a host is one only this machine or its network can reach.

Two places care: QR labels must not encode an address a shopper's phone cannot open, and a
webhook must not be sent to the platform's own network (a channel could otherwise make the
catalog call its neighbours: server-side request forgery).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket


def is_private_host(host: str) -> bool:
    """A loopback, private, link-local or otherwise non-global address, or a name that only
    resolves inside a network (``localhost``, ``*.local``, a bare machine name)."""
    host = host.strip("[]").lower()
    if host in ("", "localhost") or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return not address.is_global


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
