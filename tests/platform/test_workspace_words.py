"""What the producers' workspace says to a person, read as they read it: every refusal a
form can meet (an empty field, a word where a number goes, a day in the future, a step's
missing detail), in Vietnamese and in English, beside the field it is about and in words a
producer can act on; numbers typed with the Vietnamese decimal comma; dates as dd/mm/yyyy;
and a first visit asked to sign in, not told its session ended.

The platform on its embedded defaults, and the workspace, really served over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from shared.platform.clock import VIETNAM
from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD
from tests.support.clocks import SYSTEM_CLOCK, today
from tests.support.demo import wait_until
from tests.support.platform import User, certified_batch
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import Said, serving_workspace, sign_in_form

FORBIDDEN = ("Input should", "valid number", "needs", "errors", "Content-Type", "producer)",
             "field", "JSON", "null", "None", "String should", "Value error", "GS1 AI",
             "HTTP", "should")
"""Library text, field ids and technical words: a producer can act on none of them."""
FIELD_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]{3,}(?:\.\w+)+\b")
"""new_password, place.name, areas.0.commune…"""
ENGLISH = re.compile(r"\b(the|is|are|must|not|of|and|or|this|please|input|value|number|"
                     r"invalid|enter|choose|before|after)\b", re.IGNORECASE)
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')


def not_plain(words: str, lang: str) -> list[str]:
    """What in ``words`` a person reading the workspace in ``lang`` cannot act on."""
    wrong = [fragment for fragment in FORBIDDEN if fragment in words]
    wrong += FIELD_ID.findall(words)
    other = ENGLISH if lang == "vi" else VIETNAMESE
    return wrong + [f"«{found}»" for found in other.findall(words)]


@dataclass
class Person:
    """A producer signed in to the workspace in one language; every refusal they met."""

    client: httpx.AsyncClient
    web: str
    session: str
    csrf: str
    lang: str
    met: list[tuple[str, str]] = field(default_factory=list)
    """(what they did, the words they read)."""

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"ocop_session={self.session}; ocop_lang={self.lang}"}

    async def page(self, path: str) -> Said:
        response = await self.client.get(self.web + path, headers=self.cookie)
        assert response.status_code == 200, (path, response.status_code)
        return Said(response.text)

    async def refused(self, what: str, path: str, data: dict[str, str], *, status: int,
                      beside: str | None, files: dict[str, Any] | None = None) -> Said:
        """A form sent as the page sends it, refused: the refusal is kept, and the words
        for ``beside`` stand next to that field."""
        response = await self.client.post(self.web + path, data=data | {"csrf": self.csrf},
                                          files=files, headers=self.cookie)
        assert response.status_code == status, (self.lang, what, response.status_code,
                                                response.text[-3000:])
        said = Said(response.text)
        assert said.refusals, (self.lang, what)
        self.met += [(f"{what} [{name or 'page'}]", words) for name, words in said.refusals]
        if beside is not None:
            assert said.beside(beside), (self.lang, what, beside, said.refusals)
        return said

    async def queued(self, what: str, path: str, data: dict[str, str], *, status: int,
                     beside: str | None) -> dict[str, Any]:
        """What the phone's queue sends (the event it kept offline), and the JSON answer."""
        response = await self.client.post(
            self.web + path, data=data,
            headers=self.cookie | {"Accept": "application/json", "X-CSRF-Token": self.csrf})
        assert response.status_code == status, (self.lang, what, response.status_code,
                                                response.text)
        said: dict[str, Any] = response.json()
        if status < 400:
            return said
        self.met.append((f"{what} (queue)", said["message"]))
        self.met += [(f"{what} (queue) [{name}]", words)
                     for name, words in said["fields"].items()]
        if beside is not None:
            assert beside in said["fields"], (self.lang, what, beside, said)
        return said

    async def taken(self, path: str, data: dict[str, str]) -> str:
        """A form the workspace took: where it sends the person next."""
        response = await self.client.post(self.web + path, data=data | {"csrf": self.csrf},
                                          headers=self.cookie)
        assert response.status_code == 303, (self.lang, path, data, response.text[-3000:])
        return response.headers["location"]

    def unplain(self) -> list[tuple[str, str, list[str]]]:
        return [(what, words, wrong) for what, words in self.met
                if (wrong := not_plain(words, self.lang))]


