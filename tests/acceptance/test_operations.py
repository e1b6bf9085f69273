"""Health, readiness, metrics and structured logs, scraped from real processes on both databases."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from assistant import config, logs
from assistant.db import make_engine, transaction
from assistant.models import ModelUsage
from assistant.web.server import create_app
from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture, seed, write_config
from tests.servers import free_port
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow

REP = "ana@acme.test"
LEAD = "maria.lopez@northwind.test"
SECRET = "operations-test-secret-key-0123456789"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Served:
    """A `nurture` process serving the web app (alone, or beside the daemon)."""

    def __init__(self, app: Nurture, port: int, *args: str, now: datetime | None = None) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = app.config.parent / f"served-{port}.log"
        env = {**os.environ, "TEST_IMAP_PASSWORD": app.password, "TEST_WEB_SECRET": SECRET}
        env.pop("NURTURE_NOW", None)
        if now is not None:
            env["NURTURE_NOW"] = now.isoformat()
        with self.log.open("wb") as out:  # the process writes to its own copy of the descriptor
            self.process = subprocess.Popen(
                [*NURTURE, "--config", str(app.config), *args],
                env=env,
                cwd=app.config.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            self.wait_until(lambda: httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200)
        except BaseException:
            self.stop()
            raise

    def wait_until(self, ready: object, bound: float = HANG_SECONDS) -> None:
        """Poll until `ready()` holds; the bound only catches a hang."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nurture exited {self.process.returncode}:\n{self.output}")
            try:
                if ready():  # type: ignore[operator]
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"condition not reached:\n{self.output}")

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=10)

    def samples(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = self.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=")
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        }

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def app(
    tmp_path: Path, db_url: str, mailbox_user: MailboxUser, smtp_server: SmtpServer
) -> Iterator[Nurture]:
    sections: dict[str, dict[str, object]] = {
        "web": {"port": free_port(), "secret_key_env": "TEST_WEB_SECRET"},
        "daemon": {"max_sync_lag_seconds": 600, "sync_interval_seconds": 3600},
    }
    path = write_config(
        tmp_path, db_url, mailbox_user, smtp_server, rep_email=REP, sections=sections
    )
    (tmp_path / "leads.csv").write_text(
        f"email,name,company,owner,stage,topics\n{LEAD},María López,Northwind,{REP},"
        "awareness,forecasting\n",
        encoding="utf-8",
    )
    seed(path, tmp_path / "leads.csv", datetime.now(UTC))  # as the commands would
    yield Nurture(path, mailbox_user.password, env={"TEST_WEB_SECRET": SECRET})


def _port(app: Nurture) -> int:
    return config.load(app.config).web.port


def _ask(dovecot: Dovecot, user: MailboxUser, at: datetime) -> None:
    dovecot.deliver(
        user.name,
        mail(
            sender=f"María López <{LEAD}>",
            to=f"Ana Ruiz <{REP}>",
            subject="Forecasting question",
            body="Hi Ana,\n\nHow long does the CRM integration take for 40 reps?\n\nMaría",
            message_id="<ask-1@northwind.test>",
            date=at,
        ),
    )


def test_readiness_follows_the_database_and_each_mailbox_sync(app: Nurture) -> None:
    served = Served(app, _port(app), "web", now=T0)
    try:
        assert served.get("/healthz").json() == {"status": "ok"}
        never = served.get("/readyz")
        assert never.status_code == 503
        assert never.json()["problems"] == [f"Mailbox {REP} has never been synced."]
        assert never.headers["content-security-policy"].startswith("default-src 'self'")
        assert "strict-transport-security" not in never.headers  # public_url is not https
        assert served.samples()[("nurture_mailbox_sync_lag_seconds", (("mailbox", REP),))] == -1
    finally:
        served.stop()

    app.now = T0.isoformat()
    app.run("tick")  # an empty mailbox: a successful sync all the same

    served = Served(app, _port(app), "web", now=T0 + timedelta(minutes=5))
    try:
        ready = served.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready"}
        lag = served.samples()[("nurture_mailbox_sync_lag_seconds", (("mailbox", REP),))]
        assert lag == pytest.approx(300, abs=1)
    finally:
        served.stop()

    served = Served(app, _port(app), "web", now=T0 + timedelta(hours=2))
    try:
        stale = served.get("/readyz")
        assert stale.status_code == 503
        assert stale.json()["problems"] == [
            f"Mailbox {REP} last synced 7200 s ago (limit: daemon.max_sync_lag_seconds = 600)."
        ]
    finally:
        served.stop()


