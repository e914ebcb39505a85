"""The plugin manager and the loading policy. Nothing else lives here.

(Not ``plugins.py``: that name belongs to the built-in plugins package, chipmate.plugins.)

Plugins are found through the ``chipmate`` entry-point group; chipmate's own plugins are registered the same way.
Loading is lazy (first call of :func:`load_plugins`), happens once, and is all or nothing: every allowed entry
point is imported before any is registered, so a plugin that fails to import (or to register) leaves the manager
as it was, and the next call reports the same error instead of running with part of the plugins.

Environment:
- ``CHIPMATE_LOAD_PLUGINS``: comma-separated allow-list of third-party plugins (entry-point or distribution
  names). Set but empty loads no third-party plugin. Built-in plugins are not affected by it.
- ``CHIPMATE_DISABLE_PLUGINS``: comma-separated deny-list, applied to every plugin, built-in ones included.
- ``CHIPMATE_TRACE_PLUGINS=1``: print every hook call with its arguments and results to stderr.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import threading
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError

ENTRY_POINT_GROUP = "chipmate"
BUILTIN_DISTRIBUTION = "chipmate"

pm = pluggy.PluginManager("chipmate")
pm.add_hookspecs(hookspecs)

_loaded = False
_tracing = False
_lock = threading.Lock()
# plugin name -> (distribution, version) for plugins that came from an entry point
_origins: dict[str, tuple[str, str]] = {}


def _env_list(name: str) -> set[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return {item.strip() for item in value.split(",") if item.strip()}


def _is_builtin(ep: importlib.metadata.EntryPoint) -> bool:
    return ep.dist is not None and ep.dist.name == BUILTIN_DISTRIBUTION


def _third_party_allowed(ep: importlib.metadata.EntryPoint, allow: set[str] | None) -> bool:
    if allow is None:
        return True
    return ep.name in allow or (ep.dist is not None and ep.dist.name in allow)


def _status(ep: importlib.metadata.EntryPoint) -> str:
    """Whether the loading policy lets ``ep`` load: ``allowed``, ``disabled`` or ``not allowed``."""
    if ep.name in (_env_list("CHIPMATE_DISABLE_PLUGINS") or set()) or pm.is_blocked(ep.name):
        return "disabled"
    if not _is_builtin(ep) and not _third_party_allowed(ep, _env_list("CHIPMATE_LOAD_PLUGINS")):
        return "not allowed"
    return "allowed"


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    # One entry per name: an editable install next to a built wheel can list a plugin twice.
    seen: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        seen.setdefault(ep.name, ep)
    return list(seen.values())


def _import(ep: importlib.metadata.EntryPoint) -> Any:
    """The plugin object of ``ep``; PluginError naming it and the way to switch it off when it cannot load."""
    try:
        return ep.load()
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise PluginError(
            f"plugin {ep.name!r} ({ep.value}) failed to import: {type(exc).__name__}: {reason}",
            hint=f"fix or uninstall it, or set CHIPMATE_DISABLE_PLUGINS={ep.name}",
        ) from exc


def register(plugin: object, name: str | None = None) -> None:
    """Register a plugin object or module, failing with a PluginError if a hook is misspelled or mistyped."""
    try:
        pm.register(plugin, name=name)
        pm.check_pending()
    except (pluggy.PluginValidationError, ValueError) as exc:
        if pm.is_registered(plugin):
            pm.unregister(plugin)
        raise PluginError(
            f"plugin {name or plugin!r} cannot be registered: {exc}",
            hint="hook names must start with chipmate_ and take only the arguments listed in docs/plugins.md",
        ) from exc


def load_plugins() -> None:
    """Load every allowed plugin from the entry-point group, once, all or nothing."""
    global _loaded, _tracing
    with _lock:
        if _loaded:
            return
        if os.environ.get("CHIPMATE_TRACE_PLUGINS") == "1" and not _tracing:
            pm.trace.root.setwriter(lambda message: print(message, end="", file=sys.stderr))
            pm.enable_tracing()
            _tracing = True
        for name in _env_list("CHIPMATE_DISABLE_PLUGINS") or set():
            pm.set_blocked(name)
        wanted = [ep for ep in _entry_points() if not pm.has_plugin(ep.name) and _status(ep) == "allowed"]
        # Import everything first: a failure here leaves the manager untouched.
        plugins = [(ep, _import(ep)) for ep in wanted]
        registered: list[object] = []
        try:
            for ep, plugin in plugins:
                register(plugin, name=ep.name)
                registered.append(plugin)
        except PluginError:
            for plugin in registered:
                pm.unregister(plugin)
            raise
        for ep, _ in plugins:
            if ep.dist is not None:
                _origins[ep.name] = (ep.dist.name, ep.dist.version)
        _loaded = True


def plugin_list() -> list[dict[str, object]]:
    """Every plugin this installation knows, for ``chipmate plugins``: name, status, hooks, distribution.

    Never raises for a broken plugin: when loading fails, the broken one is listed with ``status`` ``failed``
    and its error, the others as ``not loaded`` (loading is all or nothing), so the listing shows what to fix.
    """
    error: PluginError | None = None
    try:
        load_plugins()
    except PluginError as exc:
        error = exc
    rows: dict[str, dict[str, object]] = {}
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        dist, version = _origins.get(name, (None, None))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows[name] = {"name": name, "status": "loaded", "hooks": hooks, "distribution": dist, "version": version}
    for ep in _entry_points():
        if ep.name in rows:
            continue
        dist = ep.dist.name if ep.dist is not None else None
        version = ep.dist.version if ep.dist is not None else None
        row: dict[str, object] = {"name": ep.name, "status": _status(ep), "hooks": [], "distribution": dist}
        row["version"] = version
        if row["status"] == "allowed":
            try:
                plugin = _import(ep)
            except PluginError as exc:
                row.update(status="failed", error=str(exc))
            else:
                row["status"] = "not loaded" if error is not None else "allowed"
                row["hooks"] = sorted(n for n in dir(plugin) if pm.parse_hookimpl_opts(plugin, n) is not None)
        rows[ep.name] = row
    return [rows[name] for name in sorted(rows)]
