"""Static checks run on every script before it reaches a tool: nothing that reaches a shell or other files runs.

Two parsers, one per script language, split a script into commands with their line numbers: Yosys scripts
(``.ys``: whitespace-separated words, double quotes, ``#`` comments, ``;`` between commands, ``!`` shell
escapes) and Tcl (OpenSTA: words, braces, quotes, ``[...]`` command substitution, ``;`` and newlines). The safety
rules then refuse, naming the command and its line:

- commands that run programs, load code, change directory or read other scripts (Yosys ``shell``, ``!``, ``tcl``,
  ``script``, ``exec``, ``plugin``, ``cd``, ...; Tcl ``exec``, ``open``, ``file``, ``source``, ``socket``,
  ``load``, ``interp``, ...), and options that name a program (``abc -exe``);
- any word that is an absolute path, starts with ``~``, or climbs out with a ``..`` component;
- in Tcl, command names computed at run time (``$cmd``, ``[...]`` as the command word, ``{*}``), since no static
  check can see what they call.

These checks are the first of three layers (docs/scriptgen.md): the sandbox directory holds only the request's
files, and where the kernel offers Landlock the process cannot touch anything else whatever the script says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Yosys commands that run programs or scripts, load code, or reach outside the run directory, with the reason.
YOSYS_REFUSED = {
    "shell": "runs a shell",
    "exec": "runs a shell command",
    "tcl": "runs a Tcl script with file and process access",
    "script": "runs another script file",
    "plugin": "loads native code",
    "cd": "changes the working directory",
    "setenv": "changes the environment of later commands",
    "connect_rpc": "starts a program",
    "bugpoint": "starts another Yosys",
    "show": "writes outside the run directory and may start a viewer",
    "viz": "may start a viewer",
    "linux_perf": "controls a profiler",
    "opensta": "starts an external program",
    "qbfsat": "starts an external solver",
    "python": "runs Python code",
    "verific": "not supported in the sandbox",
}
# Options that name a program to run, by command (``*`` = any command).
YOSYS_REFUSED_OPTIONS = {"*": {"-exe", "-solver"}}
TCL_REFUSED = {
    "exec": "runs a program",
    "open": "opens files or pipes",
    "file": "reads and changes the file system",
    "source": "runs another script file",
    "socket": "opens network connections",
    "load": "loads native code",
    "interp": "creates interpreters without the sandbox's checks",
    "cd": "changes the working directory",
    "glob": "lists directories",
    "eval": "runs code the checks cannot see",
    "uplevel": "runs code the checks cannot see",
    "subst": "runs code the checks cannot see",
    "namespace": "runs code the checks cannot see",
    "rename": "can restore refused commands",
    "trace": "runs code the checks cannot see",
    "after": "runs code the checks cannot see",
    "chan": "opens and reconfigures channels",
    "fconfigure": "reconfigures channels",
    "package": "loads packages with native code",
    "auto_load": "loads code",
    "unknown": "redefines command lookup",
}


@dataclass
class Command:
    """One command of a script: its 1-based line, its words (quotes removed), and its text."""

    line: int
    words: list[str]
    text: str
    #: words of commands nested in ``[...]`` (Tcl), each a list of words
    nested: list[list[str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The command word."""
        return self.words[0] if self.words else ""


@dataclass
class Problem:
    """Why a script (or one of its lines) cannot run as it is."""

    line: int
    command: str
    message: str
    #: "unsafe" (refused, never run), "unknown-command", "file", "syntax" (language constraints)
    kind: str = "unsafe"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "script"
        return f"{where}: {self.message}"


# -- Yosys -------------------------------------------------------------------------------------------------------


def _yosys_words(text: str) -> tuple[list[list[str]], bool]:
    """Split one line into commands of words, as Yosys's ``Pass::call`` does; also whether quotes balance."""
    commands: list[list[str]] = [[]]
    word, quoted, has_word = "", False, False
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"':
                quoted = False
            else:
                word += ch
        elif ch == '"':
            quoted, has_word = True, True
        elif ch in " \t\r":
            if has_word:
                commands[-1].append(word)
            word, has_word = "", False
        elif ch == "#" and not has_word:
            break  # a comment starts at the beginning of a word
        elif ch == ";":
            if has_word:
                commands[-1].append(word)
            word, has_word = "", False
            commands.append([])
        else:
            word, has_word = word + ch, True
        i += 1
    if has_word:
        commands[-1].append(word)
    return [c for c in commands if c], not quoted


