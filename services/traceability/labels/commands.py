"""Printing labels for a batch: a sheet is requested (its serials stored at once, so every
printed code is genuine from the first scan), drawn in the background in the worker process
a few pages at a time (its progress readable meanwhile), and kept in the object store.

A sheet left drawing by a stopped service is taken up again by a job at start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from services.traceability.labels.artwork import LabelArtwork, render_qr
from services.traceability.labels.model import (
    LabelSheet,
    SheetKind,
    SheetLayout,
    SheetStatus,
    UnitCode,
    check_public,
)
from services.traceability.labels.pdf import LANGUAGE, Code, LabelFace, draw_part, join_parts
from services.traceability.origin.model import Batch, check_certified
from services.traceability.profiles import rules
from services.traceability.store import SHEETS, batches, profiles, sheets, unit_codes
from shared.i18n import words
from shared.identity.auth import Caller
from shared.messaging import Outbox
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.platform.workers import Worker
from shared.ports.bus.port import cancel_all
from shared.ports.objects import ObjectStore
from shared.ports.store import DocumentStore, find_all
from shared.refusals import N_, NotFound

log = logging.getLogger(__name__)

LABELS_PER_PART = 500
"""Labels drawn per call to the worker: the progress moves in steps of about this many."""


def part_size(layout: SheetLayout) -> int:
    """Labels per part: whole pages, about ``LABELS_PER_PART``."""
    return layout.per_page * max(1, LABELS_PER_PART // layout.per_page)


@dataclass
class Printing:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    worker: Worker
    scan_base_url: str
    clock: Clock
    allow_private_scan_url: bool
    """Print codes of a loopback or private scan address (tests and one-machine demos)."""
    _drawing: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    async def request(self, caller: Caller, batch_id: str, *, kind: SheetKind, count: int,
                      layout: SheetLayout) -> LabelSheet:
        check_public(self.scan_base_url, allow_private=self.allow_private_scan_url)
        async with self.store.transaction() as tx:
            batch = await batches.get(tx, batch_id)
            check_certified(await profiles.get(tx, batch.product_id), self.clock.today())
            drawing = sum([sheets.load(doc).left_to_draw async for doc in find_all(
                tx, SHEETS.name, {"subject_id": batch.subject_id,
                                  "status": SheetStatus.DRAWING})])
            sheet = LabelSheet.request(new_id(), batch.id, batch.product_id, batch.subject_id,
                                       kind=kind, count=count, layout=layout,
                                       at=self.clock.stamp(), by=caller.user_id,
                                       drawing=drawing)
            await sheets.add(tx, sheet)
            for serial in sheet.serials:
                await unit_codes.add(tx, UnitCode(UnitCode.key(batch.product_id, serial),
                                                  batch.id, batch.lot, sheet.id))
        self._start(sheet.id)
        return sheet

    async def sheet(self, sheet_id: str) -> LabelSheet:
        return await sheets.get(self.store, sheet_id)

    async def sheets_of(self, batch_id: str, limit: int, after: str | None
                        ) -> tuple[list[LabelSheet], str | None]:
        page = await self.store.find(SHEETS.name, {"batch_id": batch_id}, order_by="-id",
                                     limit=limit, after=after)
        return [sheets.load(doc) for doc in page.items], page.next_cursor

    async def pdf(self, sheet_id: str) -> tuple[LabelSheet, bytes]:
        sheet = await sheets.get(self.store, sheet_id)
        sheet.check_ready()
        return sheet, (await self.objects.get(sheet.pdf_key)).data

    # --- drawing --------------------------------------------------------------------------

    async def resume(self) -> None:
        """Take up the sheets still drawing that no task here draws (a restart)."""
        async for doc in find_all(self.store, SHEETS.name, {"status": SheetStatus.DRAWING}):
            self._start(doc.id)

    async def close(self) -> None:
        await cancel_all(list(self._drawing.values()))

    def _start(self, sheet_id: str) -> None:
        if sheet_id not in self._drawing:
            task = asyncio.create_task(self._draw(sheet_id), name=f"sheet:{sheet_id}")
            self._drawing[sheet_id] = task
            task.add_done_callback(lambda _: self._drawing.pop(sheet_id, None))

    async def _draw(self, sheet_id: str) -> None:
        sheet = await sheets.get(self.store, sheet_id)
        if sheet.status is not SheetStatus.DRAWING:
            return
        try:
            batch = await batches.get(self.store, sheet.batch_id)
            face, codes = await self._faces(sheet, batch)
            per_part = part_size(sheet.layout)
            title = words(LANGUAGE).gettext(N_("OCOP labels of %(product)s — batch %(lot)s"),
                                            product=face.product_name, lot=batch.lot)
            parts = []
            for start in range(0, len(codes), per_part):
                parts.append(await self.worker.run(draw_part, face, sheet.layout,
                                                   codes[start:start + per_part], title,
                                                   share=f"subject:{batch.subject_id}"))
                sheet = await self._saved(sheet, partial(LabelSheet.advance,
                                                         drawn=start + per_part))
            pdf = parts[0] if len(parts) == 1 else await self.worker.run(
                join_parts, parts, share=f"subject:{batch.subject_id}")
            key = f"label-sheets/{sheet.id}.pdf"
            await self.objects.put(key, pdf, "application/pdf")
            async with self.store.transaction() as tx:
                issued = sheet.finish(key, self.clock.stamp(), gtin=batch.gtin, lot=batch.lot,
                                      scan_url=self._batch_url(batch))
                sheet = await sheets.save(tx, sheet)
                await self.outbox.emit(tx, issued, aggregate_id=sheet.id,
                                       sequence=sheet.version)
        except asyncio.CancelledError:
            raise  # the service stops: drawn again from the start when it is back
        except Exception as exc:
            log.exception("label sheet %s could not be drawn", sheet_id)
            reason = type(exc).__name__
            await self._saved(sheet, lambda s: s.fail(reason, self.clock.stamp()))

    async def artwork(self, sheet_id: str, serial: str) -> LabelArtwork:
        """One unit's QR code, for a producer designing its own labels."""
        sheet = await sheets.get(self.store, sheet_id)
        if serial not in sheet.serials:
            raise NotFound(N_("This sheet printed no unit with that serial."),
                           code="serial-not-on-sheet")
        url = rules.unit_scan_url(self._batch_url(await batches.get(self.store,
                                                                     sheet.batch_id)), serial)
        return await self.worker.run(render_qr, url)

    async def batch_artwork(self, batch_id: str) -> LabelArtwork:
        """The batch's own QR code (what a batch sheet prints on every label)."""
        return await self.worker.run(render_qr, self._batch_url(
            await batches.get(self.store, batch_id)))

    def _batch_url(self, batch: Batch) -> str:
        return rules.batch_scan_url(self.scan_base_url, batch.product_id, batch.gtin,
                                     batch.lot)

    async def codes(self, sheet_id: str) -> tuple[LabelSheet, list[Code]]:
        """The sheet's codes (for a producer's own label printer), drawn yet or not."""
        sheet = await sheets.get(self.store, sheet_id)
        return sheet, self._codes(sheet, await batches.get(self.store, sheet.batch_id))

    def _codes(self, sheet: LabelSheet, batch: Batch) -> list[Code]:
        url = self._batch_url(batch)
        if sheet.kind is SheetKind.BATCH:
            return [Code(url)] * sheet.count
        return [Code(rules.unit_scan_url(url, s), s) for s in sheet.serials]

    async def _faces(self, sheet: LabelSheet, batch: Batch) -> tuple[LabelFace, list[Code]]:
        profile = await profiles.get(self.store, batch.product_id)
        assert profile.product and profile.certificate
        face = LabelFace(profile.product.name, profile.certificate.stars, batch.lot,
                         batch.dates.produced_on, batch.dates.best_before,
                         batch.dates.expires_on, batch.gtin)
        return face, self._codes(sheet, batch)

    async def _saved(self, sheet: LabelSheet, change: Callable[[LabelSheet], None]
                     ) -> LabelSheet:
        async with self.store.transaction() as tx:
            change(sheet)
            return await sheets.save(tx, sheet)

