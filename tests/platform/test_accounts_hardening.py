"""Accounts, tokens and sessions hardened (issue 28): a revocation reaches every replica of
every service, and the registry's own process at once; sign-in says nothing of a disabled
account's password; a validly signed token with odd claims is refused, not a 500; easy
passwords are refused wherever one is set; the web front keeps tokens encrypted and its
sign-in form carries a CSRF token. Over HTTP, on the services' real apps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import jwt
from typer.testing import CliRunner

from services.cli import app as ocop
from shared.identity.auth import ALGORITHM, AUDIENCE, ISSUER, signing_key
from shared.platform.config import Settings
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.demo import wait_until
from tests.support.platform import (
    User,
    add_admin,
    cooperative_with_council,
    office_signed_in,
    running_platform,
)
from tests.support.refusals import problem
from tests.support.tansu import TansuBroker
from tests.support.workspace import serving_workspace, sign_in_form

PASSWORD = "mua-xoai-ben-song-cau"

PROBES = {"registry": "/users/me", "rating": "/evaluations/none",
          "traceability": "/anomalies/provinces", "catalog": "/channels"}
"""A read on each service that needs an admin's token (a valid one gets 200, or 404 for the
evaluation that does not exist)."""


async def refusals(client: httpx.AsyncClient, replicas: dict[str, list[str]], token: str
                   ) -> dict[str, str]:
    """Each replica's answer to the token: the refusal's code, or 'accepted'."""
    answers = {}
    for service, urls in replicas.items():
        for i, url in enumerate(urls):
            # A connection of its own: one kept from an earlier call may be closed by the
            # replica (idle over uvicorn's 5 s) just as the probe is sent on it.
            async with httpx.AsyncClient(timeout=client.timeout) as fresh:
                response = await fresh.get(url + PROBES[service],
                                           headers={"Authorization": f"Bearer {token}"})
            assert response.status_code != 500, response.text
            answers[f"{service}[{i}]"] = (
                response.json()["type"].rsplit("/", 1)[-1] if response.status_code == 401
                else "accepted")
    return answers


async def test_a_revocation_reaches_both_replicas_of_every_service_and_the_registry_at_once(
        kafka_broker: TansuBroker, make_settings: Callable[..., Settings]) -> None:
    """Two replicas of each service on a Kafka-protocol broker, each pair one consumer group
    sharing the service's store: the group hands each AccountTokensRevoked to one of them,
    yet the other refuses the token too; the registry replica that disabled the account or
    changed the password refuses the old token as soon as it answered."""
    settings = make_settings(bus_url=kafka_broker.url)
    await add_admin(settings, "office", PASSWORD)
    async with running_platform(settings, shared_bus=False, replicas=2) as platform, \
            httpx.AsyncClient(timeout=30) as client:
        office = await User(platform.urls, client).sign_in("office", PASSWORD)
        for username in ("deputy", "clerk"):
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": "admin"})
        deputy = await office.anonymous().sign_in("deputy", PASSWORD)
        clerk = await office.anonymous().sign_in("clerk", PASSWORD)
        registry = platform.replicas["registry"]
        for user in (deputy, clerk):
            token = user.headers["Authorization"].removeprefix("Bearer ")
            assert set((await refusals(client, platform.replicas, token)).values()) == {
                "accepted"}

        # The office disables the deputy through the first registry replica.
        disabled = await client.put(f"{registry[0]}/users/deputy/access", headers=office.headers,
                                    json={"disabled": True})
        assert disabled.status_code == 200, disabled.text
        problem(await client.get(f"{registry[0]}/users/me", headers=deputy.headers), 401,
                "token-revoked")
        deputy_token = deputy.headers["Authorization"].removeprefix("Bearer ")

        async def everywhere_refused(token: str) -> bool:
            answers = await refusals(client, platform.replicas, token)
            return set(answers.values()) == {"token-revoked"}

        await wait_until(lambda: everywhere_refused(deputy_token), within=20)
        for url in registry:  # the disabled admin makes no account through either replica
            refused = await client.post(f"{url}/users", headers=deputy.headers, json={
                "username": "sleeper", "password": PASSWORD, "role": "admin"})
            problem(refused, 401, "token-revoked")

        # The clerk changes its password through the second registry replica.
        changed = await client.put(f"{registry[1]}/users/me/password", headers=clerk.headers,
                                   json={"current_password": PASSWORD,
                                         "new_password": "song-cau-mua-xoai-ben"})
        assert changed.status_code == 200, changed.text
        problem(await client.get(f"{registry[1]}/users/me", headers=clerk.headers), 401,
                "token-revoked")
        old = clerk.headers["Authorization"].removeprefix("Bearer ")
        await wait_until(lambda: everywhere_refused(old), within=20)
        new = changed.json()["access_token"]
        assert set((await refusals(client, platform.replicas, new)).values()) == {"accepted"}


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


def signed(settings: Settings, **claims: Any) -> str:
    """A token signed with the platform's own key, saying what ``claims`` say."""
    now = SYSTEM_CLOCK.now()
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "office", "name": "office",
                       "role": "admin", "gen": 0, "iat": now, "nbf": now,
                       "exp": now + timedelta(minutes=5)} | claims,
                      signing_key(settings), algorithm=ALGORITHM)


