"""The domain-adaptation recipes of ChipNeMo (arXiv 2311.00176) on chipmate's precision core.

One module per recipe, each with a ``Config`` section (a :class:`chipmate.sections.Section`, read from one YAML
file with :func:`load_recipe_config`), a ``run(config) -> dict`` entry and its run commands in the docstring:

- ``corpus``    — collect, dedupe, filter and split the domain corpus (plus a general-text share) into JSONL shards;
- ``tokenizer`` — add frequent domain tokens to a base tokenizer and resize the model, new rows initialised;
- ``dapt``      — continued pretraining on the packed corpus (full fine-tuning, or LoRA);
- ``sft``       — chat SFT with the loss on assistant tokens only (LoRA, or full);
- ``retriever`` — fine-tune the designqa embedder on synthetic questions with mined hard negatives;
- ``reranker``  — train designqa's cross-encoder reranker on the same kind of data;
- ``query_adapter`` — train a linear map of designqa's query vectors on the same kind of data.

``chipmate corpus build`` and ``chipmate train tokenizer|dapt|sft|retriever|reranker|query-adapter`` run them
(``chipmate.cli.train_commands``).
This module holds what they share: reading a recipe file, finding a model by alias or path, recording the result.

**How long a run is.** A recipe whose ``Config`` has ``RUN_LENGTH = ("epochs", "train.max_iters")`` (SFT) lets
either key decide, never both: ``epochs`` counts passes over the data and computes ``train.max_iters`` from its
size; ``train.max_iters`` counts iterations (updates). One recipe file setting both is an error naming both keys;
a ``--set`` of one of them is explicit and wins over the file's other key (``--set train.max_iters=4`` on a file
with ``epochs: 3`` trains 4 iterations); ``--set`` of both is an error. With neither, the recipe's default applies.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from chipmate.config import load_config
from chipmate.errors import ConfigError
from chipmate.sections import Section, Where, apply_overrides, lookup, parse_overrides, read_section

S = TypeVar("S", bound=Section)


class RecipeLoader(yaml.SafeLoader):
    """YAML's safe loader that also reads ``5e-5`` as a float (YAML 1.1 wants ``5.0e-5``; LRs are written so)."""


RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_sets(items: Any) -> dict[str, Any]:
    """``--set key.sub=value`` options as ``{dotted key: value}``, each value read as recipe YAML (``5e-5`` is a
    float, ``[a, b]`` a list, ``null`` None)."""
    return parse_overrides(items, loader=RecipeLoader)


def load_recipe_config(cls: type[S], path: str | os.PathLike[str] | None, overrides: dict[str, Any], name: str) -> S:
    """Read recipe ``name``'s YAML file (None: defaults) into ``cls``, with dotted ``overrides`` applied on top."""
    data: dict[str, Any] = {}
    source = str(path) if path else f"<{name} defaults>"
    if path:
        try:
            loaded = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=RecipeLoader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}", hint="fix the syntax at the line shown") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: a recipe file must be a mapping of settings")
        data = loaded or {}
    in_file = {key for key in getattr(cls, "RUN_LENGTH", ()) if lookup(data, key) is not None}
    data = apply_overrides(data, overrides, source)
    if hasattr(cls, "RUN_LENGTH"):
        in_file -= overrides.keys()  # a --set (even to null) replaces the file's value
        _one_run_length(data, cls.RUN_LENGTH, in_file, overrides, source)
    return read_section(cls, data, Where(source, ""))


def _one_run_length(
    data: dict[str, Any], keys: tuple[str, str], in_file: set[str], overrides: dict[str, Any], source: str
) -> None:
    """Leave exactly one of ``keys`` (``epochs``, ``train.max_iters``) deciding the run's length, in place:
    a --set one wins over the file, two in one place are an error (the rule in the module docstring)."""
    nullable, counted = keys  # the first may be null (then the second counts); the second always has a value
    given = [key for key in keys if overrides.get(key) is not None]
    fix = (
        f"keep one: {nullable} counts passes over the data and computes {counted} from its size, {counted} counts "
        f"iterations; --set {counted}=N (or --set {nullable}=N) overrides the file's choice"
    )
    if len(given) == 2:
        raise ConfigError(
            f"--set {nullable}={overrides[nullable]} and --set {counted}={overrides[counted]} both set how long "
            "the run is", hint=fix,
        )  # fmt: skip
    if not given and len(in_file) == 2:
        raise ConfigError(
            f"{source}: {nullable} ({lookup(data, nullable)}) and {counted} ({lookup(data, counted)}) both set "
            "how long the run is", hint=f"delete one of them from the file; {fix}",
        )  # fmt: skip
    winner = given[0] if given else next(iter(in_file), None)
    if winner == counted:
        data[nullable] = None  # the iterations were asked for: epochs must not recompute them
    elif winner == nullable:
        *parents, leaf = counted.split(".")
        parent = lookup(data, ".".join(parents)) if parents else data
        if isinstance(parent, dict):
            parent.pop(leaf, None)  # computed from the data size; the file's value would only mislead


