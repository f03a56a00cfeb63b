"""Benchmark of label sheets: how fast a sheet of N serial labels is drawn, the way the
traceability service draws it (in a worker process, a part of about 500 labels at a time,
the parts then joined), and how large the PDF is.

    python bench/labels.py [--labels 10000] [--width 60] [--height 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from services.traceability import domain, sheet_pdf
from services.traceability.label_sheets import SheetLayout, new_serial
from services.traceability.printing import part_size
from services.traceability.sheet_pdf import Code, LabelFace, draw_part, join_parts
from shared.workers import WorkerProcess

console = Console()
GTIN = "08935049510000"


async def main(labels: int, width: float, height: float) -> None:
    layout = SheetLayout.chosen(width, height, None)
    face = LabelFace("Nước mắm Khánh Hòa cá cơm 40 độ đạm", 4, "NM-2026-11",
                     date(2026, 11, 2), None, date(2028, 11, 1), GTIN)
    batch_url = domain.batch_scan_url("https://truyxuat.ocop.khanhhoa.gov.vn", "p", GTIN,
                                      face.lot)
    codes = [Code(domain.unit_scan_url(batch_url, s), s)
             for s in (new_serial() for _ in range(labels))]
    per_part = part_size(layout)
    worker = WorkerProcess(sheet_pdf.warm_up)
    await worker.run(pow, 1, 1)  # warmed up: the service's worker is, too
    parts, part_seconds = [], []
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("drawing", total=labels)
        for start in range(0, labels, per_part):
            began = time.perf_counter()
            parts.append(await worker.run(draw_part, face, layout,
                                          codes[start:start + per_part], "bench"))
            part_seconds.append(time.perf_counter() - began)
            progress.update(task, completed=min(labels, start + per_part))
    drawn = time.perf_counter()
    pdf = parts[0] if len(parts) == 1 else await worker.run(join_parts, parts)
    joined = time.perf_counter()
    await worker.close()

    table = Table(title=f"{labels:,} serial labels, {width:g} × {height:g} mm, "
                        f"{layout.per_page} per A4 page")
    for column in ("labels/s", "total s", "parts", "part s (median / max)", "join s",
                   "pages", "PDF MB", "KB / page"):
        table.add_column(column, justify="right")
    pages = layout.pages(labels)
    table.add_row(f"{labels / (joined - started):,.0f}", f"{joined - started:.1f}",
                  str(len(parts)),
                  f"{statistics.median(part_seconds):.2f} / {max(part_seconds):.2f}",
                  f"{joined - drawn:.2f}", str(pages), f"{len(pdf) / 1e6:.1f}",
                  f"{len(pdf) / 1e3 / pages:.0f}")
    console.print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--width", type=float, default=60)
    parser.add_argument("--height", type=float, default=30)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.labels, arguments.width, arguments.height))
