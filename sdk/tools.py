"""EDA tool adapters: what a plugin registers through ``chipmate_register_tools``.

A tool adapter runs a script in a real tool (Yosys, OpenSTA, ...) in a sandbox directory and reports what the tool
said, so tasks such as script generation can check their output against the real tool. The registry here only
collects and validates adapters; the adapters themselves live in plugins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .errors import TaskNotFoundError
from .registration import check_registration

TOOL_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass
class ToolRun:
    """The outcome of running one script in a tool."""

    ok: bool
    log: str
    returncode: int = 0
    #: files the run produced, by name (e.g. a synthesized netlist)
    outputs: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Tool(Protocol):
    """An EDA tool a task can run scripts in."""

    name: str
    description: str

    def run(self, script: str, *, files: Mapping[str, str], timeout: float) -> ToolRun:
        """Run ``script`` with ``files`` (name -> text) in a fresh directory and return what happened."""
        ...


class ToolRegistry:
    """Tools by name."""

    def __init__(self) -> None:
        self._tools: dict[str, tuple[Tool, str]] = {}

    def register(self, tool: Tool, plugin: str = "") -> None:
        """Add ``tool``; ``plugin`` names who registered it."""
        check_registration(
            tool, plugin, kind=Tool, expected="a tool adapter",
            hint="a tool needs `name`, `description` and `run(script, *, files, timeout)`",
            owners={name: owner for name, (_, owner) in self._tools.items()}, noun="tool", name=TOOL_NAME,
            name_hint="use lower-case letters, digits, '_' and '-'",
        )  # fmt: skip
        self._tools[tool.name] = (tool, plugin)

    def get(self, name: str) -> Tool:
        """The tool called ``name``."""
        try:
            return self._tools[name][0]
        except KeyError:
            known = ", ".join(sorted(self._tools)) or "none"
            raise TaskNotFoundError(f"no tool named {name!r}", hint=f"registered tools: {known}") from None

    def __iter__(self) -> Iterator[Tool]:
        return iter(tool for _, (tool, _) in sorted(self._tools.items()))

    def __len__(self) -> int:
        return len(self._tools)
