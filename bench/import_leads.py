"""Prints how long `nurture leads import` takes for a large CSV: first import, re-import, update.

    python bench/import_leads.py [--rows 100000] [--url postgresql+psycopg://...]

The file has quoted line breaks and Unicode line separators inside fields, the way a CRM
export does. "re-import" reads the same file again (nothing changes); "update" reads a file
where every lead has a new title, so every row is written.

Without --url it runs on a new SQLite file; each --url must be an empty database.
The CPU time beside each figure shows how much of it was ours on a busy machine.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.config import parse
from assistant.db import open_database
from assistant.imports import import_leads
from assistant.roster import sync_reps

REPS = ("ana@acme.test", "bob@acme.test", "cara@acme.test")
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def write_csv(path: Path, rows: int, title: str = "VP Finance") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["email", "name", "company", "title", "owner", "stage", "topics", "notes"])
        for i in range(rows):
            out.writerow(
                [
                    f"lead{i}@company{i % 5000}.test",
                    f"Lead Number {i}",
                    f"Company {i % 5000}",
                    title,
                    REPS[i % len(REPS)],
                    ("awareness", "consideration", "decision")[i % 3],
                    "forecasting;crm",
                    f"Met at the fair.\nAsked for pricing\u2028and a demo ({i}).",
                ]
            )


def run(url: str, path: Path, changed: Path, rows: int) -> None:
    engine = open_database(url)
    sync_reps(engine, parse({"reps": [{"email": e, "name": e} for e in REPS]}))
    for label, csv_path in (("import", path), ("re-import", path), ("update", changed)):
        start, cpu = time.perf_counter(), time.process_time()
        report = import_leads(engine, csv_path, NOW)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"{engine.dialect.name:<10} {label:<9} {rows} rows: {seconds:6.1f} s "
            f"(this process's CPU {cpu:.1f} s; {report.added} added, "
            f"{report.updated} updated, {len(report.problems)} problems)"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", action="append", default=[], help="an empty database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        changed = Path(folder) / "changed.csv"
        write_csv(path, args.rows)
        write_csv(changed, args.rows, title="Chief Financial Officer")
        for url in args.url or [f"sqlite:///{folder}/bench.db"]:
            run(url, path, changed, args.rows)


if __name__ == "__main__":
    main()
