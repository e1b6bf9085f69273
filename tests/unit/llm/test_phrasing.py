"""A library key point as a line of an email."""

from __future__ import annotations

import pytest

from assistant.llm import phrasing


@pytest.mark.parametrize(
    ("point", "alone"),
    [
        ("Cloud connectors refresh every 5 minutes.", True),
        ("The recording is emailed to all registrants within 24 hours.", True),
        ("Retention: 13 months, configurable from 3 to 36.", True),
        ("Two 90-minute sessions for operators and engineers.", False),
        ("ISO/IEC 27001:2022 certified; SOC 2 Type II report under NDA.", False),
    ],
)
def test_a_point_stands_alone_when_it_is_a_sentence_or_names_its_subject(
    point: str, alone: bool
) -> None:
    assert phrasing.stands_alone(point) is alone


@pytest.mark.parametrize(
    ("point", "said"),
    [
        ("Hosted on AWS in Frankfurt.", "Brightfield is hosted on AWS in Frankfurt."),
        ("Syncs every 5 minutes.", "Brightfield syncs every 5 minutes."),
        ("Free 30-day pilot for up to 3 sites.", "Free 30-day pilot for up to 3 sites."),
        ("Retention: 13 months.", "Retention: 13 months."),
    ],
)
def test_a_subjectless_clause_gets_the_product_as_its_subject(point: str, said: str) -> None:
    assert phrasing.with_subject(point, "Brightfield") == said


def test_the_product_name_is_read_from_the_library_address_as_the_library_writes_it() -> None:
    urls = ["https://brightfield-om.test/pricing", "https://brightfield-om.test/blog/x"]
    assert phrasing.product_name(urls, ["Brightfield groups repeated alarms."]) == "Brightfield"
    assert phrasing.product_name(urls, ["No name anywhere in these points."]) == ""
    assert phrasing.with_subject("Hosted on AWS.", "") == "Hosted on AWS."
