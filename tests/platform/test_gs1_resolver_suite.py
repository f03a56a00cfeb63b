"""GS1's own conformance suite for the GS1-Conformant Resolver standard
(``../shared/standards/gs1-resolver-testsuite``, beside this repository: GS1's test page and
its PHP helper, run offline in headless Chromium by the folder's ``run``) against the scan
URLs of a certified product: its GTIN, a lot and a unit's serial.

The resolver is served over HTTPS, as in a deployment, by a TLS proxy in front of
traceability with a certificate of the test's own authority (``tests.support.tls``): the
suite's PHP/curl trusts that authority (``curl.cainfo``/``openssl.cafile`` in an ini file
added by ``PHP_INI_SCAN_DIR``) and its Chromium trusts that one certificate
(``--ignore-certificate-errors-spki-list``, a wrapper given as ``--chromium``), so the four
tests that need HTTPS (``isHttps``, ``tlsOK``, ``rdFile``, ``httpVersion``) are judged too.

Needs PHP with curl and Chromium (``make test`` installs them) and the suite's folder: the
test fails, never skips, without them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, batch_body
from tests.support.clocks import today
from tests.support.platform import certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in
from tests.support.ports import free_port
from tests.support.tls import Authority, TlsProxy, make_authority

SUITE = Path(__file__).parents[3] / "shared" / "standards" / "gs1-resolver-testsuite"
LOT = "TC-2026.01"
"""Not a lot with a "/" (``test_digital_link_conformance.py`` has one): the suite's
``tester.php`` decodes the URI it is given twice (``parse_str(urldecode(…))``), so a "%2F"
would reach the resolver as a "/" and every test through it would be of another path."""
KNOWN_WARNINGS: dict[str, str] = {}
"""The suite's warnings this resolver is known to earn, each with its reason: none."""
LINE = re.compile(r"^(PASS|FAIL|WARN) (\w+)(?: \[[^\]]*\])?: (.*)$")


def suite_is_there() -> None:
    assert (SUITE / "run").is_file(), (
        f"GS1's resolver test suite is not at {SUITE}: the tests expect ../shared/standards "
        "beside the repository")
    assert shutil.which("php"), "PHP is needed by GS1's suite: run `make test` (php-cli, php-curl)"
    assert shutil.which("chromium"), "Chromium is needed by GS1's suite: run `make test`"


def trusting(folder: Path, authority: Authority) -> tuple[dict[str, str], Path]:
    """The environment and the Chromium that make the suite trust ``authority``: PHP's
    default ini folder plus one naming the CA (a leading ":" keeps the default), Chromium
    trusting the server certificate's key."""
    ini = folder / "php"
    ini.mkdir()
    (ini / "zz-test-ca.ini").write_text(f"curl.cainfo={authority.ca_pem}\n"
                                        f"openssl.cafile={authority.ca_pem}\n")
    chromium = folder / "chromium"
    chromium.write_text("#!/bin/sh\nexec \"${REAL_CHROMIUM:-/usr/bin/chromium}\" "
                        f"--ignore-certificate-errors-spki-list={authority.spki_sha256} "
                        "\"$@\"\n")
    chromium.chmod(0o755)
    return dict(os.environ, PHP_INI_SCAN_DIR=f":{ini}",
                REAL_CHROMIUM=shutil.which("chromium") or "/usr/bin/chromium"), chromium


async def run_suite(uri: str, env: dict[str, str], chromium: Path) -> tuple[int, str]:
    """The suite's verdicts on ``uri``: its exit status and its output (one line a test)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SUITE / "run"), "--chromium", str(chromium), "--timeout", "180",
        uri, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode is not None
    return process.returncode, out.decode() + "\n" + err.decode()


async def test_gs1s_resolver_suite_passes_on_a_gtin_a_lot_and_a_serial(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    suite_is_there()
    authority = make_authority(tmp_path / "tls")
    port = free_port()
    https = f"https://127.0.0.1:{port}"
    settings = make_settings(allow_private_scan_url=True)
    async with signed_in(settings, PASSWORD, scan_base_url=https) as office:
        proxy = TlsProxy(int(office.urls["traceability"].rsplit(":", 1)[1]), authority,
                         port)
        await proxy.start()
        try:
            coop = await cooperative_with_council(office, PASSWORD)
            records = await certified_product(office, coop.member, coop.producer,
                                              coop.subject_id,
                                              (today() - timedelta(days=30)).isoformat(), GTIN)
            batch = await coop.producer.call(
                "POST", "traceability", f"/products/{records['product_id']}/batches",
                expect=201, json=batch_body(LOT, today() - timedelta(days=3)))
            sheet = await coop.producer.call(
                "POST", "traceability", f"/batches/{batch['id']}/label-sheets", expect=202,
                json={"count": 1})
            codes = await coop.producer.call("GET", "traceability",
                                             f"/label-sheets/{sheet['id']}/codes.csv")
            [unit] = [line.split(",")[1] for line in codes.text.splitlines()[1:]]
            lot_uri = f"{https}/01/{GTIN}/10/{quote(LOT, safe='')}"
            assert batch["scan_url"] == lot_uri and unit.startswith(f"{lot_uri}/21/")

            env, chromium = trusting(tmp_path, authority)
            for uri in (f"{https}/01/{GTIN}", lot_uri, unit):
                status, output = await run_suite(uri, env, chromium)
                print(f"--- {uri}\n{output}")  # the suite's own words, for the record
                verdicts = {m[2]: (m[1], m[3]) for line in output.splitlines()
                            if (m := LINE.match(line))}
                failed = {test: said for test, (verdict, said) in verdicts.items()
                          if verdict == "FAIL"}
                warned = {test for test, (verdict, _) in verdicts.items() if verdict == "WARN"}
                assert failed == {} and status == 0, (uri, failed, output)
                assert warned == set(KNOWN_WARNINGS), (uri, warned, output)
                # Every test the suite has for a GTIN ran, the https-only ones included.
                assert {"tlsOK", "rdFile", "httpVersion", "isHttps", "basicWalkUp",
                        "corsCheck", "methodsCheck", "validLinkset", "defaultTarget",
                        "qsPassedOn", "trailingSlash", "linksetJsonldCheck",
                        "specificLinkTypeNotFound", "loForgs1certificationInfo",
                        "loForgs1traceability"} <= set(verdicts), output
                assert re.search(r"^\d+ passed, 0 failed, 0 warnings$", output, re.M), output
        finally:
            await proxy.stop()
