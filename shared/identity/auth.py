"""Who is calling: tokens signed by the registry, verified by every service.

The registry signs with an Ed25519 private key (EdDSA JWTs); the other services hold only
the public key, so no service but the registry can mint a token. A request's caller is a
FastAPI dependency; what each caller may do is each service's access table
(``shared.identity.access``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.ids import new_id
from shared.platform.keyfiles import read_or_create
from shared.refusals import N_, Unauthorized

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
ISSUER = "ocop-registry"
AUDIENCE = "ocop"
PRIVATE_KEY_FILE = ".auth-signing-key.pem"


class Role(StrEnum):
    """admin: provincial OCOP office (quản trị); commune_officer: cán bộ xã, who
    pre-assesses and proposes products; council_member: thành viên hội đồng; producer: a
    subject's account (chủ thể), bound to one subject; channel: an online sales channel
    (kênh bán hàng), which calls with an API key of the catalog, never a token."""

    ADMIN = "admin"
    COMMUNE_OFFICER = "commune_officer"
    COUNCIL_MEMBER = "council_member"
    PRODUCER = "producer"
    CHANNEL = "channel"


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    role: Role
    subject_id: str | None = None
    commune: str | None = None
    """A commune officer's commune and province, by their official codes
    (``shared.ocop.localities``): the locality it speaks for (``shared.identity.access``)."""
    province: str | None = None

    def owns_subject(self, subject_id: str) -> bool:
        return self.role is Role.PRODUCER and self.subject_id == subject_id


# --- keys -------------------------------------------------------------------------------

def _pem_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _unescape(pem: str) -> str:
    # .env files hold one line per variable, so PEMs there are written with '\n' escapes.
    return pem.replace("\\n", "\n")


def new_key_pair() -> tuple[str, str]:
    """(private, public) PEMs of a new signing key, for a distributed deployment."""
    key = Ed25519PrivateKey.generate()
    return _pem_private(key).decode(), public_pem(key.public_key())


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """``OCOP_AUTH_PRIVATE_KEY``, or the key kept in the data directory (made once)."""
    if settings.auth_private_key is not None:
        pem = _unescape(settings.auth_private_key.get_secret_value()).encode()
    else:
        path = settings.data_dir / PRIVATE_KEY_FILE
        if not path.exists():
            log.warning("no OCOP_AUTH_PRIVATE_KEY: made a token signing key in %s; in a "
                        "distributed deployment give every service its public key "
                        "(OCOP_AUTH_PUBLIC_KEY)", path)
        pem = read_or_create(path, lambda: _pem_private(Ed25519PrivateKey.generate()))
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("OCOP_AUTH_PRIVATE_KEY must be an Ed25519 private key in PEM")
    return key


def verification_key(settings: Settings) -> Ed25519PublicKey:
    """``OCOP_AUTH_PUBLIC_KEY``, or the public half of the signing key."""
    if settings.auth_public_key:
        key = serialization.load_pem_public_key(_unescape(settings.auth_public_key).encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("OCOP_AUTH_PUBLIC_KEY must be an Ed25519 public key in PEM")
        return key
    return signing_key(settings).public_key()


# --- tokens -----------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class TokenIssuer:
    """Registry only: signs tokens for authenticated users."""

    def __init__(self, key: Ed25519PrivateKey, ttl: timedelta, clock: Clock) -> None:
        self._key = key
        self.ttl = ttl
        self.clock = clock

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def issue(self, caller: Caller, generation: int = 0) -> IssuedToken:
        """``generation``: the account's token generation (``shared.identity.sessions``)."""
        now = self.clock.now()
        claims: dict[str, Any] = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": caller.user_id, "jti": new_id(),
            "iat": now, "nbf": now, "exp": now + self.ttl,
            "name": caller.username, "role": caller.role.value, "gen": generation,
        }
        for claim in ("subject_id", "commune", "province"):
            if getattr(caller, claim):
                claims[claim] = getattr(caller, claim)
        return IssuedToken(jwt.encode(claims, self._key, algorithm=ALGORITHM),
                           int(self.ttl.total_seconds()))


class Claims(BaseModel):
    """What a token says of its caller, each claim of the type the registry signs: any
    other (a list for ``gen``, a number for ``sub``, an unknown role) makes the token
    invalid, never an error further on."""

    model_config = ConfigDict(strict=True)

    sub: str = Field(min_length=1)
    name: str = ""
    role: Role = Field(strict=False)  # its value, as the JSON carries it
    gen: int = Field(0, ge=0)
    subject_id: str | None = None
    commune: str | None = None
    province: str | None = None


class TokenVerifier:
    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key
        self._oldest_generation: dict[str, int] = {}

    def revoke(self, user_id: str, generation: int) -> None:
        """Tokens of ``user_id`` older than ``generation`` are refused from now on."""
        if generation > self._oldest_generation.get(user_id, 0):
            self._oldest_generation[user_id] = generation

    def verify(self, token: str) -> Caller:
        """The caller the token speaks for; Unauthorized if it is forged, expired, revoked
        or odd."""
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM], audience=AUDIENCE,
                                issuer=ISSUER, options={"require": ["exp", "sub", "role"]})
            said = Claims.model_validate(claims)  # a ValidationError is a ValueError
            if said.role is Role.CHANNEL:
                raise ValueError("a channel calls with an API key, never a token")
            if said.gen < self._oldest_generation.get(said.sub, 0):
                raise Unauthorized(N_("This sign-in has ended (the account was disabled or "
                                      "its password changed); sign in again."),
                                   code="token-revoked")
            return Caller(user_id=said.sub, username=said.name, role=said.role,
                          subject_id=said.subject_id, commune=said.commune,
                          province=said.province)
        except jwt.ExpiredSignatureError:
            raise Unauthorized(N_("Your sign-in has expired; sign in again."),
                               code="token-expired") from None
        except (jwt.InvalidTokenError, ValueError):
            raise Unauthorized(N_("The access token is not valid; sign in again."),
                               code="token-invalid") from None


# --- FastAPI dependencies -------------------------------------------------------------

bearer_scheme = HTTPBearer(auto_error=False,
                           description="A token from the registry's POST /auth/token")


CALLER_STATE = "caller"
"""Where ``RequestGuard`` leaves the caller it verified (the request's ``state``), so the
route's dependency does not verify the same token again."""


def caller_from_header(verifier: TokenVerifier, authorization: str) -> Caller:
    """The caller of an ``Authorization: Bearer <token>`` header; Unauthorized without
    one, or with a token that is forged, expired or revoked."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(N_("Sign in first: send 'Authorization: Bearer <token>' with a "
                              "token from the registry's POST /auth/token."),
                           code="token-missing")
    return verifier.verify(token.strip())


async def current_caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> Caller:
    verified: Caller | None = getattr(request.state, CALLER_STATE, None)
    if verified is not None:
        return verified
    verifier: TokenVerifier = request.app.state.runtime.verifier
    header = f"Bearer {credentials.credentials}" if credentials else ""
    caller = caller_from_header(verifier, header)
    setattr(request.state, CALLER_STATE, caller)
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]
"""A route parameter: the signed-in caller (401 without a valid token)."""
