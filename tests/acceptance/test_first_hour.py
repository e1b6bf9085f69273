"""The first hour: CSV as it really comes, owners, body limits and database mistakes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings, parse
from assistant.content.library import LibraryErrors
from assistant.content.store import import_library
from assistant.db import make_engine, open_database
from assistant.errors import ConfigError
from assistant.imports import import_leads
from assistant.models import ContentItem, Lead, Rep
from assistant.roster import sync_reps
from tests.paths import ROOT
from tests.servers import free_port

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
REPS = [{"email": "ana@acme.test", "name": "Ana"}, {"email": "bob@acme.test", "name": "Bob"}]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    sync_reps(engine, parse({"reps": REPS}))
    yield engine
    engine.dispose()


def _leads(engine: Engine) -> dict[str, tuple[Lead, str | None]]:
    with Session(engine) as session:
        reps = {r.id: r.email for r in session.exec(select(Rep)).all()}
        return {
            lead.email: (lead, reps.get(lead.owner_id)) for lead in session.exec(select(Lead)).all()
        }


def test_quoted_line_breaks_bom_and_unicode_separators_stay_inside_their_field(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(
        (
            "\ufeffemail,name,company,owner,notes\r\n"
            'maria@northwind.test,"María\u2028López",Northwind,ana@acme.test,"met at the fair\r\n'
            'asked for pricing"\r\n'
            "li@contoso.test,Li\u0085Wei,Contoso,ana@acme.test,x\u2029y\x1cz\r\n"
            'bad-address,"two\nlines",Co,ana@acme.test,\r\n'
            "sam@fabrikam.test,Sam,Fabrikam,nobody@acme.test,\r\n"
        ).encode()
    )

    report = import_leads(engine, path, NOW)

    assert (report.added, report.updated) == (2, 0)
    assert report.problems == [  # the file's own line numbers, not record numbers
        f"{path}, line 5: 'bad-address' is not a valid email address",
        f"{path}, line 7: owner 'nobody@acme.test' is not a rep in the configuration",
    ]
    leads = _leads(engine)
    maria, owner = leads["maria@northwind.test"]
    assert maria.name == "María\u2028López" and owner == "ana@acme.test"
    assert maria.extra == {"notes": "met at the fair\r\nasked for pricing"}
    li, _ = leads["li@contoso.test"]
    assert li.name == "Li\u0085Wei" and li.company == "Contoso"
    assert li.extra == {"notes": "x\u2029y\x1cz"}


def test_rows_without_an_owner_are_refused_unless_a_default_owner_is_set(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "email,name,owner\nkim@fabrikam.test,Kim,\njo@tailspin.test,Jo,bob@acme.test\n",
        encoding="utf-8",
    )
    refused = import_leads(engine, path, NOW)
    assert refused.added == 1
    assert refused.problems == [
        f"{path}, line 2: no owner: fill the 'owner' column or set [leads] default_owner"
    ]
    assert "kim@fabrikam.test" not in _leads(engine)

    again = import_leads(engine, path, NOW, default_owner="ana@acme.test")
    assert (again.added, again.updated, again.problems) == (1, 1, [])
    leads = _leads(engine)
    assert leads["kim@fabrikam.test"][1] == "ana@acme.test"
    assert leads["jo@tailspin.test"][1] == "bob@acme.test"

    # A lead that has an owner keeps it when a later file names none.
    path.write_text("email,name\njo@tailspin.test,Jo Park\n", encoding="utf-8")
    kept = import_leads(engine, path, NOW)
    assert (kept.updated, kept.problems) == (1, [])
    jo, owner = _leads(engine)["jo@tailspin.test"]
    assert jo.name == "Jo Park" and owner == "bob@acme.test"


def test_the_default_owner_must_be_a_rep(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"leads.default_owner.*eve@acme.test is not one of"):
        parse({"reps": REPS, "leads": {"default_owner": "eve@acme.test"}}, tmp_path / "n.toml")


def test_a_content_body_over_the_limit_is_refused_naming_the_file(
    engine: Engine, tmp_path: Path
) -> None:
    good = (ROOT / "data" / "content" / "roi-calculator.md").read_text(encoding="utf-8")
    (tmp_path / "roi-calculator.md").write_text(good, encoding="utf-8")
    huge = tmp_path / "huge.md"
    huge.write_text(
        good.replace("slug: roi-calculator", "slug: huge") + "- point\n" * 1000, encoding="utf-8"
    )
    with pytest.raises(LibraryErrors) as caught:
        import_library(engine, tmp_path, ContentSettings(max_body_bytes=4096), "test", NOW)
    message = str(caught.value)
    assert str(huge.resolve()) in message and "max_body_bytes" in message
    assert "roi-calculator.md" not in message
    with Session(engine) as session:
        assert session.exec(select(ContentItem)).all() == []
    report = import_library(engine, tmp_path, ContentSettings(), "test", NOW)  # 64 KB default
    assert sorted(report.added) == ["huge", "roi-calculator"]


def _nurture(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from assistant.cli import main; main()",
            "--config",
            str(config),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=120,  # catches a hang only
    )


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "nurture.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[[reps]]\nemail = "ana@acme.test"\nname = "Ana"\n',
        encoding="utf-8",
    )
    return path


def test_database_mistakes_are_one_sentence_naming_the_key(tmp_path: Path) -> None:
    cases = {
        "mysql://nurture@127.0.0.1/nurture": (
            "Error: database.url: 'mysql' databases are not supported; use sqlite:///PATH "
            "or postgresql+psycopg://USER@HOST/DATABASE."
        ),
        f"postgresql://nurture@127.0.0.1:{free_port()}/nurture": (
            "Error: Cannot reach the database postgresql+psycopg://nurture@127.0.0.1:"
        ),
    }
    for url, sentence in cases.items():
        result = _nurture(_config(tmp_path, url), "leads", "list")
        assert result.returncode == 1
        assert result.stderr.startswith(sentence), result.stderr
        assert "(database.url)" in result.stderr or "database.url:" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_unknown_schema_revision_is_one_sentence(db_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path, db_url)
    assert _nurture(config, "init").returncode == 0
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe9999'"))
    engine.dispose()
    for command in (("init",), ("leads", "list")):
        result = _nurture(config, *command)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            "Error: The database (database.url) is stamped with schema revision "
            "'f00dcafe9999', which this release does not know: it was written by a newer "
            "release; run that release, or restore a backup made with this one."
        )


def test_the_progress_bar_shows_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path}/nurture.db")
    (tmp_path / "leads.csv").write_text(
        "email,owner\n" + "".join(f"l{i}@x.test,ana@acme.test\n" for i in range(50)),
        encoding="utf-8",
    )
    quiet = _nurture(config, "leads", "import", "leads.csv")
    assert quiet.stdout.strip() == "Leads: 50 added, 0 updated." and quiet.stderr == ""
    (tmp_path / "leads.csv").write_text(
        "email,owner,name\n" + "".join(f"l{i}@x.test,ana@acme.test,L{i}\n" for i in range(50)),
        encoding="utf-8",
    )
    shown = _nurture(config, "leads", "import", "leads.csv", "--progress")
    assert shown.stdout.strip() == "Leads: 0 added, 50 updated."
    assert "Reading: 50 rows" in shown.stderr and "Storing: 100%" in shown.stderr
    content = _nurture(config, "content", "import", str(ROOT / "data" / "content"), "--progress")
    assert content.returncode == 0 and "Reading: 100%" in content.stderr
