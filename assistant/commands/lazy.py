"""A click group that imports a command's module only when that command runs."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """Commands named by "module:attribute", with the line `--help` shows, and aliases.

    `nurture --help` lists every command without importing one: the web app, the ranker and
    the database layer load only for the command that needs them.
    """

    def __init__(
        self,
        *args: Any,
        lazy: Mapping[str, tuple[str, str]],
        aliases: Mapping[str, tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)  # name -> ("module:attribute", one line of help)
        self.aliases = dict(aliases)  # old verb -> (group, verb)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.aliases:
            group_name, verb = self.aliases[cmd_name]
            group = self.get_command(ctx, group_name)
            assert isinstance(group, click.Group)
            return group.get_command(ctx, verb)
        if cmd_name in self.lazy:
            return load(self.lazy[cmd_name][0])
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        if self.aliases:
            with formatter.section("Aliases"):
                formatter.write_dl(
                    [
                        (old, f"nurture {group} {verb}")
                        for old, (group, verb) in self.aliases.items()
                    ]
                )


def load(target: str) -> click.Command:
    """The command object that "module:attribute" names."""
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(command, click.Command)
    return command
