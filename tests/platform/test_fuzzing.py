"""Schemathesis fuzzes every operation of the four services' OpenAPI documents as the
callers that may use it: no input may cause a server error, and every status code and
content type answered is one the document lists (``shared/refusals/openapi.py``).

Each operation names who may call it (``x-access``), and the gate refuses everyone else
before the body or the parameters are read, so fuzzing an operation as a caller it refuses
only sends the same 401 or 403 again: that every operation answers every kind of caller as
its table says is ``test_authorization.py``'s. So each caller here fuzzes the operations it
passes the gate of: a visitor the public ones (a token is not read there, so no one else
fuzzes them), the office and a producer theirs, a council member its score sheets and a
sales channel, with its API key, its own webhooks. An operation no caller here may use
fails the test, so a new kind of caller is fuzzed too.

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
from typing import Any

import pytest

from shared.identity.access import Party
from shared.platform.config import SERVICES, Settings
from tests.support.platform import User, office_signed_in, registered

PASSWORD = "fuzzing-pass-1"
EXAMPLES_PER_OPERATION = 25
FUZZ_WITHIN_SECONDS = 900
"""How long one schemathesis run may take: far above one run on a loaded machine."""
PHASES = "examples,coverage,fuzzing"
PHASES_WHEN_TRAVELLING = "examples,coverage"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"
"""No 5xx, and every status and content type answered is one the document lists."""
FUZZED_AS: dict[str, frozenset[Party]] = {
    "visitor": frozenset({Party.ANYONE, Party.LINK_HOLDER}),
    "office": frozenset({Party.OFFICE, Party.SIGNED_IN}),
    "producer": frozenset({Party.OWNER, Party.SIGNED_IN}),
    "member": frozenset({Party.COUNCIL}),
    "channel": frozenset({Party.CHANNEL}),
}
"""Who fuzzes which operations: the caller whose parties the operation's rule admits."""
CHANNEL = {"name": "Postmart", "website": "https://postmart.vn",
           "contact_name": "Bộ phận đối tác", "contact_email": "doitac@postmart.vn"}


def schemathesis_command() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a test dependency: make test installs it"
    return found


def operations_of(document: dict[str, Any]) -> dict[str, frozenset[Party]]:
    """Each operation's id → the parties its rule admits."""
    return {operation["operationId"]: frozenset(
                Party(p) for p in operation.get("x-access", {}).get("parties", []))
            for item in document["paths"].values() for operation in item.values()}


def fuzzed_by(operations: dict[str, frozenset[Party]]) -> dict[str, list[str]]:
    """Each caller → the operations it fuzzes (those whose gate it passes)."""
    return {who: sorted(op for op, parties in operations.items() if parties & admitted)
            for who, admitted in FUZZED_AS.items()}


async def callers(admin: User, subject_id: str) -> dict[str, str]:
    """Each caller's credential, as a request header."""
    for username, role, subject in (("producer", "producer", subject_id),
                                    ("member", "council_member", None)):
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": username, "password": PASSWORD, "role": role,
            "subject_id": subject})
    producer = await admin.anonymous().sign_in("producer", PASSWORD)
    member = await admin.anonymous().sign_in("member", PASSWORD)
    channel = await admin.call("POST", "catalog", "/channels", expect=201, json=CHANNEL)
    return {
        # A token no service accepts: with no Authorization header at all, schemathesis
        # tries to sign up an account of its own and stops with an error.
        "visitor": "Authorization: Bearer not-a-token",
        "office": f"Authorization: {admin.headers['Authorization']}",
        "producer": f"Authorization: {producer.headers['Authorization']}",
        "member": f"Authorization: {member.headers['Authorization']}",
        "channel": f"X-API-Key: {channel['api_key']}",
    }


async def fuzz(url: str, credential: str, operations: list[str], report: Path,
               phases: str) -> tuple[int, str]:
    args = [schemathesis_command(), "run", f"{url}/openapi.json", "--checks", CHECKS,
            "--phases", phases,
            "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "1",
            "--suppress-health-check", "all", "--report", "junit",
            "--report-junit-path", str(report),
            "--seed", os.environ.get("OCOP_FUZZ_SEED", "20261124"),
            "--generation-deterministic"]
    args += ["-H", credential]
    for operation in operations:
        args += ["--include-operation-id", operation]
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
        credentials = await callers(admin, subject["id"])
        operations = operations_of(await admin.call("GET", service, "/openapi.json"))
        shares = fuzzed_by(operations)
        unfuzzed = set(operations) - {op for ops in shares.values() for op in ops}
        assert not unfuzzed, f"no caller here may use {sorted(unfuzzed)}: add one to FUZZED_AS"
        failures = []
        for who, share in shares.items():
            if not share:
                continue
            code, output = await fuzz(admin.urls[service], credentials[who], share,
                                      tmp_path / f"{service}-{who}.xml", phases)
            if code != 0:
                failures.append(f"--- {service} as {who}:\n{output[-4000:]}")
        assert not failures, "\n".join(failures)
