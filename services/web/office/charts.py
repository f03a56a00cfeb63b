"""The office's charts as drawing instructions: figures in, the rectangles, lines and words
of an SVG out, which the page's template draws (``office/chart.html``). No chart library
and no script: a chart prints as it shows, and its figures stand in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.i18n.text import number_shown

WIDTH = 900
LABELS = 210
"""Room for the categories' names left of horizontal bars."""
ROW = 30
TOP, BOTTOM = 34, 34
"""Room for the legend above, for the scale's numbers (or the columns' names) below."""
LABELLED = 14
"""Columns named at most under a chart (every other one, or fewer, beyond)."""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    """Which series it shows (its colour and pattern: ``chart-s0``…)."""
    title: str
    """What it shows, in words: a pointer's tooltip and a screen reader's."""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    """The scale's lines (x1, y1, x2, y2)."""
    legend: list[tuple[int, str, float]] = field(default_factory=list)
    """(series, name, x) across the top."""

    @property
    def empty(self) -> bool:
        return not self.bars


def scale_step(top: int) -> int:
    """A round step for a scale up to ``top`` with at most five steps: 1, 2, 5, 10, 20…"""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top <= step * factor * 5:
                return step * factor
        step *= 10


def _legend(series: list[str]) -> list[tuple[int, str, float]]:
    return [(i, name, LABELS + i * 130.0) for i, name in enumerate(series)]


def _title(name: str, series: str, value: int, lang: str) -> str:
    return f"{name} — {series}: {number_shown(value, lang)}"


def stacked_rows(rows: list[tuple[str, list[int]]], series: list[str], lang: str) -> Chart:
    """Horizontal bars, one per category (a commune, a group), each stacked from its
    series (3★, 4★, 5★)."""
    top = max((sum(values) for _, values in rows), default=0)
    if top == 0:
        return Chart(WIDTH, TOP)
    step = scale_step(top)
    full = step * -(-top // step)
    room = WIDTH - LABELS - 20
    height = TOP + ROW * len(rows) + BOTTOM
    chart = Chart(WIDTH, height, legend=_legend(series))
    for tick in range(0, full + 1, step):
        x = LABELS + room * tick / full
        chart.lines.append((x, TOP - 4, x, height - BOTTOM + 4))
        chart.texts.append(Text(x, height - BOTTOM + 20, number_shown(tick, lang), "middle"))
    for row, (name, values) in enumerate(rows):
        y = TOP + row * ROW + 5
        chart.texts.append(Text(LABELS - 8, y + 15, _short(name), "end"))
        x = float(LABELS)
        for i, value in enumerate(values):
            if value:
                width = room * value / full
                chart.bars.append(Bar(x, y, width, ROW - 10, i,
                                      _title(name, series[i], value, lang)))
                x += width
        chart.texts.append(Text(x + 6, y + 15, number_shown(sum(values), lang)))
    return chart


def grouped_columns(columns: list[tuple[str, list[int]]], series: list[str], lang: str
                    ) -> Chart:
    """Vertical bars: per column (a month, a figure), one bar for each series side by
    side (this year, last year)."""
    top = max((v for _, values in columns for v in values), default=0)
    if top == 0 or not columns:
        return Chart(WIDTH, TOP)
    step = scale_step(top)
    full = step * -(-top // step)
    left, room_h, height = 50, 190, TOP + 190 + BOTTOM
    chart = Chart(WIDTH, height, legend=[(i, name, left + i * 130.0)
                                         for i, name in enumerate(series)])
    for tick in range(0, full + 1, step):
        y = TOP + room_h - room_h * tick / full
        chart.lines.append((left, y, WIDTH - 10, y))
        chart.texts.append(Text(left - 6, y + 4, number_shown(tick, lang), "end"))
    slot = (WIDTH - 10 - left) / len(columns)
    every = -(-len(columns) // LABELLED)
    bar = min(36.0, (slot - 8) / len(series))
    for c, (name, values) in enumerate(columns):
        start = left + c * slot + (slot - bar * len(series)) / 2
        for i, value in enumerate(values):
            if value:
                h = room_h * value / full
                chart.bars.append(Bar(start + i * bar, TOP + room_h - h, bar - 2, h, i,
                                      _title(name, series[i], value, lang)))
        if c % every == 0:
            chart.texts.append(Text(left + c * slot + slot / 2, height - BOTTOM + 18,
                                    _short(name, int(slot * every // 8)), "middle"))
    return chart


def _short(name: str, at: int = 28) -> str:
    return name if len(name) <= at else name[:at - 1] + "…"


def months_between(first: date, last: date) -> list[date]:
    """The first day of each month from ``first``'s to ``last``'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(year=month.year + 1, month=1) if month.month == 12
                 else month.replace(month=month.month + 1))
    return months


def per_month(days: list[date], first: date, last: date) -> list[tuple[date, int]]:
    """How many of ``days`` fall in each month from ``first`` to ``last`` (zeros too)."""
    return [(m, sum(1 for d in days if (d.year, d.month) == (m.year, m.month)))
            for m in months_between(first, last)]


def per_week(days: list[date], first: date, last: date) -> list[tuple[date, int]]:
    """How many of ``days`` fall in each week (Monday first) from ``first``'s to
    ``last``'s (zeros too)."""
    monday = date.fromordinal(first.toordinal() - first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday = date.fromordinal(monday.toordinal() + 7)
    return [(w, sum(1 for d in days if 0 <= (d - w).days < 7)) for w in weeks]


def change(now: int, before: int) -> str:
    """Which way a figure went since last year: up, down or same (the arrow's key)."""
    return "up" if now > before else "down" if now < before else "same"
