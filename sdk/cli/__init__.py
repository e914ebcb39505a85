"""The ``chipmate`` command line. Commands are grouped by what they act on; plugins add their own.

Plugins load inside the group, when a command the core does not have is looked up (or ``--help`` lists them),
never at import: ``chipmate call`` and ``chipmate health`` start without importing any plugin, and a broken plugin
costs one ``Error:`` line instead of a traceback from every command.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import ChipmateError, PluginError


class ChipmateGroup(click.Group):
    """A click group that adds plugins' commands on first need and turns domain errors into one line, exit 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_added = False
        self._plugin_error: PluginError | None = None

    def _add_plugin_commands(self) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from ..host import Host

        core = dict(self.commands)
        try:
            Host().register_commands(self)
        except PluginError as exc:
            self._plugin_error = exc
        # A plugin may add commands, never replace a core one.
        self.commands.update(core)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        if self._plugin_error is not None:
            click.echo(f"Error: {self._plugin_error}", err=True)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            self._add_plugin_commands()
            command = super().get_command(ctx, name)
            if command is None and self._plugin_error is not None:
                # The command may belong to the plugin that failed: say that, not "no such command".
                raise click.ClickException(str(self._plugin_error))
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChipmateError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=ChipmateGroup)
@click.version_option(package_name="chipmate")
def cli() -> None:
    """
    chipmate: domain-adapted language models inside chip-design tools.

    \b
    Examples:
        chipmate serve                       # serve the loaded tasks on 127.0.0.1:50051
        chipmate tasks                       # list the server's tasks
        chipmate call echo --input '{"text": "hello"}'
        chipmate call echo --input @req.json --stream --format tcl
    """


def _add_core_commands() -> None:
    from . import (
        client_commands,
        corpus_commands,
        integration_commands,
        model_commands,
        plugin_commands,
        serve_command,
        train_commands,
    )

    modules = (serve_command, client_commands, integration_commands, plugin_commands, model_commands, train_commands)
    for module in (*modules, corpus_commands):
        for command in module.COMMANDS:
            cli.add_command(command)


_add_core_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chipmate")
