"""Webhooks for sales channels, against a real HTTP receiver: every change the channel may
see is POSTed, signed per Standard Webhooks (verified here with the specification's own
library), retried with backoff through failures and timeouts, in order per product, none
lost; a receiver that keeps failing gets its endpoint disabled, and enabling it sends what
failed; the channel reads its delivery log and asks for redelivery."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from shared.platform.config import Settings
from tests.support.channels import Market, market, register_channel
from tests.support.demo import wait_until
from tests.support.platform import User
from tests.support.receiver import Receiver, receiver
from tests.support.refusals import problem

FAST_RETRIES = {"allow_private_webhook_urls": True, "webhook_first_retry_seconds": 0.05,
                "webhook_timeout_seconds": 0.5}


@pytest.fixture
async def hooked(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    async with market(make_settings(**FAST_RETRIES, webhook_attempts=6)) as made:
        yield made


async def changes_since(channel: User, cursor: str) -> list[dict[str, Any]]:
    return list((await channel.call("GET", "catalog", "/listings/changes",
                                    params={"since": cursor}))["items"])


async def deliveries(channel: User, **params: Any) -> list[dict[str, Any]]:
    return list((await channel.call("GET", "catalog", "/channel/deliveries",
                                    params=params))["items"])


def verified(hook: Receiver, secret: str) -> list[dict[str, Any]]:
    """The bodies the receiver accepted, each checked against its signature."""
    return [Webhook(secret).verify(r.body, r.headers) for r in hook.accepted]


async def all_delivered(channel: User, count: int) -> None:
    async def done() -> bool:
        log = await deliveries(channel, limit=500)
        return len(log) == count and all(d["state"] == "delivered" for d in log)

    await wait_until(done, within=30)


async def test_every_change_reaches_the_receiver_signed_and_in_order_through_failures(
        hooked: Market) -> None:
    office, producers, products = hooked.office, hooked.producers, hooked.products
    channel, postmart = await register_channel(office)
    start = (await postmart.call("GET", "catalog", "/listings/changes"))["next_cursor"]
    async with receiver(hang_seconds=1.0) as hook:
        hook.script = ["fail", "fail", "hang", "fail"]
        made = await postmart.call("POST", "catalog", "/channel/webhooks", expect=201,
                                   json={"url": hook.url, "description": "Postmart sync"})
        endpoint, secret = made["endpoint"], made["secret"]
        assert secret.startswith("whsec_") and endpoint["enabled"]
        assert "secret" not in await postmart.call(
            "GET", "catalog", f"/channel/webhooks/{endpoint['id']}")

        # Changes to both products, several each: offers made, ended, made again; one
        # product taken off the catalog.
        offers = f"/offers/{channel['id']}"
        for key in ("tea", "wine"):
            page = f"https://postmart.vn/san-pham/{key}"
            listing = f"/listings/{products[key]}"
            await producers[key].call("PUT", "catalog", listing + offers, json={"url": page})
            await producers[key].call("DELETE", "catalog", listing + offers)
            await producers[key].call("PUT", "catalog", listing + offers,
                                      json={"url": page + "-2"})
        await producers["tea"].call("POST", "catalog", f"/listings/{products['tea']}/withdrawal",
                                    expect=204)
        made_changes = await changes_since(postmart, start)
        assert len(made_changes) == 7
        await all_delivered(postmart, 7)

        bodies = verified(hook, secret)
        assert {b["id"] for b in bodies} == {c["id"] for c in made_changes}  # none lost
        by_id = {c["id"]: c for c in made_changes}
        for body in bodies:
            change = by_id[body["id"]]
            assert (body["type"], body["data"], body["cursor"], body["dataschema"]) == (
                change["type"], change["data"], change["cursor"], change["dataschema"])
        for key in ("tea", "wine"):
            first_seen = list(dict.fromkeys(
                b["id"] for b in bodies if b["data"]["product_id"] == products[key]))
            assert first_seen == [c["id"] for c in made_changes
                                  if c["subject"] == products[key]], key
        assert "vn.ocop.catalog.listing.withdrawn.v1" in {b["type"] for b in bodies}
        # Every request of one message carried the same webhook-id, whatever its fate.
        assert {r.headers["webhook-id"] for r in hook.received} == set(by_id)
        assert {r.answered for r in hook.received} == {"ok", "fail", "hang"}

    log = await deliveries(postmart, limit=500)
    tries = [a for d in log for a in d["attempts"]]
    assert sum(a["status_code"] == 503 for a in tries) == 3
    assert [a["error"] for a in tries if a["status_code"] is None] == ["no answer within 0.5 s"]
    assert all(d["attempts"][-1]["status_code"] == 204 for d in log)
    failed_first = [d for d in log if len(d["attempts"]) > 1]
    assert failed_first and all(d["attempts"][0]["error"] for d in failed_first)


async def test_a_receiver_that_keeps_failing_is_disabled_and_enabling_it_sends_what_failed(
        make_settings: Callable[..., Settings]) -> None:
    async with market(make_settings(**FAST_RETRIES, webhook_attempts=3)) as shop, \
            receiver() as hook:
        channel, postmart = await register_channel(shop.office)
        hook.otherwise = "fail"
        made = await postmart.call("POST", "catalog", "/channel/webhooks", expect=201, json={
            "url": hook.url, "event_types": ["vn.ocop.catalog.listing.changed.v1"]})
        endpoint_path = f"/channel/webhooks/{made['endpoint']['id']}"
        tea = f"/listings/{shop.products['tea']}/offers/{channel['id']}"
        await shop.producers["tea"].call("PUT", "catalog", tea,
                                         json={"url": "https://postmart.vn/che"})

        async def disabled() -> bool:
            return not (await postmart.call("GET", "catalog", endpoint_path))["enabled"]

        await wait_until(disabled, within=20)
        endpoint = await postmart.call("GET", "catalog", endpoint_path)
        assert "every attempt" in endpoint["disabled_reason"]
        [failed] = await deliveries(postmart, state="failed")
        assert [a["status_code"] for a in failed["attempts"]] == [503, 503, 503]
        problem(await postmart.client.post(
            f"{postmart.urls['catalog']}/channel/deliveries/{failed['id']}/redelivery",
            headers=postmart.headers), 409, "endpoint-disabled")

        # Changes while it is disabled wait for it; a withdrawal is not among its types.
        await shop.producers["tea"].call("DELETE", "catalog", tea)
        await shop.producers["wine"].call(
            "POST", "catalog", f"/listings/{shop.products['wine']}/withdrawal", expect=204)
        [waiting] = await deliveries(postmart, state="pending")
        assert waiting["event_type"] == "vn.ocop.catalog.listing.changed.v1"
        tried = len(hook.received)

        hook.otherwise = "ok"
        enabled = await postmart.call("PATCH", "catalog", endpoint_path, json={"enabled": True})
        assert enabled["enabled"] and enabled["disabled_reason"] is None
        await all_delivered(postmart, 2)
        assert [r.headers["webhook-id"] for r in hook.accepted] == [failed["webhook_id"],
                                                                   waiting["webhook_id"]]
        assert len(hook.received) == tried + 2

        # Redelivery on request: the same message, signed again.
        again = await postmart.call("POST", "catalog",
                                    f"/channel/deliveries/{failed['id']}/redelivery",
                                    expect=202)
        assert again["state"] == "pending"
        await wait_until(lambda: _count(hook, failed["webhook_id"], 2))
        assert [d["state"] for d in await deliveries(postmart)] == ["delivered", "delivered"]

        # The channel turns it off itself, and removes it.
        off = await postmart.call("PATCH", "catalog", endpoint_path,
                                  json={"enabled": False, "description": "paused"})
        assert (off["enabled"], off["disabled_reason"], off["description"]) == (
            False, "disabled by the channel", "paused")
        await postmart.call("DELETE", "catalog", endpoint_path, expect=204)
        assert await postmart.call("GET", "catalog", "/channel/webhooks") == []
        assert len(await deliveries(postmart)) == 2  # the log stays


async def _count(hook: Receiver, webhook_id: str, times: int) -> bool:
    return sum(r.headers["webhook-id"] == webhook_id for r in hook.accepted) == times


async def test_webhook_endpoints_refuse_what_the_catalog_must_not_call(
        make_settings: Callable[..., Settings]) -> None:
    async with market(make_settings()) as shop:
        channel, postmart = await register_channel(shop.office)
        _, other = await register_channel(shop.office, name="Sàn Huế",
                                          website="https://sanhue.vn")
        hooks = f"{postmart.urls['catalog']}/channel/webhooks"

        async def refused(body: dict[str, Any], status: int = 400,
                          code: str | None = "invalid-field", **headers: str) -> None:
            response = await postmart.client.post(hooks, json=body,
                                                  headers=postmart.headers | headers)
            problem(response, status, code)

        for url in ("http://hooks.postmart.vn/ocop", "https://127.0.0.1/hook",
                    "https://10.0.0.8/hook", "https://localhost:8443/hook",
                    "https://[::1]/hook", "https://169.254.169.254/latest",
                    "https://192.168.1.20/hook", "https://intranet/hook", "ftp://postmart.vn"):
            await refused({"url": url})
        await refused({"url": "https://hooks.postmart.vn/ocop", "event_types": ["bought"]})
        await refused({"url": "https://hooks.postmart.vn/ocop", "event_types": []}, 422,
                      "invalid-input")
        await refused({"url": "https://hooks.postmart.vn/ocop"}, 401, "api-key-invalid",
                      **{"X-API-Key": "ocopk_0000000000000000_" + "A" * 43})
        problem(await postmart.client.post(hooks, json={"url": "https://hooks.postmart.vn"}),
                401, None)

        made = await postmart.call("POST", "catalog", "/channel/webhooks", expect=201,
                                   json={"url": "https://hooks.postmart.vn/ocop"})
        assert made["endpoint"]["event_types"] == [
            "vn.ocop.catalog.listing.published.v1", "vn.ocop.catalog.listing.changed.v1",
            "vn.ocop.catalog.listing.withdrawn.v1"]
        mine = f"/channel/webhooks/{made['endpoint']['id']}"
        problem(await other.client.get(other.urls["catalog"] + mine, headers=other.headers),
                404, "not-found")
        problem(await other.client.patch(other.urls["catalog"] + mine, headers=other.headers,
                                         json={"enabled": False}), 404, "not-found")
        problem(await postmart.client.patch(postmart.urls["catalog"] + mine,
                                            headers=postmart.headers,
                                            json={"url": "https://10.1.1.1/x"}), 400,
                "invalid-field")
        problem(await postmart.client.post(
            f"{postmart.urls['catalog']}/channel/deliveries/000000000001.nope/redelivery",
            headers=postmart.headers), 404, "not-found")
        for n in range(9):
            await postmart.call("POST", "catalog", "/channel/webhooks", expect=201,
                                json={"url": f"https://hooks.postmart.vn/{n}"})
        await refused({"url": "https://hooks.postmart.vn/eleventh"}, 409, "too-many-endpoints")

        # The delivery log's filters and paging: a change to a listing makes one delivery
        # per endpoint (never sent here: the names do not resolve in the test's sandbox).
        await shop.producers["tea"].call(
            "PUT", "catalog", f"/listings/{shop.products['tea']}/offers/{channel['id']}",
            json={"url": "https://postmart.vn/che"})
        first = await postmart.call("GET", "catalog", "/channel/deliveries",
                                    params={"limit": 4})
        assert len(first["items"]) == 4 and first["next_cursor"]
        rest = await postmart.call("GET", "catalog", "/channel/deliveries",
                                   params={"limit": 50, "after": first["next_cursor"]})
        assert len(first["items"]) + len(rest["items"]) == 10
        only = await deliveries(postmart, endpoint_id=made["endpoint"]["id"])
        assert [d["endpoint_id"] for d in only] == [made["endpoint"]["id"]]
        assert await deliveries(postmart, state="delivered") == []
        assert await deliveries(other) == []
        problem(await postmart.client.get(f"{postmart.urls['catalog']}/channel/deliveries",
                                          params={"state": "lost"},
                                          headers=postmart.headers), 422, "invalid-input")
