"""`nurture reps add|list|pause|resume|remove`, run as the real command on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nurture_cli import Nurture

pytestmark = pytest.mark.slow


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> Nurture:
    config = tmp_path / "nurture.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[[reps]]\nemail = "ana@acme.test"\nname = "Ana Ruiz"\n',
        encoding="utf-8",
    )
    (tmp_path / "leads.csv").write_text(
        "email,name,company,owner\n"
        "li@contoso.test,Li Wei,Contoso,bob@acme.test\n"
        "max@fabrikam.test,Max Roe,Fabrikam,bob@acme.test\n",
        encoding="utf-8",
    )
    return Nurture(config, "unused")


def _error(app: Nurture, *args: str) -> str:
    result = app.run(*args, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


def test_a_rep_added_from_the_shell_is_listed_with_leads_and_mailbox_state(
    app: Nurture,
) -> None:
    added = app.run(
        "reps", "add", "Bob@Acme.test", "--name", "Bob Lee", "--title", "AE",
        "--imap-host", "imap.acme.test", "--imap-password-env", "BOB_PW",
        "--smtp-host", "smtp.acme.test", "--smtp-password-env", "BOB_PW",
    )  # fmt: skip
    assert added.stdout.strip() == "Added bob@acme.test (Bob Lee): its mailbox is watched."
    app.run("leads", "import", "leads.csv")
    listed = {r["email"]: r for r in app.json("reps", "list")}
    assert listed["bob@acme.test"] == {
        "email": "bob@acme.test",
        "name": "Bob Lee",
        "status": "active",
        "source": "database",
        "leads": 2,
        "mailbox": "not synced yet",
        "attention": False,
    }
    assert listed["ana@acme.test"]["source"] == "file"
    assert listed["ana@acme.test"]["mailbox"] == "no mailbox"
    text = app.run("reps", "list").stdout
    assert "bob@acme.test" in text and "active" in text and "2 lead(s)" in text


def test_pause_resume_and_remove_with_the_leads_handed_on(app: Nurture) -> None:
    app.run("reps", "add", "bob@acme.test", "--name", "Bob Lee")
    app.run("leads", "import", "leads.csv")
    assert "paused" in app.run("reps", "pause", "bob@acme.test").stdout
    assert app.json("reps", "list")[1]["status"] == "paused"
    assert _error(app, "reps", "pause", "bob@acme.test") == (
        "Error: bob@acme.test is paused; nothing was changed."
    )
    assert "active again" in app.run("reps", "resume", "bob@acme.test").stdout
    removed = app.run("reps", "remove", "bob@acme.test", "--reassign-to", "ana@acme.test")
    assert removed.stdout.strip() == (
        "bob@acme.test removed: its 2 lead(s) now belong to ana@acme.test."
    )
    assert [r["email"] for r in app.json("reps", "list")] == ["ana@acme.test"]
    everyone = {r["email"]: r for r in app.json("reps", "list", "--all")}
    assert everyone["bob@acme.test"]["status"] == "removed"
    assert everyone["bob@acme.test"]["leads"] == 0 and everyone["ana@acme.test"]["leads"] == 2
    owners = {lead["email"]: lead["owner"] for lead in app.json("leads", "list")}
    assert set(owners.values()) == {"ana@acme.test"}


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("add", "bob@acme", "--name", "Bob"), "Error: EMAIL: 'bob@acme' is not an email address"),
        (
            ("add", "bob@acme.test", "--name", "Bob", "--imap-host", "imap.acme.test"),
            "Error: --imap-password-env: is required",
        ),
        (
            ("add", "bob@acme.test", "--name", "Bob", "--timezone", "Mars/Olympus"),
            "Error: --timezone: 'Mars/Olympus' is not a time zone like Europe/Madrid",
        ),
        (
            ("add", "bob@acme.test", "--name", "B", "--imap-host", "h", "--auth", "xoauth2"),
            "Error: --provider: auth is xoauth2 but provider (google, microsoft or custom) is "
            "not set",
        ),
        (
            ("add", "ana@acme.test", "--name", "Ana"),
            "Error: ana@acme.test is already a rep, active.",
        ),
        (("pause", "nobody@acme.test"), "Error: nobody@acme.test is not a rep."),
        (
            ("remove", "ana@acme.test", "--reassign-to", "ana@acme.test"),
            "Error: --reassign-to: names the rep being removed",
        ),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(
    app: Nurture, args: tuple[str, ...], sentence: str
) -> None:
    assert _error(app, "reps", *args) == sentence