async def signed_in_person(client: httpx.AsyncClient, web: str, lang: str) -> Person:
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": "producer", "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    session = signed.cookies["ocop_session"]
    home = await client.get(f"{web}/", headers={"Cookie": f"ocop_session={session}"})
    found = CSRF.search(home.text)
    assert found is not None
    return Person(client, web, session, found.group(1), lang)


def local_minute(moment: datetime) -> str:
    """A time as the phone's datetime field writes it (Việt Nam time, to the minute)."""
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Tea:
    """A certified tea of a cooperative, with a batch produced two days ago."""

    producer: User
    office: User
    product_id: str
    batch_id: str
    produced_on: date


async def with_a_batch(office: User) -> Tea:
    produced_on = today() - timedelta(days=2)
    made = await certified_batch(office, PASSWORD, GTIN, {
        "lot": "CHE-01", "produced_on": produced_on.isoformat(), "quantity": 50,
        "unit": "KGM"})
    return Tea(made.coop.producer, office, made.product_id, made.batch["id"], produced_on)


async def test_every_refusal_reads_as_plain_words_beside_its_field(
        make_settings: Callable[..., Settings]) -> None:
    # Every page a refusal shows calls several services from one address, at once.
    settings = make_settings(rate_limit="100000/second")
    async with signed_in(settings, PASSWORD) as office:
        tea = await with_a_batch(office)
        dossier = await tea.producer.call("GET", "registry",
                                          f"/products/{tea.product_id}/dossier")
        missing = dossier["missing"][0]["type"]
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            unplain = []
            for lang in ("vi", "en"):
                person = await signed_in_person(client, web, lang)
                await refuse_everything(person, tea, missing)
                unplain += person.unplain()
            assert not unplain, "\n".join(f"{what}: {words!r} → {wrong}"
                                          for what, words, wrong in unplain)


