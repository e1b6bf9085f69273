"""The app's parts on their own: queue order, mail folding, charts, the throttle."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from assistant import clock
from assistant.models import Message, User
from assistant.pipeline.approve import queue
from assistant.web import cards, charts, security
from assistant.web.mailview import view
from tests.integration.web.company import build
from tests.integration.web.seeds import seed_queue


def test_queue_page_order_is_the_pipelines_queue_order(tmp_path: Path, db_url: str) -> None:
    world, _ = build(tmp_path, db_url)
    seed_queue(world)
    now = clock.now()
    world.add_lead("hot", "ana@acme.test", name="Hot Lead", company="Hot Co", status="sales_ready")
    world.add_draft("hot", "hot", subject="Hot", body="Hot\n", created=now - timedelta(minutes=5))
    for i in range(6):
        world.add_lead(f"n{i}", "ana@acme.test", name=f"N {i}", company=f"N{i} Co")
        world.add_draft(
            f"n{i}",
            f"n{i}",
            subject="n",
            body="n\n",
            created=now - timedelta(hours=(i * 7) % 5, minutes=i),
        )
    with Session(world.engine) as db:
        ana = db.exec(select(User).where(User.email == "ana@acme.test")).one()
        ids, snoozed = cards.pending(db, ana, now)
        expected = [d.id for d, _, _ in queue(db, "ana@acme.test")]
    world.engine.dispose()
    assert ids == expected and snoozed == 0
    assert ids[0] == world.drafts["hot"]


def test_html_reply_shows_the_new_part_and_folds_the_quoted_history() -> None:
    raw = (
        b"From: a@b.test\r\nTo: c@d.test\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>Yes, <a href="https://b.test/x" onclick="steal()">this</a> works.</p>'
        b"<img src=https://tracker.test/p.gif>"
        b'<div class="gmail_quote">On Monday we wrote:<blockquote>old text</blockquote></div>'
    )
    shown = view(
        Message(
            rep_id=1,
            folder="INBOX",
            uidvalidity=1,
            uid=1,
            direction="inbound",
            raw=raw,
            text="Yes, this works.",
            state="understood",
        )
    )
    assert "works." in shown.new and "old text" not in shown.new
    assert shown.quoted is not None and "old text" in shown.quoted
    assert 'rel="noopener noreferrer nofollow"' in shown.new and "onclick" not in shown.new
    assert "<img" not in shown.new + shown.quoted


def test_plain_reply_folds_everything_but_the_new_text() -> None:
    shown = view(
        Message(
            rep_id=1,
            folder="INBOX",
            uidvalidity=1,
            uid=2,
            direction="inbound",
            text="Sounds good <b>really</b>\n\n> earlier",
            reply_text="Sounds good <b>really</b>",
            state="understood",
        )
    )
    assert "&lt;b&gt;really" in shown.new and "earlier" not in shown.new
    assert shown.quoted is not None and "earlier" in shown.quoted
    broken = view(
        Message(
            rep_id=1,
            folder="INBOX",
            uidvalidity=1,
            uid=3,
            direction="inbound",
            state="quarantined",
            quarantine_reason="too many MIME parts",
        )
    )
    assert broken.problem == "This message could not be read: too many MIME parts."


def test_charts_are_plain_svg_with_round_whole_number_gridlines() -> None:
    svg = charts.stacked_bars(
        "Decisions",
        ["a", "b"],
        [
            charts.Series("ok", "s1", [3, 0]),
            charts.Series("no", "s3", [4, 2]),
        ],
    )
    assert svg.startswith('<svg class="chart"') and "<script" not in svg and "style=" not in svg
    assert svg.count("<rect ") == 3
    assert [t for t in ("0", "2", "4", "6", "8") if f">{t}</text>" in svg] == [
        "0",
        "2",
        "4",
        "6",
        "8",
    ]
    line = charts.lines("Trend", ["a", "b", "c"], [charts.Series("x", "s2", [0, 1, 1])])
    assert line.count("<circle ") == 3 and ">0.5<" not in line


def test_throttle_counts_failures_in_a_window_and_locks(tmp_path: Path) -> None:
    world, _ = build(tmp_path, f"sqlite:///{tmp_path}/n.db")
    now = clock.now()
    keys = security.throttle_keys("Ana@acme.test", "10.0.0.1")
    with Session(world.engine) as db:
        for i in range(security.MAX_ACCOUNT_FAILURES - 1):
            security.record_failure(db, keys, now + timedelta(seconds=i))
        assert security.locked_until(db, keys, now) is None
        security.record_failure(db, keys, now)
        assert security.locked_until(db, keys, now) == now + security.LOCK_FOR
        assert security.locked_until(db, keys, now + security.LOCK_FOR) is None
        security.clear_failures(db, "ana@acme.test")
        assert security.locked_until(db, keys, now) is None
        db.commit()
