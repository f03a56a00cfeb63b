"""The README's run command: `ocop run` brings up all four services on the embedded
defaults, each answers /healthz and /readyz, and Ctrl+C stops them cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from shared.platform.config import SERVICES
from tests.support.ports import free_port, free_port_block


def ocop_command() -> list[str]:
    return [sys.executable, "-m", "services.cli"]


def test_run_starts_all_four_services_and_the_workspace_ready(tmp_path: Path) -> None:
    base = free_port_block(5)
    env = os.environ | {"OCOP_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([*ocop_command(), "run", "--base-port", str(base)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=tmp_path)
    try:
        reports = {}
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=5) as client:
            for i, name in enumerate(SERVICES):
                url = f"http://127.0.0.1:{base + i + 1}"
                while True:
                    try:
                        ready = client.get(f"{url}/readyz")
                        if ready.status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                    assert time.monotonic() < deadline, f"{name} not ready in time"
                    time.sleep(0.2)
                reports[name] = ready.json()
                assert client.get(f"{url}/healthz").json() == {"status": "ok", "service": name}
                assert client.get(f"{url}/openapi.json").status_code == 200
            workspace = client.get(f"http://127.0.0.1:{base}/readyz").json()
            assert (workspace["service"], workspace["ready"]) == ("web", True)
            # the web front hears the bus (people's notifications), as a service
            assert {name: check["ok"] for name, check in workspace["checks"].items()} == {
                "store": True, "bus": True, "objects": True}
            assert "Sổ tay OCOP" in client.get(f"http://127.0.0.1:{base}/sign-in").text
        # Each service's own checks: its worker processes; the catalog's warm-up, ended.
        workers = {"registry": {"worker:photos"}, "rating": {"worker:certificates"},
                   "traceability": {"worker:labels and hashes", "worker:label sheets"},
                   "catalog": {"warm-up"}}
        for name, report in reports.items():
            assert report["service"] == name and report["ready"] is True
            assert set(report["checks"]) == {"store", "bus", "objects"} | workers[name]
            assert all(report["checks"][worker]["ok"] for worker in workers[name])
        assert sorted(p.name for p in (tmp_path / "data").glob("*.db")) == [
            "bus.db", "catalog.db", "rating.db", "registry.db", "traceability.db", "web.db"]
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    for i, name in enumerate(SERVICES):
        assert f"http://127.0.0.1:{base + i + 1}" in output and name in output


def test_run_refuses_busy_ports_with_a_clear_message(tmp_path: Path) -> None:
    base = free_port_block(5)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", base + 2))
        blocker.listen()
        result = subprocess.run([*ocop_command(), "run", "--base-port", str(base)],
                                env=os.environ | {"OCOP_DATA_DIR": str(tmp_path),
                                                  "PYTHONPATH": os.getcwd()},
                                capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{base + 2} (rating)" in result.stdout and "--base-port" in result.stdout


def test_bad_configuration_stops_the_start_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run([*ocop_command(), "run"],
                            env=os.environ | {"OCOP_BUS_URL": "amqp://nope",
                                              "PYTHONPATH": os.getcwd()},
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "OCOP_BUS_URL" in result.stdout and "kafka://" in result.stdout


def test_replicas_on_one_machine_share_a_port_with_reuse_port(tmp_path: Path) -> None:
    """Two processes of the catalog on one port (``--reuse-port``): both start and stay up,
    and the connections reach both of them: once both listen, each process's access log
    names requests it answered (20 connections, each given to one of the two by the kernel:
    all to one is a chance of one in half a million)."""
    port = free_port()
    env = os.environ | {"OCOP_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.getcwd()}
    command = [*ocop_command(), "serve", "catalog", "--port", str(port), "--reuse-port"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
             for _ in range(2)]
    logs: list[list[str]] = [[], []]
    readers = [threading.Thread(target=log.extend, args=(proc.stdout,), daemon=True)
               for proc, log in zip(procs, logs, strict=True)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60
        while not all(any("startup complete" in line for line in log) for log in logs):
            assert all(p.poll() is None for p in procs), logs
            assert time.monotonic() < deadline, f"both did not start within a minute: {logs}"
            time.sleep(0.1)
        with httpx.Client(timeout=30) as client:
            for _ in range(20):
                answer = client.get(f"http://127.0.0.1:{port}/healthz",
                                    headers={"Connection": "close"})
                assert answer.status_code == 200, answer.text
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc, reader in zip(procs, readers, strict=True):
            proc.wait(timeout=30)
            reader.join(timeout=10)
    served = ["".join(log).count("GET /healthz") for log in logs]
    assert sum(served) == 20 and all(served), served
