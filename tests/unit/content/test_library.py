"""The content library: every bad file is named with its field, the sample library is clean."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant.content.library import (
    STAGES,
    TYPES,
    load_item,
    load_library,
    load_library_report,
)
from assistant.errors import ContentError
from tests.paths import ROOT

SAMPLE = ROOT / "data" / "content"
TODAY = date(2026, 11, 22)

GOOD = """\
---
slug: pricing-guide
title: "Pricing Guide"
type: white_paper
url: https://acme.test/resources/pricing-guide
stage: decision
topics: [pricing, Licensing]
personas: [finance, sales leader]
industries: [Financial Services]
summary: What each plan costs.
---

- Three plans, priced per user.
- Viewers are free.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_item_loads_with_normalised_lists(tmp_path: Path) -> None:
    item = load_item(write(tmp_path, "pricing.md", GOOD))
    assert (item.slug, item.type, item.stage) == ("pricing-guide", "white_paper", "decision")
    assert item.topics == ("pricing", "licensing")
    assert item.personas == ("finance", "sales_leader")
    assert item.industries == ("financial_services",)
    assert item.body.startswith("- Three plans")
    assert item.source == (tmp_path / "pricing.md").resolve()
    assert item.is_available(TODAY)


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('title: "Pricing Guide"\n', "", "title", "is missing"),
        ("stage: decision", "stage: negotiation", "stage", "'negotiation' is not one of"),
        ("type: white_paper", "type: podcast!", "type", "'podcast!' is not a type name"),
        ("url: https://acme.test/resources/pricing-guide", "url: ftp://acme.test/x", "url", "http"),
        ("url: https://acme.test/resources/pricing-guide", "url: acme.test/x", "url", "http"),
        ("slug: pricing-guide", "slug: Pricing_Guide", "slug", "lowercase letters"),
        ("slug: pricing-guide", "slug: pricing--guide", "slug", "single hyphens"),
        ("topics: [pricing, Licensing]", "topics: []", "topics", "at least one"),
        ("topics: [pricing, Licensing]", "topics: pricing", "topics", "must be a list"),
        ("personas: [finance, sales leader]", "personas: finance", "personas", "must be a list"),
        ("summary: What each plan costs.", "summary: [a, b]", "summary", "non-empty text"),
        ("summary: What each plan costs.\n", "summary: x\ntopic: y\n", "topic", "unknown field"),
        ("summary: What each plan costs.\n", "summary: x\nretired: maybe\n", "retired", "true"),
        ("summary: What each plan costs.\n", "summary: x\nexpires: soon\n", "expires", "date"),
        (
            "summary: What each plan costs.\n",
            "summary: x\nexpire: 2027-01-01\n",
            "expire",
            "expires",
        ),
        (
            "summary: What each plan costs.\n",
            "summary: x\nfile: files/no.pdf\n",
            "file",
            "not found",
        ),
    ],
)
def test_each_bad_field_is_named_with_the_file(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, "pricing.md", GOOD.replace(old, new))
    with pytest.raises(ContentError) as caught:
        load_item(path)
    assert caught.value.field == field
    message = str(caught.value)
    assert message.startswith(f"{path}: field '{field}': ")
    assert problem in message


def test_authors_spellings_of_types_personas_and_industries_are_understood(
    tmp_path: Path,
) -> None:
    text = (
        GOOD.replace("type: white_paper", "type: White Paper")
        .replace("personas: [finance, sales leader]", "personas: [CFO, VP Sales]")
        .replace("industries: [Financial Services]", "industries: [all]")
        .replace("summary:", "author: Jane Doe\ndate: 2026-03-01\nsummary:")
    )
    item = load_item(write(tmp_path, "p.md", text))
    assert item.type == "white_paper" and item.event_date is None
    assert item.personas == ("cfo", "vp_sales")
    assert item.industries == ()
    tool = load_item(write(tmp_path, "t.md", GOOD.replace("type: white_paper", "type: tool")))
    assert tool.type == "calculator"
    bofu = load_item(write(tmp_path, "s.md", GOOD.replace("stage: decision", "stage: BOFU")))
    assert bofu.stage == "decision"


