"""Library items built in code, for ranker tests that need a small library of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.content.library import ContentSpec


def spec(slug: str, title: str, **fields: Any) -> ContentSpec:
    """A white paper for anyone at the awareness stage, unless the fields say otherwise."""
    values: dict[str, Any] = {
        "type": "white_paper",
        "url": f"https://library.test/{slug}",
        "stage": "awareness",
        "topics": (),
        "personas": (),
        "industries": (),
        "summary": title,
        "body": "",
        "file": None,
        "file_sha256": None,
        "event_date": None,
        "expires": None,
        "retired": False,
        "source": Path(f"{slug}.md"),
    }
    return ContentSpec(slug=slug, title=title, **{**values, **fields})
