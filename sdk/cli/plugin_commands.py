"""``chipmate plugins``."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins(as_json):
    """
    List the plugins this installation loads, with the hooks each implements.

    \b
    Examples:
        chipmate plugins
        CHIPMATE_LOAD_PLUGINS= chipmate plugins     # built-in plugins only
    """
    from ..plugin_manager import plugin_list

    rows = plugin_list()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        origin = f"{row['distribution']} {row['version']}" if row["distribution"] else "registered in code"
        click.echo(f"{row['name']}  ({origin})")
        click.echo(f"  hooks: {', '.join(row['hooks'])}")


COMMANDS = [plugins]
