"""`nurture content ...` and `nurture eval selection` as a marketer and a manager use them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from assistant.db import open_database, transaction
from assistant.models import Lead, Message, Rep
from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture, seed, write_config
from tests.paths import ROOT
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

LIBRARY = ROOT / "data" / "content"
CASES = ROOT / "data" / "eval" / "selection.jsonl"
NOW = "2026-11-23T10:00:00+00:00"


def nurture(
    tmp_path: Path, *args: str, rules: str = "", library: Path = LIBRARY
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "nurture.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/n.db"\n'
        f'[content]\nlibrary = "{library}"\n{rules}\n'
        "[[reps]]\nemail = 'ana@acme.test'\nname = 'Ana Ruiz'\n",
        encoding="utf-8",
    )
    env = {**os.environ, "NURTURE_NOW": NOW}
    return subprocess.run(
        [*NURTURE, "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=HANG_SECONDS,
    )


def library_with_bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY, folder)
    guide = folder / "roi-calculator.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("stage: decision", "stage: negotiation"),
        encoding="utf-8",
    )
    offer = folder / "q3-implementation-offer.md"
    offer.write_text(
        offer.read_text(encoding="utf-8").replace("expires: 2026-09-30", "expires: soon"),
        encoding="utf-8",
    )
    return folder


def test_import_names_every_bad_file_and_field_and_imports_nothing(tmp_path: Path) -> None:
    folder = library_with_bad_files(tmp_path)
    result = nurture(tmp_path, "content", "import", str(folder))
    assert result.returncode == 1
    assert f"{folder / 'q3-implementation-offer.md'}: field 'expires'" in result.stderr
    assert f"{folder / 'roi-calculator.md'}: field 'stage': 'negotiation'" in result.stderr
    assert "2 file problem(s)" in result.stderr and "Traceback" not in result.stderr
    listed = nurture(tmp_path, "content", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_import_list_show_retire_and_restore(tmp_path: Path) -> None:
    imported = nurture(tmp_path, "content", "import")
    assert imported.returncode == 0, imported.stderr
    assert "Content: 55 added, 0 updated." in imported.stdout
    items = {
        i["slug"]: i for i in json.loads(nurture(tmp_path, "content", "list", "--json").stdout)
    }
    assert items["q3-implementation-offer"]["state"] == "expired 2026-09-30"
    assert items["forecasting-trends-2023"]["state"] == "retired"
    assert items["roi-calculator"]["state"] == "available"

    assert nurture(tmp_path, "content", "retire", "roi-calculator").returncode == 0
    again = nurture(tmp_path, "content", "import")
    assert "Content: 0 added, 55 updated." in again.stdout
    assert "Still retired: 'roi-calculator'" in again.stderr
    shown = json.loads(nurture(tmp_path, "content", "show", "roi-calculator", "--json").stdout)
    assert shown["state"] == "retired" and shown["received_by"] == 0
    assert nurture(tmp_path, "content", "restore", "roi-calculator").returncode == 0
    text = nurture(tmp_path, "content", "show", "roi-calculator").stdout
    assert "available; received by 0 lead(s)." in text
    missing = nurture(tmp_path, "content", "show", "no-such-item")
    assert missing.returncode == 1 and "no content item 'no-such-item'" in missing.stderr


def test_tracks_are_stored_with_the_library_and_a_bad_slug_is_named(tmp_path: Path) -> None:
    bad = nurture(
        tmp_path,
        "content",
        "import",
        rules='[content.tracks]\ndecision = ["roi-calculator", "roi-calculater"]\n',
    )
    assert bad.returncode == 1
    assert "key 'content.tracks.decision'" in bad.stderr
    assert "'roi-calculater' is not an item of the library" in bad.stderr
    assert json.loads(nurture(tmp_path, "content", "list", "--json").stdout) == []

    stage = nurture(tmp_path, "content", "list", rules='[content.tracks]\nlater = ["x"]\n')
    assert stage.returncode == 1 and "'later' is not a stage" in stage.stderr

    good = nurture(
        tmp_path,
        "content",
        "import",
        rules="same_company_days = 90\n"
        '[content.tracks]\ndecision = ["roi-calculator", "business-case-template"]\n',
    )
    assert good.returncode == 0, good.stderr
    assert "Track decision: roi-calculator, business-case-template" in good.stdout
    assert "in the last 90 days" in good.stdout
    shown = json.loads(nurture(tmp_path, "content", "show", "roi-calculator", "--json").stdout)
    assert shown["tracks"] == ["decision"]


def test_eval_selection_prints_both_figures_for_the_ranker_and_both_baselines(
    tmp_path: Path,
) -> None:
    text = nurture(tmp_path, "eval", "selection", str(CASES), "--library", str(LIBRARY))
    assert text.returncode == 0, text.stderr
    for word in ("ranker", "random", "fixed_sequence", "p@1", "MRR"):
        assert word in text.stdout
    data = json.loads(
        nurture(
            tmp_path, "eval", "selection", str(CASES), "--library", str(LIBRARY), "--json"
        ).stdout
    )
    assert data["methods"]["ranker"]["p_at_1"] >= 0.75
    assert data["methods"]["ranker"]["mrr"] > data["methods"]["random"]["mrr"]


def test_eval_selection_names_every_bad_line_and_exits_1(tmp_path: Path) -> None:
    good = {
        "id": "a",
        "lead": {"title": "CFO", "industry": "Software", "stage": "decision", "topics": []},
        "delivered": [],
        "reply": "What does it cost?",
        "expected": ["pricing-and-packaging-guide"],
    }
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                json.dumps(good),
                '{"id": "b", ',
                json.dumps({**good, "id": "c", "expected": ["no-such-item"]}),
                json.dumps({**good, "id": "d"}),
            ]
        ),
        encoding="utf-8",
    )
    result = nurture(tmp_path, "eval", "selection", str(cases), "--library", str(LIBRARY))
    assert result.returncode == 1
    assert f"{cases}, line 2: not valid JSON" in result.stderr
    assert f"{cases}, line 3: expected slug 'no-such-item' is not in the library" in result.stderr
    assert "line 4" not in result.stderr and "Traceback" not in result.stderr
    library = nurture(
        tmp_path,
        "eval",
        "selection",
        str(CASES),
        "--library",
        str(library_with_bad_files(tmp_path)),
    )
    assert library.returncode == 1 and "field 'stage'" in library.stderr


def test_gaps_lists_uncovered_topics_with_counts_and_examples(tmp_path: Path) -> None:
    assert nurture(tmp_path, "content", "import").returncode == 0
    engine = open_database(f"sqlite:///{tmp_path}/n.db")
    questions = {
        "li@uni.test": "Thanks! Does it work for nonprofits?",
        "jo@ngo.test": "Is there anything on forecasting for nonprofits?",
        "sam@build.test": "Do you have a benchmark for the construction industry?",
    }
    with transaction(engine) as session:
        rep = session.exec(select(Rep)).one()
        assert rep.id is not None
        for uid, (address, text) in enumerate(questions.items(), start=1):
            lead = Lead(email=address, owner_id=rep.id)
            session.add(lead)
            session.flush()
            session.add(
                Message(
                    rep_id=rep.id,
                    folder="INBOX",
                    uidvalidity=1,
                    uid=uid,
                    lead_id=lead.id,
                    direction="inbound",
                    sent_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
                    reply_text=text,
                    state="understood",
                    kind="human",
                )
            )
    engine.dispose()
    data = json.loads(nurture(tmp_path, "content", "gaps", "--json").stdout)
    assert [(g["topic"], g["leads"], g["questions"]) for g in data] == [
        ("nonprofits", 2, 2),
        ("construction", 1, 1),
    ]
    assert data[0]["examples"] == [
        "Does it work for nonprofits?",
        "Is there anything on forecasting for nonprofits?",
    ]
    text = nurture(tmp_path, "content", "gaps").stdout
    assert "nonprofits" in text and "Does it work for nonprofits?" in text


@pytest.mark.slow
def test_a_lead_who_has_everything_gets_no_filler_and_the_queue_says_so(
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    """The rep already mailed every library link by hand; the next reply carries no item."""
    config = write_config(tmp_path, db_url, mailbox_user, smtp_server)
    app = Nurture(config, mailbox_user.password, now=NOW)
    (tmp_path / "leads.csv").write_text(
        "email,name,company,title,owner,stage\n"
        "maria@northwind.test,María López,Northwind,CFO,ana@acme.test,decision\n",
        encoding="utf-8",
    )
    seed(config, tmp_path / "leads.csv", datetime.fromisoformat(NOW))
    urls = [item["url"] for item in app.json("content", "list")]
    dovecot.deliver(
        mailbox_user.name,
        mail(
            sender="Ana Ruiz <ana@acme.test>",
            to="María López <maria@northwind.test>",
            subject="Everything we have",
            body="Hi María,\n\n" + "\n".join(f"{u}?utm_source=ana" for u in urls) + "\n\nAna",
            message_id="<all@acme.test>",
            date=datetime(2026, 11, 16, 9, tzinfo=UTC),
        ),
        folder="Sent",
    )
    dovecot.deliver(
        mailbox_user.name,
        mail(
            sender="María López <maria@northwind.test>",
            to="Ana Ruiz <ana@acme.test>",
            subject="Re: Everything we have",
            # Nothing asked that an item answers: a question about one they have is answered
            # from it, with its link (tests/integration/pipeline/test_draft_stage.py).
            body="Thanks, that is plenty to read. We will come back with our thoughts.\n\nMaría",
            message_id="<r1@northwind.test>",
            in_reply_to="<all@acme.test>",
            references=("<all@acme.test>",),
            date=datetime(2026, 11, 20, 9, tzinfo=UTC),
        ),
    )
    app.run("tick")
    ledger = app.json("content", "ledger", "maria@northwind.test")
    assert len(ledger) == len(urls) and {d["source"] for d in ledger} == {"sent_folder"}
    [draft] = app.json("queue")
    assert draft["content"] is None and draft["content_reason"] == "no new content fits"
    assert not any(u in draft["body"] for u in urls)
    assert "no new content fits" in app.run("queue").stdout
    assert "no new content fits" in app.run("show", str(draft["id"])).stdout


def test_eval_selection_runs_without_a_configuration_on_another_teams_library(
    tmp_path: Path,
) -> None:
    """An evaluator's own cases and library, in a folder with no nurture.toml."""
    blind = ROOT / "data" / "eval" / "blind" / "fleetwise"
    env = {k: v for k, v in os.environ.items() if k != "NURTURE_CONFIG"}
    run = subprocess.run(
        [
            *NURTURE,
            "eval",
            "selection",
            str(blind / "cases.jsonl"),
            "--library",
            str(blind / "library"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=HANG_SECONDS,
    )
    assert run.returncode == 0, run.stderr
    assert "bm25 ranker" in run.stdout and "fixed_sequence" in run.stdout
    hybrid = subprocess.run(
        [*NURTURE, "eval", "selection", str(CASES), "--library", str(LIBRARY), "--ranker=hybrid"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=HANG_SECONDS,
    )
    assert hybrid.returncode == 0 and "hybrid ranker" in hybrid.stdout, hybrid.stderr
    named = subprocess.run(
        [*NURTURE, "--config", str(tmp_path / "missing.toml"), "eval", "selection", str(CASES)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=HANG_SECONDS,
    )
    assert named.returncode == 1 and "missing.toml: file not found" in named.stderr
