"""Registry commands: each checks the caller and the rules, writes its change and the
event that announces it in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pwdlib import PasswordHash

from services.registry import domain
from services.registry.access import RULES
from services.registry.history import History
from services.registry.imports import Parsed, RowProblem
from services.registry.store import (
    CLAIMS,
    DOSSIERS,
    PRODUCTS,
    SIGN_IN_FAILURES,
    SUBJECTS,
    USERS,
)
from shared.access import SubjectRef, Visibility, check
from shared.auth import Caller, IssuedToken, Role, TokenIssuer
from shared.clock import Clock
from shared.contracts.registry import (
    AccountTokensRevoked,
    ProductGtinRetired,
    ProductRegistered,
    ProductState,
    ProductSubmitted,
    ProductUpdated,
    SubjectRegistered,
    SubjectState,
    SubjectUpdated,
)
from shared.ids import new_id
from shared.images import web_renditions
from shared.messaging import Outbox
from shared.objects import ObjectStore
from shared.refusals import AppError, Conflict, FieldError, NotFound, Unauthorized
from shared.store import (
    Document,
    DocumentExists,
    DocumentStore,
    Page,
    Transaction,
    find_all,
    get_existing,
)
from shared.text import locality
from shared.vocabulary import SubjectType

_passwords = PasswordHash.recommended()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _passwords.hash("not-a-real-password")


async def _check_gtin_free(tx: Transaction, gtin: str, product_id: str) -> None:
    """Conflict if another product holds ``gtin`` (now or formerly: its labels carry it)."""
    claim = await tx.get(CLAIMS.name, f"gtin:{gtin}")
    if claim is not None and claim.data["owner"] != product_id:
        raise _gtin_taken(gtin)


async def _claim(tx: Transaction, key: str, owner: str, taken: Conflict) -> None:
    try:
        await tx.insert(CLAIMS.name, key, {"owner": owner})
    except DocumentExists:
        raise taken from None


@dataclass
class Registry:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    issuer: TokenIssuer
    public_url: str
    clock: Clock
    history: History
    _hashing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))

    # --- accounts -------------------------------------------------------------------------

    async def _hash(self, password: str) -> str:
        async with self._hashing:  # Argon2 is deliberately slow: off the loop, a few at once
            return await asyncio.to_thread(_passwords.hash, password)

    async def create_user(self, username: str, password: str, role: Role,
                          subject_id: str | None = None, full_name: str = "", *,
                          created_by: str, commune: str | None = None,
                          province: str | None = None) -> Document:
        name = domain.check_username(username)
        domain.check_password(password)
        domain.check_account_binding(role, subject_id, commune, province)
        password_hash = await self._hash(password)
        async with self.store.transaction() as tx:
            if subject_id and await tx.get(SUBJECTS.name, subject_id) is None:
                raise domain.invalid("subject_id", f"no subject '{subject_id}'",
                                     f"không có chủ thể '{subject_id}'")
            try:
                user = await tx.insert(USERS.name, name, {
                    "role": role.value, "subject_id": subject_id, "full_name": full_name,
                    "commune": commune, "province": province,
                    "password_hash": password_hash, "created_at": self.clock.stamp()})
            except DocumentExists:
                raise Conflict(f"The username '{name}' is taken.",
                               f"Tên đăng nhập '{name}' đã được dùng.",
                               code="username-taken") from None
            await self.history.record(tx, "user", user, {}, created_by, "created")
            return user

    async def login(self, username: str, password: str, address: str) -> IssuedToken:
        """A token for the right password. Failures are counted per username and address,
        per address and per minute (``domain.check_may_try``): guessing slows the guesser,
        it never locks the account out for its owner."""
        name = username.strip().lower()[:64]
        now = self.clock.now()
        pair_key = domain.failure_key("pair", name, address)
        address_key = domain.failure_key("address", address)
        held = {key: await self.store.get(SIGN_IN_FAILURES.name, key)
                for key in (pair_key, address_key, domain.minute_key(now))}
        minute = held[domain.minute_key(now)]
        domain.check_may_try(
            [d.data if d else None for d in (held[pair_key], held[address_key])], now,
            busy_minute=bool(minute and minute.data["count"] >= domain.FAILED_SIGN_INS_PER_MINUTE),
            address_failed=held[address_key] is not None)
        user = await self.store.get(USERS.name, name)
        stored = user.data["password_hash"] if user else _DUMMY_HASH
        async with self._hashing:
            ok = await asyncio.to_thread(_passwords.verify, password, stored)
        if user is None or not ok:
            await self._count_failure(now, pair_key, address_key)
            raise Unauthorized("Wrong username or password.",
                               "Sai tên đăng nhập hoặc mật khẩu.", code="login-failed")
        domain.check_active(user.data)
        if held[pair_key] is not None:
            async with self.store.transaction() as tx:
                await tx.delete(SIGN_IN_FAILURES.name, pair_key)
        return self.issuer.issue(caller_of(user), user.data.get("token_generation", 0))

    async def _count_failure(self, now: datetime, pair_key: str, address_key: str) -> None:
        frees = {pair_key: domain.FREE_FAILURES_PER_PAIR,
                 address_key: domain.FREE_FAILURES_PER_ADDRESS,
                 domain.minute_key(now): domain.FAILED_SIGN_INS_PER_MINUTE}
        async with self.store.transaction() as tx:
            for key, free in frees.items():
                current = await tx.get(SIGN_IN_FAILURES.name, key)
                await tx.put(SIGN_IN_FAILURES.name, key, domain.after_failed_sign_in(
                    current.data if current else None, now, free))

    async def set_disabled(self, caller: Caller, username: str, disabled: bool) -> Document:
        """Disable an account (sign-in refused, and every token it holds ends at once in
        every service) or enable it again."""
        async with self.store.transaction() as tx:
            current = await get_existing(tx, USERS.name, username.strip().lower(), "account",
                                         "tài khoản")
            domain.check_may_set_access(caller, current.id, disabled)
            data = current.data | {"disabled": disabled}
            return await self._save_user(tx, current, data, caller.user_id,
                                         "disabled" if disabled else "enabled",
                                         end_tokens=disabled)

    async def change_password(self, caller: Caller, current_password: str,
                              new_password: str) -> IssuedToken:
        """The caller's own password: the current one is checked, every token issued
        before ends at once (other devices sign in again); a new token is returned."""
        domain.check_password(new_password)
        user = await get_existing(self.store, USERS.name, caller.user_id, "account",
                                  "tài khoản")
        async with self._hashing:
            ok = await asyncio.to_thread(_passwords.verify, current_password,
                                         user.data["password_hash"])
        if not ok:
            raise domain.invalid("current_password", "is not your current password",
                                 "không đúng mật khẩu hiện tại")
        password_hash = await self._hash(new_password)
        async with self.store.transaction() as tx:
            current = await get_existing(tx, USERS.name, caller.user_id, "account",
                                         "tài khoản")
            doc = await self._save_user(tx, current, current.data | {
                "password_hash": password_hash}, caller.user_id, "password-changed",
                end_tokens=True)
        return self.issuer.issue(caller_of(doc), doc.data["token_generation"])

    async def _save_user(self, tx: Transaction, current: Document, data: dict[str, Any],
                         by: str, action: str, *, end_tokens: bool) -> Document:
        if end_tokens:
            data["token_generation"] = current.data.get("token_generation", 0) + 1
        doc = await tx.update(USERS.name, current.id, data, expected_version=current.version)
        await self.history.record(tx, "user", doc, current.data, by, action)
        if end_tokens:
            await self.outbox.emit(tx, AccountTokensRevoked(
                user_id=doc.id, token_generation=data["token_generation"],
                disabled=bool(data.get("disabled"))), aggregate_id=doc.id, sequence=doc.version)
        return doc

    # --- subjects -------------------------------------------------------------------------

    async def register_subject(self, caller: Caller, **fields: Any) -> Document:
        async with self.store.transaction() as tx:
            return await self._add_subject(tx, caller, **fields)

    async def _add_subject(self, tx: Transaction, caller: Caller, *, type: SubjectType,
                           name: str, code: str, province: str, commune: str,
                           district: str | None = None, registered_on: date | None = None,
                           representatives: list[dict[str, Any]] | None = None) -> Document:
        code = domain.normalize_subject_code(type, code)
        registered_on = registered_on or self.clock.today()
        domain.check_registered_on(registered_on, self.clock.today())
        domain.check_district(registered_on, district)
        subject_id = new_id()
        await _claim(tx, f"subject-code:{code}", subject_id, Conflict(
            f"A subject with code {code} is already registered.",
            f"Đã có chủ thể đăng ký với mã {code}.", code="subject-code-taken"))
        doc = await tx.insert(SUBJECTS.name, subject_id, {
            "type": type.value, "name": name, "code": code, "province": province,
            "commune": commune, "locality": locality(province, commune), "district": district,
            "registered_on": registered_on.isoformat(),
            "representatives": representatives or [], "created_by": caller.user_id,
            "created_at": self.clock.stamp()})
        await self.history.record(tx, "subject", doc, {}, caller.user_id, "created")
        await self.outbox.emit(tx, SubjectRegistered(**subject_state(doc).model_dump()),
                               aggregate_id=doc.id, sequence=doc.version)
        return doc

    async def keep_localities(self) -> int:
        """Give subjects stored before localities were kept theirs; how many were given."""
        given = 0
        while (page := await self.store.find(SUBJECTS.name, {"locality": None}, limit=100)
               ).items:
            async with self.store.transaction() as tx:
                for doc in page.items:
                    await tx.update(SUBJECTS.name, doc.id, doc.data | {"locality": locality(
                        doc.data["province"], doc.data["commune"])}, expected_version=doc.version)
            given += len(page.items)
        return given

    async def subjects(self, visibility: Visibility, province: str | None, *, limit: int,
                       after: str | None) -> Page:
        """A page of the subjects ``visibility`` shows, optionally of one province."""
        where: dict[str, Any] = {"province": province} if province else {}
        if visibility.subject_id:
            where["id"] = visibility.subject_id
        elif visibility.locality:
            where["locality"] = visibility.locality
        return await self.store.find(SUBJECTS.name, where or None, limit=limit, after=after)

    async def products(self, visibility: Visibility, subject_id: str | None, *, limit: int,
                       after: str | None, identity_pending: bool = False) -> Page:
        """A page of the products ``visibility`` shows, optionally of one subject, or only
        those with a change of identity waiting for the office."""
        where: dict[str, Any] = {"subject_id": subject_id} if subject_id else {}
        if identity_pending:
            where["identity_pending"] = True
        if visibility.subject_id:
            where["subject_id"] = visibility.subject_id if subject_id in (
                None, visibility.subject_id) else {"$in": []}
        elif visibility.locality:
            local = [d.id async for d in find_all(self.store, SUBJECTS.name,
                                                  {"locality": visibility.locality})]
            where["subject_id"] = {"$in": [s for s in local if subject_id in (None, s)]}
        return await self.store.find(PRODUCTS.name, where or None, limit=limit, after=after)

    async def subject(self, subject_id: str) -> Document:
        return await get_existing(self.store, SUBJECTS.name, subject_id, "subject", "chủ thể")

    async def update_subject(self, caller: Caller, subject_id: str,
                             changes: dict[str, Any]) -> Document:
        async with self.store.transaction() as tx:
            current = await get_existing(tx, SUBJECTS.name, subject_id, "subject", "chủ thể")
            data = current.data | changes
            data["code"] = domain.normalize_subject_code(SubjectType(data["type"]), data["code"])
            registered_on = date.fromisoformat(str(data["registered_on"]))
            domain.check_registered_on(registered_on, self.clock.today())
            domain.check_district(registered_on, data.get("district"))
            data["registered_on"] = registered_on.isoformat()
            if data["code"] != current.data["code"]:
                await _claim(tx, f"subject-code:{data['code']}", subject_id, Conflict(
                    f"A subject with code {data['code']} is already registered.",
                    f"Đã có chủ thể đăng ký với mã {data['code']}.", code="subject-code-taken"))
                await tx.delete(CLAIMS.name, f"subject-code:{current.data['code']}")
            data |= {"locality": locality(data["province"], data["commune"]),
                     "updated_by": caller.user_id, "updated_at": self.clock.stamp()}
            doc = await tx.update(SUBJECTS.name, subject_id, data,
                                  expected_version=current.version)
            await self.history.record(tx, "subject", doc, current.data, caller.user_id, "updated")
            await self.outbox.emit(tx, SubjectUpdated(**subject_state(doc).model_dump()),
                                   aggregate_id=doc.id, sequence=doc.version)
        return doc

    # --- products -------------------------------------------------------------------------

    async def register_product(self, caller: Caller, **fields: Any) -> Document:
        async with self.store.transaction() as tx:
            return await self._add_product(tx, caller, **fields)

    async def _add_product(self, tx: Transaction, caller: Caller, *, subject_id: str,
                           name: str, group: str, subgroup: str, description: str = "",
                           gtin: str | None = None,
                           registered_on: date | None = None) -> Document:
        subject = await tx.get(SUBJECTS.name, subject_id)
        if subject is None:
            raise domain.invalid("subject_id", f"no subject '{subject_id}'",
                                 f"không có chủ thể '{subject_id}'")
        check(RULES["product.change"], caller, SubjectRef.of(subject.id, subject.data))
        domain.check_product_group(group, subgroup)
        registered_on = registered_on or self.clock.today()
        domain.check_registered_on(registered_on, self.clock.today())
        gtin = domain.normalize_gtin(gtin) if gtin else None
        product_id = new_id()
        if gtin:
            await _claim(tx, f"gtin:{gtin}", product_id, _gtin_taken(gtin))
        doc = await tx.insert(PRODUCTS.name, product_id, {
            "subject_id": subject_id, "name": name, "group": group, "subgroup": subgroup,
            "description": description or "", "gtin": gtin, "images": [], "status": "draft",
            "registered_on": registered_on.isoformat(),
            "created_by": caller.user_id, "created_at": self.clock.stamp()})
        await self.history.record(tx, "product", doc, {}, caller.user_id, "created")
        await self.outbox.emit(tx, ProductRegistered(**self.product_state(doc)),
                               aggregate_id=doc.id, sequence=doc.version)
        return doc

    # --- imports --------------------------------------------------------------------------

    async def import_rows(self, caller: Caller, kind: str, parsed: Parsed, *, partial: bool,
                          progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """Register every parsed row in one transaction. All or nothing unless ``partial``:
        one refused row (unreadable, invalid, duplicate, unknown subject) and nothing is
        written, and the report names each refused row, field and reason."""
        problems = list(parsed.problems)
        created: list[str] = []
        async with self.store.transaction() as tx:
            for row_number, row in parsed.rows:
                try:
                    if kind == "subjects":
                        doc = await self._add_subject(tx, caller, **row)
                    else:
                        subject_id = await _subject_by_code(tx, row.pop("subject_code"))
                        doc = await self._add_product(tx, caller, subject_id=subject_id, **row)
                    created.append(doc.id)
                except AppError as exc:
                    problems.append(RowProblem(row_number, exc.errors or [
                        FieldError("row", exc.message, exc.message_vi)]))
                if progress is not None:
                    progress(1)
            if problems and not partial:
                raise ImportRejected(problems)  # leaving the transaction rolls it all back
        problems.sort(key=lambda p: p.row)
        return {"kind": kind, "created": len(created), "ids": created,
                "rejected": [p.as_dict() for p in problems],
                "mode": "partial" if partial else "all-or-nothing"}

    async def product(self, product_id: str) -> Document:
        return await get_existing(self.store, PRODUCTS.name, product_id, "product", "sản phẩm")

    async def update_product(self, caller: Caller, product_id: str,
                             changes: dict[str, Any]) -> Document:
        """Change a product. Once it is submitted, a producer's change to its identity
        (name, group, sub-group, GTIN) waits for the office (``decide_identity``); the rest
        applies at once."""
        if "gtin" in changes:
            changes["gtin"] = domain.normalize_gtin(changes["gtin"]) if changes["gtin"] else None
        async with self.store.transaction() as tx:
            current = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
            held = domain.held_for_approval(current.data["status"], caller, changes,
                                            current.data)
            data = current.data | {k: v for k, v in changes.items() if k not in held}
            if held:
                proposed = data | held
                domain.check_product_group(proposed["group"], proposed["subgroup"])
                if held.get("gtin"):
                    await _check_gtin_free(tx, held["gtin"], product_id)
                data |= {"pending_identity": {"changes": held, "by": caller.user_id,
                                              "at": self.clock.stamp()}, "identity_pending": True}
            data = await self._apply_identity(tx, current, data)
            return await self._save_product(tx, current, data, caller, ProductUpdated,
                                            "identity-change-proposed" if held else "updated")

    async def decide_identity(self, caller: Caller, product_id: str, approve: bool,
                              note: str) -> Document:
        """The office approves or rejects a producer's change to the product's identity."""
        async with self.store.transaction() as tx:
            current = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
            pending = domain.check_pending_identity(current.data.get("pending_identity"))
            data = {k: v for k, v in current.data.items() if k != "pending_identity"}
            data["identity_pending"] = False
            if approve:
                data = await self._apply_identity(tx, current, data | pending["changes"])
            data["last_identity_decision"] = {**pending, "approved": approve, "note": note,
                                              "decided_by": caller.user_id,
                                              "at": self.clock.stamp()}
            return await self._save_product(
                tx, current, data, caller, ProductUpdated,
                "identity-change-approved" if approve else "identity-change-rejected")

    async def _apply_identity(self, tx: Transaction, current: Document,
                              data: dict[str, Any]) -> dict[str, Any]:
        """Check the group, and move the GTIN: a new one is claimed; the one it replaces
        stays this product's for good (printed labels carry it) and is announced retired."""
        domain.check_product_group(data["group"], data["subgroup"])
        before, after = current.data["gtin"], data["gtin"]
        if after == before:
            return data
        if after:
            await _check_gtin_free(tx, after, current.id)
            if await tx.get(CLAIMS.name, f"gtin:{after}") is None:
                await _claim(tx, f"gtin:{after}", current.id, _gtin_taken(after))
        former = [g for g in current.data.get("former_gtins", []) if g != after]
        if before:
            former.append(before)
            # Its own aggregate: a GTIN is retired once (it stays this product's for good).
            await self.outbox.emit(tx, ProductGtinRetired(product_id=current.id, gtin=before),
                                   aggregate_id=f"gtin:{before}", sequence=1)
        return data | {"former_gtins": former}

    async def add_image(self, caller: Caller, product_id: str, content_type: str,
                        data: bytes) -> tuple[Document, str]:
        """Keep the upload as sent, privately, and serve only its web renditions
        (``shared.images``): decoded and drawn again, without metadata."""
        await self.product(product_id)  # before storing a file for a product that is not there
        extension = domain.check_image(content_type, data)
        renditions = await asyncio.to_thread(web_renditions, data)
        image_id = new_id()
        folder = f"products/{product_id}/images/{image_id}"
        original = await self.objects.put(f"{folder}/original.{extension}", data,
                                          content_type.split(";")[0].strip().lower())
        keys = {}
        for width, rendition in renditions.items():
            keys[str(width)] = f"{folder}/w{width}.webp"
            await self.objects.put(keys[str(width)], rendition.data, rendition.content_type)
        largest = renditions[max(renditions)]
        async with self.store.transaction() as tx:
            current = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
            images = [*current.data["images"], {
                "id": image_id, "renditions": keys, "width": largest.width,
                "height": largest.height, "original": {
                    "key": original.key, "content_type": original.content_type,
                    "size": original.size}}]
            doc = await self._save_product(tx, current, current.data | {"images": images},
                                           caller, ProductUpdated)
        return doc, self.image_url(product_id, image_id)

    async def image(self, product_id: str, image_id: str, width: int) -> tuple[bytes, str]:
        """An image at one of the web widths. Images stored before renditions were made
        (``key``: the upload itself) are drawn again at each request, never sent as sent."""
        product = await self.product(product_id)
        for image in product.data["images"]:
            if image["id"] != image_id:
                continue
            if "renditions" in image:
                content = await self.objects.get(image["renditions"][str(width)])
                return content.data, content.content_type
            upload = await self.objects.get(image["key"])
            rendition = (await asyncio.to_thread(web_renditions, upload.data))[width]
            return rendition.data, rendition.content_type
        raise NotFound(f"Product {product_id} has no image {image_id}.",
                       f"Sản phẩm {product_id} không có ảnh {image_id}.")

    async def submit_product(self, caller: Caller, product_id: str,
                             paper_dossier: str | None = None) -> Document:
        async with self.store.transaction() as tx:
            current = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
            dossier = await tx.get(DOSSIERS.name, product_id)
            stages = domain.stage_statuses(dossier.data["cycle"] if dossier else [])
            domain.check_may_submit(caller, current.data["status"], stages.get("dossier"),
                                    paper_dossier)
            data = current.data | {"status": "submitted", "submitted_at": self.clock.stamp()}
            if stages.get("dossier") != "accepted":
                data["paper_dossier"] = paper_dossier
            return await self._save_product(tx, current, data, caller, ProductSubmitted,
                                            "submitted")

    async def _save_product(self, tx: Transaction, current: Document, data: dict[str, Any],
                            caller: Caller, event: type[ProductUpdated | ProductSubmitted],
                            action: str = "updated") -> Document:
        data |= {"updated_by": caller.user_id, "updated_at": self.clock.stamp()}
        doc = await tx.update(PRODUCTS.name, current.id, data, expected_version=current.version)
        await self.history.record(tx, "product", doc, current.data, caller.user_id, action)
        await self.outbox.emit(tx, event(**self.product_state(doc)), aggregate_id=doc.id,
                               sequence=doc.version)
        return doc

    def image_url(self, product_id: str, image_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/products/{product_id}/images/{image_id}"

    def product_state(self, doc: Document) -> dict[str, Any]:
        d = doc.data
        return ProductState(
            product_id=doc.id, subject_id=d["subject_id"], name=d["name"], group=d["group"],
            subgroup=d["subgroup"], description=d["description"], gtin=d["gtin"],
            image_urls=[self.image_url(doc.id, i["id"]) for i in d["images"]],
            status=d["status"], registered_on=d.get("registered_on")).model_dump(mode="json")


class ImportRejected(AppError):
    """All-or-nothing import with refused rows: nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        problems = sorted(problems, key=lambda p: p.row)
        rows = ", ".join(str(p.row) for p in problems[:20])
        super().__init__(
            f"Nothing was imported: {len(problems)} row(s) were refused ({rows}). Fix them, "
            "or import with partial=true to keep the valid rows.",
            f"Chưa nhập dòng nào: {len(problems)} dòng bị từ chối ({rows}). Hãy sửa các dòng "
            "này, hoặc nhập với partial=true để giữ các dòng hợp lệ.", "import-rejected", 422,
            [FieldError(f"row {p.row}: {e.field}", e.message, e.message_vi)
             for p in problems for e in p.errors])
        self.problems = problems


async def _subject_by_code(tx: Transaction, code: str) -> str:
    """The subject registered under ``code``, however the office wrote it."""
    candidates = {code.strip().upper()}
    for kind in SubjectType:
        try:
            candidates.add(domain.normalize_subject_code(kind, code))
        except AppError:
            continue
    for candidate in candidates:
        page = await tx.find(SUBJECTS.name, {"code": candidate}, limit=1)
        if page.items:
            return page.items[0].id
    raise domain.invalid("subject_code", f"no subject is registered with code {code}",
                         f"không có chủ thể nào đăng ký với mã {code}")


def subject_state(doc: Document) -> SubjectState:
    d = doc.data
    return SubjectState(subject_id=doc.id, type=d["type"], name=d["name"], code=d["code"],
                        province=d["province"], commune=d["commune"],
                        district=d.get("district"), registered_on=d.get("registered_on"))


def caller_of(user: Document) -> Caller:
    return Caller(user_id=user.id, username=user.id, role=Role(user.data["role"]),
                  subject_id=user.data.get("subject_id"), commune=user.data.get("commune"),
                  province=user.data.get("province"))


def _gtin_taken(gtin: str) -> Conflict:
    return Conflict(f"Another product already has the GTIN {gtin}.",
                    f"Đã có sản phẩm khác dùng GTIN {gtin}.", code="gtin-taken")
