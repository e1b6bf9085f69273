"""The content ledger: nothing a lead has, or a colleague just got, is offered (both databases)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings, parse
from assistant.content import policy
from assistant.content.index import ranker as select_ranker
from assistant.content.ledger import items_in_mail, links, url_key
from assistant.content.library import load_library
from assistant.content.store import import_library, set_retired
from assistant.db import open_database, transaction
from assistant.models import ContentDelivery, ContentItem, Draft, DraftState, Lead, Rep
from assistant.pipeline.select import choose
from assistant.records import record_delivery
from assistant.roster import sync_reps
from tests.paths import ROOT

LIBRARY = ROOT / "data" / "content"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
REP = "ana@acme.test"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    sync_reps(engine, parse({"reps": [{"email": REP, "name": "Ana Ruiz"}]}))
    yield engine
    engine.dispose()


def load(engine: Engine, **rules: object) -> None:
    import_library(engine, LIBRARY, ContentSettings.model_validate(rules), "nurture.toml", NOW)


def add_lead(engine: Engine, email: str, company: str, **fields: object) -> int:
    with transaction(engine) as session:
        rep = session.exec(select(Rep)).one()
        lead = Lead(email=email, company=company, owner_id=rep.id, created_at=NOW, **fields)
        session.add(lead)
        session.flush()
        assert lead.id is not None
        return lead.id


def deliver(engine: Engine, lead_id: int, slug: str, at: datetime, source: str = "nurture") -> None:
    with transaction(engine) as session:
        item = session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()
        record_delivery(session, lead_id, item, source, at)


def pick(
    engine: Engine, lead_id: int, now: datetime = NOW, reply: str = "", intent: str | None = None
) -> str | None:
    with Session(engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        choice = choose(session, lead, reply=reply, intent=intent, events=(), now=now)
        return choice.item.slug if choice else None


@pytest.mark.parametrize(
    "written",
    [
        "https://acme.test/tools/roi-calculator",
        "http://acme.test/tools/roi-calculator/",
        "https://www.acme.test/tools/roi-calculator?utm_source=hubspot&utm_medium=email",
        "HTTPS://ACME.TEST:443/tools/roi-calculator/#assumptions",
        "https://acme.test/tools/roi-calculator?_hsenc=p2AN&amp;_hsmi=12&mkt_tok=eyJ",
        "https://acme.test/tools/roi-calculator.",
    ],
)
def test_a_library_link_is_one_page_however_it_is_written(written: str) -> None:
    assert url_key(written) == url_key("https://acme.test/tools/roi-calculator")


def test_other_pages_and_real_parameters_stay_different() -> None:
    base = url_key("https://acme.test/tools/roi-calculator")
    assert url_key("https://acme.test/tools/roi-calculator-v2") != base
    assert url_key("https://acme.test/tools/roi-calculator?lang=de") != base
    assert url_key("https://other.test/resources/roi-calculator") != base


def test_links_are_found_in_text_and_in_html_attributes() -> None:
    found = links(
        "See https://acme.test/a, and (https://acme.test/b).",
        '<a href="https://acme.test/c?x=1&amp;utm_source=y">c</a>',
    )
    assert {url_key(u) for u in found} == {"acme.test/a", "acme.test/b", "acme.test/c?x=1"}


def test_a_mail_carries_items_by_link_or_by_attached_file(engine: Engine) -> None:
    load(engine)
    attached = next(s for s in load_library(LIBRARY) if s.file_sha256)
    with Session(engine) as session:
        found = items_in_mail(
            session,
            ["http://www.acme.test/tools/roi-calculator/?utm_campaign=q4"],
            [attached.file_sha256 or "", "0" * 64],
        )
        assert sorted(i.slug for i in found) == sorted(["roi-calculator", attached.slug])
        assert items_in_mail(session, ["https://acme.test/blog/unrelated"], []) == []


def test_nothing_in_the_ledger_or_in_an_open_draft_is_offered(engine: Engine) -> None:
    load(engine)
    lead = add_lead(engine, "maria@northwind.test", "Northwind", title="CFO", stage="decision")
    asked = "What does it cost for 40 users?"
    first = pick(engine, lead, reply=asked, intent="question")
    assert first == "pricing-and-packaging-guide"
    deliver(engine, lead, first, NOW, source="sent_folder")
    second = pick(engine, lead, reply=asked, intent="question")
    assert second not in (None, first)
    with transaction(engine) as session:
        item = session.exec(select(ContentItem).where(ContentItem.slug == second)).one()
        rep = session.exec(select(Rep)).one()
        assert rep.id is not None
        session.add(
            Draft(
                trigger="reply:test",
                lead_id=lead,
                rep_id=rep.id,
                situation="reply",
                subject="Re: pricing",
                body="...",
                content_id=item.id,
                state=DraftState.approved.value,
            )
        )
    assert pick(engine, lead, reply=asked, intent="question") not in (None, first, second)


def test_retired_and_expired_items_are_never_offered(engine: Engine) -> None:
    load(engine)
    lead = add_lead(engine, "maria@northwind.test", "Northwind", title="CFO", stage="decision")
    asked = "Is the implementation fee still waived?"
    on_its_last_day = datetime(2026, 9, 30, 12, tzinfo=UTC)
    assert pick(engine, lead, on_its_last_day, asked, "question") == "q3-implementation-offer"
    assert pick(engine, lead, NOW, asked, "question") != "q3-implementation-offer"
    cost = "What does it cost for 40 users?"
    assert pick(engine, lead, NOW, cost, "question") == "pricing-and-packaging-guide"
    with transaction(engine) as session:
        set_retired(session, "pricing-and-packaging-guide", True, NOW)
    assert pick(engine, lead, NOW, cost, "question") != "pricing-and-packaging-guide"
    load(engine)  # a re-import keeps a retirement made by hand
    assert pick(engine, lead, NOW, cost, "question") != "pricing-and-packaging-guide"


def test_the_same_company_rule_holds_items_back_for_its_days(engine: Engine) -> None:
    maria = add_lead(engine, "maria@northwind.test", "Northwind", title="CFO", stage="decision")
    # Another address and spelling, the same company: the domain or the name ties them.
    jon = add_lead(engine, "jon@northwind.test", "Northwind Ltd", title="CFO", stage="decision")
    li = add_lead(engine, "li@gmail.com", " northwind ", title="CFO", stage="decision")
    free = add_lead(engine, "sam@gmail.com", "Tailspin", title="CFO", stage="decision")
    cost = "What does it cost for 40 users?"
    load(engine)
    deliver(engine, maria, "pricing-and-packaging-guide", NOW - timedelta(days=10))
    deliver(engine, li, "roi-calculator", NOW - timedelta(days=10))
    assert pick(engine, jon, NOW, cost, "question") == "pricing-and-packaging-guide"  # rule off

    load(engine, same_company_days=30)
    assert pick(engine, jon, NOW, cost, "question") != "pricing-and-packaging-guide"
    assert pick(engine, li, NOW, cost, "question") != "pricing-and-packaging-guide"
    # A shared free-mail domain is not a company: Sam is no colleague of Li.
    assert pick(engine, free, NOW, "Can I calculate the ROI?", "question") == "roi-calculator"
    later = NOW + timedelta(days=21)
    assert pick(engine, jon, later, cost, "question") == "pricing-and-packaging-guide"


def test_the_managers_track_from_the_configuration_is_honoured(engine: Engine) -> None:
    track = ["territory-and-quota-planning", "deal-inspection-demo"]
    load(engine, tracks={"consideration": track})
    lead = add_lead(
        engine, "vp@northwind.test", "Northwind", title="VP Sales", stage="consideration"
    )
    assert pick(engine, lead) == track[0]
    deliver(engine, lead, track[0], NOW)
    assert pick(engine, lead) == track[1]


def test_an_exhausted_lead_gets_nothing_rather_than_filler(engine: Engine) -> None:
    load(engine)
    lead = add_lead(engine, "maria@northwind.test", "Northwind", title="CFO", stage="decision")
    for spec in load_library(LIBRARY):
        deliver(engine, lead, spec.slug, NOW)
    assert pick(engine, lead, reply="What does it cost?", intent="question") is None


REPLIES = (
    ("", None),
    ("Thanks, interesting.", "interested"),
    ("How does the Salesforce integration work?", "question"),
    ("What does it cost for 30 users?", "question"),
    ("We're also looking at Forecastly.", None),
    ("Budgets are frozen until next year.", "not_now"),
    ("Looping in our CTO, he has security questions.", None),
    ("Can you show me a case study from our industry?", "question"),
    ("Wie sieht es mit dem Datenschutz aus?", "question"),
    ("¿Cuánto tiempo lleva la implementación?", "question"),
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_long_random_conversation_never_repeats_an_item(engine: Engine, seed: int) -> None:
    """Nurture's sends, the rep's own mail, open drafts and colleagues, in random order."""
    rng = random.Random(seed)
    days = rng.choice((0, 30))
    load(engine, same_company_days=days)
    specs = load_library(LIBRARY)
    lead = add_lead(
        engine,
        "maria@northwind.test",
        "Northwind",
        title=rng.choice(("CFO", "VP Sales", "IT Director", "CMO")),
        stage=rng.choice(("awareness", "consideration", "decision")),
        extra={"industry": rng.choice(("Manufacturing", "Healthcare", "Retail", ""))},
    )
    colleague = add_lead(engine, "jon@northwind.test", "Northwind")
    has: set[str] = set()  # what the lead received, by any route: the test's own account
    colleague_got: dict[str, datetime] = {}
    riding: str | None = None
    now = NOW
    for round_number in range(60):
        now += timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 8))
        action = rng.random()
        if action < 0.15:  # the rep mails a library link by hand, dressed by a mail tool
            spec = rng.choice(specs)
            url = spec.url.replace("https://", rng.choice(("http://", "https://www.")))
            with transaction(engine) as session:
                for item in items_in_mail(session, [f"{url}/?utm_source=outlook"], []):
                    record_delivery(session, lead, item, "sent_folder", now)
            has.add(spec.slug)
            continue
        if action < 0.25:  # a colleague at the same company gets something
            spec = rng.choice(specs)
            deliver(engine, colleague, spec.slug, now)
            colleague_got.setdefault(spec.slug, now)
            continue
        reply, intent = rng.choice(REPLIES)
        chosen = pick(engine, lead, now, reply, intent)
        recent = {s for s, at in colleague_got.items() if days and at >= now - timedelta(days=days)}
        if chosen is None:
            continue
        assert chosen not in has | recent | {riding}, f"round {round_number}: {chosen}"
        if riding is None and rng.random() < 0.3:  # it waits in a draft the rep has not sent
            _open_draft(engine, lead, chosen, f"reply:{seed}:{round_number}")
            riding = chosen
            continue
        deliver(engine, lead, chosen, now)
        has.add(chosen)
        if riding is not None and rng.random() < 0.5:  # the waiting draft goes out
            _close_drafts(engine, lead)
            deliver(engine, lead, riding, now)
            has.add(riding)
            riding = None
    with Session(engine) as session:
        ledger = session.exec(select(ContentDelivery).where(ContentDelivery.lead_id == lead)).all()
    assert len(ledger) == len({d.content_id for d in ledger}) == len(has)
    assert len(has) >= 10  # a long conversation, not an empty one


def _open_draft(engine: Engine, lead: int, slug: str, trigger: str) -> None:
    with transaction(engine) as session:
        item = session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()
        rep = session.exec(select(Rep)).one()
        assert rep.id is not None
        session.add(
            Draft(
                trigger=trigger,
                lead_id=lead,
                rep_id=rep.id,
                situation="reply",
                subject="Re: forecasting",
                body="...",
                content_id=item.id,
            )
        )


def _close_drafts(engine: Engine, lead: int) -> None:
    with transaction(engine) as session:
        for draft in session.exec(select(Draft).where(Draft.lead_id == lead)).all():
            draft.state = DraftState.sent.value
            session.add(draft)


def test_the_ranker_is_chosen_with_the_library_and_used_by_drafting(engine: Engine) -> None:
    """The ranker named in the rules is stored with them, and drafting builds it from them."""
    lead = add_lead(engine, "ops@tailspin.test", "Tailspin", title="COO", stage="decision")
    load(engine)  # the default
    with Session(engine) as session:
        assert select_ranker(session)[0].method == "bm25"
        assert policy.current(session).ranker == "bm25"
    load(engine, ranker="hybrid")
    with Session(engine) as session:
        ranker, _ = select_ranker(session)
        assert ranker.method == "hybrid"
        assert policy.current(session).ranker == "hybrid"
    cost = "What does it cost for 40 users?"
    assert pick(engine, lead, NOW, cost, "question") == "pricing-and-packaging-guide"
