"""Account commands: creating accounts, signing in (throttled where guesses come from, never
by locking the account), disabling one, changing one's own password."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from services.registry.accounts import rules
from services.registry.accounts.model import User
from services.registry.store import SIGN_IN_FAILURES, SUBJECTS, users
from shared.history import History
from shared.identity.auth import Caller, IssuedToken, Role, TokenIssuer
from shared.identity.sessions import Revocations
from shared.messaging import Outbox
from shared.messaging.contracts.registry import AccountChanged, AccountTokensRevoked
from shared.platform.clock import Clock
from shared.ports.store import DocumentExists, DocumentStore, Transaction
from shared.refusals import N_, Conflict, invalid


def password_hashing(memory_kib: int = 65536, time_cost: int = 3) -> PasswordHash:
    """Argon2id at the cost the settings give (``OCOP_PASSWORD_HASH_*``); a stored hash
    names its own cost, so hashes made at another cost still verify."""
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib),))


@dataclass
class Accounts:
    store: DocumentStore
    outbox: Outbox
    issuer: TokenIssuer
    clock: Clock
    history: History
    revocations: Revocations
    passwords: PasswordHash = field(default_factory=password_hashing)
    _hashing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    _dummy_hash: str = field(init=False)
    """Verified when the username is unknown, so a wrong name takes as long as a wrong
    password."""

    def __post_init__(self) -> None:
        self._dummy_hash = self.passwords.hash("not-a-real-password")

    async def _hash(self, password: str) -> str:
        async with self._hashing:  # Argon2 is deliberately slow: off the loop, a few at once
            return await asyncio.to_thread(self.passwords.hash, password)

    async def _verify(self, password: str, stored: str) -> bool:
        async with self._hashing:
            return await asyncio.to_thread(self.passwords.verify, password, stored)

    async def create_user(self, username: str, password: str, role: Role,
                          subject_id: str | None = None, full_name: str = "", *,
                          created_by: str, commune: str | None = None,
                          province: str | None = None, commune_code: str | None = None,
                          province_code: str | None = None) -> User:
        user = User.create(username, role, "", at=self.clock.stamp(), subject_id=subject_id,
                           full_name=full_name, commune=commune, province=province,
                           commune_code=commune_code, province_code=province_code)
        rules.check_password(password, user.id)
        user.password_hash = await self._hash(password)  # once the account is known valid
        async with self.store.transaction() as tx:
            if subject_id and await tx.get(SUBJECTS.name, subject_id) is None:
                raise invalid("subject_id", N_("no subject '%(subject)s'"), subject=subject_id)
            try:
                await users.add(tx, user)
            except DocumentExists:
                raise Conflict(N_("The username '%(username)s' is taken."),
                               code="username-taken", username=user.id) from None
            await self.history.record(tx, "user", user.id, user.version, {}, users.dump(user),
                                      created_by, "created")
            await self.outbox.emit(tx, user.opened(), aggregate_id=user.id,
                                   sequence=user.version)
        return user

    async def login(self, username: str, password: str, address: str) -> IssuedToken:
        """A token for the right password of an account that is not disabled. Failures are
        counted per username and address, per address and per minute
        (``rules.check_may_try``): guessing slows the guesser, it never locks the account
        out for its owner. An unknown username, a wrong password and a disabled account
        take the same time (a password is verified in each) and get the same answer, so a
        guesser cannot tell a disabled account's right password."""
        name = username.strip().lower()[:64]
        now = self.clock.now()
        pair_key = rules.failure_key("pair", name, address)
        address_key = rules.failure_key("address", address)
        held = {key: await self.store.get(SIGN_IN_FAILURES.name, key)
                for key in (pair_key, address_key, rules.minute_key(now))}
        minute = held[rules.minute_key(now)]
        rules.check_may_try(
            [d.data if d else None for d in (held[pair_key], held[address_key])], now,
            busy_minute=bool(minute and minute.data["count"] >= rules.FAILED_SIGN_INS_PER_MINUTE),
            address_failed=held[address_key] is not None)
        user = await users.get_or_none(self.store, name)
        ok = await self._verify(password, user.password_hash if user else self._dummy_hash)
        if user is None or not ok or not user.may_sign_in:
            await self._count_failure(now, pair_key, address_key)
            raise rules.SignInRefused()
        if held[pair_key] is not None:
            async with self.store.transaction() as tx:
                await tx.delete(SIGN_IN_FAILURES.name, pair_key)
        return self.issuer.issue(user.caller(), user.token_generation)

    async def _count_failure(self, now: datetime, pair_key: str, address_key: str) -> None:
        frees = {pair_key: rules.FREE_FAILURES_PER_PAIR,
                 address_key: rules.FREE_FAILURES_PER_ADDRESS,
                 rules.minute_key(now): rules.FAILED_SIGN_INS_PER_MINUTE}
        async with self.store.transaction() as tx:
            for key, free in frees.items():
                current = await tx.get(SIGN_IN_FAILURES.name, key)
                await tx.put(SIGN_IN_FAILURES.name, key, rules.after_failed_sign_in(
                    current.data if current else None, now, free))

    async def set_disabled(self, caller: Caller, username: str, disabled: bool) -> User:
        """Disable an account (sign-in refused, and every token it holds ends at once in
        every service) or enable it again."""
        async with self.store.transaction() as tx:
            user = await users.get(tx, username.strip().lower())
            before, state = users.dump(user), user.state()
            ended = user.set_disabled(caller, disabled)
            await self._save(tx, user, before, caller.user_id,
                             "disabled" if disabled else "enabled", ended,
                             user.changed_since(state))
        return user

    async def change_password(self, caller: Caller, current_password: str,
                              new_password: str) -> IssuedToken:
        """The caller's own password: the current one is checked, every token issued
        before ends at once (other devices sign in again); a new token is returned."""
        rules.check_password(new_password, caller.username, "new_password")
        user = await users.get(self.store, caller.user_id)
        if not await self._verify(current_password, user.password_hash):
            raise invalid("current_password", N_("is not your current password"))
        password_hash = await self._hash(new_password)
        async with self.store.transaction() as tx:
            user = await users.get(tx, caller.user_id)
            before = users.dump(user)
            ended = user.change_password(password_hash)
            await self._save(tx, user, before, caller.user_id, "password-changed", ended)
        return self.issuer.issue(user.caller(), user.token_generation)

    async def _save(self, tx: Transaction, user: User, before: dict[str, object], by: str,
                    action: str, ended: AccountTokensRevoked | None,
                    changed: AccountChanged | None = None) -> None:
        """``ended``: the tokens it ended, said first (what every service acts on at once);
        ``changed``: its new state, for whoever tells the person what concerns them."""
        await users.save(tx, user)
        await self.history.record(tx, "user", user.id, user.version, before, users.dump(user),
                                  by, action)
        if ended is not None:
            await self.outbox.emit(tx, ended, aggregate_id=user.id, sequence=user.version)
            # Refused here from this commit on, not once the event comes back over the bus.
            await self.revocations.record(tx, user.id, ended.token_generation)
        if changed is not None:
            await self.outbox.emit(tx, changed, aggregate_id=user.id, sequence=user.version)
