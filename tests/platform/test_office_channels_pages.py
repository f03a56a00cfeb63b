"""The office's sales-channel pages over plain HTTP: a channel registered through the web
front gets a key shown once — on a page sent ``no-store``, never in a URL — that works
against the catalog's API, is not in the web front's store nor in any later page; a second
key made and the first revoked through the pages (the catalog then refuses it); what the
channel may carry changed; its webhooks listed with why one is disabled; the catalog's
refusals beside their fields in Vietnamese; and the pages are the office's only. The
platform on its embedded defaults, really served."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx

from shared.platform.config import Settings
from tests.support.batches import PASSWORD
from tests.support.platform import cooperative_with_council
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace, sign_in_form

CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')
KEY = re.compile(r"ocopk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")
CHANNEL_LINK = re.compile(r'href="/office/channels/([0-9a-zA-Z_-]+)"')


async def sign_in(client: httpx.AsyncClient, web: str, username: str) -> dict[str, str]:
    """The session's cookie, sent back by hand (it is Secure; httpx keeps it for HTTPS)."""
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    return {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}


def field_error(page: str, field: str) -> str:
    """The note beside ``field``: the first one after its input, before the next label."""
    after = page.split(f'id="{field}"', 1)[1].split("<label", 1)[0]
    found = re.search(r'<span class="field-error" role="alert">([^<]+)</span>', after)
    return found.group(1) if found else ""


def web_store(data_dir: str) -> bytes:
    """Everything the web front's SQLite files hold (its database and write-ahead log)."""
    return b"".join(p.read_bytes() for p in Path(data_dir).glob("web.db*"))


