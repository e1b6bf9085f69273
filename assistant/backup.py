"""Online backups of a SQLite database through SQLite's backup API."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from assistant.errors import NurtureError

PAGES_PER_STEP = 1024  # copy in steps so that writers are held up for moments only


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the database at `url` to `target` while others may write; return its page count."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise NurtureError(
            "nurture backup copies SQLite databases; back up PostgreSQL with pg_dump "
            "(README.md, Backups)."
        )
    source = Path(parsed.database or "")
    if not parsed.database or parsed.database == ":memory:" or not source.is_file():
        raise NurtureError(f"database.url: there is no SQLite database at '{source}' to back up.")
    if target.exists():
        raise NurtureError(f"{target} already exists; name a new file for the backup.")
    if not target.parent.is_dir():
        raise NurtureError(f"{target.parent} is not a folder; the backup cannot be written there.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with (
            closing(sqlite3.connect(source)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst, pages=PAGES_PER_STEP)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise NurtureError(f"Backing up {source} to {target} failed: {exc}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return pages
