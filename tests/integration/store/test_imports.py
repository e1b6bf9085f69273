"""Leads and content imports: bad rows named by line, the rest kept, re-imports never duplicate."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings, parse
from assistant.content.library import LibraryErrors
from assistant.content.store import import_library
from assistant.db import open_database
from assistant.errors import InputError
from assistant.imports import import_leads
from assistant.models import ContentItem, Lead
from assistant.roster import sync_reps
from tests.bounds import HANG_SECONDS
from tests.paths import ROOT

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    sync_reps(engine, parse({"reps": [{"email": "ana@acme.test", "name": "Ana Ruiz"}]}))
    yield engine
    engine.dispose()


def test_bad_rows_are_reported_by_line_and_the_rest_imported(
    engine: Engine, tmp_path: Path
) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text(
        "email,name,company,title,owner,stage,topics,timezone,source\n"
        "maria@northwind.test,María López,Northwind,CFO,ana@acme.test,awareness,crm;roi,"
        "Europe/Madrid,webinar\n"
        "not-an-address,Bad,Co,,ana@acme.test,,,,\n"
        "li@contoso.test,Li Wei,Contoso,CTO,nobody@acme.test,,,,\n"
        "sam@fabrikam.test,Sam,Fabrikam,VP Sales,ana@acme.test,negotiation,,,\n"
        "kim@fabrikam.test,Kim,Fabrikam,COO,ana@acme.test,decision,,Mars/Olympus,\n"
        "jo@tailspin.test,Jo,Tailspin,CEO,ana@acme.test,decision,security,America/New_York,fair\n",
        encoding="utf-8",
    )
    report = import_leads(engine, csv, NOW)
    assert (report.added, report.updated) == (2, 0)
    assert report.problems == [
        f"{csv}, line 3: 'not-an-address' is not a valid email address",
        f"{csv}, line 4: owner 'nobody@acme.test' is not a rep in the configuration",
        f"{csv}, line 5: stage 'negotiation' is not one of awareness, consideration, decision",
        f"{csv}, line 6: timezone 'Mars/Olympus' is not a known IANA time zone",
    ]
    with Session(engine) as session:
        maria = session.exec(select(Lead).where(Lead.email == "maria@northwind.test")).one()
        assert maria.topics == ["crm", "roi"] and maria.extra == {"source": "webinar"}

    again = import_leads(engine, csv, NOW)
    assert (again.added, again.updated) == (0, 2)
    with Session(engine) as session:
        assert len(session.exec(select(Lead)).all()) == 2


def test_a_lead_stored_by_another_writer_meanwhile_is_updated_not_duplicated(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text("email,name,owner\nkim@fabrikam.test,Kim,ana@acme.test\n", encoding="utf-8")
    assert import_leads(engine, csv, NOW).added == 1
    # The import reads the stored leads before it writes: here it saw none.
    monkeypatch.setattr("assistant.imports._existing", lambda connection, emails: {})
    csv.write_text("email,name,owner\nkim@fabrikam.test,Kim Park,ana@acme.test\n", encoding="utf-8")
    assert import_leads(engine, csv, NOW).problems == []
    with Session(engine) as session:
        assert [lead.name for lead in session.exec(select(Lead)).all()] == ["Kim Park"]


def test_csv_without_email_column_is_refused_whole(engine: Engine, tmp_path: Path) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text("name,company\nMaría,Northwind\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: no 'email' column"):
        import_leads(engine, csv, NOW)


def test_content_reimport_updates_in_place(engine: Engine, tmp_path: Path) -> None:
    first = import_library(engine, ROOT / "data" / "content", ContentSettings(), "test", NOW)
    second = import_library(engine, ROOT / "data" / "content", ContentSettings(), "test", NOW)
    assert len(first.added) >= 40 and first.updated == []
    assert (second.added, sorted(second.updated)) == ([], sorted(first.added))
    with Session(engine) as session:
        assert len(session.exec(select(ContentItem)).all()) == len(first.added)


def test_a_bad_content_file_names_file_and_field_and_stores_nothing(
    engine,
    tmp_path: Path,
) -> None:
    good = (ROOT / "data" / "content" / "roi-calculator.md").read_text(encoding="utf-8")
    (tmp_path / "roi-calculator.md").write_text(good, encoding="utf-8")
    bad = tmp_path / "broken.md"
    bad.write_text(
        good.replace("slug: roi-calculator", "slug: broken").replace(
            "type: calculator", "type: [calculator, podcast]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(LibraryErrors) as caught:
        import_library(engine, tmp_path, ContentSettings(), "test", NOW)
    assert str(bad) in str(caught.value) and "'type'" in str(caught.value)
    with Session(engine) as session:
        assert session.exec(select(ContentItem)).all() == []


def _nurture(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=HANG_SECONDS,
    )


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[cadence]\nmax_touchs = 3\n",
            "key 'cadence.max_touchs' in {path}: is not a known setting",
        ),
        (
            "[cadence]\nmax_touches = 'six'\n",
            "key 'cadence.max_touches' in {path}: input should be a valid integer",
        ),
        ("[[reps]]\nname = 'Ana'\n", "key 'reps[0].email' in {path}: is required but missing"),
        (
            "[[reps]]\nemail='ana@acme.test'\nname='Ana'\n[reps.imap]\nhost='x'\nusername='a'\n",
            "key 'reps[0].imap.password_env' in {path}: is required but missing",
        ),
        ("[database\nurl=1", "{path}: not valid TOML"),
    ],
)
def test_configuration_errors_are_one_sentence_naming_key_and_file(
    tmp_path: Path, toml: str, expected: str
) -> None:
    path = tmp_path / "nurture.toml"
    path.write_text(toml, encoding="utf-8")
    result = _nurture("--config", str(path), "queue", cwd=tmp_path)
    assert result.returncode == 1
    assert expected.format(path=path) in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_secret_names_the_variable(tmp_path: Path) -> None:
    path = tmp_path / "nurture.toml"
    path.write_text(
        "[[reps]]\nemail='ana@acme.test'\nname='Ana'\n[reps.imap]\nhost='127.0.0.1'\n"
        "username='ana'\npassword_env='NURTURE_TEST_UNSET_PASSWORD'\n",
        encoding="utf-8",
    )
    result = _nurture("--config", str(path), "tick", cwd=tmp_path)
    assert result.returncode == 1
    assert "reps[0].imap.password_env" in result.stderr
    assert "NURTURE_TEST_UNSET_PASSWORD is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_leads_import_exits_non_zero_on_bad_rows_but_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "nurture.toml"
    path.write_text("[[reps]]\nemail='ana@acme.test'\nname='Ana'\n", encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        "email,owner\nok@northwind.test,ana@acme.test\nbad@@x,ana@acme.test\n", encoding="utf-8"
    )
    result = _nurture("--config", str(path), "leads", "import", "leads.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "Leads: 1 added, 0 updated." in result.stdout
    assert "leads.csv, line 3: 'bad@@x' is not a valid email address" in result.stderr
    listed = _nurture("--config", str(path), "leads", "list", "--json", cwd=tmp_path)
    assert '"ok@northwind.test"' in listed.stdout
