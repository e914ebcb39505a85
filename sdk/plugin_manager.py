"""The plugin manager and the loading policy. Nothing else lives here.

(DESIGN.md calls this module plugins.py; that name belongs to the built-in plugins package, chipmate.plugins.)

Plugins are found through the ``chipmate`` entry-point group; chipmate's own plugins are registered the same way.
Loading is lazy (first call of :func:`load_plugins`) and happens once.

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

import pluggy

from . import hookspecs
from .errors import PluginError

ENTRY_POINT_GROUP = "chipmate"
BUILTIN_DISTRIBUTION = "chipmate"

pm = pluggy.PluginManager("chipmate")
pm.add_hookspecs(hookspecs)

_loaded = False
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
    # Tests set sys._chipmate_testing in pytest_configure so they never pick up whatever happens to be installed.
    if getattr(sys, "_chipmate_testing", False):
        return False
    if allow is None:
        return True
    return ep.name in allow or (ep.dist is not None and ep.dist.name in allow)


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
    """Load every allowed plugin from the entry-point group, once."""
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        if os.environ.get("CHIPMATE_TRACE_PLUGINS") == "1":
            pm.trace.root.setwriter(lambda message: print(message, end="", file=sys.stderr))
            pm.enable_tracing()
        allow = _env_list("CHIPMATE_LOAD_PLUGINS")
        deny = _env_list("CHIPMATE_DISABLE_PLUGINS") or set()
        for name in deny:
            pm.set_blocked(name)
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in deny or pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            if not _is_builtin(ep) and not _third_party_allowed(ep, allow):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}",
                    hint=f"fix or uninstall it, or set CHIPMATE_DISABLE_PLUGINS={ep.name}",
                ) from exc
            register(plugin, name=ep.name)
            if ep.dist is not None:
                _origins[ep.name] = (ep.dist.name, ep.dist.version)


def plugin_list() -> list[dict[str, object]]:
    """Name, implemented hooks and distribution of each loaded plugin, for ``chipmate plugins``."""
    load_plugins()
    rows: list[dict[str, object]] = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        dist, version = _origins.get(name, (None, None))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "hooks": hooks, "distribution": dist, "version": version})
    return sorted(rows, key=lambda row: str(row["name"]))
