"""Free loopback ports for servers the test suite starts, and stopping those servers."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
from pathlib import Path

from shared.platform.sockets import port_free, tcp_socket

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_EPHEMERAL = int(EPHEMERAL_RANGE.read_text().split()[0]) \
    if EPHEMERAL_RANGE.exists() else 32768
"""The lowest port the kernel gives outbound connections (Linux's default when unknown)."""

_handed_out: set[int] = set()
"""Ports this process has handed out: never handed out twice, even before a server binds."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, for a server in another process (see :func:`free_port_block`). A
    server in this process takes a ``bound_socket`` instead."""
    return free_port_block(1, host)


def free_port_block(size: int, host: str = "127.0.0.1") -> int:
    """A base port whose ``size`` ports (base … base + size - 1) are all free now, for a
    server in another process that binds them (``ocop run --base-port``). Taken below the
    kernel's range for outbound connections: a port the kernel picks (bind to port 0) is
    one it may give the next client socket before that server binds it, as seen when
    `ocop run` refused a port found free a moment before."""
    for _ in range(200):
        base = random.randrange(10_000, LOWEST_EPHEMERAL - size)
        ports = range(base, base + size)
        if _handed_out.isdisjoint(ports) and all(port_free(host, port) for port in ports):
            _handed_out.update(ports)
            return base
    raise RuntimeError(f"no block of {size} free ports below {LOWEST_EPHEMERAL}")


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


def end_process_group(process: subprocess.Popen[bytes], first: signal.Signals = signal.SIGTERM
                      ) -> None:
    """Stops a test server started in its own process group (``start_new_session``): asked
    with ``first``, killed if it has not ended within 15 s."""
    try:
        os.killpg(process.pid, first)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
