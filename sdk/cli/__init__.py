"""The ``chipmate`` command line. Commands are grouped by what they act on; plugins add their own."""

from __future__ import annotations

from typing import Any

import click

from ..errors import ChipmateError


class ChipmateGroup(click.Group):
    """A click group that turns domain errors into a one-line message and exit code 1, at the CLI edge only."""

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
        chipmate tasks                       # list tasks with their input/output schemas
        chipmate call echo --input '{"text": "hello"}'
        chipmate call echo --input @req.json --stream --format tcl
    """


def _register() -> None:
    from . import client_commands, model_commands, plugin_commands, serve_command

    for module in (serve_command, client_commands, plugin_commands, model_commands):
        for command in module.COMMANDS:
            cli.add_command(command)
    # Plugins add theirs last, so a plugin cannot silently replace a core command by loading first.
    from ..host import Host

    Host().register_commands(cli)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chipmate")
