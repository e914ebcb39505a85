"""The alias store: model aliases that ``chipmate train ... --alias`` and ``chipmate models add`` record.

A trained model becomes usable by every plugin with no hand-edited config: the recipe (or the user) records an
alias in one JSON file in the cache, ``<cache>/aliases.json`` (``$CHIPMATE_ALIAS_STORE`` names another file).
The model registry reads it between the plugins' aliases and the config's ``models:`` section, so a stored alias
may replace a plugin's and the config still has the last word::

    from chipmate.models.store import record_alias
    record_alias(cache_dir, "smol-eda", {"backend": "hf", "embedded": "smollm2-135m-instruct",
                                         "adapter": "/runs/sft/adapter"},
                 base="smollm2-135m-instruct", recipe="sft")

Each entry keeps the alias's ``settings`` (what a ``models:`` entry would hold), the ``base`` alias or path it
was trained from, the ``recipe`` that made it and when. Writes are atomic and serialised with a lock file
(:mod:`chipmate.files`), so two recipes finishing at once both land. Nothing here imports torch.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..files import atomic_write, file_lock

if TYPE_CHECKING:
    from .registry import ModelRegistry

STORE_FILE = "aliases.json"
#: alias names: what a YAML key and a CLI argument carry without quoting
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_PATH_KEYS = ("path", "adapter")


def store_path(cache_dir: str | os.PathLike[str]) -> Path:
    """The store file: ``$CHIPMATE_ALIAS_STORE`` when set, else ``<cache_dir>/aliases.json``."""
    explicit = os.environ.get("CHIPMATE_ALIAS_STORE")
    return Path(explicit).expanduser() if explicit else Path(cache_dir) / STORE_FILE


def check_alias_name(name: str) -> str:
    """``name`` if it can be an alias (letters, digits, ``.``, ``_``, ``-``); ConfigError otherwise."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is not a valid model alias",
            hint="use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. smol-eda-sft)",
        )
    return name


