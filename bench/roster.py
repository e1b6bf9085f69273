"""What reading the reps table costs: seeding N reps from a file, and one reconcile's read.

    .venv/bin/python bench/roster.py [--reps 300 1000] [--db postgresql+psycopg://.../EMPTY_DB]

The daemon reads the table every `[daemon] reconcile_seconds` (desired_mailboxes) and each
timer pass; the figures say what that read costs as the floor grows. SQLite in a temporary
folder unless --db names another database, which must be an empty one made for this.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant import roster
from assistant.clock import now
from assistant.config import parse
from assistant.db import open_database


def _settings(count: int) -> dict[str, object]:
    imap = {"host": "imap.acme.test", "security": "none", "password_env": "PW"}
    return {
        "reps": [
            {
                "email": f"rep{i}@acme.test",
                "name": f"Rep {i}",
                "imap": {**imap, "username": f"rep{i}"},
            }
            for i in range(count)
        ]
    }


def run(url: str, count: int, rounds: int = 20) -> None:
    engine = open_database(url)
    settings = parse(_settings(count))
    started = time.perf_counter()
    roster.seed(engine, settings, now())
    first = time.perf_counter() - started
    started = time.perf_counter()
    roster.seed(engine, settings, now())
    again = time.perf_counter() - started
    reads = []
    for _ in range(rounds):
        started = time.perf_counter()
        found = roster.reps(engine)
        reads.append(time.perf_counter() - started)
    assert len(found) == count
    print(
        f"{count:>6} reps: seed {first * 1000:7.1f} ms, seed again {again * 1000:7.1f} ms, "
        f"read (median of {rounds}) {statistics.median(reads) * 1000:6.1f} ms"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for count in args.reps:
            url = args.db or f"sqlite:///{Path(folder) / f'roster-{count}.db'}"
            run(url, count)
            if args.db:
                break  # one size only: the reps of a second run would meet the first's


if __name__ == "__main__":
    main()
