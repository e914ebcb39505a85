"""What plugins offer to agents besides tasks: knowledge bases they may read (``chipmate mcp``'s resources).

A plugin offers them through the ``chipmate_register_knowledge_bases`` hook, so the MCP server (core) never
imports a plugin: it gets the plugin's functions for finding, opening and naming the served knowledge base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class KnowledgeBaseSource:
    """A plugin's knowledge bases on this machine.

    ``locate(extra)`` returns the knowledge base directories (the served one first, then ``extra``'s that hold
    one); ``open_index(root)`` loads one (an object with ``manifest``, ``chunks`` and ``refresh()``); ``served()``
    names the one the plugin's task answers from. Called on first use: offering costs the plugin no import.
    """

    plugin: str
    locate: Callable[[Sequence[Path]], Sequence[Path]]
    open_index: Callable[[Path], Any]
    served: Callable[[], Path | None]
