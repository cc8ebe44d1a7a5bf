"""Server-rendered bar charts: the geometry of an inline SVG, so the screen, its PDF and a
browser without JavaScript show the same picture and nothing is fetched from a CDN."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH = 520
LABEL_W = 110
ROW_H = 26
BAR_H = 16
PALETTE = ("#1a3a6b", "#8fa8cf", "#f0a202", "#c62828")


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    value: Any
    text_x: float
    anchor: str = "start"  # the value's label: inside a stacked bar (middle) or after it
    ink: str = "#333"

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Row:
    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    series: list[tuple[str, str]]  # (name, colour) for the legend
    rows: list[Row]
    width: int
    height: int


def hbars(
    title: str, series: list[str], rows: list[tuple[str, list[float]]], *, stacked: bool
) -> Chart:
    """Horizontal bars, one row per label: the series side by side (grouped) or end to end
    (stacked), scaled to the largest row."""
    colours = list(zip(series, PALETTE, strict=False))
    span = WIDTH - LABEL_W - 40
    if stacked:
        top = max((sum(values) for _label, values in rows), default=0) or 1
    else:
        top = max((max(values, default=0) for _label, values in rows), default=0) or 1
    per_row = ROW_H if stacked else max(ROW_H, len(series) * (BAR_H // 2 + 4) + 6)
    out: list[Row] = []
    for i, (label, values) in enumerate(rows):
        y = 8 + i * per_row
        row = Row(label=label, y=y + per_row / 2)
        x = float(LABEL_W)
        for j, (value, (_name, colour)) in enumerate(zip(values, colours, strict=False)):
            width = span * (value or 0) / top
            if stacked:
                bar = Bar(
                    x, y + (per_row - BAR_H) / 2, width, BAR_H, colour, value, x + width / 2,
                    "middle", "#fff" if j in (0, 3) else "#000",
                )  # fmt: skip
                x += width
            else:
                height = BAR_H // 2 + 2
                bar_y = y + 3 + j * (height + 2)
                bar = Bar(LABEL_W, bar_y, width, height, colour, value, LABEL_W + width + 4)
            row.bars.append(bar)
        out.append(row)
    return Chart(title, colours, out, WIDTH, int(16 + len(rows) * per_row))