async def test_a_signed_token_with_odd_claims_is_invalid_on_every_service(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        replicas = {service: [url] for service, url in office.urls.items()}
        assert set((await refusals(office.client, replicas, signed(settings))).values()) == {
            "accepted"}
        for odd in ({"gen": [1]}, {"gen": "1"}, {"gen": True}, {"gen": -1}, {"gen": 1.5},
                    {"role": "king"}, {"role": ["admin"]}, {"role": "channel"},
                    {"sub": 7}, {"sub": ""}, {"name": {"a": 1}}, {"subject_id": ["s1"]},
                    {"commune": 3}, {"province": {"x": "y"}}):
            token = signed(settings, **odd)
            answers = await refusals(office.client, replicas, token)
            assert set(answers.values()) == {"token-invalid"}, (odd, answers)
            write = await office.client.post(office.urls["rating"] + "/evaluations", json={},
                                             headers={"Authorization": f"Bearer {token}"})
            problem(write, 401, "token-invalid")


EASY = ("aaaaaaaaaa", "1234567890", "qwertyuiop", "abcabcabcabc", "Password2024!",
        "iloveyou123", "anhyeuem123", "0987654321")


async def test_easy_passwords_are_refused_wherever_a_password_is_set(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        for password in (*EASY, "nguyenvanan1990", "nguyen.van.an"):
            refused = await office.client.post(
                office.urls["registry"] + "/users", headers=office.headers, json={
                    "username": "nguyen.van.an", "password": password,
                    "role": "council_member"})
            body = problem(refused, 400, "invalid-field")
            assert body["errors"][0]["field"] == "password", (password, body)
            assert "choose instead" in body["detail"] and "hãy chọn" in body["detail_vi"]
        created = await office.client.post(
            office.urls["registry"] + "/users", headers=office.headers, json={
                "username": "nguyen.van.an", "password": "cau-rong-bach-dang-3",
                "role": "council_member"})
        assert created.status_code == 201, created.text

        for password in EASY:
            refused = await office.client.put(
                office.urls["registry"] + "/users/me/password", headers=office.headers,
                json={"current_password": PASSWORD, "new_password": password})
            body = problem(refused, 400, "invalid-field")
            assert body["errors"][0]["field"] == "new_password", body
        refused = await office.client.put(
            office.urls["registry"] + "/users/me/password", headers=office.headers,
            json={"current_password": PASSWORD, "new_password": "office-2024!!"})
        problem(refused, 400, "invalid-field")

        for password in ("aaaaaaaaaa", "admin-2024"):
            result = await asyncio.to_thread(
                CliRunner().invoke, ocop, ["users", "add-admin", "admin",
                                           "--data-dir", str(settings.data_dir)],
                env={"OCOP_ADMIN_PASSWORD": password,
                     "OCOP_STORE_URL": settings.store_url.get_secret_value()})
            assert result.exit_code == 1, result.output
            assert "choose instead" in result.output, result.output
        nobody = await office.client.post(office.urls["registry"] + "/auth/token",
                                          json={"username": "admin", "password": "admin-2024"})
        problem(nobody, 401, "login-failed")


async def test_the_workspace_keeps_no_token_in_plain_text(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        await cooperative_with_council(office, PASSWORD)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            csrf, cookie = await sign_in_form(client, web)
            signed_in = await client.post(f"{web}/sign-in", headers=cookie, data={
                "username": "producer", "password": PASSWORD, "csrf": csrf})
            assert signed_in.status_code == 303, signed_in.text
            session = {"Cookie": f"ocop_session={signed_in.cookies['ocop_session']}"}
            # No token in the sessions' database, in its file or its write-ahead log: a
            # JWT of the registry begins with its header, the same for every token.
            header = signed(settings).split(".")[0].encode()
            files = list(settings.data_dir.glob("web.db*"))
            assert files
            for path in files:
                assert header not in path.read_bytes(), path
            home = await client.get(f"{web}/", headers=session)
            assert home.status_code == 200 and "Sản phẩm của tôi" in home.text
