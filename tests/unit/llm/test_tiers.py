"""The tier of a point that holds the lead's own count."""

from __future__ import annotations

from assistant.llm.tiers import fitting, has_tiers

PLANS = [
    "Ward plan (up to 150 staffed beds): £3.70 per staffed bed per month.",
    "Hospital plan (151–800 staffed beds): £3.15 per staffed bed per month.",
    "Network plan (over 800 beds): custom quote.",
]


def test_the_tier_holding_the_count_is_the_answer() -> None:
    fit = fitting(PLANS, "What would it cost? We have 420 staffed beds.")
    assert (
        fit is not None and fit.text.startswith("Hospital plan") and fit.count == "420 staffed beds"
    )
    assert fitting(PLANS, "We run 900 beds across three sites.").text.startswith("Network")  # type: ignore[union-attr]


def test_segments_of_one_point_are_tiers_too_and_open_ended_ones_come_last() -> None:
    line = [
        "Timeline: up to 50 sites in 6 weeks; 51–200 sites in 10 weeks; above 200 sites custom."
    ]
    assert fitting(line, "We have 64 sites.") == fitting(line, "64 sites, roughly")
    assert fitting(line, "We have 64 sites.").text == "51–200 sites in 10 weeks"  # type: ignore[union-attr]
    plans = ["Essentials: up to 10 users.", "Professional: unlimited users."]
    assert fitting(plans, "We are 17 users.").text == "Professional: unlimited users"  # type: ignore[union-attr]


def test_no_count_of_the_same_unit_fits_nothing() -> None:
    assert fitting(PLANS, "We have 64 store rooftops.") is None
    assert fitting(PLANS, "How much is it?") is None
    assert has_tiers(PLANS[0]) and not has_tiers("Billed annually; all prices exclude VAT.")
