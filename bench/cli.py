"""Start-up time of the `nurture` command: the median of N runs of a few commands.

    .venv/bin/python bench/cli.py [--runs 15] [--source DIR]

Each run is a fresh process, as an operator's shell starts it. `--source` times another
checkout (e.g. an older one, for a before-and-after figure). The bare interpreter's start-up
is printed first: it is the floor under every figure. CPU time is printed beside wall
time because a busy machine stretches wall time. Aim: under 0.3 s for `nurture --help`
and for commands that need no database.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NURTURE = "from assistant.cli import main; main()"
MAIL = (
    b"From: Lead <lead@client.test>\r\nTo: rep@acme.test\r\nSubject: Re: forecasting\r\n"
    b"Message-ID: <1@client.test>\r\n\r\nThanks! Could you send the pricing guide?\r\n"
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> str:
    """Median wall time, and median CPU time (which a busy machine disturbs less)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_before = time.perf_counter(), _cpu()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True)
        if done.returncode != 0:  # an older checkout may lack the command
            return f"exits {done.returncode}"
        wall.append(time.perf_counter() - started)
        cpu.append(_cpu() - cpu_before)
    return f"{statistics.median(wall):6.3f} s wall {statistics.median(cpu):6.3f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--source", type=Path, default=ROOT, help="The checkout to time.")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.source.resolve())}
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        (cwd / "reply.eml").write_bytes(MAIL)
        cases = {
            "python -c pass (the floor)": [sys.executable, "-c", "pass"],
            "nurture --help": [sys.executable, "-c", NURTURE, "--help"],
            "nurture leads --help": [sys.executable, "-c", NURTURE, "leads", "--help"],
            "nurture drafts approve --help": [
                sys.executable,
                "-c",
                NURTURE,
                "drafts",
                "approve",
                "--help",
            ],
            "nurture classify reply.eml": [sys.executable, "-c", NURTURE, "classify", "reply.eml"],
        }
        load = os.getloadavg()[0]
        print(f"{args.source.resolve()}, median of {args.runs} runs, load average {load:.1f}")
        for name, command in cases.items():
            print(f"  {name:<32} {timed(command, env, cwd, args.runs)}")


if __name__ == "__main__":
    main()
