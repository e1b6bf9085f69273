"""The Dockerfile copies files that exist and runs a real `nurture` command."""

from __future__ import annotations

import json
import shlex
import subprocess

from assistant.config import WebSettings
from tests.bounds import HANG_SECONDS
from tests.nurture_cli import NURTURE
from tests.paths import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments left out."""
    joined = DOCKERFILE.replace("\\\n", " ")
    rows = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in rows
        if line and not line.startswith("#")
    ]


def test_every_file_the_dockerfile_copies_exists_and_is_not_ignored() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    stages = {args.split()[-1] for op, args in _instructions() if op == "FROM" and " AS " in args}
    copies = [shlex.split(args) for op, args in _instructions() if op == "COPY"]
    assert copies
    for words in copies:
        options = [w for w in words if w.startswith("--")]
        sources = [w for w in words if not w.startswith("--")][:-1]
        if options:
            assert options == [f"--from={options[0].split('=', 1)[1]}"]
            assert options[0].split("=", 1)[1] in stages
            continue
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source not in ignored, source


def test_the_dockerfile_runs_a_real_nurture_command_on_the_port_it_exposes() -> None:
    [command] = [json.loads(args) for op, args in _instructions() if op == "CMD"]
    assert command[0] == "nurture"
    # Click refuses an unknown command or option before it looks at --help.
    result = subprocess.run(
        [*NURTURE, *command[1:], "--help"], capture_output=True, text=True, timeout=HANG_SECONDS
    )
    assert result.returncode == 0, result.stderr
    assert "Run the daemon until SIGTERM or Ctrl-C." in result.stdout
    [exposed] = [args for op, args in _instructions() if op == "EXPOSE"]
    assert int(exposed) == WebSettings().port


def test_the_wheel_stage_builds_from_what_it_copied() -> None:
    steps = _instructions()
    [built] = [args for op, args in steps if op == "RUN" and "pip wheel" in args]
    assert built.endswith(" .")  # the working folder, where the sources were copied
    copied = {shlex.split(args)[0] for op, args in steps if op == "COPY" and "--from" not in args}
    assert {"pyproject.toml", "assistant", "prompts", "templates", "data"} <= copied