@dataclass
class ModelSource:
    """A model to train from: its Hugging Face directory, and the alias it came from (if any)."""

    path: Path
    alias: str | None = None
    settings: dict[str, Any] | None = None  # the alias's settings, to derive the trained model's alias from


def host_config(models_config: str | None) -> Any:
    """The chipmate config that resolves aliases and the cache (``--models-config``, else the usual lookup)."""
    return load_config(models_config)


def resolve_model(ref: str, models_config: str | None = None, *, where: str = "model") -> ModelSource:
    """A model directory (``config.json`` inside) or a generator alias whose backend has a local HF directory.

    The ``hf`` backend's aliases (embedded ones included: converted into the cache on first use) resolve to
    their directory. An alias of another backend (``ct2`` serves the embedded generators under their plain
    names) resolves through its ``-hf`` twin when there is one, else when ``chipmate models info`` reports a
    ``hf_path`` or a ``path`` holding ``config.json``.
    """
    candidate = Path(ref).expanduser()
    if (candidate / "config.json").is_file():
        return ModelSource(candidate)
    if candidate.exists() or "/" in ref:
        raise ConfigError(
            f"{where}: {ref} is not a Hugging Face model directory (no config.json)",
            hint="point it at a save_pretrained() directory or name a model alias (chipmate models list)",
        )
    from chipmate.host import Host

    registry = Host(host_config(models_config)).models
    spec = registry.spec(ref)
    settings = {"backend": spec.backend, **spec.options}
    if spec.options.get("adapter"):
        raise ConfigError(
            f"{where}: alias {ref!r} carries a peft adapter; train from its base model or a merged directory",
            hint="merge the adapter (sft's merge: true writes a model directory) and train from that",
        )
    twin = f"{ref}-hf"
    known = {row["alias"] for row in registry.list()}
    hf_spec = spec if spec.backend == "hf" else registry.spec(twin) if twin in known else None
    if hf_spec is not None and hf_spec.backend == "hf" and not hf_spec.options.get("adapter"):
        return ModelSource(registry.local_path(hf_spec.alias), ref, settings)
    info = registry.info(ref)
    for key in ("hf_path", "path"):
        path = info.get(key) or spec.options.get(key)
        if path and (Path(str(path)) / "config.json").is_file():
            return ModelSource(Path(str(path)), ref, settings)
    raise ConfigError(
        f"{where}: alias {ref!r} (backend {spec.backend}) has no local Hugging Face directory to train from",
        hint="name the alias of its hf backend (e.g. the '-hf' variant) or a model directory",
    )


def check_alias(alias: str | None, replace: bool, models_config: str | None) -> None:
    """Fail before training when ``--alias`` could not be recorded afterwards (bad name, taken)."""
    if alias is None:
        return
    from chipmate.host import Host
    from chipmate.models.store import check_alias_free

    check_alias_free(Host(host_config(models_config)).models, alias, replace=replace)


def record_trained_alias(
    alias: str, *, source: ModelSource, model_dir: Path | None, adapter_dir: Path | None, recipe: str,
    replace: bool, models_config: str | None,
) -> dict[str, Any]:  # fmt: skip
    """Record ``alias`` for what a recipe wrote: a model directory, or an adapter on ``source``'s model."""
    from chipmate.host import Host
    from chipmate.models.store import add_alias

    registry = Host(host_config(models_config)).models
    base = source.alias or str(source.path)
    if model_dir is not None:
        return add_alias(registry, alias, model_dir, base=base, recipe=recipe, replace=replace)
    return add_alias(registry, alias, adapter_dir, base=base, recipe=recipe, replace=replace)
