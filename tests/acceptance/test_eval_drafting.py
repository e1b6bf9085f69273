"""`nurture eval drafting`: scenarios through the real pipeline offline, checks printed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.nurture_cli import NURTURE
from tests.paths import ROOT

LIBRARY = ROOT / "data" / "content"
REP = {"name": "Ana Ruiz", "title": "AE", "signature": "Ana Ruiz\nAcme"}
FIRST = {
    "from": "rep",
    "date": "2026-07-06T08:00:00+00:00",
    "subject": "Why forecasts miss",
    "text": "Hi,\n\nOur article: https://acme.test/blog/why-forecasts-miss\n\nAna",
}
TONE = {"max_words": 120, "banned_phrases": ["circling back"], "required_line": "Acme Inc."}


def scenario(id: str, reply: str, slug: str | None, **extra: object) -> dict[str, object]:
    return {
        "id": id,
        "rep": REP,
        "lead": {
            "name": "Dana Cole",
            "email": "dana@northwind.test",
            "title": "VP Sales",
            "company": "Northwind",
            "industry": "Software",
            "stage": "consideration",
        },
        "thread": [FIRST, {"from": "lead", "date": "2026-07-08T09:30:00+00:00", "text": reply}],
        "tone_rules": TONE,
        "content_slug": slug,
        "must": ["says every 5 minutes"],
        "must_not": ["defers"],
        **extra,
    }


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NURTURE, "eval", "drafting", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ),
        timeout=300,
    )


def write(tmp_path: Path, *cases: dict[str, object]) -> Path:
    path = tmp_path / "scenarios.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


def test_each_scenario_is_drafted_by_the_pipeline_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        scenario(
            "sync", "Thanks. How often does the Salesforce sync run?", "crm-integration-guide"
        ),
        scenario(
            "pause",
            "Can you reach back out around mid-September?",
            None,
            expect={"paused_until": "2026-09-15"},
        ),
        scenario("stop", "Please remove me from your mailing list.", None),
        # Dated a day later by its writer (the first day after, not the day itself): the same
        # turn; four days off is not.
        scenario(
            "day-after",
            "Can you reach back out around mid-September?",
            None,
            expect={"paused_until": "2026-09-16"},
        ),
        scenario(
            "off",
            "Can you reach back out around mid-September?",
            None,
            expect={"paused_until": "2026-09-19"},
        ),
    )
    done = run(tmp_path, str(path), "--library", str(LIBRARY), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    sync, pause, stop, day_after, off = report["scenarios"]
    for case, passed in ((day_after, True), (off, False)):
        found = {c["name"]: c for c in case["checks"]}["turn: paused"]
        assert found["passed"] is passed, found
    checks = {c["name"]: c for c in sync["checks"]}
    assert {
        "required line",
        "banned phrases",
        "length",
        "language",
        "links",
        "numbers",
        "answers",
    } <= set(checks)
    assert all(c["passed"] for c in sync["checks"]), sync["checks"]
    assert "every 5 minutes" in sync["draft"]
    assert sync["content"] == "crm-integration-guide"
    assert sync["must"] == ["says every 5 minutes"]
    assert pause["paused_until"] == "2026-09-15"
    paused = {c["name"]: c["passed"] for c in pause["checks"]}
    assert paused["turn: paused"] is True
    assert stop["draft"] is None and stop["lead_status"] == "opted_out"
    assert report["totals"]["scenarios"] == 5
    assert report["totals"]["checks"]["answers"] == {"passed": 1, "of": 1}


def test_the_text_report_prints_must_and_must_not_beside_the_draft(tmp_path: Path) -> None:
    path = write(
        tmp_path, scenario("sync", "How often does the sync run?", "crm-integration-guide")
    )
    done = run(tmp_path, str(path), "--library", str(LIBRARY))
    assert done.returncode == 0, done.stderr
    assert "   | Hi Dana," in done.stdout
    assert "   must: says every 5 minutes" in done.stdout
    assert "   must not: defers" in done.stdout
    assert "Totals: " in done.stdout


def test_a_bad_line_is_named_and_nothing_runs(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.jsonl"
    path.write_text(json.dumps(scenario("ok", "Hi?", None)) + "\n{not json\n", encoding="utf-8")
    done = run(tmp_path, str(path), "--library", str(LIBRARY))
    assert done.returncode == 1
    assert done.stderr.strip().startswith(f"Error: {path}, line 2: not valid JSON")
    assert "Traceback" not in done.stderr
    missing = run(tmp_path, str(path), "--library", str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert "the library folder does not exist" in missing.stderr
    no_lead = tmp_path / "no-lead.jsonl"
    no_lead.write_text(json.dumps({"id": "x", "rep": REP, "thread": [FIRST]}) + "\n")
    done = run(tmp_path, str(no_lead), "--library", str(LIBRARY))
    assert done.returncode == 1 and "line 1: scenario has no 'lead'" in done.stderr


def test_a_colleague_the_lead_copies_is_greeted_and_kept_on_the_cc(
    tmp_path: Path,
) -> None:
    case = scenario("cc", "Adding Priya Nair, our CFO. How is pricing structured?", None)
    thread = case["thread"]
    assert isinstance(thread, list)
    thread[-1] = {**thread[-1], "cc": ["Priya Nair <priya.nair@northwind.test>"]}
    done = run(tmp_path, str(write(tmp_path, case)), "--library", str(LIBRARY), "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["scenarios"]
    assert result["turn"] == "cc"
    assert "Priya, good to have you on the thread" in result["draft"]
    assert "Three plans: Team, Business and Enterprise" in result["draft"]
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["turn: Cc kept"] == {"name": "turn: Cc kept", "passed": True, "detail": "kept"}


def _after_the_tour_offer(tmp_path: Path, id: str, reply: str) -> str:
    """The draft for a reply to the rep's mail that names the webinar by its date, no link."""
    offer = {
        **FIRST,
        "text": "Hi Dana,\n\nOn 14 January we run a live product tour with Q&A. Interested?\n\nAna",
    }
    case = scenario(id, reply, None)
    thread = case["thread"]
    assert isinstance(thread, list)
    thread[0] = offer
    done = run(tmp_path, str(write(tmp_path, case)), "--library", str(LIBRARY), "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["scenarios"]
    return str(result["draft"])


def test_a_question_about_the_webinar_the_rep_offered_is_answered_in_the_leads_zone(
    tmp_path: Path,
) -> None:
    # The lead's reply is synced before the rep's Sent copy and still answers it (one thread).
    draft = _after_the_tour_offer(
        tmp_path,
        "webinar-time",
        "Maybe. What time is that for us in London? And is there a recroding if I miss it?",
    )
    assert '" starts Thursday 14 January 2027, 16:00 (London time).' in draft
    assert draft.count('For you, "') == 1
    assert "What time is that" not in draft  # answered, not quoted back


def test_a_colleague_on_the_cc_is_spoken_to_and_a_template_asked_for_is_given(
    tmp_path: Path,
) -> None:
    referral = scenario(
        "ref-cc",
        "Useful, thanks. Integration is owned by Marcus, so best to deal with him directly.",
        None,
    )
    thread = referral["thread"]
    assert isinstance(thread, list)
    thread[-1] = {**thread[-1], "cc": ["Marcus Webb <marcus.webb@northwind.test>"]}
    done = run(tmp_path, str(write(tmp_path, referral)), "--library", str(LIBRARY), "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["scenarios"]
    assert "Marcus, good to meet you" in result["draft"]
    assert "I'll write to Marcus" not in result["draft"]


def test_a_pause_with_a_question_on_the_webinar_answers_it_and_nothing_else(
    tmp_path: Path,
) -> None:
    draft = _after_the_tour_offer(
        tmp_path,
        "pause-and-time",
        "We're mid-migration, so ping me again in October. What time is the tour for us in"
        " London, though?",
    )
    assert "October" in draft  # the pause, named
    assert '" starts Thursday 14 January 2027, 16:00 (London time).' in draft
    assert "check with our team" not in draft  # the pause itself is no question for the team
