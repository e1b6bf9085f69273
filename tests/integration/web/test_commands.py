"""`nurture users ...`, `nurture web` and `nurture run --web` through the real command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from assistant.cli import cli
from assistant.models import User
from assistant.web.security import check_password
from tests.bounds import HANG_SECONDS
from tests.integration.web.company import SECRET, Company, build, sign_in
from tests.servers import free_port

pytestmark = pytest.mark.slow

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]


def _user(world: Company, email: str) -> User | None:
    with Session(world.engine) as db:
        return db.exec(select(User).where(User.email == email)).first()


def test_users_add_list_and_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world, config = build(tmp_path, f"sqlite:///{tmp_path}/nurture.db")
    runner = CliRunner()
    monkeypatch.setenv("NEW_PASSWORD", "a long enough secret")
    result = runner.invoke(
        cli,
        [
            "--config",
            str(config),
            "users",
            "add",
            "Bob@Acme.test",
            "--role",
            "rep",
            "--password-env",
            "NEW_PASSWORD",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Updated bob@acme.test (rep, team east)." in result.output
    assert check_password(_user(world, "bob@acme.test"), "a long enough secret")

    result = runner.invoke(
        cli,
        [
            "--config",
            str(config),
            "users",
            "add",
            "lead@acme.test",
            "--role",
            "manager",
            "--team",
            "west",
        ],
        input="typed at the prompt\ntyped at the prompt\n",
    )
    assert result.exit_code == 0, result.output
    manager = _user(world, "lead@acme.test")
    assert manager is not None and (manager.role, manager.team, manager.rep_id) == (
        "manager",
        "west",
        None,
    )
    assert check_password(manager, "typed at the prompt")

    listed = runner.invoke(cli, ["--config", str(config), "users", "list"]).output
    assert "lead@acme.test" in listed and "manager" in listed

    result = runner.invoke(
        cli,
        [
            "--config",
            str(config),
            "users",
            "add",
            "nobody@acme.test",
            "--role",
            "rep",
            "--password-env",
            "NEW_PASSWORD",
        ],
    )
    assert result.exit_code != 0 and "not a rep in the configuration" in str(result.exception)
    monkeypatch.setenv("SHORT", "short")
    result = runner.invoke(
        cli,
        [
            "--config",
            str(config),
            "users",
            "add",
            "x@acme.test",
            "--role",
            "admin",
            "--password-env",
            "SHORT",
        ],
    )
    assert "at least 10 characters" in str(result.exception)

    assert (
        runner.invoke(cli, ["--config", str(config), "users", "remove", "lead@acme.test"]).exit_code
        == 0
    )
    assert _user(world, "lead@acme.test") is None


def test_web_on_a_taken_port_says_so_in_one_sentence(tmp_path: Path) -> None:
    _, config = build(tmp_path, f"sqlite:///{tmp_path}/nurture.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*NURTURE, "--config", str(config), "web", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
            env={**os.environ, "TEST_WEB_SECRET": SECRET},
        )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: Cannot serve the web app on 127.0.0.1:{port}:")
    )
    assert "Traceback" not in result.stderr


def test_web_without_a_secret_key_names_the_setting(tmp_path: Path) -> None:
    _, config = build(tmp_path, f"sqlite:///{tmp_path}/nurture.db")
    env = {k: v for k, v in os.environ.items() if k != "TEST_WEB_SECRET"}
    result = subprocess.run(
        [*NURTURE, "--config", str(config), "web"],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        env=env,
    )
    assert result.returncode == 1
    assert "web.secret_key_env" in result.stderr and "TEST_WEB_SECRET" in result.stderr


def test_run_with_web_serves_the_app_beside_the_daemon_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    _, config = build(tmp_path, f"sqlite:///{tmp_path}/nurture.db", port=port)
    process = subprocess.Popen(
        [*NURTURE, "--config", str(config), "run", "--web"],
        env={**os.environ, "TEST_WEB_SECRET": SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + HANG_SECONDS
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        with closing(sign_in(url, "ana@acme.test")) as client:
            assert client.get("/queue").status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=HANG_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
