"""Every code the platform prints is a GS1 Digital Link by an independent judge: GS1's own
``digital-link.js`` (its ABNF grammar and check digit), run with the machine's Node from
``tests/js`` (installed by ``make test`` from its lock file). The resolver's own verdict on
malformed codes agrees with it.

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, batch_body
from tests.support.clocks import today
from tests.support.platform import certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in

CHECKER = Path(__file__).parents[1] / "js" / "check_digital_links.js"
LOT = "NM/26-11.A(1)"
"""A lot using GS1's punctuation, a slash among it: percent-encoded in the path."""


def judged(uris: list[str]) -> list[dict[str, Any]]:
    """digital-link.js's verdict on each URI."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the GS1 Digital Link check: run `make test`"
    assert (CHECKER.parent / "node_modules" / "digital-link.js").is_dir(), (
        "digital-link.js is not installed: run `make test` (npm ci --prefix tests/js)")
    done = subprocess.run([node, str(CHECKER)], input=json.dumps(uris), capture_output=True,
                          text=True, check=True, timeout=60)
    return list(json.loads(done.stdout))


async def test_every_printed_code_is_a_valid_gs1_digital_link(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          (today() - timedelta(days=30)).isoformat(), GTIN)
        product_id, producer = records["product_id"], coop.producer
        batch = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                    expect=201, json=batch_body(LOT, today() - timedelta(days=3)))
        sheet = await producer.call("POST", "traceability",
                                    f"/batches/{batch['id']}/label-sheets", expect=202,
                                    json={"count": 5})
        codes = await producer.call("GET", "traceability",
                                    f"/label-sheets/{sheet['id']}/codes.csv")
        units = [line.split(",")[1] for line in codes.text.splitlines()[1:]]
        label = await office.until("GET", "traceability", f"/labels/{product_id}")
        linkset = await office.call("GET", "traceability", f"/01/{GTIN}/10/{quote(LOT, safe='')}",
                                    params={"linkType": "all"})
        [anchored] = linkset["linkset"]
        printed = [label["scan_url"], batch["scan_url"], batch["identifier"],
                   anchored["anchor"], *units]

        verdicts = judged(printed)
        assert [v["uri"] for v in verdicts if not v["valid"]] == []
        assert all(v["identifier"] == {"01": GTIN} for v in verdicts)
        assert {v["keyQualifiers"].get("10") for v in verdicts[1:]} == {quote(LOT, safe="")}
        serials = {line.split(",")[0] for line in codes.text.splitlines()[1:]}
        assert {v["keyQualifiers"]["21"] for v in verdicts[4:]} == serials

        # Where the resolver refuses a code as malformed (400), so does GS1's checker; where
        # it resolves or warns of an unknown one (200/404), GS1's checker accepts it.
        base = office.urls["traceability"]
        crafted = [f"/01/{GTIN[:-1]}0", f"/01/{GTIN[1:]}", "/01/0893456313816A",
                   f"/01/{GTIN}/10/{'L' * 21}", f"/01/{GTIN}/10/L%20OT",
                   f"/01/{GTIN}/10/LOT-404", f"/01/{GTIN}/10/{quote(LOT, safe='')}",
                   f"/01/{GTIN}/21/UNKNOWNSERIAL"]
        checker = judged([base + path for path in crafted])
        for path, verdict in zip(crafted, checker, strict=True):
            answer = await office.client.get(base + path, params={"format": "json"})
            assert (answer.status_code == 400) == (not verdict["valid"]), (
                path, answer.status_code, verdict)
