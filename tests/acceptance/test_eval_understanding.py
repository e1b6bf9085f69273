"""`nurture eval understanding DIR`: figures from labelled mail, and bad folders named plainly."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

from assistant.mail.classify import classify_bytes
from assistant.mail.dsn import is_probable_bounce
from assistant.mail.parse import header_fields
from assistant.mail.scoring import load_cases, score
from tests.nurture_cli import NURTURE
from tests.paths import TESTS

REAL = TESTS / "corpus_real"


def _copy(folder: Path, *names: str) -> None:
    for name in names:
        for suffix in (".eml", ".json"):
            shutil.copy(REAL / f"{name}{suffix}", folder / f"{name}{suffix}")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NURTURE, "eval", "understanding", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_prints_every_figure_as_json(tmp_path: Path) -> None:
    _copy(tmp_path, "sisimai-exim-02", "sisimai-rfc3834-03", "erp-quote_reply_german")
    done = _run(str(tmp_path), "--json", "--rounds", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["messages"] == 3 and report["crashes"] == []
    assert report["recipients"] == {"right": 1, "total": 1, "misses": [], "percent": 100.0}
    assert report["auto_replies"]["right"] == 1
    assert report["new_text"]["right"] == 1
    assert report["stdlib_per_second"] > 0 and report["ours_per_second"] > 0


def test_a_wrong_label_is_counted_as_a_miss(tmp_path: Path) -> None:
    _copy(tmp_path, "sisimai-exim-02", "sisimai-postfix-02")
    label = tmp_path / "sisimai-postfix-02.json"
    data = json.loads(label.read_text(encoding="utf-8"))
    data["bounce"] = {"recipients": ["somebody@else.example"], "hard": False}
    label.write_text(json.dumps(data), encoding="utf-8")
    report = score(load_cases(tmp_path))
    assert report.recipients.right == 1 and report.recipients.misses == ["sisimai-postfix-02"]
    assert report.hard_soft.misses == ["sisimai-postfix-02"]
    done = _run(str(tmp_path), "--misses", "--rounds", "0")
    assert done.returncode == 0, done.stderr
    assert "recipients: sisimai-postfix-02" in done.stdout
    assert "bounce recipients right       50.0%  (1 of 2)" in done.stdout


def test_a_message_without_its_labels_is_named_in_one_sentence(tmp_path: Path) -> None:
    _copy(tmp_path, "sisimai-exim-02")
    (tmp_path / "lonely.eml").write_bytes(b"From: a@b.example\r\n\r\nhi\r\n")
    done = _run(str(tmp_path))
    assert done.returncode == 1
    expected = f"Error: {tmp_path / 'lonely.eml'}: has no .json of expected fields beside it"
    assert done.stderr.strip() == expected


def test_a_bad_label_names_the_file_and_the_key(tmp_path: Path) -> None:
    _copy(tmp_path, "sisimai-exim-02")
    (tmp_path / "sisimai-exim-02.json").write_text('{"kind": "spam"}', encoding="utf-8")
    done = _run(str(tmp_path))
    assert done.returncode == 1
    assert "sisimai-exim-02.json: 'kind' must be one of human, auto_reply, bounce" in done.stderr
    assert "Traceback" not in done.stderr


def test_probable_bounces_are_told_from_the_header_block_alone() -> None:
    subjects = [
        "Onbestelbaar: Offerte",
        "Olevererbart: Offert",
        "Non recapitabile: Offerta",
        "Não é possível entregar: Proposta",
        "Unzustellbar: Angebot",
        "Non remis : Offre",
        "No se puede entregar: Oferta",
        "Undeliverable: Quote",
        "=?utf-8?Q?N=C3=A3o_=C3=A9_poss=C3=ADvel_entregar:_Proposta?=",
    ]
    for subject in subjects:
        block = f"From: Lea <lea@partner.example>\r\nSubject: {subject}\r\n\r\n".encode()
        assert is_probable_bounce(header_fields(block)), subject
    others = [
        {"From": "MAILER-DAEMON", "Subject": "Email Feedback Report"},
        {"from": "lea@partner.example", "x-failed-recipients": "sam@partner.example"},
        {"Content-Type": "multipart/report; report-type=delivery-status; boundary=x"},
        {"From": "Microsoft Outlook <MicrosoftExchange329e71ec88ae@partner.example>"},
    ]
    assert all(is_probable_bounce(headers) for headers in others)
    people = [
        {"From": "Lea <lea@partner.example>", "Subject": "Re: Undeliverable goods we discussed"},
        {"From": "Lea <lea@partner.example>", "Subject": "Fwd: Undeliverable: Quote"},
        {"From": "Lea <lea@partner.example>", "Content-Type": "multipart/mixed; boundary=x"},
    ]
    assert not any(is_probable_bounce(headers) for headers in people)


def test_a_report_without_the_returned_message_names_the_bounced_one_by_its_thread() -> None:
    raw = (
        b"From: postmaster@partner.example\r\nTo: ana@acme.test\r\n"
        b"Subject: Undeliverable: demo\r\nIn-Reply-To: <draft-7@acme.test>\r\n\r\n"
        b"Delivery has failed to these recipients or groups:\r\n\r\n"
        b"lea@partner.example\r\nThe email address you entered couldn't be found.\r\n"
    )
    got = classify_bytes(raw, today=date(2025, 1, 1))
    assert got["kind"] == "bounce"
    assert got["bounce"]["recipients"] == ["lea@partner.example"]
    assert got["bounce"]["original_message_id"] == "<draft-7@acme.test>"
