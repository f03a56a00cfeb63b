"""A real PostgreSQL server for tests, from Debian's package (``apt-get install postgresql``):
a throwaway cluster in a temporary directory, on a free loopback port, started once per test
process (each xdist worker has its own) and stopped at the session's end. Each test takes a
schema of its own (``postgres_store_url`` + a service name of its own), so tests never see
each other's rows.

PostgreSQL refuses to run as root, and CI runs as root: the cluster then belongs to an
unprivileged system user (``ocop-test``, made on first use) and its processes run as that
user; otherwise as whoever runs the tests.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.ports import end_process_group, free_port

HOST = "127.0.0.1"
USER = "ocop-test"
"""The system user a cluster runs as when the tests run as root."""
PACKAGE_ROOT = Path("/usr/lib/postgresql")
MISSING = ("PostgreSQL's server binaries (initdb, postgres) were not found under "
           f"{PACKAGE_ROOT}/<version>/bin: install Debian's package: "
           "apt-get install postgresql (make test installs it when missing)")


def server_binaries() -> Path:
    """The bin directory of the newest PostgreSQL installed."""
    found = sorted((p for p in PACKAGE_ROOT.glob("*/bin") if (p / "initdb").exists()),
                   key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)])
    if not found:
        raise RuntimeError(MISSING)
    return found[-1]


def _server_user() -> pwd.struct_passwd | None:
    """The user to run the server as (None: the current one)."""
    if os.geteuid() != 0:
        return None
    for _ in range(50):
        try:
            return pwd.getpwnam(USER)
        except KeyError:
            # Other test processes may make it at the same moment (useradd then fails on
            # the lock of /etc/passwd, or finds it made): look again until it is there.
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", USER], capture_output=True, check=False)
            time.sleep(0.1)
    return pwd.getpwnam(USER)


@dataclass
class PostgresServer:
    port: int = 0
    parent: Path | None = None
    """Where its directory is made (a bench's small disk); the system's temporary one
    by default."""
    durable: bool = False
    """Commits flushed before they are acknowledged, as in production (a bench's faults);
    tests trade that for speed."""
    _dir: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/postgres"

    def _as_server_user(self) -> dict[str, Any]:
        user = _server_user()
        if user is None:
            return {}
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def start(self) -> None:
        binaries = server_binaries()
        self._dir = Path(tempfile.mkdtemp(prefix="postgres-", dir=self.parent))
        data, sockets = self._dir / "data", self._dir / "sockets"
        sockets.mkdir()
        run_as = self._as_server_user()
        if run_as:
            for path in (self._dir, sockets):
                os.chown(path, run_as["user"], run_as["group"])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
               "HOME": str(self._dir)}
        subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                       check=True, capture_output=True, env=env, cwd=self._dir,
                       **run_as)
        self.port = free_port(HOST)
        self.launch()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def launch(self) -> None:
        """Starts the server on the cluster and port ``start`` made (again after it ended:
        a bench's full disk)."""
        assert self._dir is not None, "start() first"
        binaries, run_as, data = server_binaries(), self._as_server_user(), self._dir / "data"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
               "HOME": str(self._dir)}
        sockets = self._dir / "sockets"
        fast = () if self.durable else ("-c", "fsync=off", "-c", "synchronous_commit=off",
                                        "-c", "full_page_writes=off")
        log = (self._dir / "postgres.log").open("ab")
        with log:
            self._proc = subprocess.Popen(
                [str(binaries / "postgres"), "-D", str(data), "-p", str(self.port),
                 "-h", HOST, "-k", str(sockets), *fast, "-c", "max_connections=200",
                 "-c", "shared_buffers=32MB", "-c", "deadlock_timeout=100ms"],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self._dir,
                start_new_session=True, **run_as)
        if not self._ready(timeout=30):
            tail = (self._dir / "postgres.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{tail}")

    def _ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                return False
            try:
                with psycopg.connect(self.url, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self._proc is not None:
            end_process_group(self._proc, signal.SIGINT)  # "fast" shutdown
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_service(postgres_server: PostgresServer) -> Iterator[str]:
    """A service name of the test's own (its schema: ``ocop_<name>``), dropped afterwards."""
    name = f"t{uuid.uuid4().hex[:12]}"
    yield name
    with contextlib.suppress(psycopg.Error), \
            psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "ocop_{name}" CASCADE')


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a database of the test's own (for a platform, whose services take fixed
    schema names: ``ocop_registry``…), dropped afterwards."""
    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    with contextlib.suppress(psycopg.Error), \
            psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
