"""The workspace's sign-in in Chromium: the form carries its own CSRF token, and a post without
it is refused (issue 28)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from shared.platform.config import Settings
from tests.platform.test_accounts_hardening import PASSWORD
from tests.support.platform import (
    cooperative_with_council,
    office_signed_in,
)
from tests.support.workspace import SIGN_IN_CSRF, serving_workspace, sign_in_form


async def test_the_workspace_sign_in_needs_its_own_form(
        make_settings: Callable[..., Settings]) -> None:
    """Login CSRF: another site's form posted from the person's browser (no token, a token
    of its own, or without the cookie the form came with) signs no one in, or the person
    would work in the attacker's account."""
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        await cooperative_with_council(office, PASSWORD)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            credentials = {"username": "producer", "password": PASSWORD}
            csrf, cookie = await sign_in_form(client, web)
            for data, headers in ((credentials, cookie),
                                  (credentials | {"csrf": "forged"}, cookie),
                                  (credentials | {"csrf": csrf}, {})):
                forged = await client.post(f"{web}/sign-in", data=data, headers=headers)
                assert forged.status_code == 403, forged.text
                assert "ocop_session" not in forged.cookies
                assert "Biểu mẫu đăng nhập đã cũ" in forged.text
                again = SIGN_IN_CSRF.search(forged.text)  # a fresh form, to sign in at once
                assert again and forged.cookies
            english = await client.post(f"{web}/sign-in", data=credentials, headers={
                "Cookie": f"{cookie['Cookie']}; ocop_lang=en"})
            assert english.status_code == 403 and "sign-in form is out of date" in english.text
            signed_in = await client.post(f"{web}/sign-in", data=credentials | {"csrf": csrf},
                                          headers=cookie)
            assert signed_in.status_code == 303, signed_in.text