def read_aliases(cache_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """``{alias: {"settings": {...}, "base": ..., "recipe": ..., "created": ...}}``; empty when there is no store."""
    path = store_path(cache_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: the alias store cannot be read: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            f"{path}: the alias store is not valid JSON: {exc}",
            hint="fix or delete the file; `chipmate train ... --alias` and `chipmate models add` rewrite it",
        ) from exc
    aliases = data.get("aliases") if isinstance(data, dict) else None
    if not isinstance(aliases, dict) or not all(
        isinstance(e, dict) and isinstance(e.get("settings"), dict) for e in aliases.values()
    ):
        raise ConfigError(
            f"{path}: the alias store must be {{'aliases': {{NAME: {{'settings': {{...}}, ...}}}}}}",
            hint="fix or delete the file",
        )
    return aliases


def record_alias(
    cache_dir: str | os.PathLike[str],
    name: str,
    settings: Mapping[str, Any],
    *,
    base: str | None = None,
    recipe: str | None = None,
    replace: bool = True,
) -> Path:
    """Record (or, with ``replace``, overwrite) the alias ``name`` -> ``settings``; returns the store file.

    ``settings`` is what a ``models:`` entry would hold and must name a ``backend``; the local paths in it
    (``path``, ``adapter``) must exist and are stored absolute, so the alias works from any folder. ``base`` (the
    alias or path trained from) and ``recipe`` (``dapt``, ``sft``, ``retriever``, ``manual``) are shown by
    ``chipmate models list``. Whether ``settings`` fits a registered backend is the registry's check, at load.
    """
    check_alias_name(name)
    settings = dict(settings)
    if not settings.get("backend"):
        raise ConfigError(f"alias {name!r}: settings need a 'backend' (e.g. 'hf')")
    for key in _PATH_KEYS:
        if settings.get(key):
            path = Path(str(settings[key])).expanduser()
            if not path.exists():
                raise ConfigError(f"alias {name!r}: {key} {path} does not exist", hint="train or copy it there first")
            settings[key] = str(path.resolve())
    path = store_path(cache_dir)
    with _locked(path):
        aliases = read_aliases(cache_dir)
        if name in aliases and not replace:
            raise ConfigError(
                f"model alias {name!r} is already recorded in {path}",
                hint=f"pick another name, pass --replace, or `chipmate models remove {name}` first",
            )
        aliases[name] = {
            "settings": settings,
            "base": base,
            "recipe": recipe,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _write(path, aliases)
    return path


def remove_alias(cache_dir: str | os.PathLike[str], name: str) -> dict[str, Any]:
    """Remove ``name`` from the store and return its entry (the model files are left where they are)."""
    path = store_path(cache_dir)
    with _locked(path):
        aliases = read_aliases(cache_dir)
        if name not in aliases:
            known = ", ".join(sorted(aliases)) or "none"
            raise ConfigError(
                f"model alias {name!r} is not in the alias store {path}",
                hint=f"recorded aliases: {known}; aliases from plugins or the config file cannot be removed here",
            )
        entry = aliases.pop(name)
        _write(path, aliases)
    return entry


def _write(path: Path, aliases: dict[str, Any]) -> None:
    with atomic_write(path) as f:
        json.dump({"aliases": dict(sorted(aliases.items()))}, f, indent=2)
        f.write("\n")


def _locked(path: Path) -> contextlib.AbstractContextManager[None]:
    """An exclusive lock on ``<store>.lock``; read-modify-write of the store happens inside."""
    return file_lock(path.with_name(path.name + ".lock"))


def add_alias(
    registry: ModelRegistry,
    name: str,
    path: str | os.PathLike[str] | None = None,
    *,
    base: str | None = None,
    adapter: str | os.PathLike[str] | None = None,
    backend: str | None = None,
    default: bool = False,
    recipe: str = "manual",
    replace: bool = False,
) -> dict[str, Any]:
    """Record ``name`` for a trained model, checked against ``registry``; returns the stored settings.

    ``path`` is a Hugging Face model directory (``config.json``) or a peft adapter (``adapter_config.json``);
    an adapter needs the model it was trained on: ``base``, an alias (its settings are copied and the adapter
    added) or a model directory. ``adapter`` adds an adapter on top of a model ``path``. ``backend`` defaults to
    the base alias's backend, else ``hf``. A name that the config file defines, or that a plugin provides, is
    refused unless ``replace`` (a plugin's alias can be replaced; the config's would hide the stored one).
    """
    check_alias_name(name)
    settings: dict[str, Any] = {}
    base_ref = base
    if path is not None:
        folder = Path(path).expanduser()
        if (folder / "adapter_config.json").is_file():
            if adapter is not None:
                raise ConfigError(f"{folder} is a peft adapter; pass the base model as --base, not a second adapter")
            adapter, folder = folder, None  # type: ignore[assignment]  # folder is known to be a directory of an adapter; None means no separate model
        elif not (folder / "config.json").is_file():
            raise ConfigError(
                f"{folder} is neither a Hugging Face model directory (config.json) nor a peft adapter "
                "(adapter_config.json)",
                hint="pass the directory a `chipmate train` recipe wrote (its model/ or adapter/ folder)",
            )
        else:
            settings["path"] = str(folder)
    if "path" not in settings:
        if base is None:
            raise ConfigError(
                f"alias {name!r}: an adapter needs the model it was trained on",
                hint="pass --base ALIAS (e.g. --base smollm2-135m-instruct) or --base MODEL_DIR",
            )
        if (Path(base).expanduser() / "config.json").is_file():
            settings["path"] = str(Path(base).expanduser())
        else:
            spec = registry.spec(base)
            settings.update(spec.options)
            settings["backend"] = spec.backend
            if spec.options.get("adapter"):
                raise ConfigError(
                    f"the base alias {base!r} already carries an adapter",
                    hint="merge it into a model directory first, or pick the plain base alias",
                )
    if adapter is not None:
        settings["adapter"] = str(adapter)
    settings["backend"] = backend or settings.get("backend") or "hf"
    if default:
        settings["default"] = True
    check_alias_free(registry, name, replace=replace)
    registry.check_settings(name, settings)
    record_alias(registry.cache_dir, name, settings, base=base_ref, recipe=recipe, replace=True)
    return read_aliases(registry.cache_dir)[name]["settings"]  # type: ignore[no-any-return]  # the store holds JSON objects


def check_alias_free(registry: ModelRegistry, name: str, *, replace: bool = False) -> None:
    """ConfigError unless ``name`` may be recorded: valid, and not taken (``replace`` allows a stored alias or a
    plugin's to be replaced; the config file's never, since it would hide the stored one). Recipes call this
    before training, so a bad ``--alias`` fails in a second, not after hours."""
    check_alias_name(name)
    rows = {row["alias"]: row for row in registry.list()}
    existing = rows.get(name)
    if existing is None:
        return
    source = str(existing["source"])
    if source.startswith("<alias store"):
        if not replace:
            raise ConfigError(
                f"model alias {name!r} is already recorded in the alias store",
                hint=f"pick another name, pass --replace, or `chipmate models remove {name}` first",
            )
        return
    if source.startswith("<plugin") and replace:
        return
    where = "a plugin" if source.startswith("<plugin") else "the config file"
    raise ConfigError(
        f"model alias {name!r} is already defined by {where} ({source})",
        hint="pick another name"
        + (", or pass --replace to put the trained model in its place" if where == "a plugin" else ""),
    )
