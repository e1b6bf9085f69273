"""The built wheel, installed into a fresh virtual environment, runs the demo and the web app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from tests.bounds import HANG_SECONDS
from tests.paths import ROOT

# What the wheel is built from; tests, bench and scripts stay out of it.
SOURCES = ("pyproject.toml", "README.md", "assistant", "prompts", "templates", "data")

pytestmark = pytest.mark.slow


def _run(command: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A venv holding only the wheel; the dependencies come from this interpreter's venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(origin, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NURTURE_NOW")}
    env["PIP_NO_INDEX"] = "1"  # no network: everything comes from the machine
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source], tmp, env)
    (wheel,) = dist.glob("nurture-*.whl")

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    python = venv / "bin" / "python"
    _run([*pip, "--python", python, "install", "--no-deps", wheel], tmp, env)
    # The dependencies are already installed here; a .pth line adds this venv's site-packages
    # after the new venv's own, and its .pth files (the checkout's editable install) stay unread.
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, env
        ).strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")

    where = _run([python, "-c", "import assistant; print(assistant.__file__)"], tmp, env)
    assert Path(where.strip()).is_relative_to(venv), where
    return venv, env


def test_the_installed_wheel_runs_the_demo(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    output = _run([venv / "bin" / "nurture", "demo", "--fast"], tmp_path, env)
    assert "Imported 55 content items" in output
    assert "SMTP 250: To" in output
    assert "That is the loop" in output


def test_the_installed_wheel_serves_the_login_page(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    port = _free_port()
    config = tmp_path / "nurture.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "nurture.db"}"\n'
        f'[web]\nport = {port}\nsecret_key_env = "WHEEL_WEB_SECRET"\n',
        encoding="utf-8",
    )
    env = {**env, "WHEEL_WEB_SECRET": "a secret of more than sixteen characters"}
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [venv / "bin" / "nurture", "--config", config, "web"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + HANG_SECONDS
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=HANG_SECONDS)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert page.status_code == 200
        assert 'name="password"' in page.text
        css = page.text.split('href="/static/app.css', 1)
        assert len(css) == 2, page.text
        assert httpx.get(f"http://127.0.0.1:{port}/static/app.css").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=HANG_SECONDS)
