"""Real mail from public mail software's test suites, read as its .json says a person reads it."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.mail.classify import classify_bytes
from assistant.mail.scoring import load_cases, normalised, score
from tests.paths import TESTS

CORPUS = TESTS / "corpus_real"
CASES = sorted(CORPUS.glob("*.eml"))
# Test data the held-out evaluation sets (data/eval/heldout/realmail-b and -c) are drawn from;
# none of it may be in this set.
HELD_OUT_SOURCES = (
    *("zammad", "znuny", "otrs", "bestpractical", "mimekit", "spamscope", "notmuch"),
    *("redmine", "openproject", "chatwoot", "django-mailbox"),
)


def _label(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def test_the_set_is_large_paired_and_every_file_has_its_source() -> None:
    assert len(CASES) >= 200
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        manifest = {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}
    assert set(manifest) == {p.name for p in CASES}
    for path in CASES:
        source = _label(path)["source"]
        assert source["repo"] and source["path"] and source["licence"], path.name
        assert manifest[path.name]["licence"] == source["licence"]
        named = f"{source['repo']} {source['path']}".lower()
        assert not any(word in named for word in HELD_OUT_SOURCES), path.name


def test_the_set_covers_every_kind_of_reading() -> None:
    labels = [_label(p) for p in CASES]
    kinds = [label["kind"] for label in labels]
    assert kinds.count("bounce") >= 70
    assert kinds.count("auto_reply") >= 8
    assert sum(label["new_text"] is not None for label in labels) >= 80
    bounces = [label["bounce"] for label in labels if label["kind"] == "bounce"]
    assert {b["hard"] for b in bounces} == {True, False}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_real_message_is_read_as_labelled(path: Path) -> None:
    want = _label(path)
    got = classify_bytes(path.read_bytes(), today=date(2025, 1, 1))
    assert got["kind"] == want["kind"]
    if want["bounce"] is not None:
        assert sorted(got["bounce"]["recipients"]) == sorted(want["bounce"]["recipients"])
        assert got["bounce"]["hard"] is want["bounce"]["hard"]
    if want["new_text"] is not None:
        assert normalised(got["reply_text"]) == normalised(want["new_text"])


def test_score_counts_each_figure_over_the_whole_set() -> None:
    report = score(load_cases(CORPUS))
    assert report.messages == len(CASES) and not report.crashes
    assert report.bounce_recognised.total == sum(_label(p)["kind"] == "bounce" for p in CASES)
    assert report.bounce_recognised.percent >= 97
    assert report.recipients.percent >= 95
    assert report.hard_soft.percent >= 95
    assert report.auto_replies.right == report.auto_replies.total
    assert report.new_text.percent >= 90
