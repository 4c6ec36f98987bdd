"""Geometry of the dashboard's charts, drawn as inline SVG by the templates (no JavaScript).

Pure functions: they place bars in a fixed view box and give every mark its value, so the
templates only draw. Colours contrast at least 3:1 with the white background (WCAG 1.4.11,
graphical objects); stacked segments are also separated by a white line, and every chart has a
legend in text and its data table right behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from civique.reporting.tables import fr_number

# Contrast with white: 15.9, 5.4, 5.6, 7.9, 6.5, 7.6, 6.3, 11.4 (all above 3:1, most above 4.5:1).
PALETTE = (
    "#000091",
    "#b34000",
    "#18753c",
    "#6e445a",
    "#715800",
    "#a60e0e",
    "#006a6f",
    "#3a3a3a",
)
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 64


@dataclass
class Segment:
    y: float
    height: float
    colour: str
    name: str
    value: int


@dataclass
class Bar:
    x: float
    width: float
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    legend: list[tuple[str, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 18
    right_x: float = WIDTH - RIGHT
    rotate: bool = False  # slanted labels under many bars


def nice_top(value: int) -> int:
    """A round maximum at or above ``value`` for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def grouped_series(series: dict[str, list[int]], others: str) -> dict[str, list[int]]:
    """At most one series per palette colour, so no two share one: beyond that, the largest
    ``len(PALETTE) - 1`` (by total) are kept, in their order, and the rest summed as
    ``others``. The data table beside the chart keeps every series."""
    if len(series) <= len(PALETTE):
        return dict(series)
    ranked = sorted(series, key=lambda name: (-sum(series[name]), name))
    kept = set(ranked[: len(PALETTE) - 1])
    length = len(next(iter(series.values())))
    rest = [0] * length
    found = {}
    for name, values in series.items():
        if name in kept:
            found[name] = list(values)
        else:
            rest = [a + b for a, b in zip(rest, values, strict=True)]
    found[others] = rest
    return found


def stacked_bars(
    title: str, description: str, labels: list[str], series: dict[str, list[int]]
) -> Chart:
    """Vertical bars, one per label (short: the data table gives the full one), stacked by
    series (channel...)."""
    names = list(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(labels))]
    top = nice_top(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    bars = []
    for i, label in enumerate(labels):
        bar = Bar(x=LEFT + i * slot + slot * 0.15, width=slot * 0.7, label=label, total=totals[i])
        base = HEIGHT - BOTTOM
        for name in names:
            value = series[name][i]
            if not value:
                continue
            h = plot_h * value / top
            base -= h
            bar.segments.append(Segment(base, h, colours[name], name, value))
        bars.append(bar)
    # Whole numbers on the axis: five steps from 5 up (1, 2, 5 × 10^n divide by 5), else one.
    steps = 5 if top >= 5 else top
    ticks = [
        Tick(HEIGHT - BOTTOM - plot_h * k / steps, fr_number(top * k // steps))
        for k in range(steps + 1)
    ]
    legend = [(name, colours[name]) for name in names] if len(names) > 1 else []
    return Chart(title, description, bars, ticks, legend, rotate=len(labels) > 6)


@dataclass
class HBar:
    y: float
    width: float
    label: str
    value: float | None
    text: str


@dataclass
class HChart:
    title: str
    description: str
    bars: list[HBar]
    width: int
    height: int
    left: int
    plot_width: int
    colour: str = PALETTE[0]
    bar_height: int = 22


def horizontal_bars(
    title: str, description: str, items: list[tuple[str, float | None, str]]
) -> HChart:
    """One horizontal bar per item (label, percentage 0–100 or None, text to show)."""
    left, plot_width, step = 220, 340, 34
    bars = [
        HBar(8 + i * step, plot_width * (value or 0) / 100, label, value, text)
        for i, (label, value, text) in enumerate(items)
    ]
    return HChart(
        title, description, bars, left + plot_width + 180, 16 + step * len(items), left, plot_width
    )
