"""Repairing a script that failed in the tool: first what the tool's own message says, then the model.

:func:`tool_fix` applies the fixes a Yosys error spells out, without a model: an unknown command or option is
removed (Yosys points at the offending word with ``^``), a pass that met processes gets ``proc`` before it, a
mapper that needs a Liberty file gets the request's only one, a missing top module becomes the request's top, a
file that is not there becomes the request's file of that kind.
:func:`repair_messages` builds the model's repair turn: the failing script, the error line, and the failing
command's help text, asking for the whole script again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .constrain import Request, closest
from .prompt import verilog_design
from .tool import ScriptRun

NO_COMMAND = re.compile(r"No such command: (\S+)")
SYNTAX = re.compile(r"Command syntax error: ")
NO_MODULE = re.compile(r"Module `\\?([^']+)' not found")
#: the ways Yosys says a pass or backend met processes that ``proc`` would have lowered
PROCESSES = re.compile(r"contains processes|unmapped processes|memories or processes|run 'proc' command first")
NO_LIBERTY = re.compile(r"Missing `-liberty liberty_file' option")
NO_FILE = re.compile(r"(?:Can't open input file|File) `([^']+)'(?: for reading)?(?: not found)?")
#: most characters of a command's help put into a repair prompt: its usage line and option lines, shortened. More
#: (the description) only gave small models text to copy into the script.
HELP_CHARS = 700
OPTION_CHARS = 90


@dataclass
class ToolFix:
    """A script the tool's error says how to fix, and what was done."""

    script: str
    note: str


def _replace_line(script: str, number: int, text: str | None) -> str:
    lines = script.splitlines()
    if text is None:
        del lines[number - 1]
    else:
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


def tool_fix(script: str, run: ScriptRun, request: Request) -> ToolFix | None:
    """The fix the tool's error message itself suggests (Yosys), or None when it takes a model."""
    lines = script.splitlines()
    if not 0 < run.error_line <= len(lines) or run.refused:
        return None
    number, line, error = run.error_line, lines[run.error_line - 1], run.error
    if NO_COMMAND.search(error):
        return ToolFix(_replace_line(script, number, None), f"dropped line {number} (`{line}`): no such command")
    if SYNTAX.search(error):
        pointer = next((p for p in error.splitlines() if p.startswith(">") and "^" in p), "")
        shown = next((p for p in error.splitlines() if p.startswith("> ") and "^" not in p), "")
        column = pointer.find("^") - 2
        if column >= 0 and shown:
            command = shown[2:]
            end = command.find(" ", column)
            word = command[column : end if end >= 0 else len(command)]
            if word and word.strip():
                fixed = (command[:column] + command[column + len(word) :]).replace("  ", " ").strip()
                if word.startswith("-"):  # an unknown option a looping model repeated goes in one fix, not one each
                    fixed = " ".join(w for w in fixed.split() if w != word)
                return ToolFix(
                    _replace_line(script, number, fixed), f"line {number}: removed `{word}` ({error.splitlines()[0]})"
                )
    if PROCESSES.search(error) and not line.split()[0].startswith(("read", "proc")):
        return ToolFix(
            "\n".join([*lines[: number - 1], "proc", *lines[number - 1 :]]) + "\n", f"added `proc` before line {number}"
        )
    libraries = [name for name in request.inputs if name.endswith(".lib")]
    if NO_LIBERTY.search(error) and len(libraries) == 1 and ";" not in line:
        words, library = line.split(), libraries[0]
        if library in words[1:]:  # the file is there, behind the wrong option ("-prepare cells.lib") or none
            at = words.index(library)
            if words[at - 1].startswith("-") and at > 1:
                words[at - 1] = "-liberty"
            else:
                words.insert(at, "-liberty")
        else:
            words[1:1] = ["-liberty", library]
        return ToolFix(_replace_line(script, number, " ".join(words)), f"line {number}: `{' '.join(words)}`")
    match = NO_MODULE.search(error)
    if match:
        tops = verilog_design(request.files).tops
        if len(tops) == 1 and match.group(1) in line and match.group(1) != tops[0]:
            return ToolFix(
                _replace_line(script, number, line.replace(match.group(1), tops[0])),
                f"line {number}: module `{match.group(1)}` -> `{tops[0]}`",
            )
    match = NO_FILE.search(error)
    if match:
        fixed_name = closest(match.group(1), request.inputs)
        if fixed_name and fixed_name != match.group(1):
            return ToolFix(
                _replace_line(script, number, line.replace(match.group(1), fixed_name)),
                f"line {number}: file `{match.group(1)}` -> `{fixed_name}`",
            )
    return None


def short_help(help_text: str) -> str:
    """The usage line and the option lines of a command's help, each shortened, at most ``HELP_CHARS``."""
    lines = help_text.splitlines()
    if not lines:
        return ""
    usage = lines[0].split("Usage: ", 1)[-1]
    options = [line if len(line) <= OPTION_CHARS else line[: OPTION_CHARS - 3] + "..." for line in lines[1:]]
    kept = [usage]
    for line in (line for line in options if line.lstrip().startswith("-")):
        if sum(len(x) + 1 for x in kept) + len(line) > HELP_CHARS:
            break
        kept.append(line)
    return "\n".join(kept)


def repair_messages(
    messages: Sequence[dict[str, str]], script: str, run: ScriptRun, help_text: str, tool_name: str
) -> list[dict[str, str]]:
    """The conversation so far plus the failed script and a user turn with the error and the command's help."""
    lines = script.splitlines()
    failing = lines[run.error_line - 1] if 0 < run.error_line <= len(lines) else ""
    if run.ok:  # it ran, but left a requirement of the request unmet (pipeline: problems after the run)
        where = f" (line {run.error_line})." if failing else "."
        parts = ["The script ran, but it does not do what the task asks" + where]
    else:
        parts = [f"{tool_name} stopped with an error" + (f" at line {run.error_line}: `{failing}`" if failing else ".")]
    parts.append(run.error.strip() or "(no error message)")
    usage = short_help(help_text)
    if usage:
        parts.append(f"Usage of `{run.command}` (for reference, not part of the script):\n{usage}")
    parts.append("Write the whole corrected script.")
    return [*messages, {"role": "assistant", "content": script.strip()}, {"role": "user", "content": "\n".join(parts)}]
