"""Schemathesis fuzzes every operation of the four services' OpenAPI documents, as an
anonymous caller, the office (admin) and a producer: no input may cause a server error, and
every status code and content type answered is one the document lists
(``shared/refusals/openapi.py``).

Bounded (a fixed number of examples per operation) so it fits CI's time, and seeded, so a
run is repeatable: ``OCOP_FUZZ_SEED`` picks another seed to explore further by hand.

When the suite travels in time (``make test`` runs the date readers again in 2031 and 2024)
only the deterministic phases run: the schema's examples and the coverage phase, which sends
every parameter's boundary and invalid values, dates included. Another day changes what the
services answer only through the dates they compare, which those inputs reach; the random
exploration of the input space is the same on any day and runs once, on today's date. It is
half of the fuzzing's time.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.platform.config import SERVICES, Settings
from tests.support.platform import office_signed_in, registered

PASSWORD = "fuzzing-pass-1"
EXAMPLES_PER_OPERATION = 25
FUZZ_WITHIN_SECONDS = 900
"""How long one schemathesis run may take: far above one run on a loaded machine."""
PHASES = "examples,coverage,fuzzing"
PHASES_WHEN_TRAVELLING = "examples,coverage"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"
"""No 5xx, and every status and content type answered is one the document lists."""


def schemathesis_command() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a test dependency: make test installs it"
    return found


async def fuzz(url: str, token: str, report: Path, phases: str) -> tuple[int, str]:
    args = [schemathesis_command(), "run", f"{url}/openapi.json", "--checks", CHECKS,
            "--phases", phases,
            "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "1",
            "--suppress-health-check", "all", "--report", "junit",
            "--report-junit-path", str(report),
            "--seed", os.environ.get("OCOP_FUZZ_SEED", "20261124"),
            "--generation-deterministic"]
    args += ["-H", f"Authorization: Bearer {token}"]
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        # Only so a run that hangs ends the test (faulthandler would only print stacks).
        output, _ = await asyncio.wait_for(process.communicate(), FUZZ_WITHIN_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"schemathesis still running after {FUZZ_WITHIN_SECONDS} s: "
                             f"{' '.join(args[:3])}") from None
    return process.returncode or 0, output.decode(errors="replace")


@pytest.mark.long
@pytest.mark.parametrize("service", SERVICES)
async def test_no_operation_answers_a_server_error_to_anyone(
        service: str, make_settings: Callable[..., Settings], tmp_path: Path,
        pytestconfig: pytest.Config) -> None:
    """One service's operations a test, so the four spread over the test workers."""
    phases = PHASES_WHEN_TRAVELLING if pytestconfig.getoption("--travel-to") else PHASES
    settings = make_settings(rate_limit="100000/second")
    async with office_signed_in(settings, PASSWORD) as admin:
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương",
            **registered(district="Đại Từ")})
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "producer", "password": PASSWORD, "role": "producer",
            "subject_id": subject["id"]})
        producer = await admin.anonymous().sign_in("producer", PASSWORD)
        # Anonymous: a token no service accepts. (With no Authorization header at all,
        # schemathesis tries to sign up an account of its own and stops with an error.)
        callers = {"anonymous": "not-a-token", "admin": admin.headers["Authorization"].split()[1],
                   "producer": producer.headers["Authorization"].split()[1]}
        failures = []
        for who, token in callers.items():
            code, output = await fuzz(admin.urls[service], token,
                                      tmp_path / f"{service}-{who}.xml", phases)
            if code != 0:
                failures.append(f"--- {service} as {who}:\n{output[-4000:]}")
        assert not failures, "\n".join(failures)
