"""Listening sockets for the services' servers."""

from __future__ import annotations

import socket


def tcp_socket(host: str, port: int = 0, *, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: one the system picks, the socket's own
    from then on), for ``uvicorn.Server.serve(sockets=[...])``. ``reuse_port``: several
    processes may bind the same address, and the kernel spreads connections among them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say so;
    # without it a response's body waited ~40 ms for the ACK of its headers.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def port_free(host: str, port: int) -> bool:
    """Whether a server could bind ``host:port`` now, as :func:`tcp_socket` binds."""
    try:
        tcp_socket(host, port).close()
    except OSError:
        return False
    return True
