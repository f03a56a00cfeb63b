"""A producer is told, over HTTP through the web front: the office returns its dossier with
a note (the registry says so on the bus: ``DossierStageDecided``), and the producer's inbox
in the workspace shows it, newest first, with the note and a link to the product; the
header's badge counts it unread until it is marked read; and one e-mail, in Vietnamese,
reaches the address the producer set, at a real SMTP server the test runs (aiosmtpd),
however long the test waits for a second. Another person's notification cannot be marked
by the producer. Stopped and started again, the web front tells what happened meanwhile,
and nothing twice."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import httpx

from shared.platform.config import Settings
from tests.platform.test_producer_decisions_pages import (
    RETURNED_BECAUSE,
    dossier_before_the_office,
)
from tests.platform.test_workspace_http import CSRF, session_of, sign_in
from tests.support.platform import cooperative_with_council, office_signed_in
from tests.support.smtp import smtp_server
from tests.support.workspace import Said, serving_workspace

PASSWORD = "notifications-pass-32"
ADDRESS = "htx.tancuong@example.vn"
BADGE = re.compile(r'<span class="badge">(\d+)<')
ITEM = re.compile(r'<li id="n-([0-9a-f]+)" class="card (unread|read)">(.*?)</li>', re.S)


async def inbox_of(client: httpx.AsyncClient, web: str, who: dict[str, str],
                   *, count: int, within: float = 30) -> httpx.Response:
    """The inbox page once it holds ``count`` notifications (the bus brings them)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        page = await client.get(f"{web}/notifications", headers=who)
        assert page.status_code == 200, page.text
        if len(ITEM.findall(page.text)) >= count:
            return page
        assert asyncio.get_running_loop().time() < deadline, Said(page.text).text
        await asyncio.sleep(0.2)


async def test_a_returned_dossier_reaches_the_inbox_and_the_mailbox_once(
        make_settings: Callable[..., Settings]) -> None:
    with smtp_server() as (smtp_url, mailbox):
        settings = make_settings(smtp_url=smtp_url)
        async with office_signed_in(settings, PASSWORD) as office:
            coop = await cooperative_with_council(office, PASSWORD)
            async with serving_workspace(settings, office.urls) as web, \
                    httpx.AsyncClient(timeout=30) as client:
                producer = session_of(await sign_in(client, web, "producer", PASSWORD))
                page = await client.get(f"{web}/notifications/settings", headers=producer)
                csrf = CSRF.search(page.text)
                assert page.status_code == 200 and csrf is not None
                # a producer chooses among what producers are told, not a council's work
                assert 'value="stage_decided"' in page.text
                assert 'value="evaluation_opened"' not in page.text
                wrong = await client.post(f"{web}/notifications/settings", headers=producer,
                                          data={"csrf": csrf.group(1), "email": "htx.vn",
                                                "language": "vi"})
                assert wrong.status_code == 422
                assert Said(wrong.text).beside("email") == [
                    "Hãy viết địa chỉ thư điện tử theo dạng ten@example.vn."]
                assert 'value="htx.vn"' in wrong.text  # what was typed stays
                saved = await client.post(f"{web}/notifications/settings", headers=producer,
                                          data={"csrf": csrf.group(1), "email": ADDRESS,
                                                "language": "vi",
                                                "kinds": ["stage_decided",
                                                          "certificate_revoked"]})
                assert saved.status_code == 303
                page = await client.get(web + saved.headers["location"], headers=producer)
                assert "Đã lưu cài đặt thông báo của bạn." in Said(page.text).notices
                assert f'value="{ADDRESS}"' in page.text

                # The commune accepts the idea and the plan; the office returns the dossier.
                product_id = await dossier_before_the_office(office, coop)
                await office.call("POST", "registry", f"/products/{product_id}/cycle", json={
                    "stage": "dossier", "status": "rejected", "note": RETURNED_BECAUSE})

                # The accepted idea and plan are told too: newest first.
                await inbox_of(client, web, producer, count=3)
                page = await client.get(f"{web}/notifications", headers=producer)
                items = ITEM.findall(page.text)
                newest = Said(items[0][2]).text
                assert items[0][1] == "unread"
                assert "Hồ sơ của Chè móc câu Tân Cương bị trả lại" in newest
                assert RETURNED_BECAUSE in newest
                assert f'href="/products/{product_id}"' in items[0][2]
                assert "Ý tưởng sản phẩm của Chè móc câu Tân Cương đã được chấp nhận" in Said(
                    items[2][2]).text
                assert BADGE.findall(page.text)[0] == "3"  # in the header's badge

                # Marked read: the badge counts the rest; then all of them.
                csrf = CSRF.search(page.text)
                assert csrf is not None
                marked = await client.post(f"{web}/notifications/{items[0][0]}/read",
                                           headers=producer, data={"csrf": csrf.group(1)})
                assert marked.status_code == 303
                page = await client.get(f"{web}/notifications", headers=producer)
                assert ITEM.findall(page.text)[0][1] == "read"
                assert BADGE.findall(page.text)[0] == "2"
                member = session_of(await sign_in(client, web, "member", PASSWORD))
                theirs = await client.get(f"{web}/council", headers=member)
                other = CSRF.search(theirs.text)
                assert other is not None
                await client.post(f"{web}/notifications/{items[1][0]}/read", headers=member,
                                  data={"csrf": other.group(1)})
                page = await client.get(f"{web}/notifications", headers=producer)
                assert ITEM.findall(page.text)[1][1] == "unread"  # not the member's to mark
                await client.post(f"{web}/notifications/read-all", headers=producer,
                                  data={"csrf": csrf.group(1)})
                page = await client.get(f"{web}/", headers=producer)
                assert BADGE.findall(page.text) == []

                # E-mail: one per event to the address set, in Vietnamese, never twice.
                mails = await asyncio.to_thread(mailbox.wait_for, 3)
                await asyncio.sleep(1.5)
                assert len(mailbox.messages) == 3
                assert all(rcpt == [ADDRESS] for rcpt, _ in mailbox.messages)
                returned = next(m for m in mails if "trả lại" in m["Subject"])
                assert returned["Subject"] == "Hồ sơ của Chè móc câu Tân Cương bị trả lại"
                body = returned.get_content()
                assert RETURNED_BECAUSE in body
                assert f"{web}/products/{product_id}" in body
                assert "officer" not in body and "office" not in body.split("http")[0]

            # The web front stops; meanwhile the producer proposes the dossier again and the
            # office accepts it. Started again, it tells that one, once, and nothing twice.
            await coop.producer.call("POST", "registry", f"/products/{product_id}/cycle",
                                     json={"stage": "dossier", "status": "proposed"})
            await office.call("POST", "registry", f"/products/{product_id}/cycle",
                              json={"stage": "dossier", "status": "accepted", "note": ""})
            async with serving_workspace(settings, office.urls) as web, \
                    httpx.AsyncClient(timeout=30) as client:
                await inbox_of(client, web, producer, count=4)
                page = await client.get(f"{web}/notifications", headers=producer)
                items = ITEM.findall(page.text)
                assert len(items) == 4
                assert "Hồ sơ của Chè móc câu Tân Cương đã được chấp nhận" in Said(
                    items[0][2]).text
                assert [state for _, state, _ in items] == ["unread", "read", "read", "read"]
                await asyncio.to_thread(mailbox.wait_for, 4)
                await asyncio.sleep(1.5)
                ids = [message["Message-ID"] for _, message in mailbox.messages]
                assert len(ids) == len(set(ids)) == 4
