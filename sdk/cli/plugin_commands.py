"""``chipmate plugins``."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins(as_json):
    """
    List the plugins this installation knows: loaded, failed, disabled or not allowed, with their hooks.

    A plugin that fails to import is shown as failed with its error (and the others as not loaded, since
    loading is all or nothing); the command itself still succeeds, so it is the place to look when another
    command reports a broken plugin.

    \b
    Examples:
        chipmate plugins
        CHIPMATE_LOAD_PLUGINS= chipmate plugins          # built-in plugins only
        CHIPMATE_DISABLE_PLUGINS=broken chipmate plugins
    """
    from ..plugin_manager import plugin_list

    rows = plugin_list()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        origin = f"{row['distribution']} {row['version']}" if row["distribution"] else "registered in code"
        click.echo(f"{row['name']}  [{row['status']}]  ({origin})")
        if row.get("error"):
            click.echo(f"  error: {row['error']}")
        if row["hooks"]:
            click.echo(f"  hooks: {', '.join(row['hooks'])}")


COMMANDS = [plugins]