async def refuse_everything(person: Person, tea: Tea, missing_document: str) -> None:
    """Every form of the workspace, sent with what a person may wrongly type in it."""
    product, batch = f"/products/{tea.product_id}", f"/batches/{tea.batch_id}"
    # Signing in with a password that is not the account's.
    csrf, cookie = await sign_in_form(person.client, person.web)
    wrong = await person.client.post(
        f"{person.web}/sign-in", data={"username": "office", "password": PASSWORD + "x",
                                       "csrf": csrf},
        headers={"Cookie": f"{cookie['Cookie']}; ocop_lang={person.lang}"})
    assert wrong.status_code == 401
    person.met += [("a wrong password", words) for _, words in Said(wrong.text).refusals]

    await person.refused("a short new password", "/password", {
        "current_password": PASSWORD, "new_password": "short"},
        status=400, beside="new_password")

    await person.refused("a blank product name", f"{product}/changes", {
        "name": "", "description": ""}, status=422, beside="name")
    await person.refused("a product name too long", f"{product}/changes", {
        "name": "Chè " * 80, "description": ""}, status=422, beside="name")
    await person.refused("a text file as a document", f"{product}/documents",
                         {"type": missing_document}, status=400, beside="file",
                         files={"file": ("ghi-chu.txt", b"not a scan", "text/plain")})

    opened = {"lot": "", "produced_on": today().isoformat(), "quantity": "12", "unit": "KGM",
              "area": "", "commune": ""}
    future = (today() + timedelta(days=3)).isoformat()
    for what, change, beside, status in (
            ("no lot code", {"lot": ""}, "lot", 422),
            ("a lot code with spaces", {"lot": "CHE 2026/07"}, "lot", 400),
            ("the lot of another batch", {"lot": "CHE-01"}, "lot", 409),
            ("no production date", {"lot": "L-2", "produced_on": ""}, "produced_on", 422),
            ("a production date to come", {"lot": "L-2", "produced_on": future},
             "produced_on", 400),
            ("no quantity", {"lot": "L-2", "quantity": ""}, "quantity", 422),
            ("a word for the quantity", {"lot": "L-2", "quantity": "mười"}, "quantity", 400),
            ("two commas in the quantity", {"lot": "L-2", "quantity": "1,5,2"}, "quantity",
             400),
            ("a negative quantity", {"lot": "L-2", "quantity": "-2"}, "quantity", 422),
            ("an area without its commune", {"lot": "L-2", "area": "Đồi chè"}, "commune",
             422),
            ("a commune without its area", {"lot": "L-2", "commune": "Xã Tân Cương"}, "area",
             422)):
        await person.refused(what, f"{product}/batches", opened | change, status=status,
                             beside=beside)

    now = SYSTEM_CLOCK.now()
    event = {"event_id": "", "step": "harvest", "happened_at": local_minute(now),
             "place": "Đồi chè", "quantity": "", "lab": "", "party": "", "input_batch": ""}
    for what, change, beside, status in (
            ("no place", {"place": ""}, "place", 422),
            ("no time", {"happened_at": ""}, "happened_at", 422),
            ("a harvest tomorrow", {"happened_at": local_minute(now + timedelta(days=1))},
             "happened_at", 400),
            ("an event before the batch",
             {"happened_at": f"{tea.produced_on - timedelta(days=5)}T08:00"},
             "happened_at", 400),
            ("a lab test without its lab", {"step": "lab_test"}, "lab", 400),
            ("a shipment without its receiver", {"step": "shipping"}, "party", 400),
            ("processing without its batches", {"step": "processing"}, "input_batch", 400),
            ("a word for the quantity", {"quantity": "nhiều"}, "quantity", 400)):
        await person.refused(what, f"{batch}/events", event | change, status=status,
                             beside=beside)
        await person.queued(what, f"{batch}/events", event | change, status=status,
                            beside=beside)

    for what, count, status in (("no number of labels", "", 422),
                                ("a word for the number of labels", "trăm", 400),
                                ("no labels", "0", 422),
                                ("half a label", "1,5", 422),
                                ("too many labels", "99999999", 422)):
        await person.refused(what, f"{batch}/label-sheets", {"count": count,
                                                             "kind": "serial"},
                             status=status, beside="count")


async def test_numbers_are_taken_as_a_vietnamese_writes_them(
        make_settings: Callable[..., Settings]) -> None:
    """1,5 is one and a half on a Vietnamese page and 1.500 is fifteen hundred; on an
    English page 1,500 is fifteen hundred and 1.5 one and a half."""
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        tea = await with_a_batch(office)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            opened = {"produced_on": today().isoformat(), "unit": "KGM", "area": "",
                      "commune": ""}
            for lang, typed, meant in (("vi", "1,5", 1.5), ("vi", "1.500", 1500),
                                       ("vi", "1.234,5", 1234.5), ("vi", "2.5", 2.5),
                                       ("en", "1,500", 1500), ("en", "1.5", 1.5),
                                       ("en", "2,5", 2.5)):
                person = await signed_in_person(client, web, lang)
                lot = f"Q-{lang}-{len(typed)}-{typed.replace(',', 'c').replace('.', 'p')}"
                went = await person.taken(f"/products/{tea.product_id}/batches",
                                          opened | {"lot": lot, "quantity": typed})
                batch = await tea.producer.call("GET", "traceability", went)
                assert batch["quantity"] == meant, (lang, typed, batch["quantity"])

            person = await signed_in_person(client, web, "vi")
            event = {"step": "packing", "happened_at": local_minute(SYSTEM_CLOCK.now()),
                     "place": "Xưởng chè", "quantity": "2,5"}
            await person.taken(f"/batches/{tea.batch_id}/events", event)
            recorded = await person.queued("a queued event", f"/batches/{tea.batch_id}/events",
                                           event | {"quantity": "3,25"}, status=201,
                                           beside=None)
            assert recorded["ok"]
            journey = (await tea.producer.call("GET", "traceability",
                                               f"/batches/{tea.batch_id}"))["journey"]
            assert sorted(s["quantity"] for s in journey) == ["2.5 kg", "3.25 kg"]


