"""Golden corpus: every message in tests/corpus is understood as its .json says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.mail.classify import classify_bytes
from assistant.mail.parse import parse_message
from tests.paths import TESTS

CORPUS = TESTS / "corpus"
CASES = sorted(CORPUS.glob("*.eml"))


def _expected(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_corpus_is_large_and_paired() -> None:
    assert len(CASES) >= 150
    assert all(p.with_suffix(".json").exists() for p in CASES)


def _check_headers(raw: bytes, want: dict[str, Any]) -> None:
    msg = parse_message(raw)
    h = msg.headers
    got = {
        "from_email": h.from_.email if h.from_ else None,
        "from_name": h.from_.name if h.from_ else None,
        "subject": h.subject,
        "message_id": h.message_id,
        "in_reply_to": h.in_reply_to,
    }
    for key, value in want.items():
        if key == "no_header":
            assert value not in msg.raw_headers
            assert all("\r" not in v and "\n" not in v for v in msg.raw_headers.values())
        else:
            assert got[key] == value, key


def _check_events(events: list[dict[str, Any]], want: dict[str, Any]) -> None:
    assert sorted({e["type"] for e in events}) == sorted(set(want["events"]))
    for detail in want.get("event_details", []):
        assert any(all(e.get(k) == v for k, v in detail.items()) for e in events), detail
    for event in events:
        assert event["evidence"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_message_is_understood(path: Path) -> None:
    raw = path.read_bytes()
    want = _expected(path)
    got = classify_bytes(raw, today=date.fromisoformat(want["today"]))
    assert got["kind"] == want["kind"]
    if want["kind"] == "quarantined":
        assert want["reason_contains"] in got["reason"]
        return
    assert got["intent"] == want["intent"]
    assert got["opt_out"] == want["opt_out"]
    assert got["return_date"] == want["return_date"]
    if want["bounce"] is None:
        assert got["bounce"] is None
    else:
        assert got["bounce"] is not None
        for key, value in want["bounce"].items():
            assert got["bounce"][key] == value, key
    _check_events(got["events"], want)
    for text in want["reply_contains"]:
        assert text in got["reply_text"]
    for text in want["reply_excludes"]:
        assert text not in got["reply_text"]
    if "headers" in want:
        _check_headers(raw, want["headers"])
    if "attachments" in want:
        found = [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in parse_message(raw).attachments
        ]
        for attachment in want["attachments"]:
            assert attachment in found
