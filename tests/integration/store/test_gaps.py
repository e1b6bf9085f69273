"""Content gaps: questions no item covers are counted for marketing, once each (both databases)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings, parse
from assistant.content.coverage import is_english, is_request, uncovered
from assistant.content.gaps import gaps, scan
from assistant.content.library import load_library
from assistant.content.rank import Ranker
from assistant.content.store import import_library
from assistant.db import open_database, transaction
from assistant.models import ContentGap, GapScan, Lead, Message, Rep
from assistant.roster import sync_reps
from tests.paths import ROOT

LIBRARY = ROOT / "data" / "content"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TODAY = date(2026, 11, 22)

UNCOVERED = {
    "Is there anything on forecasting for universities and nonprofits?": {
        "universities",
        "nonprofits",
    },
    "Do you have a mobile app?": {"app"},
    "Does it support Slack notifications?": {"slack", "notifications"},
    "What about Zoho CRM?": {"zoho"},
    "Is there a Pipedrive integration?": {"pipedrive"},
    "Do you have a benchmark for the construction industry?": {"construction"},
    "Can you forecast for a government agency?": {"government", "agency"},
}


@pytest.fixture(scope="module")
def ranker() -> Ranker:
    return Ranker(load_library(LIBRARY))


@pytest.mark.parametrize(("question", "topic"), UNCOVERED.items())
def test_a_question_the_library_has_nothing_on_is_found(
    ranker: Ranker, question: str, topic: set[str]
) -> None:
    [found] = uncovered(ranker, f"Thanks for the guide. {question} Best, Li", TODAY)
    assert found.sentence == question
    assert set(found.topic) == topic


@pytest.mark.parametrize(
    "covered",
    [
        "Do you integrate with Microsoft Dynamics?",  # the CRM guide names it
        "How long does the CRM integration usually take for a team of 40 reps?",
        "What does it cost for 30 users?",
        "Can you send me the slides from yesterday?",  # asks for something, names no topic
        "We have no budget for new tools this year.",  # not a question
        "Gibt es eine Integration mit Pipedrive?",  # not English: its words say nothing
    ],
)
def test_covered_questions_and_other_sentences_are_not_gaps(ranker: Ranker, covered: str) -> None:
    assert uncovered(ranker, covered, TODAY) == []


def test_the_labelled_replies_which_the_library_covers_give_few_gaps(ranker: Ranker) -> None:
    lines = (ROOT / "data" / "eval" / "selection.jsonl").read_text(encoding="utf-8").splitlines()
    replies = [json.loads(line)["reply"] for line in lines if line.strip()]
    flagged = [reply for reply in replies if uncovered(ranker, reply, TODAY)]
    assert len(flagged) <= 0.06 * len(replies), flagged


def test_requests_and_languages_are_told_apart() -> None:
    assert is_request("Do you have anything on nonprofits")
    assert is_request("Looking for something on channel sales.")
    assert not is_request("We are looking at it next week.")
    assert is_english("Does it work for nonprofits?")
    assert not is_english("¿Funciona para organizaciones sin ánimo de lucro?")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    sync_reps(engine, parse({"reps": [{"email": "ana@acme.test", "name": "Ana Ruiz"}]}))
    import_library(engine, LIBRARY, ContentSettings(), "nurture.toml", NOW)
    yield engine
    engine.dispose()


def reply(engine: Engine, sender: str, text: str, at: datetime) -> int:
    """A lead's reply as the understand stage leaves it: a human message with its new text."""
    with transaction(engine) as session:
        rep = session.exec(select(Rep)).one()
        lead = session.exec(select(Lead).where(Lead.email == sender)).first()
        if lead is None:
            lead = Lead(email=sender, company=sender.split("@")[1], owner_id=rep.id)
            session.add(lead)
            session.flush()
        uid = len(session.exec(select(Message.id)).all()) + 1
        assert rep.id is not None
        message = Message(
            rep_id=rep.id,
            folder="INBOX",
            uidvalidity=1,
            uid=uid,
            lead_id=lead.id,
            direction="inbound",
            from_addr=sender,
            sent_at=at,
            reply_text=text,
            text=text,
            state="understood",
            kind="human",
        )
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id


def listed(engine: Engine, now: datetime = NOW, **kw: object) -> dict[str, tuple[int, int]]:
    with transaction(engine) as session:
        return {g.topic: (g.leads, g.questions) for g in gaps(session, now=now, **kw)}  # type: ignore[arg-type]


def test_gaps_are_counted_by_lead_with_example_sentences(engine: Engine) -> None:
    day = NOW - timedelta(days=3)
    reply(engine, "li@uni.test", "Thanks. Does it work for nonprofits? We are a charity.", day)
    reply(engine, "jo@ngo.test", "Is there anything on forecasting for nonprofits?", day)
    reply(engine, "jo@ngo.test", "And is there a Pipedrive integration?", NOW)
    reply(engine, "sam@co.test", "What does it cost for 30 users?", NOW)  # covered
    with transaction(engine) as session:
        found = gaps(session, now=NOW)
    assert [(g.topic, g.leads, g.questions) for g in found] == [
        ("nonprofits", 2, 2),
        ("pipedrive", 1, 1),
    ]
    assert found[0].examples == (
        "Does it work for nonprofits?",
        "Is there anything on forecasting for nonprofits?",
    )
    assert found[1].last_asked == NOW
    data = found[0].as_dict()
    assert json.loads(json.dumps(data)) == data
    assert listed(engine, days=1) == {"pipedrive": (1, 1)}


def test_words_always_asked_together_make_one_topic(engine: Engine) -> None:
    reply(engine, "li@uni.test", "Can you forecast for a government agency?", NOW)
    reply(engine, "jo@city.test", "Any case studies for a government agency?", NOW)
    assert listed(engine) == {"government agency": (2, 2)}


def test_each_reply_is_read_once_and_only_new_ones_after(engine: Engine) -> None:
    reply(engine, "li@uni.test", "Does it work for nonprofits?", NOW)
    with transaction(engine) as session:
        assert scan(session, NOW) == 1
    with transaction(engine) as session:
        assert scan(session, NOW) == 0
    reply(engine, "jo@ngo.test", "Does it work for nonprofits?", NOW)
    with transaction(engine) as session:
        assert scan(session, NOW) == 1
    # A second reader that did not see the first one's mark stores nothing twice.
    with transaction(engine) as session:
        session.execute(delete(GapScan))
    with transaction(engine) as session:
        assert scan(session, NOW) == 2
    with Session(engine) as session:
        assert len(session.exec(select(ContentGap)).all()) == 2
    assert listed(engine) == {"nonprofits": (2, 2)}


def test_a_topic_leaves_the_list_once_an_item_covers_it(engine: Engine, tmp_path: Path) -> None:
    reply(engine, "li@uni.test", "Does it work for nonprofits?", NOW)
    reply(engine, "jo@ngo.test", "Is there a Pipedrive integration?", NOW)
    assert set(listed(engine)) == {"nonprofits", "pipedrive"}
    folder = tmp_path / "content"
    shutil.copytree(LIBRARY, folder)
    guide = (folder / "crm-integration-guide.md").read_text(encoding="utf-8")
    (folder / "crm-integration-guide.md").write_text(
        guide + "\n- Pipedrive: a native connector syncs deals every 15 minutes.\n",
        encoding="utf-8",
    )
    import_library(engine, folder, ContentSettings(), "nurture.toml", NOW + timedelta(hours=1))
    assert set(listed(engine)) == {"nonprofits"}
