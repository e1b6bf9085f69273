"""Template filters: words for states, times the browser shows in its own zone, durations."""

from __future__ import annotations

from datetime import datetime

import jinja2
from markupsafe import Markup

LABELS = {
    "sales_ready": "Sales-ready",
    "opted_out": "Opted out",
    "follow_up": "Follow-up",
    "re_engage": "Re-engage",
    "unknown": "Outcome unknown",
}


def label(value: str | None) -> str:
    if not value:
        return ""
    return LABELS.get(value, value.replace("_", " ").capitalize())


def when(moment: datetime | None, style: str = "datetime") -> Markup:
    """A <time> the script rewrites into the reader's zone; UTC until then."""
    if moment is None:
        return Markup('<span class="muted">—</span>')
    text = f"{moment:%d %b %Y}" if style == "date" else f"{moment:%d %b %Y, %H:%M} UTC"
    return Markup('<time datetime="{}" data-local="{}">{}</time>').format(
        moment.isoformat(), style, text
    )


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.0f}%"


def sentence(value: str | None) -> str:
    """Reasons are written in lower case for logs; on a page they start a sentence."""
    return value[:1].upper() + value[1:] if value else ""


def first_name(name: str, email: str = "") -> str:
    return name.split()[0] if name.strip() else email.split("@")[0]


def install(env: jinja2.Environment) -> None:
    env.filters.update(
        label=label, when=when, duration=duration, pct=pct, first_name=first_name, sentence=sentence
    )
