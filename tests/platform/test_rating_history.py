"""Rating's history over HTTP (issue 31): each office decision and each council member's
sheet is listed by ``GET /history`` on rating, newest first, with who and when, filtered as
the registry's history is (by account, by kind of record, by one record); an unknown
filter and a record's id without its kind are refused; only the office reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.platform import certified_product, cooperative_with_council, office_signed_in

PASSWORD = "history-pass-31"
GTIN = "08934563138165"
REASON = "Sản phẩm không còn đạt tiêu chuẩn chất lượng đã công bố."


async def test_rating_lists_who_decided_what_and_when(
        make_settings: Callable[..., Settings]) -> None:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          (today() - timedelta(days=10)).isoformat(), GTIN)
        certificate_id = records["certificate_id"]
        await office.call("POST", "rating", f"/certificates/{certificate_id}/revocation",
                          json={"reason": REASON})

        everything = await office.call("GET", "rating", "/history")
        assert [(e["action"], e["by"]) for e in everything["items"]] == [
            ("revoked", "office"), ("recognised", "office"), ("evaluation-closed", "office"),
            ("sheet-submitted", "member"), ("evaluation-opened", "office")]
        times = [e["at"] for e in everything["items"]]
        assert times == sorted(times, reverse=True) and all(times)
        revoked = everything["items"][0]
        assert (revoked["entity"], revoked["entity_id"]) == ("certificate", certificate_id)
        assert revoked["changes"]["revocation_reason"] == {"from": None, "to": REASON}
        assert revoked["changes"]["status"] == {"from": "active", "to": "revoked"}
        recognised = everything["items"][1]
        assert recognised["changes"]["decision_number"]["to"] == "4/QĐ-UBND"
        assert recognised["changes"]["stars"]["to"] == 4

        by_member = await office.call("GET", "rating", "/history", params={"by": "member"})
        assert [(e["entity"], e["entity_id"]) for e in by_member["items"]] == [
            ("score_sheet", f"{records['evaluation_id']}:member")]
        certificates = await office.call("GET", "rating", "/history",
                                         params={"entity": "certificate"})
        assert [e["action"] for e in certificates["items"]] == ["revoked", "recognised"]
        one = await office.call("GET", "rating", "/history", params={
            "entity": "evaluation", "entity_id": records["evaluation_id"], "limit": 1})
        assert [e["action"] for e in one["items"]] == ["evaluation-closed"]
        assert one["next_cursor"]
        rest = await office.call("GET", "rating", "/history", params={
            "entity": "evaluation", "entity_id": records["evaluation_id"],
            "cursor": one["next_cursor"]})
        assert [e["action"] for e in rest["items"]] == ["evaluation-opened"]

        unknown = await office.call("GET", "rating", "/history", params={"status": "revoked"},
                                    expect=400)
        assert unknown["type"].endswith("/unknown-filter")
        kindless = await office.call("GET", "rating", "/history",
                                     params={"entity_id": certificate_id}, expect=400)
        assert kindless["type"].endswith("/entity-needed")
        await office.call("GET", "rating", "/history", params={"entity": "dossier"},
                          expect=422)
        for other, refused in ((coop.producer, 403), (coop.member, 403),
                               (office.anonymous(), 401)):
            await other.call("GET", "rating", "/history", expect=refused)
