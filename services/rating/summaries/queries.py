"""The annual summary (báo cáo tổng kết) of a locality: the figures an OCOP review meeting
reports. ``annual_summary`` is a pure function of the records; ``Summaries`` reads them from
this service's own read models (rendering files is ``reports.py``'s).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.rating.certificates.rules import add_months
from services.rating.store import CERTIFICATES, ON_SALE, PRODUCTS, SUBJECTS
from shared.i18n.text import fold
from shared.ocop.vocabulary import SUBJECT_TYPE_NAMES, SubjectType, group_names
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, find_all


@dataclass(frozen=True)
class Locality:
    """A province, optionally narrowed to a former district or a commune."""

    province: str
    district: str | None = None
    commune: str | None = None

    def contains(self, subject: dict[str, Any]) -> bool:
        def same(wanted: str | None, held: str | None) -> bool:
            return wanted is None or fold(wanted) == fold(held or "")

        return (same(self.province, subject.get("province"))
                and same(self.district, subject.get("district"))
                and same(self.commune, subject.get("commune")))

    def as_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "district": self.district, "commune": self.commune}


def _year(day: str | None) -> int | None:
    return date.fromisoformat(day).year if day else None


def _tally(items: list[tuple[str, str]]) -> dict[str, int]:
    """(product id, subject id) pairs -> distinct products and subjects."""
    return {"products": len({p for p, _ in items}), "subjects": len({s for _, s in items})}


def annual_summary(year: int, locality: Locality, subjects: dict[str, dict[str, Any]],
                   products: dict[str, dict[str, Any]], certificates: list[dict[str, Any]],
                   on_sale: dict[str, list[dict[str, str]]], *, as_of: date,
                   expiring_within_months: int) -> dict[str, Any]:
    """``subjects`` and ``products`` by id (the locality's, or more); ``certificates`` with
    their ``id``; ``on_sale``: product id → the sales channels (``channel_id``,
    ``channel_name``) the catalog lists it on now. Products recognised in ``year`` are those
    with a recognition decision dated in it, counted once at the stars of their latest
    decision that year."""
    local = {sid: s for sid, s in subjects.items() if locality.contains(s)}
    registered = [(pid, p["subject_id"]) for pid, p in products.items()
                  if p["subject_id"] in local and _year(p.get("registered_on")) == year]
    recognised = _recognised_in(year, local, certificates)
    horizon = add_months(as_of, expiring_within_months)
    return {
        "year": year, "locality": locality.as_dict(), "as_of": as_of.isoformat(),
        "registered": _tally(registered),
        "recognised": {
            **_tally(_pairs(recognised)),
            "by_stars": {str(s): sum(1 for c in recognised if c["stars"] == s)
                         for s in (3, 4, 5)},
            **_breakdowns(recognised, local, products)},
        "expiring": {
            "within_months": expiring_within_months, "until": horizon.isoformat(),
            "certificates": _expiring(certificates, local, products, as_of, horizon)},
        "on_sale": {"by_channel": _by_channel(on_sale, local, products)},
    }


def _by_channel(on_sale: dict[str, list[dict[str, str]]], local: dict[str, dict[str, Any]],
                products: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The locality's listed products on each sales channel now ("16 products on
    Postmart"), most products first."""
    sold: dict[str, list[tuple[str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    for product_id, channels in on_sale.items():
        subject_id = products.get(product_id, {}).get("subject_id")
        if subject_id not in local:
            continue
        for channel in channels:
            sold[channel["channel_id"]].append((product_id, subject_id))
            names[channel["channel_id"]] = channel["channel_name"]
    return sorted(({"channel_id": c, "channel_name": names[c], **_tally(pairs)}
                   for c, pairs in sold.items()),
                  key=lambda row: (-row["products"], row["channel_name"]))


def _pairs(certs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["product_id"], c["subject_id"]) for c in certs]


def _recognised_in(year: int, local: dict[str, dict[str, Any]],
                   certificates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each local product's latest certificate decided in ``year``."""
    latest: dict[str, dict[str, Any]] = {}
    for c in sorted(certificates, key=lambda c: (c["decision_date"], c["id"])):
        if c["subject_id"] in local and _year(c["decision_date"]) == year:
            latest[c["product_id"]] = c
    return list(latest.values())


def _breakdowns(recognised: list[dict[str, Any]], local: dict[str, dict[str, Any]],
                products: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The recognised products by group, sub-group, subject type and commune."""
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_subgroup: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_commune: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in recognised:
        product, subject = products.get(c["product_id"], {}), local[c["subject_id"]]
        group, subgroup = product.get("group", "?"), product.get("subgroup", "?")
        by_group[group].append(c)
        by_subgroup[(group, subgroup)].append(c)
        by_type[subject["type"]].append(c)
        by_commune[subject["commune"]].append(c)

    def stars(certs: list[dict[str, Any]]) -> dict[str, int]:
        return {str(s): sum(1 for c in certs if c["stars"] == s) for s in (3, 4, 5)}

    def subject_types(certs: list[dict[str, Any]]) -> dict[str, int]:
        distinct = {c["subject_id"] for c in certs}
        return dict(sorted(Counter(local[s]["type"] for s in distinct).items()))

    return {
        "by_group": [
            {"group": g, "name_vi": group_names(g)[0], "name_en": group_names(g)[1],
             **_tally(_pairs(certs)), "subjects_by_type": subject_types(certs),
             "by_stars": stars(certs)}
            for g, certs in sorted(by_group.items())],
        "by_subgroup": [
            {"group": g, "subgroup": sg, "name_vi": group_names(g, sg)[0],
             "name_en": group_names(g, sg)[1], **_tally(_pairs(certs))}
            for (g, sg), certs in sorted(by_subgroup.items())],
        "by_subject_type": [
            {"type": t, "name_vi": SUBJECT_TYPE_NAMES[SubjectType(t)][0],
             "name_en": SUBJECT_TYPE_NAMES[SubjectType(t)][1], **_tally(_pairs(certs))}
            for t, certs in sorted(by_type.items())],
        "by_commune": [{"commune": commune, **_tally(_pairs(certs)), "by_stars": stars(certs)}
                       for commune, certs in sorted(by_commune.items())],
    }


def _expiring(certificates: list[dict[str, Any]], local: dict[str, dict[str, Any]],
              products: dict[str, dict[str, Any]], as_of: date,
              horizon: date) -> list[dict[str, Any]]:
    """Active local certificates whose validity ends between ``as_of`` and ``horizon``."""
    expiring = sorted(
        (c for c in certificates
         if c["subject_id"] in local and c["status"] == "active"
         and as_of <= date.fromisoformat(c["valid_until"]) <= horizon),
        key=lambda c: (c["valid_until"], c["number"]))
    return [{"number": c["number"], "product_id": c["product_id"],
             "product_name": products.get(c["product_id"], {}).get("name", ""),
             "subject_name": local[c["subject_id"]]["name"], "stars": c["stars"],
             "valid_until": c["valid_until"]} for c in expiring]


@dataclass
class Summaries:
    """The annual summary of a locality, from this service's own records."""

    store: DocumentStore
    clock: Clock

    async def summary(self, year: int, locality: Locality, *, as_of: date,
                      expiring_within_months: int) -> dict[str, Any]:
        subjects = {d.id: d.data async for d in find_all(
            self.store, SUBJECTS.name, {"province_key": fold(locality.province)})}
        local = [sid for sid, s in subjects.items() if locality.contains(s)]
        products: dict[str, dict[str, Any]] = {}
        certificates: list[dict[str, Any]] = []
        on_sale: dict[str, list[dict[str, str]]] = {}
        for chunk in (local[i:i + 500] for i in range(0, len(local), 500)):
            where = {"subject_id": {"$in": chunk}}
            products |= {d.id: d.data async for d in find_all(self.store, PRODUCTS.name, where)}
            certificates += [d.data | {"id": d.id}
                             async for d in find_all(self.store, CERTIFICATES.name, where)]
            on_sale |= {d.id: d.data["channels"]
                        async for d in find_all(self.store, ON_SALE.name, where)}
        return annual_summary(year, locality, subjects, products, certificates, on_sale,
                              as_of=as_of, expiring_within_months=expiring_within_months)