def test_a_marketers_own_types_and_roles_are_kept_as_written(tmp_path: Path) -> None:
    """A library from another team names kinds and roles of its own; none of them is an error."""
    text = GOOD.replace("type: white_paper", "type: Podcast").replace(
        "personas: [finance, sales leader]", "personas: [fleet manager, it, HR]"
    )
    item = load_item(write(tmp_path, "p.md", text))
    assert item.type == "podcast"
    assert item.personas == ("fleet_manager", "it", "hr")


def test_personas_industries_and_the_body_may_be_left_out(tmp_path: Path) -> None:
    bare = (
        GOOD.replace("personas: [finance, sales leader]\n", "")
        .replace("industries: [Financial Services]\n", "")
        .split("---\n\n")[0]
        + "---\n"
    )
    item = load_item(write(tmp_path, "bare.md", bare))
    assert (item.personas, item.industries, item.body) == ((), (), "")


def test_a_webinar_keeps_its_date_timezone_aware_and_may_be_on_demand(tmp_path: Path) -> None:
    webinar = GOOD.replace("type: white_paper", "type: webinar")
    assert load_item(write(tmp_path, "w.md", webinar)).event_date is None
    dated = webinar.replace("stage: decision", "stage: decision\ndate: 2026-12-10T17:00:00")
    assert load_item(write(tmp_path, "w.md", dated)).event_date == datetime(
        2026, 12, 10, 17, tzinfo=UTC
    )


def test_yaml_syntax_error_names_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", GOOD.replace("topics: [pricing, Licensing]", "topics: [a, b"))
    with pytest.raises(ContentError) as caught:
        load_item(path)
    assert str(path) in str(caught.value)
    assert "YAML syntax error on line" in str(caught.value)


def test_an_unquoted_colon_in_a_value_is_named_with_the_fix(tmp_path: Path) -> None:
    text = GOOD.replace("summary: What each plan costs.", "summary: For 14 kg: rent and fees")
    with pytest.raises(ContentError) as caught:
        load_item(write(tmp_path, "colon.md", text))
    message = str(caught.value)
    line = text.splitlines().index("summary: For 14 kg: rent and fees") + 1
    assert f"YAML syntax error on line {line}: mapping values are not allowed here" in message
    assert "needs quotes around it" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter here\n", "the first line must be '---'"),
        ("---\nslug: x\n", "not closed"),
        ("---\n- a\n- b\n---\nbody\n", "must be a mapping"),
    ],
)
def test_a_file_without_a_front_matter_mapping_is_refused(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path, "odd.md", text)
    with pytest.raises(ContentError, match=problem) as caught:
        load_item(path)
    assert str(caught.value).startswith(str(path))


def test_an_attached_file_is_resolved_and_hashed(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "guide.pdf").write_bytes(b"%PDF-1.4 guide")
    item = load_item(
        write(tmp_path, "g.md", GOOD.replace("summary:", "file: files/guide.pdf\nsummary:"))
    )
    assert item.file == (tmp_path / "files" / "guide.pdf").resolve()
    assert item.file_sha256 == hashlib.sha256(b"%PDF-1.4 guide").hexdigest()


def test_expired_and_retired_items_are_unavailable(tmp_path: Path) -> None:
    expiring = load_item(
        write(tmp_path, "e.md", GOOD.replace("summary:", "expires: 2026-11-22\nsummary:"))
    )
    assert expiring.is_available(date(2026, 11, 22))
    assert not expiring.is_available(date(2026, 11, 23))
    retired = load_item(
        write(tmp_path, "r.md", GOOD.replace("summary:", "retired: true\nsummary:"))
    )
    assert not retired.is_available(TODAY)


