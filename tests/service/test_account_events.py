"""The registry says when an account is opened and when what it is changes (disabled,
enabled again, bound to its commune by code): ``AccountOpened`` / ``AccountChanged``, keyed
by the user id, the account's version as their sequence, in the change's own transaction.
Whoever tells a person what concerns them reads these; no name, e-mail or password."""

from __future__ import annotations

from collections.abc import Callable

from services.registry.accounts.commands import Accounts
from services.registry.app import accounts_only
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Subject
from shared.identity.auth import Role
from shared.messaging import OUTBOX
from shared.messaging.contracts.registry import (
    AccountChanged,
    AccountOpened,
    AccountTokensRevoked,
)
from shared.messaging.events.envelope import Envelope
from shared.ocop.vocabulary import SubjectType
from shared.platform.config import Settings
from shared.ports.store import find_all
from shared.refusals import Conflict
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE
from tests.support.service_tier import Running

PASSWORD = "chè xanh thái nguyên mùa xuân"
TAN_CUONG = "Xã Tân Cương"


async def a_subject(registry: Running) -> Subject:
    return await registry.part(Registry).register_subject(
        OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương",
        code="THT-0001", province="Thái Nguyên", commune=TAN_CUONG)


def account_events(events: list[Envelope]) -> list[Envelope]:
    return [e for e in events if e.type in (AccountOpened.event_type,
                                            AccountChanged.event_type,
                                            AccountTokensRevoked.event_type)]


async def test_an_account_opened_is_said_with_its_role_and_binding(registry: Running) -> None:
    subject = await a_subject(registry)
    await registry.relay()
    accounts = registry.part(Accounts)
    await accounts.create_user("che-tan-cuong", PASSWORD, Role.PRODUCER, subject.id,
                               "Nguyễn Văn An", created_by="office")
    officer = await accounts.create_user("xa-tan-cuong", PASSWORD, Role.COMMUNE_OFFICER,
                                         created_by="office", province="Thái Nguyên",
                                         commune=TAN_CUONG)

    producer_opened, officer_opened = await registry.outbox()
    assert producer_opened.type == officer_opened.type == AccountOpened.event_type
    assert (producer_opened.aggregate_id, producer_opened.sequence) == ("che-tan-cuong", 1)
    assert producer_opened.data == {
        "user_id": "che-tan-cuong", "role": "producer", "subject_id": subject.id,
        "commune_code": None, "province_code": None, "disabled": False}
    assert officer.commune_code is not None
    assert officer_opened.data == {
        "user_id": "xa-tan-cuong", "role": "commune_officer", "subject_id": None,
        "commune_code": officer.commune_code, "province_code": officer.province_code,
        "disabled": False}
    assert "Nguyễn Văn An" not in str(producer_opened.data)  # a person's name stays here


async def test_a_refused_account_says_nothing(registry: Running) -> None:
    accounts = registry.part(Accounts)
    await accounts.create_user("hoi-dong-1", PASSWORD, Role.COUNCIL_MEMBER, created_by="office")
    await registry.relay()
    with refused(Conflict, "username-taken"):
        await accounts.create_user("hoi-dong-1", PASSWORD, Role.COUNCIL_MEMBER,
                                   created_by="office")
    assert await registry.outbox() == []


async def test_disabling_and_enabling_an_account_says_its_new_state(registry: Running) -> None:
    accounts = registry.part(Accounts)
    await accounts.create_user("hoi-dong-1", PASSWORD, Role.COUNCIL_MEMBER, created_by="office")
    await registry.relay()

    await accounts.set_disabled(OFFICE, "hoi-dong-1", True)
    ended, changed = await registry.outbox()
    assert ended.type == AccountTokensRevoked.event_type  # first: every service acts on it
    assert changed.type == AccountChanged.event_type
    assert (changed.aggregate_id, changed.sequence) == ("hoi-dong-1", 2)
    assert changed.data == {"user_id": "hoi-dong-1", "role": "council_member",
                            "subject_id": None, "commune_code": None, "province_code": None,
                            "disabled": True}
    await registry.relay()

    await accounts.set_disabled(OFFICE, "hoi-dong-1", True)  # again: its tokens end again
    assert [e.type for e in await registry.outbox()] == [AccountTokensRevoked.event_type]
    await registry.relay()

    await accounts.set_disabled(OFFICE, "hoi-dong-1", False)
    (enabled,) = await registry.outbox()
    assert enabled.type == AccountChanged.event_type
    assert (enabled.sequence, enabled.data["disabled"]) == (4, False)


async def test_a_new_password_changes_nothing_a_notification_reads(registry: Running) -> None:
    accounts = registry.part(Accounts)
    user = await accounts.create_user("hoi-dong-1", PASSWORD, Role.COUNCIL_MEMBER,
                                      created_by="office")
    await registry.relay()
    await accounts.change_password(user.caller(), PASSWORD, "một mật khẩu mới thật dài")
    assert [e.type for e in await registry.outbox()] == [AccountTokensRevoked.event_type]


async def test_an_officer_stored_by_names_is_said_bound_once_given_its_codes(
        registry: Running) -> None:
    async with registry.store.transaction() as tx:
        await tx.insert("users", "xa-tan-cuong", {
            "role": "commune_officer", "password_hash": "x", "subject_id": None,
            "created_at": "2026-01-05T02:00:00+00:00", "full_name": "",
            "commune": TAN_CUONG, "province": "Thái Nguyên", "disabled": False,
            "token_generation": 0})
        await tx.insert("users", "xa-khong-ro", {
            "role": "commune_officer", "password_hash": "x", "subject_id": None,
            "created_at": "2026-01-05T02:00:00+00:00", "full_name": "",
            "commune": "Xã Không Có", "province": "Thái Nguyên", "disabled": False,
            "token_generation": 0})

    assert await registry.run_job("locality codes") == 1
    (bound,) = account_events(await registry.outbox())  # none for the one left unresolved
    assert bound.type == AccountChanged.event_type
    assert (bound.aggregate_id, bound.sequence) == ("xa-tan-cuong", 2)
    assert bound.data["commune_code"] and bound.data["province_code"]
    await registry.relay()
    assert await registry.run_job("locality codes") == 0
    assert account_events(await registry.outbox()) == []


async def test_the_first_admin_made_by_the_command_line_is_said_opened_too(
        make_settings: Callable[..., Settings]) -> None:
    """``ocop users add-admin`` writes to the registry's store alone: its event waits in
    the outbox for the registry's relay."""
    store, accounts = accounts_only(make_settings())
    await store.open()
    try:
        await accounts.create_user("van-phong", PASSWORD, Role.ADMIN, created_by="ocop-cli")
        (opened,) = [Envelope.from_json(d.data["event"])
                     async for d in find_all(store, OUTBOX.name)]
    finally:
        await store.close()
    assert opened.type == AccountOpened.event_type
    assert opened.source == "/ocop/registry"
    assert (opened.aggregate_id, opened.data["role"]) == ("van-phong", "admin")
