"""What scriptgen needs from a tool adapter, beyond the core's ``chipmate.tools.Tool``.

``chipmate.tools.Tool`` is ``name``, ``description`` and ``run(script, *, files, timeout) -> ToolRun``. A tool
scriptgen can generate for also knows its script language (:class:`ScriptTool`): the commands it accepts, the help
text of one command, how to split a script into commands, the static safety checks, and a richer run result
(:class:`ScriptRun`: the error line, the failing command, whether the static checks refused it). The Yosys and
OpenSTA adapters of this plugin implement it; a plugin adds another tool by registering an object of this shape
through ``chipmate_register_tools``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from chipmate.errors import BackendUnavailableError
from chipmate.tools import ToolRun

from .checks import Command, Problem, included_file_problems
from .isolation import probe as isolation_probe
from .sandbox import Sandbox, SandboxLimits, SandboxResult, unisolated_refusal


@dataclass
class ScriptRun(ToolRun):
    """A :class:`ToolRun` that says where and why a script failed."""

    #: the tool's error message (its first ``ERROR`` line and what belongs to it); empty when the run passed
    error: str = ""
    #: 1-based script line of the failure, 0 when unknown or the run passed
    error_line: int = 0
    #: the failing command's name (``synth``), empty when unknown
    command: str = ""
    #: True when the static checks refused the script: nothing ran
    refused: bool = False
    timed_out: bool = False
    #: how the sandbox confined the tool: namespaces, limits, Landlock (``SandboxResult.confinement``)
    confinement: str = ""
    seconds: float = 0.0
    #: the checker's run (evaluation tasks), after this one in the same directory
    checker: ScriptRun | None = None


@runtime_checkable
class ScriptTool(Protocol):
    """A tool scriptgen can write scripts for."""

    name: str
    description: str
    #: script language, e.g. "yosys" or "tcl"
    language: str
    #: file name extension of its scripts, e.g. ".ys"
    extension: str

    def unavailable(self) -> str | None:
        """Why the tool cannot run here (not installed, ...), or None when it can."""
        ...

    def commands(self) -> frozenset[str]:
        """Every command the tool accepts."""
        ...

    def help(self, command: str) -> str:
        """The tool's help text of ``command`` (empty when it has none)."""
        ...

    def split(self, script: str) -> tuple[list[Command], list[Problem]]:
        """The script's commands with their lines, and its syntax problems."""
        ...

    def check(self, script: str, files: Mapping[str, str] | None = None) -> list[Problem]:
        """Static safety problems of ``script`` run on ``files`` (None: not known yet); a script with any never
        runs. A file the tool would run as a script must be one of ``files`` and is checked too."""
        ...

    def run(
        self,
        script: str,
        *,
        files: Mapping[str, str],
        timeout: float,
        limits: SandboxLimits | None = None,
        checker: str | None = None,
    ) -> ScriptRun:
        """Check and run ``script`` on ``files`` in a sandbox; then ``checker`` in the same directory if it passed."""
        ...


def excerpt(log: str, error: str = "", limit: int = 4000) -> str:
    """At most ``limit`` characters of ``log``: the lines around ``error`` when there is one, else its end."""
    if len(log) <= limit:
        return log
    at = log.find(error) if error else -1
    if at < 0:
        return "[...]\n" + log[-limit:]
    start = max(0, at - limit // 2)
    end = min(len(log), start + limit)
    return ("[...]\n" if start else "") + log[start:end] + ("\n[...]" if end < len(log) else "")


def refused_run(problems: list[Problem]) -> ScriptRun:
    """The run result of a script the static checks refused."""
    first = problems[0]
    message = "; ".join(str(p) for p in problems)
    return ScriptRun(
        ok=False,
        log=f"refused before running: {message}",
        returncode=-1,
        error=str(first),
        error_line=first.line,
        command=first.command,
        refused=True,
    )


def not_run(reason: str) -> ScriptRun:
    """The run result of a script this host may not run (no isolation, and the operator did not allow that)."""
    return ScriptRun(
        ok=False,
        log=reason,
        returncode=-1,
        error=reason,
        confinement=f"not run: {isolation_probe().describe()}",
    )


class SandboxedTool:
    """The ``run`` every adapter shares: refuse what the static checks flag, raise when the tool is missing, then
    :meth:`run_in` a fresh sandbox holding ``files`` (and the ``checker`` there, when the script passed).

    An adapter subclasses it and gives :meth:`run_in`, the one step that differs: how its tool is started in the
    sandbox and how its log is read back.
    """

    name: str  # with check() and unavailable(), what the adapter defines for ScriptTool

    def run_in(self, box: Sandbox, script: str, limits: SandboxLimits) -> ScriptRun:
        """Run ``script`` in ``box`` with ``limits`` and read the tool's result (no checks: :meth:`run` did them)."""
        raise NotImplementedError

    def run(
        self,
        script: str,
        *,
        files: Mapping[str, str],
        timeout: float,
        limits: SandboxLimits | None = None,
        checker: str | None = None,
    ) -> ScriptRun:
        """Check and run ``script`` on ``files`` in a sandbox; then ``checker`` in the same directory if it passed."""
        problems = self.check(script, files=files) + included_file_problems(files)
        if problems:
            return refused_run(problems)
        reason = self.unavailable()
        if reason:
            raise BackendUnavailableError(f"the {self.name} tool is unavailable: {reason}")
        limits = limits_for(limits, timeout)
        refusal = unisolated_refusal(limits)
        if refusal:
            return not_run(refusal)
        with Sandbox(files) as box:
            run = self.run_in(box, script, limits)
            if checker is not None and run.ok:
                run.checker = self.run_in(box, checker, limits)
            return run


def limits_for(limits: SandboxLimits | None, timeout: float) -> SandboxLimits:
    """``limits`` (or the defaults) with the wall-clock timeout of this call."""
    base = limits or SandboxLimits()
    return SandboxLimits(**{**base.__dict__, "timeout": float(timeout)})


def run_result(result: SandboxResult, error: str, command: str) -> ScriptRun:
    """A :class:`ScriptRun` from a sandbox result and the error the adapter read from the tool's output."""
    return ScriptRun(
        ok=result.completed and not error,
        log=result.log,
        returncode=result.returncode,
        outputs=result.outputs,
        error=error if not result.completed or error else "",
        error_line=0 if result.completed and not error else result.last_line,
        command=command if not result.completed or error else "",
        timed_out=result.timed_out,
        confinement=result.confinement,
        seconds=result.seconds,
    )
