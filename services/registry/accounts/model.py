"""An account (tài khoản): its role, what it is bound to, whether it may sign in, and the
generation of the tokens it holds. Pure: no I/O, the time is an argument."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.accounts import rules
from services.registry.subjects.model import Located
from shared.identity.auth import Caller, Role
from shared.messaging.contracts.registry import (
    AccountChanged,
    AccountOpened,
    AccountState,
    AccountTokensRevoked,
)
from shared.ocop.localities import known, resolve


@dataclass
class User(Located):
    """An account (tài khoản); its id is the lower-case username."""

    id: str
    role: Role
    password_hash: str
    created_at: str
    subject_id: str | None = None
    full_name: str = ""
    commune: str | None = None
    """A commune officer's commune and province: their official names, for display."""
    province: str | None = None
    disabled: bool = False
    token_generation: int = 0
    """Tokens issued at an earlier generation are no longer accepted anywhere."""
    commune_code: str | None = None
    """A commune officer's commune and province by their official codes (what its tokens
    carry and access compares); none on an officer stored before codes were kept until
    ``keep_codes`` gives them."""
    province_code: str | None = None
    locality_problem: str | None = None
    """Why an officer stored with names only has no codes: its names name no single commune."""
    version: int = 0

    @classmethod
    def create(cls, username: str, role: Role, password_hash: str, *, at: str,
               subject_id: str | None = None, full_name: str = "",
               commune: str | None = None, province: str | None = None,
               commune_code: str | None = None, province_code: str | None = None) -> User:
        """A new account, bound as its role requires (``rules.check_account_binding``); a
        commune officer's commune resolved to its official codes (``shared.ocop.localities``)."""
        name = rules.check_username(username)
        place = (resolve(province=province, commune=commune, province_code=province_code,
                         commune_code=commune_code)
                 if role is Role.COMMUNE_OFFICER and (commune or commune_code) else None)
        rules.check_account_binding(role, subject_id, place.commune if place else
                                     commune or commune_code, place.province if place else
                                     province or province_code)
        user = cls(name, role, password_hash, at, subject_id, full_name)
        if place is not None:
            user._place(place)
        return user

    def caller(self) -> Caller:
        """Who a token issued to this account speaks for: a commune officer's commune and
        province by their codes (an officer stored with names only: the codes its names name
        without doubt, else none, and it speaks for no commune)."""
        commune, province = self.commune_code, self.province_code
        if commune is None and self.commune and self.province:
            place = known(self.province, self.commune)
            commune, province = (place.commune_code, place.province_code) if place else (None,
                                                                                          None)
        return Caller(user_id=self.id, username=self.id, role=self.role,
                      subject_id=self.subject_id, commune=commune, province=province)

    def state(self) -> AccountState:
        """Who it is in the programme as telling it what concerns it needs: its role and
        what it is bound to (no name, e-mail or password)."""
        return AccountState.model_validate({
            "user_id": self.id, "role": self.role.value, "subject_id": self.subject_id,
            "commune_code": self.commune_code, "province_code": self.province_code,
            "disabled": self.disabled})

    def opened(self) -> AccountOpened:
        """The event of its creation."""
        return AccountOpened(**self.state().model_dump())

    def changed_since(self, before: AccountState) -> AccountChanged | None:
        """The event of a change of its state since ``before`` (disabled, enabled again,
        bound elsewhere); None if what it is did not change (disabled twice, a new
        password)."""
        now = self.state()
        return None if now == before else AccountChanged(**now.model_dump())

    @property
    def may_sign_in(self) -> bool:
        return not self.disabled

    def set_disabled(self, by: Caller, disabled: bool) -> AccountTokensRevoked | None:
        """Disabled: sign-in refused and every token it holds ends (the event says so to
        every service); enabled again: it signs in anew."""
        rules.check_may_set_access(by, self.id, disabled)
        self.disabled = disabled
        return self._end_tokens() if disabled else None

    def change_password(self, password_hash: str) -> AccountTokensRevoked:
        """A new password ends every token issued before (other devices sign in again)."""
        self.password_hash = password_hash
        return self._end_tokens()

    def _end_tokens(self) -> AccountTokensRevoked:
        self.token_generation += 1
        return AccountTokensRevoked(user_id=self.id, token_generation=self.token_generation,
                                    disabled=self.disabled)