def split_yosys(script: str) -> tuple[list[Command], list[Problem]]:
    """The commands of a Yosys script with their lines, and syntax problems (unbalanced quotes, here-docs)."""
    commands: list[Command] = []
    problems: list[Problem] = []
    for number, raw in enumerate(script.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("!"):
            commands.append(Command(number, ["!", stripped[1:].strip()], stripped))
            continue
        parts, balanced = _yosys_words(stripped)
        if not balanced:
            problems.append(Problem(number, stripped.split()[0], "unbalanced double quote", kind="syntax"))
        for words in parts:
            commands.append(Command(number, words, " ".join(words)))
        if "<<" in stripped:
            problems.append(
                Problem(number, parts[0][0] if parts else "", "here-documents (<<) are not supported", kind="syntax")
            )
    return commands, problems


def path_problem(word: str) -> str | None:
    """Why ``word`` may not appear in a script (an absolute, home or climbing path), or None."""
    candidates = [word]
    if "=" in word:
        candidates.append(word.split("=", 1)[1])  # -DNAME=/x, -set name=/x
    if re.match(r"^-[IL]", word):
        candidates.append(word[2:])  # -I/usr/include glued to its option
    for value in candidates:
        value = value.strip("\"'{}")
        if value.startswith(("/", "~", "\\")):
            return f"path {value!r} is outside the run directory; use the request's file names"
        parts = re.split(r"[/\\]", value)
        if ".." in parts:
            return f"path {value!r} climbs out of the run directory with '..'"
        if value.startswith("+/") and len(parts) > 1 and ".." in parts[1:]:
            return f"path {value!r} climbs out of Yosys's share directory"
    return None


def yosys_safety(commands: list[Command]) -> list[Problem]:
    """Refuse commands that reach a shell, code or files outside the run directory."""
    problems = []
    for command in commands:
        name = command.name
        if name == "!" or name.startswith("!"):
            problems.append(Problem(command.line, "!", "'!' runs a shell command; refused"))
            continue
        if name in YOSYS_REFUSED:
            problems.append(Problem(command.line, name, f"`{name}` {YOSYS_REFUSED[name]}; refused"))
            continue
        refused_options = YOSYS_REFUSED_OPTIONS["*"] | YOSYS_REFUSED_OPTIONS.get(name, set())
        for word in command.words[1:]:
            if word in refused_options:
                problems.append(Problem(command.line, name, f"`{name} {word}` names a program to run; refused"))
                break
            reason = path_problem(word)
            if reason:
                problems.append(Problem(command.line, name, f"`{name}`: {reason}; refused"))
                break
    return problems


# -- Tcl ---------------------------------------------------------------------------------------------------------


def _bracket_end(text: str, i: int) -> int:
    """Index just past the ``]`` matching the ``[`` at ``i`` (or the end of ``text``)."""
    depth, n = 0, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        depth += {"[": 1, "]": -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            break
    return i


def _substitutions(text: str, line: int) -> tuple[list[list[str]], list[Problem]]:
    """Commands inside every ``[...]`` of ``text`` (a braced word may still reach ``expr``), recursively."""
    nested: list[list[str]] = []
    problems: list[Problem] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "[":
            j = _bracket_end(text, i)
            inner, inner_problems = _tcl_split(text[i + 1 : j - 1], line + text[:i].count("\n"))
            problems += inner_problems
            nested += [c.words for c in inner] + [w for c in inner for w in c.nested]
            i = j
            continue
        i += 1
    return nested, problems


def _tcl_split(text: str, start_line: int) -> tuple[list[Command], list[Problem]]:
    """Top-level commands of Tcl ``text`` with their lines; commands in ``[...]`` go to ``Command.nested``."""
    commands: list[Command] = []
    problems: list[Problem] = []
    i, line, n = 0, start_line, len(text)
    words: list[str] = []
    cmd_line = line
    while i < n:
        ch = text[i]
        if ch in "\n;":
            if words:
                commands.append(Command(cmd_line, words, " ".join(words)))
                words = []
            line += ch == "\n"
            i += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            i, line = i + 2, line + 1
            continue
        if not words:
            cmd_line = line
            if ch == "#":
                while i < n and text[i] != "\n":
                    i += 2 if text[i] == "\\" else 1
                continue
        start = i
        if ch == "{":
            depth = 0
            while i < n:
                if text[i] == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
            if depth:
                problems.append(Problem(cmd_line, words[0] if words else "", "unbalanced braces", kind="syntax"))
                break
            word = "{*}" if text[start:i] == "{*}" else text[start + 1 : i - 1]
        else:
            quoted = ch == '"'
            i += quoted
            while i < n:
                c = text[i]
                if c == "\\":
                    i += 2
                elif c == "[":
                    i = _bracket_end(text, i)
                elif quoted and c == '"':
                    i += 1
                    break
                elif not quoted and c in " \t\r\n;":
                    break
                else:
                    i += 1
            word = text[start + quoted : i - quoted] if quoted else text[start:i]
        line += text[start:i].count("\n")
        words.append(word)
    if words:
        commands.append(Command(cmd_line, words, " ".join(words)))
    for command in commands:
        for word in command.words:
            nested, nested_problems = _substitutions(word, command.line)
            command.nested += nested
            problems += nested_problems
    return commands, problems


def split_tcl(script: str) -> tuple[list[Command], list[Problem]]:
    """The top-level commands of a Tcl script with their lines, and syntax problems."""
    return _tcl_split(script, 1)


def _bodies(words: list[str]) -> list[str]:
    """The words of a control command that are scripts (``if``'s branches, ``foreach``'s body, ...)."""
    name = words[0].lstrip(":")
    if name in ("if", "elseif"):
        branches = [w for i, w in enumerate(words) if i >= 2 and words[i - 1] not in ("if", "elseif")]
        return [w for w in branches if w not in ("then", "else", "elseif")]
    positions = {
        "while": [2],
        "for": [1, 3, 4],
        "foreach": [-1],
        "proc": [-1],
        "catch": [1],
        "time": [1],
        "lmap": [-1],
        "switch": [-1],
    }
    return [words[p] for p in positions.get(name, []) if -len(words) <= p < len(words) and len(words) > 1]


def _tcl_calls(commands: list[Command], problems: list[Problem], depth: int = 0) -> list[tuple[int, list[str]]]:
    """Every call a Tcl script can make: its commands, their ``[...]`` substitutions, and control-command bodies."""
    calls: list[tuple[int, list[str]]] = []
    for command in commands:
        for words in [command.words, *command.nested]:
            calls.append((command.line, words))
            for body in _bodies(words) if words and depth < 32 else []:
                inner, inner_problems = _tcl_split(body, command.line)
                problems += inner_problems
                calls += _tcl_calls(inner, problems, depth + 1)
    return calls


def tcl_safety(commands: list[Command]) -> list[Problem]:
    """Refuse Tcl that runs programs, touches files itself, or computes command names at run time."""
    problems: list[Problem] = []
    refused_lines: set[int] = set()
    for line, words in _tcl_calls(commands, problems):
        name = words[0] if words else ""
        if not name or line in refused_lines:
            continue  # one problem per line is enough to refuse it
        bare = name.lstrip(":")
        if name == "{*}" or "$" in name or "[" in name:
            reason = f"command name {name!r} is computed at run time"
        elif bare in TCL_REFUSED:
            reason = f"`{bare}` {TCL_REFUSED[bare]}"
        elif "::" in bare:
            reason = f"`{bare}`: namespaced commands are not allowed"
        else:
            path = next((r for r in map(path_problem, words[1:]) if r), None)
            reason = f"`{bare}`: {path}" if path else ""
        if reason:
            problems.append(Problem(line, bare, f"{reason}; refused"))
            refused_lines.add(line)
    return problems