async def test_the_office_registers_a_channel_sees_its_key_once_rotates_and_revokes(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_webhook_urls=True)
    async with signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, \
            httpx.AsyncClient(timeout=30) as client:
        await cooperative_with_council(office, PASSWORD)
        me = await sign_in(client, web, "office")
        catalog = office.urls["catalog"]

        empty = await client.get(f"{web}/office/channels", headers=me)
        assert empty.status_code == 200 and "Chưa có kênh bán hàng nào" in empty.text
        form = await client.get(f"{web}/office/channels/new", headers=me)
        assert form.status_code == 200 and 'value="Thái Nguyên"' in form.text
        csrf = CSRF.search(form.text)
        assert csrf is not None
        typed = {"csrf": csrf.group(1), "name": "Postmart", "website": "postmart",
                 "contact_name": "", "contact_email": "doitac@postmart.vn",
                 "groups": ["food"], "provinces": ["Thái Nguyên"]}

        # The catalog's refusals, in Vietnamese beside their fields; the form kept as typed.
        refused = await client.post(f"{web}/office/channels", headers=me, data=typed)
        assert refused.status_code == 422, refused.text
        assert field_error(refused.text, "website") == (
            "Nhập địa chỉ trang web của kênh, ví dụ https://postmart.vn.")
        assert field_error(refused.text, "contact_name") == (
            "Nhập người hoặc bộ phận đầu mối liên hệ, tối đa 200 ký tự.")
        assert "Input should" not in refused.text and "URL" not in refused.text
        assert 'value="Postmart"' in refused.text
        assert re.search(r'value="food" checked', refused.text)
        assert not KEY.search(refused.text)

        # Registered: the key is on the answer page only, which no cache keeps.
        typed |= {"website": "https://postmart.vn", "contact_name": "Bộ phận đối tác"}
        answer = await client.post(f"{web}/office/channels", headers=me, data=typed)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert "location" not in answer.headers
        assert "khóa sẽ không được hiển thị lại" in answer.text
        assert 'src="/static/copykey.js"' in answer.text
        found = KEY.search(answer.text)
        assert found is not None
        key = found.group(0)
        channel_id = CHANNEL_LINK.search(answer.text).group(1)  # type: ignore[union-attr]

        # The key works against the catalog's API, and the scope is the one ticked.
        postmart = office.channel(key)
        own = await postmart.call("GET", "catalog", "/channel")
        assert own["id"] == channel_id and own["name"] == "Postmart"
        assert own["scope"] == {"provinces": ["Thái Nguyên"], "groups": ["food"]}

        # A webhook the channel added and then disabled shows on the office's pages, why.
        made = await postmart.call("POST", "catalog", "/channel/webhooks", expect=201,
                                   json={"url": "http://127.0.0.1:9/hook"})
        await postmart.call("PATCH", "catalog",
                            f"/channel/webhooks/{made['endpoint']['id']}",
                            json={"enabled": False})

        # The office reads the channel's webhooks from the catalog (the channel may not).
        (hook,) = await office.call("GET", "catalog", f"/channels/{channel_id}/webhooks")
        assert hook["enabled"] is False and hook["disabled_reason"] == "disabled by the channel"
        others = await client.get(f"{catalog}/channels/{channel_id}/webhooks",
                                  headers={"X-API-Key": key})
        assert others.status_code == 403

        # Never again: not in the web front's store, nor in any page after.
        secret = key.split("_", 2)[2]
        assert web_store(settings.data_dir)  # the sessions are there, the key is not
        assert key.encode() not in web_store(settings.data_dir)
        assert secret.encode() not in web_store(settings.data_dir)
        listing = await client.get(f"{web}/office/channels", headers=me)
        page = await client.get(f"{web}/office/channels/{channel_id}", headers=me)
        for later in (listing, page):
            assert later.status_code == 200
            assert secret not in later.text
            assert "Nhóm: Thực phẩm · Tỉnh: Thái Nguyên" in later.text
            assert "disabled by the channel" in later.text
        assert f'href="/office/channels/{channel_id}"' in listing.text
        assert "<b>1</b> webhook đang bị tắt" in listing.text
        first_id = own["keys"][0]["id"]
        assert f"<code>{first_id}</code>" in page.text and "Đang dùng" in page.text

        # Rotation: a second key, shown once, works beside the first.
        csrf_page = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        rotated = await client.post(f"{web}/office/channels/{channel_id}/keys", headers=me,
                                    data={"csrf": csrf_page})
        assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
        second = KEY.search(rotated.text).group(0)  # type: ignore[union-attr]
        assert second != key
        assert "Cả hai khóa đều dùng được" in rotated.text
        assert (await office.channel(second).call("GET", "catalog", "/channel"))["id"] \
            == channel_id

        # Revoking asks again first; then the catalog refuses the revoked key.
        revoke_path = f"/office/channels/{channel_id}/keys/{first_id}/revoke"
        assert f'href="{revoke_path}"' in page.text
        asked = await client.get(f"{web}{revoke_path}", headers=me)
        assert asked.status_code == 200 and "Có, thu hồi khóa" in asked.text
        assert (await postmart.call("GET", "catalog", "/channel"))["id"] == channel_id
        revoked = await client.post(f"{web}{revoke_path}", headers=me,
                                    data={"csrf": csrf_page})
        assert revoked.status_code == 303
        assert revoked.headers["location"] == f"/office/channels/{channel_id}?done=key_revoked"
        refused_key = await client.get(f"{catalog}/channel", headers={"X-API-Key": key})
        assert refused_key.status_code == 401
        assert (await office.channel(second).call("GET", "catalog", "/channel"))["id"] \
            == channel_id
        after = await client.get(f"{web}{revoked.headers['location']}", headers=me)
        assert "Đã thu hồi khóa" in after.text and "Đã thu hồi lúc" in after.text
        assert secret not in after.text and second.split("_", 2)[2] not in after.text

        # What it may carry: every group now, of one province.
        rescoped = await client.post(f"{web}/office/channels/{channel_id}/scope", headers=me,
                                     data={"csrf": csrf_page, "provinces": ["Lâm Đồng"]})
        assert rescoped.status_code == 303
        scope = (await office.call("GET", "catalog", f"/channels/{channel_id}"))["scope"]
        assert scope == {"provinces": ["Lâm Đồng"], "groups": []}
        shown = await client.get(f"{web}{rescoped.headers['location']}", headers=me)
        assert "Mọi nhóm · Tỉnh: Lâm Đồng" in shown.text
        assert "Đã lưu: kênh chỉ được bán" in shown.text

        # Keys are in no page after: the store still holds neither.
        assert second.encode() not in web_store(settings.data_dir)

        # The catalog's limit of active keys, said on the channel's page.
        for _ in range(4):
            await office.call("POST", "catalog", f"/channels/{channel_id}/keys", expect=201)
        too_many = await client.post(f"{web}/office/channels/{channel_id}/keys", headers=me,
                                     data={"csrf": csrf_page})
        assert too_many.status_code == 409
        assert ('<p class="refusal" role="alert">Kênh đã có 5 khóa còn hiệu lực; hãy thu hồi '
                'một khóa không còn dùng trước.</p>') in too_many.text
        assert not KEY.search(too_many.text)
        english = await client.get(f"{web}/office/channels", headers={
            "Cookie": f"{me['Cookie']}; ocop_lang=en"})
        assert "Register a sales channel" in english.text
        assert "Every group · Provinces: Lâm Đồng" in english.text

        # A producer asking for the office's channels is sent to their own workspace.
        producer = await sign_in(client, web, "producer")
        for path in ("/office/channels", f"/office/channels/{channel_id}",
                     "/office/channels/new"):
            elsewhere = await client.get(f"{web}{path}", headers=producer)
            assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/"
