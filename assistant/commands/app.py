"""The CLI's shared state: settings and the database, loaded on first use."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.config import Settings


class App:
    """Settings and the database, opened on first use."""

    def __init__(self, config_path: str | None) -> None:
        self._path = config_path
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from assistant import config as config_module

            self._settings = config_module.load(config_module.locate(self._path))
        return self._settings

    def settings_or_defaults(self) -> Settings:
        """The settings, or the defaults when no configuration was named and none is here.

        For commands that read files only (`nurture eval selection`), so they run anywhere.
        """
        from assistant import config as config_module

        path = config_module.locate(self._path)
        if self._path is None and "NURTURE_CONFIG" not in os.environ and not path.exists():
            return config_module.parse({})
        return self.settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from assistant.db import open_database
            from assistant.roster import sync_reps

            self._engine = open_database(self.settings.database_url)
            sync_reps(self._engine, self.settings)
        return self._engine

    def close(self) -> None:
        """Close the database's pooled connections: the command is over."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def actor(self) -> str:
        return "cli"


pass_app = click.make_pass_decorator(App)