def test_duplicate_slugs_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", GOOD)
    second = write(tmp_path, "b.md", GOOD)
    items, errors = load_library_report(tmp_path)
    assert [item.source for item in items] == [first.resolve()]
    assert len(errors) == 1
    assert errors[0].field == "slug"
    assert str(second) in str(errors[0]) and str(first) in str(errors[0])


def test_the_report_collects_every_error_and_load_library_raises_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a-bad.md", GOOD.replace("stage: decision", "stage: later"))
    write(tmp_path, "b-good.md", GOOD)
    write(
        tmp_path,
        "c-bad.md",
        GOOD.replace("slug: pricing-guide", "slug: other").replace("type: white_paper", "type: x"),
    )
    items, errors = load_library_report(tmp_path)
    assert [item.slug for item in items] == ["pricing-guide"]
    assert [(Path(e.source).name, e.field) for e in errors] == [
        ("a-bad.md", "stage"),
        ("c-bad.md", "type"),
    ]
    with pytest.raises(ContentError, match=r"a-bad\.md: field 'stage'"):
        load_library(tmp_path)


def test_a_missing_folder_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="is not a folder"):
        load_library(tmp_path / "nowhere")


def test_the_sample_library_loads_with_no_errors() -> None:
    items, errors = load_library_report(SAMPLE)
    assert errors == []
    assert len(items) >= 45
    assert {item.type for item in items} == set(TYPES)
    assert {item.stage for item in items} == set(STAGES)
    webinars = [item for item in items if item.type == "webinar"]
    assert any(w.event_date and w.event_date.date() < TODAY for w in webinars)
    assert any(w.event_date and w.event_date.date() > TODAY for w in webinars)
    assert any(item.expires and item.expires < TODAY for item in items)
    assert any(item.retired for item in items)
    attached = [item for item in items if item.file]
    assert len(attached) >= 2 and all(item.file and item.file.is_file() for item in attached)
    assert all(item.url.startswith("https://acme.test/") for item in items)


def test_an_item_in_another_authors_words_loads(tmp_path: Path) -> None:
    # No summary, `audience` for the personas, a webinar's `starts_at` with its zone apart.
    text = """\
---
slug: winter-webinar
title: "Cold chain in winter"
type: webinar
url: https://coldtrace.test/resources/winter
stage: consideration
topics: [winter, alarms]
audience: [Fleet manager]
language: en
starts_at: "2027-01-14T10:00:00"
timezone: Europe/Berlin
---

# Cold chain in winter

- Live on **Thursday 14 January 2027**, 60 minutes, free to attend.
- Fresh produce is more often damaged by cold than by heat in winter.
"""
    item = load_item(write(tmp_path, "winter.md", text))
    assert item.summary == "Live on Thursday 14 January 2027, 60 minutes, free to attend."
    assert item.personas == ("fleet_manager",)
    assert item.event_date == datetime(2027, 1, 14, 9, 0, tzinfo=UTC)


def test_a_webinar_zone_that_does_not_exist_is_named(tmp_path: Path) -> None:
    text = GOOD.replace("type: white_paper", "type: webinar").replace(
        "stage: decision", 'stage: decision\ndate: "2027-01-14T10:00"\ntimezone: Mars/Olympus'
    )
    with pytest.raises(ContentError) as caught:
        load_item(write(tmp_path, "bad.md", text))
    assert caught.value.field == "timezone"


def test_a_webinar_nobody_recorded_is_over_once_it_has_aired(tmp_path: Path) -> None:
    text = (
        GOOD.replace("type: white_paper", "type: webinar")
        .replace("stage: decision", 'stage: decision\ndate: "2026-11-19T15:00:00+01:00"')
        .replace("- Viewers are free.", "- Live only, not recorded: slides on request.")
    )
    item = load_item(write(tmp_path, "live.md", text))
    assert item.expires == date(2026, 11, 19)
    assert item.is_available(date(2026, 11, 19)) and not item.is_available(TODAY)
    recorded = load_item(
        write(
            tmp_path,
            "recorded.md",
            text.replace("Live only, not recorded", "Recording sent to all"),
        )
    )
    assert recorded.expires is None
