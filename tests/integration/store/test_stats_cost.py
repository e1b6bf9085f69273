"""`nurture stats cost`: the model's bill by day and rep, from the usage ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.cli import cli
from assistant.commands.stats import cost_report
from assistant.config import parse
from assistant.db import open_database, transaction
from assistant.models import ModelUsage, Rep
from assistant.roster import sync_reps

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
REPS = ("ana@acme.test", "ben@acme.test")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    sync_reps(engine, parse({"reps": [{"email": e, "name": e.split("@")[0]} for e in REPS]}))
    with transaction(engine) as session:
        ids = {rep.email: rep.id for rep in session.exec(select(Rep)).all()}
        for days_ago, rep, purpose, cost in (
            (0, "ana@acme.test", "draft", 0.010),
            (0, "ana@acme.test", "classify", 0.002),
            (0, "ben@acme.test", "draft", 0.020),
            (1, "ana@acme.test", "regenerate", 0.004),
            (1, "ana@acme.test", "draft", None),  # a model without a known price
            (9, "ben@acme.test", "draft", 1.0),
        ):
            session.add(
                ModelUsage(
                    at=NOW - timedelta(days=days_ago),
                    rep_id=ids[rep],
                    purpose=purpose,
                    model="claude-sonnet-4-6",
                    input_tokens=100,
                    cache_write_tokens=10,
                    cache_read_tokens=1000,
                    output_tokens=50,
                    cost_usd=cost,
                )
            )
    yield engine
    engine.dispose()


def test_cost_is_summed_by_day_and_rep_within_the_window(engine: Engine) -> None:
    with Session(engine) as session:
        report = cost_report(session, NOW, days=7)

    rows = [(r["day"], r["rep"], r["uses"], r["cost_usd"]) for r in report["rows"]]
    assert rows == [
        ("2026-11-22", "ana@acme.test", 2, 0.004),
        ("2026-11-23", "ana@acme.test", 2, 0.012),
        ("2026-11-23", "ben@acme.test", 1, 0.02),
    ]
    assert report["total"]["uses"] == 5
    assert report["total"]["cost_usd"] == pytest.approx(0.036)
    assert report["total"]["cache_read_tokens"] == 5000
    assert report["total"]["by_purpose"] == {"draft": 3, "classify": 1, "regenerate": 1}
    assert report["unpriced_uses"] == 1


def test_a_wider_window_takes_in_older_days(engine: Engine) -> None:
    with Session(engine) as session:
        report = cost_report(session, NOW, days=10)

    assert report["total"]["uses"] == 6
    assert report["rows"][0]["day"] == "2026-11-14"


def test_the_command_prints_json_and_a_table(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NURTURE_NOW", NOW.isoformat())
    config = tmp_path / "nurture.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")

    as_json = CliRunner().invoke(cli, ["--config", str(config), "stats", "cost", "--json"])
    table = CliRunner().invoke(cli, ["--config", str(config), "stats", "cost", "--days", "1"])

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["total"]["uses"] == 6
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith("day ") and lines[0].rstrip().endswith("USD")
    assert lines[1].split()[:3] == ["2026-11-23", "ana@acme.test", "2"]
    assert lines[-1].split()[0] == "total" and lines[-1].split()[-1] == "0.0320"
