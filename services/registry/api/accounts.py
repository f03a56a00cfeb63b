"""Sign-in and accounts: tokens, the caller's own account and password, the accounts the
office manages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from services.registry.accounts.model import User
from services.registry.accounts.queries import page as users_page
from services.registry.api.deps import AccountsPart, may
from services.registry.api.models import CommuneCode, FullName, ProvinceCode
from shared.http.fields import Place
from shared.http.paging import Cursor, Limit, QueueOut
from shared.identity.auth import CurrentCaller, Role, public_pem

router = APIRouter()


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)
    role: Role
    subject_id: str | None = Field(None, description="Required for producers: their subject")
    commune: Place | None = Field(None, description="For commune officers: the commune, or "
                                                    "commune_code")
    province: Place | None = Field(None, description="For commune officers: the province, "
                                                      "or province_code")
    commune_code: CommuneCode | None = None
    province_code: ProvinceCode | None = None
    full_name: FullName = ""


class MeOut(BaseModel):
    username: str
    role: Role
    subject_id: str | None


class AccessIn(BaseModel):
    disabled: bool = Field(description="true: sign-in refused, and the account's tokens end "
                                       "at once in every service")


class AccessOut(BaseModel):
    username: str
    disabled: bool


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200, description="At least 10 characters")


class UserOut(BaseModel):
    username: str
    role: Role
    subject_id: str | None
    commune: str | None = None
    province: str | None = None
    commune_code: str | None = None
    province_code: str | None = None
    full_name: str
    disabled: bool = False


def user_out(user: User) -> UserOut:
    """The account as the office reads it (never its password hash)."""
    return UserOut(username=user.id, role=user.role, subject_id=user.subject_id,
                   commune=user.commune, province=user.province,
                   commune_code=user.commune_code, province_code=user.province_code,
                   full_name=user.full_name, disabled=user.disabled)


@router.post("/auth/token", tags=["auth"], summary="Sign in: a token for the other calls",
             **may("auth.sign_in"))
async def sign_in(accounts: AccountsPart, body: LoginIn, request: Request) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    issued = await accounts.login(body.username, body.password, address)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/auth/public-key", tags=["auth"], response_class=PlainTextResponse,
            summary="The public key (PEM) that verifies tokens: OCOP_AUTH_PUBLIC_KEY",
            **may("auth.public_key"))
async def public_key(accounts: AccountsPart) -> str:
    return public_pem(accounts.issuer.public_key)


@router.get("/users/me", tags=["auth"], summary="Who the token speaks for",
            **may("account.own"))
async def me(caller: CurrentCaller) -> MeOut:
    return MeOut(username=caller.username, role=caller.role, subject_id=caller.subject_id)


@router.put("/users/me/password", tags=["auth"],
            summary="Change your own password: your other sign-ins end",
            **may("account.own"))
async def change_password(accounts: AccountsPart, body: PasswordChangeIn,
                          caller: CurrentCaller) -> TokenOut:
    issued = await accounts.change_password(caller, body.current_password,
                                            body.new_password)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/users", tags=["auth"], status_code=status.HTTP_201_CREATED,
             summary="Create an account (admin)", **may("account.manage"))
async def create_user(accounts: AccountsPart, body: UserIn,
                      caller: CurrentCaller) -> UserOut:
    user = await accounts.create_user(body.username, body.password, body.role,
                                      body.subject_id, body.full_name,
                                      created_by=caller.user_id, commune=body.commune,
                                      province=body.province, commune_code=body.commune_code,
                                      province_code=body.province_code)
    return user_out(user)


@router.get("/users", tags=["auth"], summary="The accounts, by username (admin)",
            **may("account.list"))
async def list_users(accounts: AccountsPart,
                     role: Role | None = None,
                     commune: Annotated[CommuneCode | None, Query(
                         description="Official code of the commune whose officers to list "
                                     "(the code the account and its tokens keep)")] = None,
                     disabled: Annotated[bool | None, Query(
                         description="true: only disabled accounts; false: only those that "
                                     "may sign in")] = None,
                     limit: Limit = 50, cursor: Cursor = None) -> QueueOut[UserOut]:
    found, next_cursor, total = await users_page(accounts.store, role, commune, disabled,
                                                 limit=limit, after=cursor)
    return QueueOut(items=[user_out(u) for u in found], next_cursor=next_cursor, total=total)


@router.put("/users/{username}/access", tags=["auth"],
            summary="Disable or enable an account (admin)", **may("account.manage"))
async def set_access(accounts: AccountsPart, username: str, body: AccessIn,
                     caller: CurrentCaller
                     ) -> AccessOut:
    user = await accounts.set_disabled(caller, username, body.disabled)
    return AccessOut(username=user.id, disabled=user.disabled)
