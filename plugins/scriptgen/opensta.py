"""The OpenSTA adapter: Tcl timing scripts run by the ``sta`` binary (Debian/Ubuntu package ``opensta``).

OpenSTA keeps going after an error and exits 0, so a script never runs as it is: a wrapper (in the sandbox's
read-only control directory) reads it, removes ``exec``, ``socket``, ``load``, ``interp`` and ``cd`` from the
interpreter, and evaluates it one complete command at a time, stopping at the first error and printing
``ERROR: <message>`` and marker lines that pin the failure to its line. The command list is ``info commands`` of
the installed ``sta``; a command's help is its ``help <command>`` output.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Mapping

from chipmate.errors import BackendUnavailableError

from .checks import Command, CommandPolicy, Problem
from .sandbox import Sandbox, SandboxLimits, SandboxResult
from .tclcheck import OPENSTA_POLICY, split_tcl, tcl_check
from .tool import SandboxedTool, ScriptRun, run_result

MARK = "@@chipmate"
WRAPPER = """\
set __chipmate_fh [open [file join {ctl} script.tcl] r]
set __chipmate_src [read $__chipmate_fh]
close $__chipmate_fh
foreach __chipmate_name {exec socket load interp cd} { catch {rename $__chipmate_name {}} }
set __chipmate_cmd ""
set __chipmate_line 1
foreach __chipmate_text [split $__chipmate_src "\\n"] {
    if {$__chipmate_cmd eq ""} { set __chipmate_start $__chipmate_line }
    append __chipmate_cmd $__chipmate_text "\\n"
    incr __chipmate_line
    if {![info complete $__chipmate_cmd]} { continue }
    if {[regexp {^\\s*exit\\s*$} $__chipmate_cmd]} { break }
    if {[string trim $__chipmate_cmd] ne ""} {
        puts "@@chipmate line $__chipmate_start"
        if {[catch {uplevel #0 $__chipmate_cmd} __chipmate_msg]} {
            puts "ERROR: $__chipmate_msg"
            set __chipmate_failed 1
            break
        }
    }
    set __chipmate_cmd ""
}
if {![info exists __chipmate_failed]} { puts "@@chipmate done" }
"""
ERROR = re.compile(r"^ERROR: (.*)$", re.M)


class OpenStaTool(SandboxedTool):
    """OpenSTA (``sta``) timing scripts in Tcl; unavailable, with the reason, where ``sta`` is not installed."""

    name = "opensta"
    description = "OpenSTA (the `sta` binary, package opensta): static timing analysis scripts in Tcl"
    language = "tcl"
    extension = ".tcl"

    def __init__(self, binary: str | None = None, *, policy: CommandPolicy = OPENSTA_POLICY) -> None:
        self._binary = binary
        #: the commands and options a script may use (deny by default; a plugin may register a wider one)
        self.policy = policy
        self._commands: frozenset[str] | None = None
        self._help: dict[str, str] = {}
        self._lock = threading.Lock()

    def binary(self) -> str | None:
        """The ``sta`` executable, or None when it is not on PATH."""
        return self._binary or shutil.which("sta")

    def unavailable(self) -> str | None:
        """None when ``sta`` is installed; otherwise how to install it."""
        if self.binary() is None:
            return "OpenSTA is not installed: no `sta` on PATH (Debian/Ubuntu: apt-get install opensta)"
        return None

    def _sta(self, script: str, timeout: float = 60.0) -> SandboxResult:
        reason = self.unavailable()
        if reason:
            raise BackendUnavailableError(f"the opensta tool is unavailable: {reason}")
        with Sandbox({}) as box:
            return box.run(
                mode="exec",
                # chipmate's own query (no request text): it may run where runs cannot be isolated
                limits=SandboxLimits(timeout=timeout, allow_unisolated=True),
                argv=[str(self.binary()), "-no_init", "-no_splash", "-exit", "{ctl}/query.tcl"],
                control={"query.tcl": script},
            )

    def commands(self) -> frozenset[str]:
        """Every command of the installed OpenSTA's Tcl interpreter (``info commands``)."""
        with self._lock:
            if self._commands is None:
                result = self._sta('puts "@@commands [lsort [info commands]]"\n')
                line = next((x for x in result.log.splitlines() if x.startswith("@@commands ")), "")
                self._commands = frozenset(line.split()[1:])
            return self._commands

    def help(self, command: str) -> str:
        """OpenSTA's ``help`` of ``command`` (its argument syntax), or empty."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", command) or command not in self.commands():
            return ""
        with self._lock:
            if command not in self._help:
                self._help[command] = self._sta(f"help {command}\n").log.strip()
            return self._help[command]

    def split(self, script: str) -> tuple[list[Command], list[Problem]]:
        """The top-level Tcl commands with their lines, and syntax problems (unbalanced braces)."""
        return split_tcl(script)

    def check(self, script: str, files: Mapping[str, str] | None = None) -> list[Problem]:
        """Safety problems: commands off the allow-list, code computed at run time, redirections and paths outside
        the run, unchecked SDC files (``files`` are the request's files, when known)."""
        return tcl_check(script, files, self.policy)

    def run_in(self, box: Sandbox, script: str, limits: SandboxLimits) -> ScriptRun:
        result = box.run(
            mode="exec",
            limits=limits,
            argv=[str(self.binary()), "-no_init", "-no_splash", "-exit", "{ctl}/wrapper.tcl"],
            control={"wrapper.tcl": WRAPPER.replace("{ctl}", "{" + box.control_dir + "}"), "script.tcl": script},
        )
        lines = result.log.splitlines()
        numbers = [int(x.split()[2]) for x in lines if x.startswith(f"{MARK} line ") and x.split()[2].isdigit()]
        result.last_line = numbers[-1] if numbers else 0
        result.completed = result.completed and f"{MARK} done" in lines
        result.log = "\n".join(x for x in lines if not x.startswith(MARK)) + "\n"
        match = ERROR.search(result.log)
        error = f"ERROR: {match.group(1).strip()}" if match else ""
        if not result.completed and not error:
            error = "the run was stopped by its wall-clock limit" if result.timed_out else "sta stopped unexpectedly"
        failing = script.splitlines()[result.last_line - 1].split() if result.last_line else []
        return run_result(result, error, failing[0] if failing else "")
