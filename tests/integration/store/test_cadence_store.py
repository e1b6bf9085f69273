"""Cadence rules in the store, on both databases: `nurture rules`, per-rep overrides, `plan`."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from assistant.cli import cli
from assistant.config import load
from assistant.db import transaction
from assistant.models import Draft, Lead, Rep
from assistant.pipeline import plan
from assistant.pipeline.context import Context
from assistant.runtime import context
from tests.bounds import HANG_SECONDS
from tests.nurture_cli import NURTURE

ANA, BEN = "ana@acme.test", "ben@acme.test"
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 11:00 in Madrid


def _config(folder: Path, db_url: str) -> Path:
    path = folder / "nurture.toml"
    path.write_text(
        f"""
[database]
url = "{db_url}"
[cadence]
follow_up_after_business_days = 4
holidays_country = "ES-MD"
[[reps]]
email = "{ANA}"
name = "Ana"
timezone = "Europe/Madrid"
[[reps]]
email = "{BEN}"
name = "Ben"
""",
        encoding="utf-8",
    )
    return path


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def _ok(config: Path, *args: str) -> str:
    result = _run(config, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_rules_set_show_export_and_import_round_trip(tmp_path: Path, db_url: str) -> None:
    config = _config(tmp_path, db_url)
    _ok(config, "rules", "set", "max_touches=3", "working_days=mon,tue,wed", "window_end=24:00")
    _ok(
        config,
        "rules",
        "set",
        "--rep",
        BEN,
        "follow_up_after_business_days=2",
        "tone.formality=formal",
    )
    team = json.loads(_ok(config, "rules", "show", "--json"))
    assert team["cadence"]["max_touches"] == 3
    assert team["cadence"]["follow_up_after_business_days"] == 4  # from the file
    assert team["cadence"]["working_days"] == ["mon", "tue", "wed"]
    ben = json.loads(_ok(config, "rules", "show", "--rep", BEN, "--json"))
    assert (
        ben["cadence"]["follow_up_after_business_days"] == 2
        and ben["tone"]["formality"] == "formal"
    )
    assert ben["cadence"]["max_touches"] == 3  # the team's, under the rep's overrides
    shown = _ok(config, "rules", "show", "--rep", BEN)
    assert "(rep override v" in shown and "(configuration file)" in shown

    exported = _ok(config, "rules", "export")
    (tmp_path / "rules.toml").write_text(exported.replace("max_touches = 3", "max_touches = 5"))
    _ok(config, "rules", "import", str(tmp_path / "rules.toml"))
    assert json.loads(_ok(config, "rules", "show", "--json"))["cadence"]["max_touches"] == 5
    assert _ok(config, "rules", "export") == exported.replace("max_touches = 3", "max_touches = 5")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("set", "window_start=25:00"), "cadence rule 'window_start' '25:00' is not a time"),
        (("set", "cadence.nap_time=1"), "'nap_time' is not a known rule"),
        (("set", "window_start=18:00"), "window_end (17:30) must come after window_start"),
        (("set", "holidays_country=XX"), "'XX' is not a country"),
        (("set", "--rep", "zoe@acme.test", "max_touches=2"), "zoe@acme.test is not a rep"),
    ],
)
def test_rules_errors_name_the_key(
    tmp_path: Path, sqlite_url: str, args: tuple[str, ...], words: str
) -> None:
    result = _run(_config(tmp_path, sqlite_url), "rules", *args)
    assert result.exit_code != 0 and words in str(result.exception)


def test_rules_import_errors_name_the_file_and_key(tmp_path: Path, sqlite_url: str) -> None:
    bad = tmp_path / "team.toml"
    bad.write_text('[cadence]\nmax_touches = "many"\n')
    result = _run(_config(tmp_path, sqlite_url), "rules", "import", str(bad))
    assert f"{bad}: cadence rule 'max_touches'" in str(result.exception)


def _lead_with_a_sent_email(config: Path, email: str, owner: str, sent_at: datetime) -> None:
    engine = context(load(config)).engine
    with transaction(engine) as session:
        rep = session.exec(select(Rep).where(Rep.email == owner)).one()
        lead = Lead(
            email=email, name="María", company=email, owner_id=rep.id, timezone="Europe/Madrid"
        )
        session.add(lead)
        session.flush()
        assert lead.id is not None and rep.id is not None
        session.add(
            Draft(
                trigger=f"test:{email}",
                lead_id=lead.id,
                rep_id=rep.id,
                situation="reply",
                subject="Re: hello",
                body="Hello",
                state="sent",
                sent_at=sent_at,
                message_id=f"<{email}>",
            )
        )
    engine.dispose()


def _due(ctx: Context, now: datetime) -> list[plan.Job]:
    """Plan every lead, then read back the stored steps that call for a draft."""
    asyncio.run(plan.run(ctx, now))
    with Session(ctx.engine) as session:
        return plan.due_jobs(session, now)


def test_plan_follows_the_rules_in_force_for_the_leads_owner(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, db_url)
    _ok(config, "rules", "set", "--rep", BEN, "follow_up_after_business_days=1")
    _lead_with_a_sent_email(config, "maria@northwind.test", ANA, FRIDAY)
    _lead_with_a_sent_email(config, "jon@contoso.test", BEN, FRIDAY)
    ctx = context(load(config))
    # In Madrid, Monday 7 December (Constitution Day moved) and Tuesday 8 are holidays.
    assert _due(ctx, datetime(2026, 12, 9, 9, 59, tzinfo=UTC)) == []
    jobs = _due(ctx, datetime(2026, 12, 9, 10, 0, tzinfo=UTC))
    assert [j.step.trigger for j in jobs] == ["follow_up:d2"]  # Ben: one business day
    assert _due(ctx, datetime(2026, 12, 14, 9, 59, tzinfo=UTC))[1:] == []
    later = _due(ctx, datetime(2026, 12, 14, 10, 0, tzinfo=UTC))
    assert "follow_up:d1" in {j.step.trigger for j in later}  # Ana: the team's four days
    ctx.engine.dispose()


def test_nurture_plan_explains_the_next_step_in_the_leads_time(
    tmp_path: Path, sqlite_url: str
) -> None:
    config = _config(tmp_path, sqlite_url)
    _lead_with_a_sent_email(config, "maria@northwind.test", ANA, FRIDAY)
    result = subprocess.run(
        [*NURTURE, "--config", str(config), "plan", "--lead", "maria@northwind.test"],
        capture_output=True,
        text=True,
        env={"NURTURE_NOW": "2026-12-07T09:00:00+00:00", "PATH": "/usr/bin:/bin"},
        timeout=HANG_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Local time: Mon 07 Dec 2026 10:00 Europe/Madrid (time zone from the lead record)" in out
    assert "Next: wait until Mon 14 Dec 2026 11:00 Europe/Madrid" in out
    assert "Rule: follow_up_after_business_days" in out
    assert "the next waits 4 business day(s)" in out
    assert "holidays of ES-MD" in out


def test_tone_rules_read_the_words_managers_use_for_formality() -> None:
    from assistant.rules import ToneInput

    assert ToneInput(formality="informal").formality == "casual"
    assert ToneInput(formality="Semi-formal").formality == "neutral"
    assert ToneInput(formality="formal").formality == "formal"
    with pytest.raises(ValueError, match="formality"):
        ToneInput(formality="sloppy")
