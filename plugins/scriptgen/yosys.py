"""The Yosys adapter: ``.ys`` scripts run through pyosys (the Yosys and ABC bundled by the ``pyosys`` package).

The command list and each command's help come from Yosys itself (``help -dump-cmds-json``, harvested once per
pyosys version and kept in the user cache). A script runs in a sandbox child that feeds it to
``pyosys.libyosys.run_pass`` one line at a time, so a failure is pinned to its line; Yosys prints ``ERROR: ...``
and ends the process on the first error.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chipmate.config import cache_dir
from chipmate.errors import BackendUnavailableError

from .checks import YOSYS_POLICY, Command, CommandPolicy, Problem, split_yosys, yosys_safety
from .sandbox import Sandbox, SandboxLimits, SandboxResult
from .tool import SandboxedTool, ScriptRun, run_result

# Anywhere in a line: Yosys writes errors to stderr, which can land inside a line of buffered stdout (help text).
ERROR = re.compile(r"ERROR: ?(.*)$", re.M)


def _pyosys_version() -> str:
    try:
        return importlib.metadata.version("pyosys")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class YosysTool(SandboxedTool):
    """Yosys through pyosys, with the command list and help of the installed version."""

    name = "yosys"
    description = "Yosys (bundled with pyosys): synthesis and netlist scripts (.ys)"
    language = "yosys"
    extension = ".ys"

    def __init__(self, cache: Path | None = None, *, policy: CommandPolicy = YOSYS_POLICY) -> None:
        self._cache = cache
        #: the commands and options a script may use (deny by default; a plugin may register a wider one)
        self.policy = policy
        self._reference: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def unavailable(self) -> str | None:
        """None when pyosys is importable; otherwise what to install."""
        if importlib.util.find_spec("pyosys") is None:
            return "pyosys is not installed (pip install pyosys; it bundles Yosys and ABC)"
        return None

    # -- what Yosys knows about itself -----------------------------------------------------------------------

    def reference(self) -> dict[str, Any]:
        """Yosys's JSON command reference: ``{"cmds": {name: {"title", "content", ...}}}``, cached on disk."""
        with self._lock:
            if self._reference is None:
                self._reference = self._load_reference()
            return self._reference

    def _load_reference(self) -> dict[str, Any]:
        reason = self.unavailable()
        if reason:
            raise BackendUnavailableError(f"the yosys tool is unavailable: {reason}")
        path = (self._cache or cache_dir()) / "scriptgen" / f"yosys-commands-{_pyosys_version()}.json"
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
        from chipmate.plugins.designqa.yosys_help import dump_command_reference

        reference = dump_command_reference()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(reference), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only cache only costs the harvest next time
        return reference

    def commands(self) -> frozenset[str]:
        """Every command of the installed Yosys (its ``help`` list)."""
        return frozenset(self.reference().get("cmds", {}))

    def help(self, command: str) -> str:
        """Yosys's help of ``command``: the usage line, description and options (empty for unknown commands)."""
        from chipmate.plugins.designqa.yosys_help import command_blocks

        entry = self.reference().get("cmds", {}).get(command)
        if entry is None:
            return ""
        return "\n".join(block.text for block in command_blocks(command, entry))

    # -- scripts -----------------------------------------------------------------------------------------------

    def split(self, script: str) -> tuple[list[Command], list[Problem]]:
        """The commands of a ``.ys`` script with their lines, and its syntax problems."""
        return split_yosys(script)

    def check(self, script: str, files: Mapping[str, str] | None = None) -> list[Problem]:
        """Safety problems (commands off the allow-list, refused options, paths outside the run, unchecked ABC
        scripts); the script runs only when there are none. ``files`` are the request's files, when known."""
        commands, syntax = split_yosys(script)
        try:
            known: frozenset[str] | None = self.commands()
        except BackendUnavailableError:
            known = None
        # A word Yosys does not know as a command fails there with "No such command" (and the repair stage fixes
        # it); every command Yosys has must be on the allow-list, and the known dangerous ones (tcl, python) are
        # refused even in a build that lacks them.
        checked = [
            c
            for c in commands
            if known is None or c.name in known or c.name.startswith("!") or c.name in self.policy.reasons
        ]
        return yosys_safety(checked, files, self.policy) + [p for p in syntax if "here-document" in p.message]

    def run_in(self, box: Sandbox, script: str, limits: SandboxLimits) -> ScriptRun:
        return self._result(box.run(mode="yosys", limits=limits, script=script), script)

    @staticmethod
    def _result(result: SandboxResult, script: str) -> ScriptRun:
        error = error_message(result.log)
        if not result.completed and not error:
            error = (
                "the run was stopped by its wall-clock limit"
                if result.timed_out
                else f"Yosys stopped without an error message (exit status {result.returncode}; memory limit?)"
            )
        lines = script.splitlines()
        failing = lines[result.last_line - 1].strip() if 0 < result.last_line <= len(lines) else ""
        return run_result(result, error, failing.split()[0] if failing else "")


def error_message(log: str) -> str:
    """The first ``ERROR:`` message of a Yosys log with the lines that point into the command (``> ...``)."""
    match = ERROR.search(log)
    if not match:
        return ""
    rest = log[match.end() :].splitlines()[1:4]
    pointer = [line for line in rest if line.startswith(">")]
    return "\n".join([f"ERROR: {match.group(1).strip()}", *pointer])
