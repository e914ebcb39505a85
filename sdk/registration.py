"""The one check every registry runs on what a plugin registers: the right type, a well-formed name, and a name
no other plugin has taken. Tasks, tools, typed services, model backends and model aliases all go through
:func:`check_registration`, so a plugin author meets the same messages and hints whatever they register.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import PluginError


def check_registration(
    item: Any,
    plugin: str,
    *,
    kind: type | tuple[type, ...],
    expected: str,
    hint: str,
    owners: Mapping[str, str],
    noun: str,
    name: re.Pattern[str] | None = None,
    name_hint: str = "",
) -> str:
    """``item``'s name once it is a ``kind`` whose name matches ``name`` and is not in ``owners``; else PluginError.

    ``expected`` and ``hint`` say what the plugin should have registered instead (``"a chipmate.Task"``,
    ``"call register(Task(...))"``); ``owners`` maps the names registered so far to their plugins.
    """
    if not isinstance(item, kind):
        raise PluginError(f"plugin {plugin!r} registered {item!r}, not {expected}", hint=hint)
    item_name = getattr(item, "name", None)  # every registrable kind has one; getattr keeps mypy honest
    if not isinstance(item_name, str) or (name is not None and not name.match(item_name)):
        raise PluginError(f"plugin {plugin!r} registered a {noun} named {item_name!r}", hint=name_hint or None)
    if item_name in owners:
        raise PluginError(
            f"{noun} {item_name!r} is registered by both {owners[item_name]!r} and {plugin!r}",
            hint=f"disable one of them with CHIPMATE_DISABLE_PLUGINS={plugin}",
        )
    return str(item_name)
