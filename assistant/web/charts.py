"""Charts drawn on the server as inline SVG: no script, no style attributes, colours from CSS."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class the stylesheet colours: s1, s2, s3, s4
    values: list[float]


def _ticks(top: float) -> list[float]:
    """Round gridline values from 0 up to at least `top`; whole numbers, since we count things."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1.0, next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))
    return [step * i for i in range(math.ceil(top / step) + 1)]


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def _frame(title: str, labels: list[str], ticks: list[float], body: list[str]) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = ticks[-1] or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in ticks:
        y = TOP + plot_h - tick / top * plot_h
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_number(tick)}</text>"
        )
    step = plot_w / max(1, len(labels))
    every = max(1, math.ceil(len(labels) / 8))  # keep x labels from overlapping at phone width
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts += body
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(title: str, labels: list[str], series: list[Series]) -> Markup:
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    ticks = _ticks(max(totals, default=0))
    top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    bar = step * 0.62
    body = []
    for i, label in enumerate(labels):
        base = 0.0
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = value / top * plot_h
            y = TOP + plot_h - (base + value) / top * plot_h
            x = LEFT + step * i + (step - bar) / 2
            body.append(
                f'<rect class="{s.css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'rx="2"><title>{escape(label)}: {escape(s.name)} {_number(value)}</title></rect>'
            )
            base += value
    return _frame(title, labels, ticks, body)


def lines(title: str, labels: list[str], series: list[Series]) -> Markup:
    ticks = _ticks(max((v for s in series for v in s.values), default=0))
    top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    body = []
    for s in series:
        points = [
            (LEFT + step * (i + 0.5), TOP + plot_h - v / top * plot_h)
            for i, v in enumerate(s.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line {s.css}" points="{path}"/>')
        body += [
            f'<circle class="dot {s.css}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(labels[i])}: {escape(s.name)} {_number(s.values[i])}</title></circle>"
            for i, (x, y) in enumerate(points)
        ]
    return _frame(title, labels, ticks, body)