async def test_a_harvest_is_not_recorded_in_the_future(
        make_settings: Callable[..., Settings]) -> None:
    """Later than now is refused, naming the time; a phone whose clock runs a minute or two
    fast is not."""
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        tea = await with_a_batch(office)
        path = f"/batches/{tea.batch_id}/events"
        now = SYSTEM_CLOCK.now()
        harvest = {"step": "harvest", "place": {"name": "Đồi chè"}}
        tomorrow = await tea.producer.call(
            "POST", "traceability", path, expect=400,
            json=harvest | {"happened_at": (now + timedelta(days=1)).isoformat()})
        assert [e["field"] for e in tomorrow["errors"]] == ["happened_at"], tomorrow
        assert "tương lai" in tomorrow["detail_vi"], tomorrow
        await tea.producer.call("POST", "traceability", path, expect=201,
                                json=harvest | {"happened_at": (
                                    now + timedelta(minutes=2)).isoformat()})


async def test_dates_read_day_month_year_and_the_batch_shows_its_production_day(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)  # its labels name 127.0.0.1
    async with signed_in(settings, PASSWORD) as office:
        tea = await with_a_batch(office)
        batch = f"/batches/{tea.batch_id}"
        await tea.producer.call("POST", "traceability", f"{batch}/events", expect=201, json={
            "step": "harvest", "place": {"name": "Đồi chè"},
            "happened_at": f"{tea.produced_on.isoformat()}T07:30:00+07:00"})
        await tea.producer.call("POST", "traceability", f"{batch}/label-sheets", expect=202,
                                json={"count": 2, "kind": "serial"})
        scan = (await tea.producer.call("GET", "traceability", batch))["scan_url"]
        forged = "/" + scan.split("/", 3)[3] + "/21/FORGED123"
        await office.client.get(office.urls["traceability"] + forged, follow_redirects=True)

        async def alerted() -> bool:
            found = await tea.producer.call("GET", "traceability", "/anomalies")
            return bool(found["items"])

        await wait_until(alerted)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            person = await signed_in_person(client, web, "vi")
            day = tea.produced_on.strftime("%d/%m/%Y")
            shown = {path: (await person.page(path)).text for path in (
                "/", f"/products/{tea.product_id}", batch, "/alerts")}
            for path, text in shown.items():
                assert not ISO_DAY.findall(text), (path, ISO_DAY.findall(text))
            assert f"Ngày sản xuất {day}" in " ".join(shown[batch].split())
            assert f"CHE-01 · {day}" in " ".join(shown[f"/products/{tea.product_id}"].split())
            assert f"{day} 07:30" in shown[batch]


async def test_a_first_visit_is_asked_to_sign_in_and_an_ended_session_is_told_so(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, \
            httpx.AsyncClient(timeout=30) as client:
        first = await client.get(f"{web}/")
        assert first.status_code == 401
        said = Said(first.text)
        assert said.refusals == [] and "Hãy đăng nhập" in " ".join(said.notices), said.notices
        assert "Phiên đăng nhập đã hết" not in first.text
        queued = await client.post(f"{web}/batches/b1/events", data={},
                                   headers={"Accept": "application/json"})
        assert queued.status_code == 401 and queued.json()["sign_in"] is True
        assert "Hãy đăng nhập" in queued.json()["message"]

        ended = await client.get(f"{web}/", headers={"Cookie": "ocop_session=ended-long-ago"})
        assert ended.status_code == 401
        assert "Phiên đăng nhập đã hết" in " ".join(w for _, w in Said(ended.text).refusals)
