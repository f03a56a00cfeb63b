"""What a QR campaign does to the scan page: wrk (Debian's) against the embedded platform
(`ocop run`, in its own process) and, in the same run on the same machine, against a bare
FastAPI endpoint under uvicorn with the platform's server settings answering a page of the
same size: requests/s and latency of each, and the scan page's share of the bare figure.

    python bench/scan.py [--seconds 10] [--connections 32] [--threads 2]

Pages measured: a certified product's scan page as HTML (`/p/{id}`, where its Digital Link
`/01/{gtin}` redirects a phone) and as JSON (`/01/{gtin}` with `Accept: application/json`,
answered in place), a batch's page with its origin events (`/p/{id}/10/{lot}`), and the
resolver's redirect itself (`/01/{gtin}`: a 307 to the page, kept in memory). A shopper's
scan is the redirect then the page. Each is warmed up first.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.flow import PASSWORD, platform, prepare
from tests.support.platform import User
from tests.support.ports import free_port, wait_for_port

console = Console()
GTIN = "08935049510000"
LOT = "NM-2026-11"
EVENTS = 8


def bare_app(size: int) -> None:
    """Serve one page of ``size`` bytes at / the way the platform serves (server_config)."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    from shared.platform.runtime import server_config

    app = FastAPI()
    page = ("<!doctype html><html lang=vi><body>" + "x" * size)[:size] + "</body></html>"

    @app.get("/", response_class=HTMLResponse)
    async def bare() -> str:
        return page

    port = int(sys.argv[sys.argv.index("--bare") + 1])
    uvicorn.Server(server_config(app, host="127.0.0.1", port=port, access_log=False)).run()


def wrk(url: str, seconds: int, connections: int, threads: int,
        headers: dict[str, str] | None = None) -> dict[str, float]:
    """requests/s and latency percentiles (ms) of ``url`` under wrk."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               *(arg for name, value in (headers or {}).items()
                 for arg in ("-H", f"{name}: {value}")), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(percent: str) -> float:
        value, scale = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * unit[scale]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency("50"), "p90": latency("90"), "p99": latency("99"),
            "errors": float(errors.group(1)) if errors else 0.0}


async def certified_with_batch(urls: dict[str, str], client: httpx.AsyncClient,
                               progress: Progress) -> str:
    """The office and a council member sign in; a certified product carrying ``GTIN`` and
    a batch ``LOT`` with ``EVENTS`` events. The product's id."""
    anyone = User(urls, client)
    admin = await anyone.sign_in("office", PASSWORD)
    await admin.call("POST", "registry", "/users", expect=201, json={
        "username": "member", "password": PASSWORD, "role": "council_member"})
    member = await anyone.sign_in("member", PASSWORD)
    [evaluation] = await prepare(admin, member, 1, progress)
    product_id = (await admin.call("GET", "rating", f"/evaluations/{evaluation}"))["product_id"]
    await admin.call("PATCH", "registry", f"/products/{product_id}", json={"gtin": GTIN})
    await admin.call("POST", "rating", f"/evaluations/{evaluation}/recognition", expect=201,
                     json={"decision_number": "1/QĐ-UBND"})
    label = await admin.until("GET", "traceability", f"/labels/{product_id}")
    issued = label["issued_at"][:10]
    batch = await admin.until("POST", "traceability", f"/products/{product_id}/batches",
                              expect=201, json={"lot": LOT, "quantity": 500, "unit": "LTR",
                                                "produced_on": issued})
    for n in range(EVENTS):
        step = ("harvest", "lab_test", "packing", "shipping")[n % 4]
        extra = {"lab_test": {"lab": "Quatest 3", "passed": True},
                 "shipping": {"party": "Postmart"}}.get(step, {})
        await admin.call("POST", "traceability", f"/batches/{batch['id']}/events", expect=201,
                         json={"step": step, "place": {"name": "Nhà thùng Cửa Bé"},
                               "happened_at": f"{issued}T0{n}:00:00+07:00"} | extra)
    return str(product_id)


async def main(seconds: int, connections: int, threads: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = {"OCOP_DATA_DIR": tempfile.mkdtemp(prefix="ocop-bench-scan-"),
           "OCOP_ALLOW_PRIVATE_SCAN_URL": "true"}
    with Progress(console=console, transient=True) as progress:
        async with platform("embedded", env) as urls, httpx.AsyncClient(timeout=30) as client:
            product_id = await certified_with_batch(urls, client, progress)
            scan = urls["traceability"]
            pages = {"scan page (HTML)": (f"{scan}/p/{product_id}", {}),
                     "scan page (JSON)": (f"{scan}/01/{GTIN}", {"Accept": "application/json"}),
                     "batch page (HTML)": (f"{scan}/p/{product_id}/10/{LOT}", {}),
                     "redirect /01/{gtin}": (f"{scan}/01/{GTIN}", {})}
            sizes = {}
            for name, (url, headers) in pages.items():
                response = await client.get(url, headers=headers)
                assert response.status_code == (307 if "redirect" in name else 200), (
                    name, response.status_code)
                sizes[name] = len(response.content)
            port = free_port()
            bare = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
                [sys.executable, __file__, "--bare", str(port), str(sizes["scan page (HTML)"])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if not wait_for_port("127.0.0.1", port, 30):
                    raise RuntimeError("the bare endpoint did not start")
                targets = {"bare endpoint": (f"http://127.0.0.1:{port}/", {})} | pages
                results = {}
                task = progress.add_task("wrk", total=len(targets))
                for name, (url, headers) in targets.items():
                    wrk(url, 2, connections, threads, headers)  # warm up
                    results[name] = wrk(url, seconds, connections, threads, headers)
                    progress.advance(task)
            finally:
                bare.terminate()
                bare.wait(timeout=30)
    table = Table(title=f"wrk -t{threads} -c{connections} -d{seconds}s, one run "
                        "(latency in ms)")
    for column in ("target", "bytes", "requests/s", "share of bare", "p50", "p90", "p99",
                   "non-2xx"):
        table.add_column(column, justify="right")
    bare_rps = results["bare endpoint"]["rps"]
    for name, r in results.items():
        table.add_row(name, str(sizes.get(name, sizes["scan page (HTML)"])),
                      f"{r['rps']:,.0f}", f"{r['rps'] / bare_rps:.2f}",
                      *(f"{r[k]:.1f}" for k in ("p50", "p90", "p99")), f"{r['errors']:.0f}")
    console.print(table)


if __name__ == "__main__":
    if "--bare" in sys.argv:
        bare_app(int(sys.argv[sys.argv.index("--bare") + 2]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("--seconds", type=int, default=10)
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument("--threads", type=int, default=2)
        args = parser.parse_args()
        asyncio.run(main(args.seconds, args.connections, args.threads))