def test_metrics_scraped_from_the_running_daemon(
    app: Nurture, dovecot: Dovecot, mailbox_user: MailboxUser
) -> None:
    _ask(dovecot, mailbox_user, datetime.now(UTC) - timedelta(hours=1))
    engine = make_engine(config.load(app.config).database_url)
    with transaction(engine) as db:
        db.add(
            ModelUsage(
                purpose="draft",
                model="claude-sonnet-4-6",
                input_tokens=1200,
                output_tokens=300,
                cache_read_tokens=50,
                cost_usd=0.0081,
            )
        )
    engine.dispose()

    served = Served(app, _port(app), "run", "--web")
    try:
        idle = ("nurture_mailbox_idle", (("mailbox", REP),))
        served.wait_until(
            lambda: (
                (served.samples().get(("nurture_pass_seconds_count", ())) or 0) >= 1
                and served.samples().get(idle) == 1
            )
        )
        samples = served.samples()
        assert samples[("nurture_drafts", (("state", "pending"),))] == 1
        assert samples[("nurture_drafts", (("state", "sent"),))] == 0
        assert samples[("nurture_sends", (("outcome", "sent"),))] == 0
        assert samples[("nurture_failed", (("kind", "draft"),))] == 0
        for stage in ("ingest", "understand", "notify", "plan", "draft", "send"):
            assert samples[("nurture_stage_seconds_count", (("stage", stage),))] >= 1
        lag = samples[("nurture_mailbox_sync_lag_seconds", (("mailbox", REP),))]
        assert 0 <= lag < HANG_SECONDS  # seconds since the sync, not since 1970
        model = ("model", "claude-sonnet-4-6")
        assert samples[("nurture_model_tokens_total", (("kind", "input"), model))] == 1200
        assert samples[("nurture_model_tokens_total", (("kind", "output"), model))] == 300
        assert samples[("nurture_model_tokens_total", (("kind", "cache_read"), model))] == 50
        assert samples[("nurture_model_cost_dollars_total", (model,))] == pytest.approx(0.0081)
        assert served.get("/readyz").status_code == 200
        assert served.get("/metrics").headers["x-frame-options"] == "DENY"
    finally:
        served.stop()


def test_json_logs_carry_the_mailbox_and_never_the_password(
    app: Nurture, dovecot: Dovecot, mailbox_user: MailboxUser
) -> None:
    _ask(dovecot, mailbox_user, T0 - timedelta(hours=1))
    app.now = T0.isoformat()
    result = app.run("--verbose", "tick", "--log-format", "json")
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(e) for e in lines)
    synced = [e for e in lines if e["message"].startswith("synced ")]
    assert synced and all(e["mailbox"] == REP for e in synced)
    assert mailbox_user.password not in result.stderr + result.stdout


def test_the_logging_key_chooses_json(app: Nurture) -> None:
    text = app.config.read_text(encoding="utf-8")
    app.config.write_text(text.replace("[daemon]", '[logging]\nformat = "json"\n[daemon]'))
    app.now = T0.isoformat()
    result = app.run("--verbose", "tick")
    assert result.stderr.strip()
    assert all(json.loads(line)["level"] for line in result.stderr.splitlines())


def test_configured_secrets_are_masked_in_every_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    password = 'hunter2-"quoted"-pw'
    monkeypatch.setenv("OPS_IMAP_PASSWORD", password)
    settings = config.parse(
        {
            "reps": [
                {
                    "email": REP,
                    "name": "Ana",
                    "imap": {"host": "h", "username": "u", "password_env": "OPS_IMAP_PASSWORD"},
                }
            ]
        }
    )
    for fmt in ("text", "json"):
        logs.configure(fmt=fmt, settings=settings)
        with logs.ids(mailbox=REP, lead_id=7):
            logging.getLogger("nurture.test").warning("login as u with %s refused", password)
        out = capsys.readouterr().err
        assert password not in out and json.dumps(password)[1:-1] not in out
        assert "with [secret] refused" in out
        assert "lead_id" in out and REP in out
    logs.configure()


def _client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, public_url: str | None = None
) -> TestClient:
    monkeypatch.setenv("TEST_WEB_SECRET", SECRET)
    web = {
        "secret_key_env": "TEST_WEB_SECRET",
        **({"public_url": public_url} if public_url else {}),
    }
    settings = config.parse({"database": {"url": url}, "web": web}, tmp_path / "nurture.toml")
    return TestClient(create_app(settings, make_engine(url)), raise_server_exceptions=False)


def test_readiness_names_an_unreachable_database_and_an_old_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"postgresql+psycopg://nurture@127.0.0.1:{free_port()}/nurture"
    with _client(tmp_path, monkeypatch, closed) as client:
        assert client.get("/healthz").status_code == 200  # alive without a database
        response = client.get("/readyz")
        assert response.status_code == 503
        [problem] = response.json()["problems"]
        assert problem.startswith("The database cannot be reached: ")
    with _client(tmp_path, monkeypatch, f"sqlite:///{tmp_path}/empty.db") as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        [problem] = response.json()["problems"]
        assert problem.startswith("The database schema is at revision none, not ")
        assert problem.endswith("run `nurture init`.")


def test_hsts_only_when_the_public_url_is_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/nurture.db"
    with _client(tmp_path, monkeypatch, url, "https://nurture.acme.test") as client:
        for path in ("/healthz", "/login", "/static/app.css", "/no-such-page"):
            hsts = client.get(path).headers.get("strict-transport-security")
            assert hsts == "max-age=31536000; includeSubDomains", path
    for public in ("http://nurture.acme.test", None):
        with _client(tmp_path, monkeypatch, url, public) as client:
            assert "strict-transport-security" not in client.get("/login").headers
