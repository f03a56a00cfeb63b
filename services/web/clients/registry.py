"""The registry's API as the pages call it: accounts, subjects, products, dossiers."""

from __future__ import annotations

from services.web.clients import Answer, Client, Operation, Page, Unread


class Token(Answer):
    access_token: str
    expires_in: int
    """Seconds."""


class Me(Answer):
    username: str
    role: str
    subject_id: str | None


class PendingChange(Answer):
    changes: dict[str, str | None]
    """Field → the value waiting for the office."""


class Product(Answer):
    id: str
    name: str
    description: str
    status: str
    pending_identity_change: PendingChange | None = None


class MissingDocument(Answer):
    type: str
    name_vi: str
    name_en: str


class HeldDocument(Answer):
    name_vi: str


class Dossier(Answer):
    stages: dict[str, str]
    """Stage → its status."""
    missing: list[MissingDocument]
    documents: list[HeldDocument]


SIGN_IN = Operation("registry", "POST", "/auth/token", Token)
ME = Operation("registry", "GET", "/users/me", Me)
NEW_PASSWORD = Operation("registry", "PUT", "/users/me/password", Token)
PRODUCTS = Operation("registry", "GET", "/products", Page[Product])
PRODUCT = Operation("registry", "GET", "/products/{product_id}", Product)
CHANGE = Operation("registry", "PATCH", "/products/{product_id}", Product)
DOSSIER = Operation("registry", "GET", "/products/{product_id}/dossier", Dossier)
DOCUMENT = Operation("registry", "POST", "/products/{product_id}/documents", Unread)


class Registry(Client):
    async def sign_in(self, username: str, password: str, address: str) -> Token:
        """``address``: the person's, where the registry counts failed sign-ins."""
        return await self.read(SIGN_IN, json={"username": username, "password": password},
                               headers={"X-Forwarded-For": address})

    async def me(self) -> Me:
        return await self.read(ME)

    async def change_password(self, current: str, new: str) -> Token:
        return await self.read(NEW_PASSWORD, json={"current_password": current,
                                                   "new_password": new})

    async def products(self, subject_id: str | None) -> Page[Product]:
        return await self.read(PRODUCTS, params={"subject_id": subject_id, "limit": 200})

    async def product(self, product_id: str) -> Product:
        return await self.read(PRODUCT, product_id)

    async def propose_change(self, product_id: str, name: str, description: str) -> Product:
        return await self.read(CHANGE, product_id,
                               json={"name": name, "description": description})

    async def dossier(self, product_id: str) -> Dossier:
        return await self.read(DOSSIER, product_id)

    async def add_document(self, product_id: str, type: str, data: bytes,
                           content_type: str) -> None:
        await self.send(DOCUMENT, product_id, params={"type": type}, content=data,
                        headers={"Content-Type": content_type})
