"""Accounts, tokens and sessions hardened (issue 28): a revocation reaches every replica of
every service, and the registry's own process at once; sign-in says nothing of a disabled
account's password; a validly signed token with odd claims is refused, not a 500; easy
passwords are refused wherever one is set; the web front keeps tokens encrypted and its
sign-in form carries a CSRF token. Over HTTP, on the services' real apps."""

from __future__ import annotations

from collections.abc import Callable

from shared.config import Settings
from tests.support.platform import office_signed_in
from tests.support.refusals import problem

PASSWORD = "mua-xoai-ben-song-cau"


async def test_a_disabled_account_signs_in_as_a_wrong_password_does(
        make_settings: Callable[..., Settings]) -> None:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        await office.call("PUT", "registry", "/users/member/access", json={"disabled": True})
        token_url = office.urls["registry"] + "/auth/token"
        answers = [await office.client.post(token_url, json={"username": username,
                                                             "password": password})
                   for username, password in (("member", PASSWORD),
                                              ("member", "not-the-password"),
                                              ("nobody", PASSWORD))]
        bodies = [problem(answer, 401, "login-failed") for answer in answers]
        assert bodies[0] == bodies[1] == bodies[2]
        assert "disabled" in bodies[0]["detail"] and "bị khóa" in bodies[0]["detail_vi"]


