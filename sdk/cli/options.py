"""Options and set-up every command that works on a configuration shares, core and plugin commands alike.

A plugin's commands take ``--config`` and build their host the same way as the core's::

    from chipmate.cli.options import config_option, host_from

    @click.command()
    @config_option("tasks.myplugin")
    def stats(config_path):
        host = host_from(config_path)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..host import Host

F = TypeVar("F", bound=Callable[..., Any])


def config_option(settings: str | None = None) -> Callable[[F], F]:
    """``-c/--config FILE`` into the parameter ``config_path``; ``settings`` names the section the command reads."""
    about = f" ({settings} settings)" if settings else ""
    return click.option(
        "-c", "--config", "config_path", type=click.Path(dir_okay=False), help=f"YAML config file{about}."
    )


def host_from(config_path: str | None, **task_settings: Mapping[str, Any]) -> Host:
    """The host of config file ``config_path`` (the usual lookup without one), plugins loaded.

    ``task_settings`` lays command-line values over the file's ``tasks.<name>`` sections, e.g.
    ``host_from(path, designqa={"index_dir": "~/kb"})``; a value of None means the option was not given.
    """
    from ..config import load_config
    from ..host import Host

    config = load_config(config_path)
    given = {name: {k: v for k, v in values.items() if v is not None} for name, values in task_settings.items()}
    given = {name: values for name, values in given.items() if values}
    if given:
        tasks = dict(config.tasks)
        for name, values in given.items():
            tasks[name] = {**(tasks.get(name) or {}), **values}
        config.tasks = tasks
    return Host(config)
