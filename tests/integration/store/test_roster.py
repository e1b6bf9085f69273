"""Reps as rows, on both databases: the file seeds them, people pause, resume and remove them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant import roster
from assistant.config import RepSettings, parse
from assistant.db import open_database, transaction
from assistant.errors import StateError
from assistant.lifecycle import leads as lead_moves
from assistant.lifecycle import reps as rep_moves
from assistant.models import AuditEntry, Lead, Rep
from assistant.runtime import imap_account, where

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ANA = {
    "email": "ana@acme.test",
    "name": "Ana Ruiz",
    "signature": "Ana",
    "timezone": "Europe/Madrid",
    "imap": {"host": "imap.acme.test", "username": "ana", "password_env": "ANA_PW"},
    "smtp": {"host": "smtp.acme.test", "username": "ana", "password_env": "ANA_PW"},
}
BOB = {"email": "bob@acme.test", "name": "Bob Lee"}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def _seed(engine: Engine, *reps: dict[str, Any], at: datetime = NOW) -> None:
    roster.seed(engine, parse({"reps": list(reps)}), at)


def _row(engine: Engine, email: str) -> Rep:
    with Session(engine) as session:
        return session.exec(select(Rep).where(Rep.email == email)).one()


def _audits(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


def _move(engine: Engine, verb: str, email: str, at: datetime = NOW) -> bool:
    with transaction(engine) as session:
        rep = rep_moves.get(session, email)
        moved: bool = getattr(rep_moves, verb)(session, rep, "admin@acme.test", at)
        return moved


def test_the_file_seeds_the_table_and_seeding_again_changes_nothing(engine: Engine) -> None:
    _seed(engine, ANA, BOB)
    first = [(r.email, r.status, r.source, r.imap, r.updated_at) for r in _all(engine)]
    _seed(engine, ANA, BOB, at=NOW + timedelta(hours=1))
    again = [(r.email, r.status, r.source, r.imap, r.updated_at) for r in _all(engine)]
    assert first == again
    assert [r.email for r in roster.reps(engine)] == ["ana@acme.test", "bob@acme.test"]
    [ana] = [r for r in roster.reps(engine) if r.imap]
    assert ana == parse({"reps": [ANA]}).reps[0]  # the row gives back the very settings
    assert ana.imap is not None and ana.imap.password_env == "ANA_PW"
    assert _audits(engine) == []


def _all(engine: Engine) -> list[Rep]:
    with Session(engine) as session:
        return list(session.exec(select(Rep).order_by(Rep.email)).all())


def test_no_password_is_kept_in_the_table_only_the_variable_that_holds_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANA_PW", "s3cret-value")
    _seed(engine, ANA)
    with Session(engine) as session:
        dumped = repr([tuple(r) for r in session.exec(select(Rep)).all()])  # type: ignore[arg-type]
    assert "s3cret-value" not in dumped and "ANA_PW" in dumped
    settings = parse({"reps": [ANA]})
    ana = roster.find(engine, "ana@acme.test")
    assert ana is not None and imap_account(settings, ana).password == "s3cret-value"


def test_the_file_updates_its_reps_but_not_their_status(engine: Engine) -> None:
    _seed(engine, ANA, BOB)
    assert _move(engine, "pause", "ana@acme.test")
    assert _move(engine, "remove", "bob@acme.test")
    _seed(engine, {**ANA, "name": "Ana Ruiz Gil"}, BOB, at=NOW + timedelta(hours=1))
    ana, bob = _row(engine, "ana@acme.test"), _row(engine, "bob@acme.test")
    assert (ana.name, ana.status, ana.updated_at) == (
        "Ana Ruiz Gil",
        "paused",
        NOW + timedelta(hours=1),
    )
    assert bob.status == "removed"  # a person removed the rep: the file does not bring it back
    assert roster.reps(engine) == []
    assert [r.email for r in roster.reps(engine, roster.ON_FLOOR)] == ["ana@acme.test"]
    assert roster.find(engine, "ana@acme.test") is None
    assert roster.find(engine, "ana@acme.test", roster.ANY) is not None


def test_a_rep_deleted_from_the_file_is_removed_once_and_then_the_databases(
    engine: Engine,
) -> None:
    _seed(engine, ANA, BOB)
    _seed(engine, ANA)
    bob = _row(engine, "bob@acme.test")
    assert (bob.status, bob.source) == ("removed", "database")
    assert _audits(engine) == ["rep_removed"]
    assert _move(engine, "resume", "bob@acme.test")
    _seed(engine, ANA)  # the database owns Bob now: the file no longer removes him
    assert _row(engine, "bob@acme.test").status == "active"
    assert _audits(engine) == ["rep_removed", "rep_resumed"]


def test_a_rep_added_to_the_database_is_left_alone_by_the_file(engine: Engine) -> None:
    _seed(engine, ANA)
    with transaction(engine) as session:
        rep_moves.add(session, RepSettings.model_validate(BOB), "admin@acme.test", NOW)
    _seed(engine, ANA)
    assert (_row(engine, "bob@acme.test").status, _row(engine, "bob@acme.test").source) == (
        "active",
        "database",
    )
    with (
        pytest.raises(StateError, match=r"bob@acme\.test is already a rep, active"),
        transaction(engine) as session,
    ):
        rep_moves.add(session, RepSettings.model_validate(BOB), "admin@acme.test", NOW)
    settings = parse({"reps": [ANA]})
    bob = roster.find(engine, "bob@acme.test")
    assert bob is not None
    assert where(settings, bob, "imap.password_env") == (
        "the database (rep bob@acme.test)",
        "imap.password_env",
    )
    assert where(settings, roster.reps(engine)[0], "imap.port") == ("None", "reps[0].imap.port")


def test_moves_are_compare_and_set_with_an_audit_entry(engine: Engine) -> None:
    _seed(engine, ANA)
    assert _move(engine, "pause", "ana@acme.test")
    assert not _move(engine, "pause", "ana@acme.test")
    assert _move(engine, "remove", "ana@acme.test")
    assert not _move(engine, "remove", "ana@acme.test")
    assert _move(engine, "resume", "ana@acme.test")
    assert _audits(engine) == ["rep_paused", "rep_removed", "rep_resumed"]
    with (
        pytest.raises(StateError, match=r"nobody@acme\.test is not a rep"),
        transaction(engine) as session,
    ):
        rep_moves.get(session, "nobody@acme.test")


def test_a_removed_reps_leads_stay_and_go_only_to_a_rep_on_the_floor(engine: Engine) -> None:
    _seed(engine, ANA, BOB, {"email": "cy@acme.test", "name": "Cy"})
    ana_id, bob_id = _row(engine, "ana@acme.test").id, _row(engine, "bob@acme.test").id
    with transaction(engine) as session:
        session.add(Lead(email="li@contoso.test", name="Li", owner_id=bob_id))
    assert _move(engine, "remove", "bob@acme.test")
    assert _move(engine, "remove", "cy@acme.test")
    with transaction(engine) as session:
        lead = session.exec(select(Lead)).one()
        assert lead.owner_id == bob_id  # still Bob's, until someone hands it on
        with pytest.raises(StateError, match=r"cy@acme\.test was removed"):
            lead_moves.reassign(session, lead, _row(engine, "cy@acme.test"), "admin", NOW)
    with transaction(engine) as session:
        lead = session.exec(select(Lead)).one()
        lead_moves.reassign(session, lead, _row(engine, "ana@acme.test"), "admin", NOW)
    with Session(engine) as session:
        assert session.exec(select(Lead)).one().owner_id == ana_id
