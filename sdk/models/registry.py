"""The model registry: the backends and aliases plugins registered, the config's aliases on top, and the loaded,
shared instances.

The registry knows no model by name: the built-in ``backends`` plugin registers the embedded defaults
(``plugins/backends/embedded.py``) like any plugin would. Aliases come in three layers, each replacing the one
before for a name they share: the plugins', the alias store's (``chipmate train ... --alias``, ``chipmate models
add``; see :mod:`chipmate.models.store`), the config's ``models:``. One with ``default: true`` becomes the
default of its kind (the config's before the store's before a plugin's).
"""

from __future__ import annotations

import builtins
import difflib
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import progress
from ..config import cache_dir as default_cache_dir
from ..errors import ChipmateError, ConfigError, ModelNotFoundError, OverloadedError, PluginError
from ..registration import check_registration
from .base import EMBEDDER, GENERATOR, Embedder, Generator, ModelAlias, ModelBackend, ModelSpec
from .queue import ModelQueue
from .store import read_aliases, store_path

log = logging.getLogger("chipmate.models")

# Keys every alias may carry besides the backend's own options.
COMMON_KEYS = {"backend": "backend kind (hf, openai, sentence-transformers, or a plugin's)", "default": ""}


class ModelRegistry:
    """Model aliases -> backends, loading each model once, on first use, and sharing it across requests."""

    def __init__(
        self, *, cache_dir: str | Path | None = None, source: str | None = None, queue_limit: int = 16
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.source = source or "<config>"
        #: calls waiting for a model (one busy generating, or still loading), all models together
        self.queue = ModelQueue(queue_limit)
        self._backends: dict[str, ModelBackend] = {}
        self._aliases: dict[str, ModelAlias] = {}
        self._specs: dict[str, ModelSpec] = {}
        self._defaults: dict[str, str] = {}
        self._stored: dict[str, dict[str, Any]] = {}
        self._loaded: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- set-up ----------------------------------------------------------------------------------------------

    def register(self, item: ModelBackend | ModelAlias, plugin: str = "") -> None:
        """Add a backend kind or a named model; ``plugin`` names who registered it."""
        if isinstance(item, ModelAlias):
            self._register_alias(item, plugin)
            return
        backend = item
        check_registration(
            backend, plugin, kind=ModelBackend, expected="a chipmate.models.ModelBackend or ModelAlias",
            hint="call register(ModelBackend(name=..., kind=..., load=...)) or register(ModelAlias(name=..., ...))",
            owners={name: b.plugin for name, b in self._backends.items()}, noun="model backend",
        )  # fmt: skip
        self._backends[backend.name] = ModelBackend(**{**backend.__dict__, "plugin": backend.plugin or plugin})

    def _register_alias(self, alias: ModelAlias, plugin: str) -> None:
        if not alias.name or not isinstance(alias.settings, Mapping) or "backend" not in alias.settings:
            raise PluginError(
                f"plugin {plugin!r} registered model alias {alias.name!r} without a 'backend' in its settings",
                hint="settings hold what a config entry would, e.g. {'backend': 'hf', 'path': ...}",
            )
        check_registration(
            alias, plugin, kind=ModelAlias, expected="a chipmate.models.ModelAlias", hint="",
            owners={name: a.plugin for name, a in self._aliases.items()}, noun="model alias",
        )  # fmt: skip
        self._aliases[alias.name] = ModelAlias(**{**alias.__dict__, "plugin": alias.plugin or plugin})

    def configure(self, models: Mapping[str, Any] | None) -> None:
        """Read the ``models`` section of the config (alias -> settings) on top of the plugins' aliases.

        Checks every alias now (backend kind known, option names valid, required options present), so a
        typo fails at start-up, not on the first request. Files are only looked at when a model loads.
        Defaults per kind: the config's ``default: true`` alias, else the first plugin alias registered with
        ``default=True``.
        """
        if models is not None and not isinstance(models, Mapping):
            raise ConfigError(f"{self.source}: models must be a mapping of alias -> settings")
        stored = read_aliases(self.cache_dir)
        store_source = f"<alias store {store_path(self.cache_dir)}>"
        raw: dict[str, Any] = {name: dict(alias.settings) for name, alias in self._aliases.items()}
        raw.update({name: entry["settings"] for name, entry in stored.items()})
        raw.update(models or {})
        specs: dict[str, ModelSpec] = {}
        defaults: dict[str, list[str]] = {GENERATOR: [], EMBEDDER: []}
        store_defaults: dict[str, str] = {}
        plugin_defaults: dict[str, str] = {}
        for alias, settings in raw.items():
            from_config = alias in (models or {})
            from_store = not from_config and alias in stored
            if from_config:
                source = self.source
            elif from_store:
                source = store_source
            else:
                source = f"<plugin {self._aliases[alias].plugin}>"
            from_plugin = not from_config and not from_store
            if from_plugin and isinstance(settings, Mapping) and settings.get("backend") not in self._backends:
                # A plugin's alias on a backend another plugin provides (scriptgen's adapted SmolLM2 on ct2): with
                # that plugin disabled the alias cannot load, and must not stop every other model from loading.
                log.info("model alias %r skipped: its backend %r is not registered", alias, settings.get("backend"))
                continue
            try:
                spec, backend = self._spec(str(alias), settings, source)
            except ConfigError as exc:
                if not from_store:
                    raise
                # A recorded alias is the user's data, not configuration: one that no longer fits (its backend's
                # plugin disabled, an option renamed) is skipped, so it cannot take every other model down.
                log.warning(
                    "skipping stored model alias %r: %s (remove it: chipmate models remove %s)", alias, exc, alias
                )
                continue
            specs[spec.alias] = spec
            marked = isinstance(settings, Mapping) and settings.get("default")
            if from_config and marked:
                defaults[backend.kind].append(spec.alias)
            elif from_store and marked:
                store_defaults.setdefault(backend.kind, spec.alias)
            elif from_plugin and self._aliases[alias].default:
                plugin_defaults.setdefault(backend.kind, spec.alias)
        for kind, aliases in defaults.items():
            if len(aliases) > 1:
                raise ConfigError(
                    f"{self.source}: models {', '.join(aliases)} all set default: true",
                    hint=f"only one {kind} can be the default",
                )
        self._defaults = {
            kind: (defaults[kind] or [store_defaults.get(kind) or plugin_defaults.get(kind, "")])[0]
            for kind in (GENERATOR, EMBEDDER)
        }
        self._specs = specs
        self._stored = {n: e for n, e in stored.items() if n in specs and specs[n].source == store_source}

    def check_settings(self, alias: str, settings: Mapping[str, Any], source: str = "<new alias>") -> ModelSpec:
        """Check ``settings`` as a ``models:`` entry would be checked (backend kind, option names); its spec."""
        return self._spec(alias, settings, source)[0]

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
        """The alias ``generator(None)`` / ``embedder(None)`` resolves to; ModelNotFoundError when there is none."""
        alias = self._defaults.get(kind)
        if not alias:
            raise ModelNotFoundError(
                f"no default {kind} is configured",
                hint=f"mark one {kind} alias under 'models:' in the config with default: true, or enable the "
                "'backends' plugin, which provides the embedded defaults",
            )
        return alias

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
        return self._get(alias, self._backends[spec.backend].kind)  # type: ignore[no-any-return]  # _get returns what the backend of that kind loaded

    def _get(self, alias: str | None, kind: str) -> Any:
        alias = alias or self.default_alias(kind)
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

        def load() -> Any:
            # One lock per alias: concurrent first calls load the model once, other aliases are not blocked.
            with lock:
                model = self._loaded.get(alias)
                if model is None:
                    model = _load(spec, backend)
                    if isinstance(model, Generator):
                        model.gate = self.queue.gate(alias, model.max_concurrency)
                    self._loaded[alias] = model
            return model

        # A call waiting for a load holds a server thread like one waiting for a busy model: it counts against the
        # model queue's bound, so a crowd of first calls cannot take every thread.
        if not self.queue._enter():
            raise OverloadedError(
                f"model {alias!r} is still loading and {self.queue.waiting} calls already wait for models",
                hint="retry in a few seconds, or preload it (server.preload_models)",
                retry_after=5.0,
            )
        try:
            # A first load can take minutes (the embedded generator is converted once): a task call waiting for it
            # gets its progress, and a deadline error that says what is under way (chipmate.progress).
            return progress.run_once((id(self), alias), f"loading model {alias!r}", load)
        finally:
            self.queue._leave()

    def list(self) -> list[dict[str, Any]]:
        """One row per alias: alias, backend, kind, default, loaded, plugin, source, and for aliases from the
        alias store the ``base`` they were trained from and the ``recipe`` that made them (None otherwise)."""
        rows = []
        for alias in sorted(self._specs):
            spec = self._specs[alias]
            backend = self._backends[spec.backend]
            rows.append(
                {
                    "alias": alias,
                    "backend": spec.backend,
                    "kind": backend.kind,
                    "default": self._defaults.get(backend.kind) == alias,
                    "loaded": alias in self._loaded,
                    "plugin": backend.plugin,
                    "source": spec.source,
                    "base": self._stored.get(alias, {}).get("base"),
                    "recipe": self._stored.get(alias, {}).get("recipe"),
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

    def pullable(self) -> builtins.list[str]:
        """Aliases whose plugin can fetch and convert their files ahead of use (not replaced by the config)."""
        return [
            name
            for name in sorted(self._aliases)
            if self._specs.get(name) and self._specs[name].source.startswith("<plugin") and self._pull_of(name)
        ]

    def _pull_of(self, alias: str) -> Any:
        """The pull of plugin alias ``alias``: its own, else its backend's (a plugin's alias on another plugin's
        backend names the backend, not its module)."""
        return self._aliases[alias].pull or self._backends[self._specs[alias].backend].pull

    def load_unlisted(self, name: str, settings: Mapping[str, Any]) -> Any:
        """A model built from ``settings`` (what a ``models:`` entry holds), checked as one and loaded by its
        backend, for the caller alone: not an alias, not shared, not cached. A recipe trains its model this way."""
        spec, backend = self._spec(name, settings, "<recipe>")
        return _load(spec, backend)

    def local_path(self, alias: str) -> Path:
        """The local directory of ``alias``'s files, as its backend resolves it (the embedded defaults are converted
        into the cache first); ConfigError when its backend has no local files (an HTTP endpoint)."""
        spec = self.spec(alias)
        backend = self._backends[spec.backend]
        if backend.local_path is None:
            raise ConfigError(
                f"{spec.where()}: model {alias!r} (backend {spec.backend}) has no local directory",
                hint="name an alias of a backend with local files (hf, sentence-transformers) or a model directory",
            )
        return Path(backend.local_path(spec))

    def pull(self, alias: str, *, download: bool = True, source: Path | None = None) -> Any:
        """Fetch and convert the files of ``alias`` now (see :class:`ModelAlias`); returns where they are."""
        spec = self.spec(alias)
        if alias not in self.pullable():
            raise ModelNotFoundError(
                f"model {alias!r} has nothing to pull: its files are configured, not provided by a plugin",
                hint=f"aliases that can be pulled: {', '.join(self.pullable()) or 'none'}",
            )
        return self._pull_of(alias)(spec, download=download, source=source)

    def backends(self) -> builtins.list[ModelBackend]:
        """The registered backend kinds, by name."""
        return [self._backends[name] for name in sorted(self._backends)]

    def close(self) -> None:
        """Release every loaded model (connections, memory)."""
        with self._lock:
            loaded, self._loaded = self._loaded, {}
        for model in loaded.values():
            model.close()


def _load(spec: ModelSpec, backend: ModelBackend) -> Any:
    """``backend.load(spec)``, with an unforeseen failure said as what it almost always is: bad model files."""
    try:
        return backend.load(spec)
    except ChipmateError:
        raise
    except Exception as exc:
        # Loading fails on files far more often than on code (a truncated download, a half-copied folder): say
        # which model and what to check (FAILED_PRECONDITION), and keep the traceback for the log.
        log.error("model %r failed to load", spec.alias, exc_info=exc)
        raise ConfigError(
            f"{spec.where()}: model {spec.alias!r} could not be loaded: {type(exc).__name__}: {exc}",
            hint=f"check the files of model {spec.alias!r} (`chipmate models info {spec.alias}`); copy or "
            "convert them again if they are incomplete",
        ) from exc


def loaded_facts(model: Any) -> dict[str, Any]:
    """Sizes a loaded model reports (context length, dimension), for ``chipmate models info --load``."""
    if isinstance(model, Generator):
        return {"context_length": model.context_length}
    if isinstance(model, Embedder):
        return {"dimension": model.dimension, "max_seq_length": model.max_seq_length}
    return {}
