"""`nurture backup PATH`: a consistent copy of a SQLite database, taken while Nurture runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.commands.app import pass_app

if TYPE_CHECKING:
    from assistant.commands.app import App


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: App, path: Path) -> None:
    """Copy the database to a file while Nurture runs."""
    from assistant.backup import backup_sqlite

    pages = backup_sqlite(app.settings.database_url, path)
    click.echo(f"Backed up the database to {path} ({pages} pages).")
