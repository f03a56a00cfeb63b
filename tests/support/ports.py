"""Free loopback ports for servers the test suite starts."""

from __future__ import annotations

import socket

from shared.sockets import tcp_socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, for a server in another process; between this call and that server's
    bind, any outbound connection may be given it. A server in this process takes a
    ``bound_socket`` instead."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def bound_socket(host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to a port of its own, for ``uvicorn.Server.serve(sockets=[...])``:
    no other socket can take the port before the server listens on it."""
    return tcp_socket(host)


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.05)
    return False
