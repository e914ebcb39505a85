"""The model registry: configured aliases, the backends plugins registered, and the loaded, shared instances.

Built-in aliases (always present unless the config redefines the same name):

- ``smollm2-135m-instruct`` — the embedded default generator (SmolLM2-135M-Instruct, see ``defaults.py``)
- ``all-minilm-l6-v2`` — the embedded default embedder (all-MiniLM-L6-v2)

An alias in the config with ``default: true`` replaces the built-in default of its kind.
"""

from __future__ import annotations

import builtins
import difflib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import cache_dir as default_cache_dir
from ..errors import ConfigError, ModelNotFoundError, PluginError
from .base import EMBEDDER, GENERATOR, Embedder, Generator, ModelBackend, ModelSpec
from .defaults import DEFAULT_EMBEDDER_ALIAS, DEFAULT_GENERATOR_ALIAS, builtin_specs

# Keys every alias may carry besides the backend's own options.
COMMON_KEYS = {"backend": "backend kind (hf, openai, sentence-transformers, or a plugin's)", "default": ""}


class ModelRegistry:
    """Model aliases -> backends, loading each model once, on first use, and sharing it across requests."""

    def __init__(self, *, cache_dir: str | Path | None = None, source: str | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.source = source or "<config>"
        self._backends: dict[str, ModelBackend] = {}
        self._specs: dict[str, ModelSpec] = {}
        self._defaults: dict[str, str] = {GENERATOR: DEFAULT_GENERATOR_ALIAS, EMBEDDER: DEFAULT_EMBEDDER_ALIAS}
        self._loaded: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._raw: dict[str, Any] = {}

    # -- set-up ----------------------------------------------------------------------------------------------

    def register(self, backend: ModelBackend, plugin: str = "") -> None:
        """Add a backend kind; ``plugin`` names who registered it."""
        if not isinstance(backend, ModelBackend):
            raise PluginError(
                f"plugin {plugin!r} registered {backend!r}, not a chipmate.models.ModelBackend",
                hint="call register(ModelBackend(name=..., kind=..., load=...))",
            )
        if backend.name in self._backends:
            other = self._backends[backend.name].plugin
            raise PluginError(
                f"model backend {backend.name!r} is registered by both {other!r} and {plugin!r}",
                hint=f"disable one of them with CHIPMATE_DISABLE_PLUGINS={plugin}",
            )
        self._backends[backend.name] = ModelBackend(**{**backend.__dict__, "plugin": backend.plugin or plugin})

    def configure(self, models: Mapping[str, Any] | None) -> None:
        """Read the ``models`` section of the config (alias -> settings) on top of the built-in aliases.

        Checks every alias now (backend kind known, option names valid, required options present), so a
        typo fails at start-up, not on the first request. Files are only looked at when a model loads.
        """
        raw: dict[str, Any] = dict(builtin_specs())
        builtin = set(raw)
        if models is not None and not isinstance(models, Mapping):
            raise ConfigError(f"{self.source}: models must be a mapping of alias -> settings")
        raw.update(models or {})
        specs: dict[str, ModelSpec] = {}
        defaults: dict[str, list[str]] = {GENERATOR: [], EMBEDDER: []}
        for alias, settings in raw.items():
            source = "<built-in>" if alias in builtin and alias not in (models or {}) else self.source
            spec, backend = self._spec(str(alias), settings, source)
            specs[spec.alias] = spec
            if isinstance(settings, Mapping) and settings.get("default"):
                defaults[backend.kind].append(spec.alias)
        for kind, aliases in defaults.items():
            if len(aliases) > 1:
                raise ConfigError(
                    f"{self.source}: models {', '.join(aliases)} all set default: true",
                    hint=f"only one {kind} can be the default",
                )
            if aliases:
                self._defaults[kind] = aliases[0]
        self._specs = specs
        self._raw = raw

    def _spec(self, alias: str, settings: Any, source: str) -> tuple[ModelSpec, ModelBackend]:
        where = f"{source}: models.{alias}"
        if not isinstance(settings, Mapping):
            raise ConfigError(f"{where} must be a mapping with at least a 'backend' key")
        kind = settings.get("backend")
        if kind not in self._backends:
            known = ", ".join(sorted(self._backends)) or "none (is the 'backends' plugin disabled?)"
            raise ConfigError(f"{where}.backend is {kind!r}, not a registered backend kind", hint=f"known: {known}")
        backend = self._backends[kind]
        allowed = {*COMMON_KEYS, *backend.options}
        for key in settings:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"{kind} accepts: {', '.join(sorted(allowed))}"
                raise ConfigError(f"{where}: unknown key {key!r} for backend {kind!r}", hint=hint)
        for key in backend.required:
            if settings.get(key) in (None, ""):
                raise ConfigError(f"{where}: backend {kind!r} needs {key!r}", hint=backend.options.get(key))
        options = {k: v for k, v in settings.items() if k not in COMMON_KEYS}
        return ModelSpec(alias, kind, options, self.cache_dir, source), backend

    # -- lookup ----------------------------------------------------------------------------------------------

    def default_alias(self, kind: str) -> str:
        """The alias ``generator(None)`` / ``embedder(None)`` resolves to."""
        return self._defaults[kind]

    def spec(self, alias: str) -> ModelSpec:
        """The configured spec of ``alias``, or ModelNotFoundError listing the known aliases."""
        try:
            return self._specs[alias]
        except KeyError:
            close = [a for a in sorted(self._specs) if a.startswith(alias)] or difflib.get_close_matches(
                alias, self._specs, n=1
            )
            known = ", ".join(sorted(self._specs)) or "none"
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ModelNotFoundError(
                f"no model with alias {alias!r}",
                hint=f"{hint}known aliases: {known}; add it under 'models:' in the config",
            ) from None

    def generator(self, alias: str | None = None) -> Generator:
        """The loaded generator of ``alias`` (None: the default), loading it on first use."""
        return self._get(alias, GENERATOR)

    def embedder(self, alias: str | None = None) -> Embedder:
        """The loaded embedder of ``alias`` (None: the default), loading it on first use."""
        return self._get(alias, EMBEDDER)

    def load(self, alias: str) -> Generator | Embedder:
        """The loaded model of ``alias``, whatever its kind (used to preload models at server start)."""
        spec = self.spec(alias)
        return self._get(alias, self._backends[spec.backend].kind)  # type: ignore[no-any-return]

    def _get(self, alias: str | None, kind: str) -> Any:
        alias = alias or self._defaults[kind]
        model = self._loaded.get(alias)
        if model is not None:
            return model
        spec = self.spec(alias)
        backend = self._backends[spec.backend]
        if backend.kind != kind:
            raise ModelNotFoundError(
                f"model {alias!r} is an {backend.kind}, not a {kind}",
                hint=f"ask for a {kind} alias; `chipmate models list` shows each alias's kind",
            )
        with self._lock:
            lock = self._locks.setdefault(alias, threading.Lock())
        # One lock per alias: concurrent first calls load the model once, other aliases are not blocked.
        with lock:
            model = self._loaded.get(alias)
            if model is None:
                model = backend.load(spec)
                self._loaded[alias] = model
        return model

    def list(self) -> list[dict[str, Any]]:
        """One row per alias: alias, backend, kind, default, loaded, plugin, source."""
        rows = []
        for alias in sorted(self._specs):
            spec = self._specs[alias]
            backend = self._backends[spec.backend]
            rows.append(
                {
                    "alias": alias,
                    "backend": spec.backend,
                    "kind": backend.kind,
                    "default": self._defaults[backend.kind] == alias,
                    "loaded": alias in self._loaded,
                    "plugin": backend.plugin,
                    "source": spec.source,
                }
            )
        return rows

    def info(self, alias: str) -> dict[str, Any]:
        """What is known about ``alias`` without loading it: its row of :meth:`list`, settings, files."""
        spec = self.spec(alias)
        backend = self._backends[spec.backend]
        row = next(r for r in self.list() if r["alias"] == alias)
        row["options"] = dict(spec.options)
        row["description"] = backend.description
        if backend.describe is not None:
            row.update(backend.describe(spec))
        model = self._loaded.get(alias)
        if model is not None:
            row.update(loaded_facts(model))
        return row

    def backends(self) -> builtins.list[ModelBackend]:
        """The registered backend kinds, by name."""
        return [self._backends[name] for name in sorted(self._backends)]

    def close(self) -> None:
        """Release every loaded model (connections, memory)."""
        with self._lock:
            loaded, self._loaded = self._loaded, {}
        for model in loaded.values():
            model.close()


def loaded_facts(model: Any) -> dict[str, Any]:
    """Sizes a loaded model reports (context length, dimension), for ``chipmate models info --load``."""
    if isinstance(model, Generator):
        return {"context_length": model.context_length}
    if isinstance(model, Embedder):
        return {"dimension": model.dimension, "max_seq_length": model.max_seq_length}
    return {}
