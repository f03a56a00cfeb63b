"""The GS1 Digital Link resolver's side of a scan: which links an identifier has (the scan
page, the certificate's verification page, the batch's EPCIS events), as an RFC 9264
linkset, as a Link header, and as the resolver description file. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.traceability.profiles import rules
from shared.i18n import N_, in_both

GS1_VOC = "https://gs1.org/voc/"
LINKSET_MEDIA = "application/linkset+json"
DEFAULT_LINK = "defaultLink"
LINKSET_TYPES = frozenset({"linkset", "all"})
"""``?linkType=`` asking for the linkset itself (``all``: its name before 2024)."""
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
"""The JSON-LD context of a GS1 linkset, named in the linkset's Link header."""
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
        "Access-Control-Expose-Headers": "Link, Location, Content-Type, ETag, Vary",
        "Access-Control-Max-Age": "86400"}
"""Every resolver answer may be read by another origin's script (GS1-Conformant Resolver:
SHALL support CORS): the answers are public and no credentials are involved."""


@dataclass(frozen=True)
class Link:
    link_type: str
    """GS1 link type without its namespace: pip, certificationInfo, traceability."""
    href: str
    title: str
    media_type: str

    @property
    def relation(self) -> str:
        return GS1_VOC + self.link_type


def links_of(page_url: str, title: str, verification_url: str | None, events_url: str
             ) -> list[Link]:
    """The links a scanned identifier has: its page first (the default link). A link has
    one plain-text title, for a resolver's clients of either language: said in both."""
    found = [Link("pip", page_url, title, "text/html")]
    if verification_url:
        found.append(Link("certificationInfo", verification_url,
                          in_both(N_("OCOP certificate")), "text/html"))
    found.append(Link("traceability", events_url, in_both(N_("EPCIS events")),
                      "application/ld+json"))
    return found


def events_url(public_url: str, product_id: str, batch_id: str | None) -> str:
    """The EPCIS query of the batch's events, or of the product's."""
    query = {"batch": batch_id} if batch_id else {"product": product_id}
    return f"{public_url.rstrip('/')}/epcis/events?{urlencode(query)}"


VOCABULARIES = (GS1_VOC, "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/", "gs1:")
"""The spellings of GS1's link types a request may use: the CURIE and the three URIs."""


def chosen(links: list[Link], link_type: str | None) -> Link | None:
    """The link ``?linkType=`` asks for (``gs1:certificationInfo`` or a full URI of it; none
    or ``gs1:defaultLink``: the default link, the first); None for a type the identifier
    has no link of."""
    if not link_type:
        return links[0]
    bare = next((link_type.removeprefix(voc) for voc in VOCABULARIES
                 if link_type.startswith(voc)), None)
    if bare == DEFAULT_LINK:
        return links[0]
    return next((link for link in links if link.link_type == bare), None)


def passed_on(target: str, query: list[tuple[str, str]]) -> str:
    """``target`` with the request's query string passed on (the resolver standard's
    default), less ``linkType``, which was the resolver's to read."""
    kept = [(name, value) for name, value in query if name != "linkType"]
    if not kept:
        return target
    return f"{target}{'&' if '?' in target else '?'}{urlencode(kept)}"


def linkset(anchor: str, description: str, links: list[Link]) -> dict[str, Any]:
    """RFC 9264's JSON linkset, the default link also under ``gs1:defaultLink``, with the
    item's description (GS1's linkset schema requires ``itemDescription``)."""
    entry: dict[str, Any] = {"anchor": anchor, "itemDescription": description}
    for link in [replace(links[0], link_type=DEFAULT_LINK), *links]:
        entry.setdefault(link.relation, []).append(
            {"href": link.href, "title": link.title, "type": link.media_type,
             **({"hreflang": ["vi", "en"]} if link.media_type == "text/html" else {})})
    return {"linkset": [entry]}


def link_header(links: list[Link], linkset_url: str) -> str:
    """Every link of the answer (RFC 8288), and where its linkset is."""
    parts = [f'<{link.href}>; rel="{link.relation}"; type="{link.media_type}"'
             for link in links]
    parts.append(f'<{linkset_url}>; rel="linkset"; type="{LINKSET_MEDIA}"')
    return ", ".join(parts)


def linkset_link(linkset_url: str) -> str:
    """The Link header of an answer that is not the linkset: where the linkset is."""
    return f'<{linkset_url}>; rel="linkset"; type="{LINKSET_MEDIA}"'


CONTEXT_LINK = (f'<{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
                'type="application/ld+json"')
"""The linkset's own Link header: its JSON-LD context."""


class _GS1Names(BaseModel):
    """GS1's camelCase names on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class LinkTypeVocabulary(_GS1Names):
    namespace: str
    prefix: str
    profile: str


class ResolverDescription(_GS1Names):
    """The resolver description file (GS1-Conformant Resolver Standard)."""

    name: str
    resolver_root: str
    supported_primary_keys: list[str]
    supported_qualifiers: dict[str, list[str]]
    link_type_default_can_be_linkset: bool
    supported_link_type: list[LinkTypeVocabulary]


def description(scan_base_url: str) -> ResolverDescription:
    """The resolver description file (``/.well-known/gs1resolver``)."""
    return ResolverDescription(
        name=in_both(N_("OCOP product origin resolver")),
        resolver_root=scan_base_url.rstrip("/"), supported_primary_keys=["01"],
        supported_qualifiers={"01": list(rules.QUALIFIERS)},
        link_type_default_can_be_linkset=False,
        supported_link_type=[LinkTypeVocabulary(
            namespace=GS1_VOC, prefix="gs1:",
            profile="https://ref.gs1.org/voc/?show=linktypes")])
