"""Keeping a small model's output inside the tool's language and the request's files.

Two stages run on every generated script before the tool sees it:

1. :func:`clean` — deterministic clean-up of the raw text: markdown fences, prompt echoes (``Files:``,
   ``Task:``), shell prompts and list markers before commands, comment lines, repeated lines and repeated blocks
   (small models loop).
2. :func:`constrain` — the language constraints. Every command must be one the tool knows (an unknown one is
   replaced by a near-identical known name, else dropped and reported); file names must be the request's files,
   outputs written earlier, or the outputs the instruction names (a name that is off is replaced when exactly one
   candidate of its extension fits); ``-top`` must name the request's top module (or one the instruction or the
   script itself names); every Verilog input is read; mapping (``dfflibmap``, ``abc``) follows a synthesis; every
   output the instruction names is written — a netlist by its writer, a report (``.txt``) by ``tee -o`` around a
   report command; ``proc`` runs before the first pass that needs a design's processes lowered; and
   ``write_verilog`` gets the options the instruction asks for in words (``-noattr``).
   A command that would write over one of the request's files, or over a file the instruction names as an input
   (:func:`file_roles`), is dropped and reported as a problem.

Both return the notes of what they changed, so the task's log can say what the pipeline did to the model's text.
The rules must leave a correct script alone: a test runs every seed script through them and requires no change.

Over 400 lines on purpose: both stages work on the same scan of the script (``_Scan``) and their rules are
checked together against every seed script; each rule stays a short function.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .checks import Problem
from .prompt import COMMENT, FILE_NAME, VERILOG, verilog_design
from .tool import ScriptTool

FENCE = re.compile(r"```[\w+-]*\n(.*?)(?:```|$)", re.S)
ECHO = re.compile(r"^(files|task|top module|script|output|answer)\s*:", re.I)
LEAD = re.compile(r"^(?:yosys>\s*|\$\s+|>\s+|\d+[.)]\s+|[-*•]\s+)")
# Options whose next word is a file the command reads, and those whose next word is a file it writes.
READ_OPTIONS = {"-liberty", "-lib", "-map", "-script", "-constr", "-I", "-F", "-f", "-read"}
WRITE_OPTIONS = {"-o", "-a", "-write", "-dump_vcd", "-dump_json", "-dump_vlog"}
# What writes an output of a given extension, when a named output was never written.
WRITERS = {
    ".json": "write_json",
    ".blif": "write_blif",
    ".il": "write_rtlil",
    ".rtlil": "write_rtlil",
    ".edif": "write_edif",
    ".edn": "write_edif",
    ".v": "write_verilog",
    ".sv": "write_verilog -sv",
    ".aig": "write_aiger",
    ".btor": "write_btor",
    ".smt2": "write_smt2",
    ".spice": "write_spice",
}
TOP_COMMANDS = {"hierarchy", "synth", "prep", "flatten"}
#: Yosys commands that take a file as a plain argument besides the read_* and write_* ones
FILE_ARGUMENT_COMMANDS = {"tee", "script", "exec", "plugin", "read", "write_file", "design", "log", "echo"}
# The frontend that reads a file of each extension. A small model picks the reader by the output format it was
# asked for ("read_blif design.v" when a BLIF netlist is wanted) and Yosys stops at line 1 of the file.
READERS = {
    ".v": "read_verilog",
    ".vh": "read_verilog",
    ".sv": "read_verilog -sv",
    ".svh": "read_verilog -sv",
    ".blif": "read_blif",
    ".json": "read_json",
    ".il": "read_rtlil",
    ".rtlil": "read_rtlil",
    ".lib": "read_liberty -lib",
    ".aig": "read_aiger",
}
FRONTENDS = {reader.split()[0] for reader in READERS.values()} | {"read_ilang"}
# Writer options an instruction asks for in words ("without attributes"), which small models tend to leave out.
WRITER_OPTIONS = (
    (
        re.compile(
            r"\b(no|without|omit\w*|strip\w*|drop\w*|removing)\b[^.;]{0,24}\battributes?\b"
            r"|\battributes?\s+(omitted|removed|stripped|dropped)\b",
            re.I,
        ),
        "-noattr",
    ),
    (re.compile(r"\b(no|without)\b[^.;]{0,24}\bexpressions?\b", re.I), "-noexpr"),
)
# Text reports an instruction may ask to save, and the Yosys commands that print one.
REPORTS = {".txt", ".rpt", ".log"}
REPORT_COMMANDS = ("stat", "check", "fsm_info", "equiv_status", "ls", "ltp", "timeest", "sta")
# Commands whose output is never the report a request names: they read, write or only move the design.
NOT_REPORTS = re.compile(r"^(read\w*|write\w*|tee|hierarchy|proc|flatten|opt\w*|clean|cd|design|rename)$")
NETLIST_WRITERS = {writer.split()[0] for writer in WRITERS.values()}
# Commands that map fine-grained logic, and what makes a design fine-grained before them.
MAPPERS = {"dfflibmap", "abc", "abc9", "abc_new"}
FINE = re.compile(r"^(synth\w*|techmap|simplemap)$")
# Commands that lower processes, and those that work on (or only look at) a design that still has them.
PROCESS = re.compile(r"\b(always\w*|initial)\b")
LOWERS_PROCESSES = re.compile(r"^(proc\w*|prep|synth\w*|script)$")
PROCESS_TOLERANT = re.compile(
    r"^(read\w*|hierarchy|select|cd|ls|echo|log|write_verilog|write_rtlil|write_ilang|dump|show|stat|check|help"
    r"|design|rename|copy|setundef|flatten|chparam|setattr|setparam|printattrs|portlist|scratchpad|logger|plugin|tee|history|debug)$"
)


# The words before a file name the request does not supply say whether the instruction asks to write it
# ("... and write the netlist to alu_syn.v") or expects to read it ("Synthesize alu.v", "the top of alu.v"):
# a preposition right before the name decides ("to out.v", "of alu.v"); otherwise the nearest verb of its clause
# does ("put the statistics of ram in ram_stat.txt" is written, although "of" is nearer), or a noun for what the file
# holds when one is nearer ("the netlist in", "the constraints in"); without either, the nearest other cue word
# does. A name with no cue at all is an output, as before: instructions name what they want written.
_OUTPUT_VERBS = (
    "write writes written writing save saved saving store stored storing dump dumped dumping export exported "
    "exporting emit emitting output outputs produce produces producing generate generates generating create creates "
    "creating put puts place places record records recording keep keeps keeping log logs logging report reports "
    "reporting print prints printing list lists listing capture captures collect collects make makes making"
)
_INPUT_VERBS = (
    "read reads reading load loads loaded synthesize synthesise synthesizes synthesises synth elaborate elaborates "
    "parse parses import use uses open opens lint simulate check checks optimize optimise flatten map maps"
)
OUTPUT_VERBS = frozenset(_OUTPUT_VERBS.split())
INPUT_VERBS = frozenset(_INPUT_VERBS.split())
#: what a file holds, when the instruction says so: a result the script makes, or something it is given to read
_OUTPUT_NOUNS = (
    "netlist netlists result results report reports statistics stats summary output outputs listing dump copy "
    "graph model version form"
)
_INPUT_NOUNS = "constraints constraint library libraries liberty testbench source sources rtl"
OUTPUT_NOUNS = frozenset(_OUTPUT_NOUNS.split())
INPUT_NOUNS = frozenset(_INPUT_NOUNS.split())
ROLE_VERBS = OUTPUT_VERBS | INPUT_VERBS
ROLE_NOUNS = OUTPUT_NOUNS | INPUT_NOUNS
OUTPUT_CUES = OUTPUT_VERBS | {"to", "into", "as"}
INPUT_CUES = INPUT_VERBS | {"from", "using", "of", "given", "design", "designs", "module"}
#: prepositions that decide on their own when they come right before the name (articles and "file" skipped)
ADJACENT = {"to": "output", "into": "output", "as": "output", "of": "input", "from": "input", "using": "input"}
FILLER = frozenset(["the", "a", "an", "file", "files"])
CLAUSE = re.compile(r"[.;:!?]\s|,\s*(?:then|and)\b|\band then\b")
#: how far back (in words) a verb, and another cue word, still govern a file name
VERB_WINDOW, WORD_WINDOW = 10, 6
#: how near a noun must be to say what the file holds ("the netlist in", not "liberty-based area numbers in")
NOUN_WINDOW = 3


def _is_input(words: list[str]) -> bool:
    """Whether the words before a file name make it one the instruction reads (see the rules above)."""
    adjacent = next((w for w in reversed(words) if w not in FILLER), None)
    if adjacent in ADJACENT:
        return ADJACENT[adjacent] == "input"
    # The nearest verb decides, unless a noun that names what the file holds comes between them: "Synthesize alu.v
    # with the EDIF netlist in alu.edif" asks for alu.edif, "Time top.v with the constraints in top.sdc" reads it.
    verb = next((n for n, w in enumerate(reversed(words[-VERB_WINDOW:])) if w in ROLE_VERBS), None)
    noun = next((n for n, w in enumerate(reversed(words[-NOUN_WINDOW:])) if w in ROLE_NOUNS), None)
    if noun is not None and (verb is None or noun < verb):
        return words[-1 - noun] in INPUT_NOUNS
    if verb is not None:
        return words[-1 - verb] in INPUT_VERBS
    cue = next((w for w in reversed(words[-WORD_WINDOW:]) if w in OUTPUT_CUES or w in INPUT_CUES), None)
    return cue in INPUT_CUES


def file_roles(instruction: str, supplied: Sequence[str]) -> tuple[list[str], list[str]]:
    """The file names ``instruction`` mentions and ``supplied`` lacks, split into (inputs it expects, outputs it
    asks for), each in order of mention."""
    inputs: list[str] = []
    outputs: list[str] = []
    for match in FILE_NAME.finditer(instruction):
        name = match.group(1)
        if name in supplied or name in inputs or name in outputs:
            continue
        # An aside in parentheses ("(stat using the liberty file)") is not what the file name is the object of.
        before = re.sub(r"\([^()]*\)", " ", CLAUSE.split(instruction[: match.start()])[-1])
        words = re.findall(r"[a-z]+", before.lower())
        (inputs if _is_input(words) else outputs).append(name)
    return inputs, outputs


@dataclass
class Request:
    """What the constraints know about a request: its instruction and input files."""

    instruction: str
    files: Sequence[Mapping[str, str]]

    @property
    def inputs(self) -> list[str]:
        """The request's file names."""
        return [f["name"] for f in self.files]

    @property
    def named_outputs(self) -> list[str]:
        """File names the instruction asks to be written (mentioned, not supplied, not read), in order."""
        return file_roles(self.instruction, self.inputs)[1]

    @property
    def missing_inputs(self) -> list[str]:
        """File names the instruction expects to read that the request does not supply."""
        return file_roles(self.instruction, self.inputs)[0]

    @property
    def protected(self) -> set[str]:
        """Files no script may write: the request's inputs and the inputs the instruction names."""
        return {*self.inputs, *self.missing_inputs}


@dataclass
class _Scan:
    """What the Yosys rules learn while walking a script: files read and written so far."""

    request: Request
    tops: list[str]
    modules: Mapping[str, str]
    outputs: list[str]
    read: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    #: every word of the commands so far: a module the script made itself (rename, equiv_make) is a valid -top
    seen: set[str] = field(default_factory=set)
    _identifiers: set[str] | None = field(default=None, init=False, repr=False)

    def identifiers(self) -> set[str]:
        """Every identifier of the request: its instruction and its files' contents."""
        if self._identifiers is None:
            texts = [self.request.instruction, *(f.get("content", "") for f in self.request.files)]
            self._identifiers = {w for text in texts for w in IDENTIFIER.findall(text)}
        return self._identifiers


@dataclass
class Constrained:
    """A script after the constraints: what changed, and what could not be fixed."""

    script: str
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _dedent_repeats(lines: list[str]) -> list[str]:
    """Drop consecutive duplicate lines and blocks of up to 4 lines repeated right after themselves."""
    out: list[str] = []
    for line in lines:
        if out and out[-1] == line:
            continue
        out.append(line)
        for size in range(2, 5):
            if len(out) >= 2 * size and out[-size:] == out[-2 * size : -size]:
                del out[-size:]
                break
    return out


def clean(text: str, *, comment: str = "#") -> tuple[str, list[str]]:
    """The script inside a model's reply, and notes of what was removed."""
    notes: list[str] = []
    fenced = [block for block in FENCE.findall(text) if block.strip()]
    if fenced:
        text = fenced[0]
        notes.append("took the script out of a markdown code block")
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        # "//" is a comment in neither Yosys nor Tcl scripts, but small models write C-style comments anyway.
        if not line or line.startswith(("```", comment, "//")) or ECHO.match(line):
            continue
        line = LEAD.sub("", line).strip()
        if line:
            lines.append(line)
    kept = _dedent_repeats(lines)
    if len(kept) < len(lines):
        notes.append(f"dropped {len(lines) - len(kept)} repeated line(s)")
    return "\n".join(kept) + ("\n" if kept else ""), notes


def closest(name: str, candidates: Sequence[str]) -> str | None:
    """The only candidate with ``name``'s extension, or a clear nearest one; None when it is ambiguous."""
    extension = name[name.rfind(".") :] if "." in name else ""
    same = [c for c in candidates if c.endswith(extension)]
    if len(same) == 1:
        return same[0]
    close = difflib.get_close_matches(name, same, n=2, cutoff=0.6)
    return close[0] if len(close) == 1 else None


def _command_name(name: str, known: frozenset[str]) -> str | None:
    """``name`` itself when known, a near-identical known command (a typo), else None. A word that ends in a colon
    labels a message (``Error:``, ``Warning:``: a tool's output copied back by a repair turn), never a command."""
    if name in known:
        return name
    if name.endswith(":"):
        return None
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.88)
    return close[0] if len(close) == 1 else None


def _quote(word: str) -> str:
    return f'"{word}"' if not word or any(c in word for c in " \t;#") else word


def constrain(script: str, request: Request, tool: ScriptTool) -> Constrained:
    """Apply the language constraints to a cleaned script (Yosys rules in full; command names for Tcl)."""
    known = tool.commands()
    notes: list[str] = []
    if tool.language == "yosys":  # Tcl's [...] is command substitution: only Yosys lines lose it
        script = _without_usage_syntax(script, notes)
        script = _continuations(script, tool, notes)
    result = Constrained(script, notes=notes)
    lines = script.splitlines()
    commands, _ = tool.split(script)
    design = verilog_design(request.files)
    scan = _Scan(request, design.tops, design.modules, request.named_outputs)
    kept: dict[int, list[str]] = {}  # Yosys: the rewritten commands of each line
    dropped: set[int] = set()
    for command in commands:
        name = _command_name(command.name, known)
        if name is None:
            dropped.add(command.line)
            result.problems.append(
                Problem(command.line, command.name, f"`{command.name}` is not a {tool.name} command", "unknown-command")
            )
            continue
        if name != command.name:
            result.notes.append(f"line {command.line}: `{command.name}` -> `{name}`")
        if tool.language == "yosys":
            words = _yosys_names([name, *command.words[1:]], command.line, scan, result)
            if not words:  # a command that would write over an input: dropped, the problem recorded
                continue
            if len(words) > 1 or not name.startswith("read"):
                kept.setdefault(command.line, []).append(" ".join(map(_quote, words)))
        elif name != command.name:
            lines[command.line - 1] = lines[command.line - 1].replace(command.name, name, 1)
    if dropped:
        result.notes.append(f"dropped from line(s) {', '.join(map(str, sorted(dropped)))}: not {tool.name} commands")
    if tool.language == "yosys":
        lines = ["; ".join(kept[number]) for number in sorted(kept)]
        lines = _yosys_completeness(lines, scan, result)
    else:
        lines = [line for number, line in enumerate(lines, start=1) if number not in dropped]
        if tool.name == "opensta":
            lines = _opensta_reads(lines, request, result)
            lines = _opensta_prologue(lines, tool, request, design.tops, result)
            lines = _opensta_writers(lines, request, result)
    result.script = "\n".join(lines) + ("\n" if lines else "")
    return result


#: a selection of one named object (``w:b``, ``top/c:u1``, ``m:alu``): design-specific, unlike a type (``t:$add``)
#: or a pattern (``w:*``)
NAMED_SELECTION = re.compile(r"(?:[\w$\\]+/)?[wcmnxp]:\\?([A-Za-z_][\w$]*)")
IDENTIFIER = re.compile(r"[A-Za-z_][\w$]*")

# A help usage line copied into a script: "memory [-nomap] [-bram <rules>] [selection]". Only groups that start a
# word go: a bit select (``w:data[3]``) is part of its word.
USAGE_SYNTAX = re.compile(r"(?<!\S)(?:\[[^\[\]]*\]|<[^<>\s]*>)")


#: an option's line of help text, as the grounding shows it: the flag, maybe its argument, a colon, then prose
HELP_PROSE = re.compile(r"^\s*-[A-Za-z][\w-]*[^:]*:\s+[A-Za-z]+(?:\s+[A-Za-z,.'()-]+){2,}")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _continuations(script: str, tool: ScriptTool, notes: list[str]) -> str:
    """Lines that start with an option of the command above them joined to it: a model that wraps ``synth_ice40
    -top t`` / ``-blif t.blif`` over two lines means one command (alone, ``-blif`` is no command, and ``-json``
    would be taken for the ``json`` command)."""
    out: list[str] = []
    for line in script.splitlines():
        words = line.split()
        if HELP_PROSE.match(line):
            # The grounding shows options as "-map <file>: the library of ...": a copy of one is help, no command.
            notes.append(f"dropped `{_short(line.strip())}`: a line of a command's help, not a command")
            continue
        if out and out[-1].split() and words and re.fullmatch(r"-[A-Za-z][\w-]*", words[0]):
            above = out[-1].split()[0]
            if _takes_option(tool, above, words[0]):
                out[-1] = f"{out[-1]} {line.strip()}"
                notes.append(f"`{line.strip()}` joined to the `{above}` above it: one of its options")
                continue
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def _takes_option(tool: ScriptTool, command: str, option: str) -> bool:
    """The help of ``command`` lists ``option`` at the start of one of its lines."""
    try:
        text = tool.help(command)
    except Exception:  # help is a hint: a tool that cannot give it joins nothing
        return False
    return bool(re.search(rf"^\s*{re.escape(option)}(?![\w-])", text, re.M))


def _without_usage_syntax(script: str, notes: list[str]) -> str:
    """``script`` with the optional ``[...]`` groups and ``<placeholders>`` of help usage lines removed (Yosys)."""
    lines = script.splitlines()
    cleaned = [" ".join(USAGE_SYNTAX.sub(" ", line).split()) if USAGE_SYNTAX.search(line) else line for line in lines]
    changed = [n for n, (a, b) in enumerate(zip(lines, cleaned, strict=True), start=1) if a != b]
    if not changed:
        return script
    notes.append(f"line(s) {', '.join(map(str, changed))}: dropped usage syntax copied from help ([...], <...>)")
    return "\n".join(line for line in cleaned if line) + "\n"


def _yosys_names(words: list[str], line: int, scan: _Scan, result: Constrained) -> list[str]:
    """Fix the file names and ``-top`` of one Yosys command; record what it reads and writes."""
    request, tops, modules, outputs, written = scan.request, scan.tops, scan.modules, scan.outputs, scan.written
    words = _reader_for_file(list(words), line, result)
    name = words[0]
    for i in range(1, len(words)):
        word, before = words[i], words[i - 1]
        wrong_top = word not in scan.seen and (
            word not in modules or (word not in tops and not re.search(rf"\b{re.escape(word)}\b", request.instruction))
        )
        if before == "-top" and name in TOP_COMMANDS and modules and wrong_top:
            if len(tops) == 1:
                result.notes.append(f"line {line}: top `{word}` -> `{tops[0]}` (the request's top module)")
                words[i] = tops[0]
            else:
                result.problems.append(
                    Problem(line, name, f"`{word}` is not the top module of the request's files", "file")
                )
            continue
        foreign = NAMED_SELECTION.fullmatch(word)
        if foreign and foreign.group(1) not in scan.identifiers() and foreign.group(1) not in scan.seen:
            # `setundef -zero w:b`: an example's selection of its own design's wire; here it selects nothing.
            result.notes.append(f"line {line}: dropped `{word}` from `{name}`: the request's design has no such name")
            words[i] = ""
            continue
        if not FILE_NAME.fullmatch(word) or word.startswith("+/"):
            continue
        writes = before in WRITE_OPTIONS or (name.startswith("write_") and not word.startswith("-"))
        reads = before in READ_OPTIONS or name.startswith("read")
        if writes and not reads:
            if word in request.protected:
                message = f"`{' '.join(words)}` would write over `{word}`, an input of the request; dropped"
                result.problems.append(Problem(line, name, message, "file"))
                return []
            if word not in outputs:
                pending = [o for o in outputs if o not in written]
                fixed = closest(word, pending)
                if fixed:
                    result.notes.append(f"line {line}: output `{word}` -> `{fixed}` (named in the request)")
                    words[i] = word = fixed
            written.append(word)
        elif not reads and word in request.inputs and not before.startswith("-") and name not in FILE_ARGUMENT_COMMANDS:
            # `synth_ice40 tally.v`: a design file named to a pass, which takes it for a selection ("only operates
            # on fully selected designs"); the frontends read it (see _yosys_completeness).
            result.notes.append(f"line {line}: dropped `{word}` from `{name}`: input files are read, not passed on")
            words[i] = ""
            continue
        elif reads:
            if word not in request.inputs and word not in written:
                fixed = closest(word, request.inputs)
                if fixed:
                    result.notes.append(f"line {line}: input `{word}` -> `{fixed}` (the request's file)")
                    words[i] = word = fixed
                elif name.startswith("read") and before not in READ_OPTIONS:
                    # Every Verilog input is read anyway (see _yosys_completeness): a name that fits none goes.
                    result.notes.append(f"line {line}: dropped `{word}`, which is not one of the request's files")
                    words[i] = word = ""
                else:
                    inputs = ", ".join(request.inputs)
                    message = f"`{word}` is not one of the request's files ({inputs})"
                    result.problems.append(Problem(line, name, message, "file"))
            scan.read.append(word)
    scan.seen.update(words)
    return [w for w in words if w]


def _reader_for_file(words: list[str], line: int, result: Constrained) -> list[str]:
    """``words`` with the frontend that reads its file, when a frontend is aimed at a file of another kind."""
    if words[0] not in FRONTENDS:
        return words
    files = [w for w in words[1:] if FILE_NAME.fullmatch(w)]
    readers = {READERS.get(f[f.rfind(".") :].lower()) for f in files}
    if len(readers) != 1 or None in readers:
        return words
    reader = readers.pop().split()
    if reader[0] == words[0]:
        return words
    # The wrong frontend's options mean nothing to the right one: they go with it.
    result.notes.append(f"line {line}: `{words[0]}` -> `{reader[0]}` for {', '.join(files)}")
    return [*reader, *files]


def _yosys_completeness(lines: list[str], scan: _Scan, result: Constrained) -> list[str]:
    """Read every Verilog input; write every output the instruction names (adding a writer when it is clear)."""
    request = scan.request
    verilog = [n for n in request.inputs if n.endswith(VERILOG)]
    unread = [n for n in verilog if n not in scan.read]
    if unread:
        first = next((i for i, line in enumerate(lines) if line.split()[:1] == ["read_verilog"]), None)
        if first is None:
            lines = [f"read_verilog {' '.join(unread)}", *lines]
        else:
            lines[first] = f"{lines[first]} {' '.join(unread)}"
        result.notes.append(f"read the request's Verilog file(s) the script left out: {', '.join(unread)}")
    lines = _parameters_set(lines, request, result)
    lines = _mapping_needs_synthesis(lines, scan, result)
    behavioural = {
        f["name"]
        for f in request.files
        if f["name"].endswith(VERILOG) and PROCESS.search(COMMENT.sub("", f.get("content", "")))
    }
    lines = _processes_lowered(lines, behavioural, result)
    for output in request.named_outputs:
        extension = output[output.rfind(".") :] if "." in output else ""
        if extension in REPORTS and output in scan.written:
            # A report comes from a report command; a netlist writer aimed at it is the model's mistake.
            netlist = [
                i
                for i, line in enumerate(lines)
                if line.split()[:1] and line.split()[0] in NETLIST_WRITERS and output in line.split()
            ]
            if netlist:
                result.notes.append(f"dropped `{lines[netlist[0]]}`: {output} is a report, not a netlist")
                del lines[netlist[0]]
                scan.written.remove(output)
        if output in scan.written:
            continue
        writer = WRITERS.get(extension)
        if writer:
            lines.append(f"{writer} {output}")
            result.notes.append(f"added `{writer} {output}`: the request names that output")
            continue
        report = _report_line(lines, output, request) if extension in REPORTS else None
        if report is not None:
            index, line = report
            if index < len(lines):
                lines[index] = line
            else:
                lines.append(line)
            result.notes.append(f"`{line}`: the request asks for the report in {output}")
            continue
        message = f"the script never writes `{output}`, which the request asks for"
        result.problems.append(Problem(0, "", message, "file"))
    return _writer_options(lines, request, result)


#: a parameter declaration: ``parameter WIDTH = 8``, ``#(parameter integer N = 4, M = 2)``
PARAMETER = re.compile(r"\b(parameter|localparam)\b(?:\s*(?:\[[^\]]*\]|integer|signed|unsigned))*([^;)]*)")
PARAMETER_NAME = re.compile(r"(?:^|,)\s*([A-Za-z_]\w*)\s*=")


def _parameters(files: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """``{parameter: module}`` of the request's Verilog (``localparam``s excluded: nothing may set them)."""
    found: dict[str, str] = {}
    for item in files:
        if not item["name"].endswith(VERILOG):
            continue
        text = COMMENT.sub("", item.get("content", ""))
        for module in re.finditer(r"\bmodule\s+([A-Za-z_]\w*)(.*?)\bendmodule\b", text, re.S):
            for keyword, body in PARAMETER.findall(module.group(2)):
                if keyword == "parameter":
                    for name in PARAMETER_NAME.findall(body):
                        found.setdefault(name, module.group(1))
    return found


def _parameters_set(lines: list[str], request: Request, result: Constrained) -> list[str]:
    """``chparam -set P V M`` after the reads for a parameter of the design the instruction gives a value ("its
    WIDTH parameter changed to 16", "DEPTH = 32") and the script never sets: without it Yosys elaborates the
    default (`help chparam`)."""
    if any(re.search(r"(?:^|\s)-?chparam\b|\s-set\s", line) for line in lines):
        return lines
    added = []
    for name, module in _parameters(request.files).items():
        value = re.search(
            rf"\b{re.escape(name)}\b[^.;,\d]{{0,30}}?(?:\bto\b|=|\bof\b|\bat\b)\s*(\d+)\b", request.instruction
        )
        if value:
            added.append(f"chparam -set {name} {value.group(1)} {module}")
    if not added:
        return lines
    at = max(
        (i + 1 for i, line in enumerate(lines) if line.split()[:1] and line.split()[0].startswith("read")), default=0
    )
    result.notes.append(f"added `{'`, `'.join(added)}`: the request sets the parameter")
    return [*lines[:at], *added, *lines[at:]]


def _command_of(segment: str) -> str:
    """The command a ``;``-free segment runs: the first word, or for ``tee`` the command it wraps."""
    words = segment.split()
    if words[:1] != ["tee"]:
        return words[0] if words else ""
    rest = iter(words[1:])
    for word in rest:
        if word in ("-o", "-a"):
            next(rest, None)
        elif not word.startswith(("-", "+")):
            return word
    return ""


def _processes_lowered(lines: list[str], behavioural: set[str], result: Constrained) -> list[str]:
    """Insert ``proc`` before the first command that needs a design without processes, when the script reads one of
    the ``behavioural`` files (Verilog with ``always`` or ``initial`` blocks) and nothing lowers its processes first.

    Yosys's own rule (``help proc``): most passes ignore a module with processes ("Ignoring module ... run 'proc'
    command first") or the backends stop on it, so without this a script either fails or runs and writes an empty
    or partial result."""
    reads_rtl = False
    for index, line in enumerate(lines):
        segments = line.split(";")
        for at, segment in enumerate(segments):
            command = _command_of(segment)
            if command in ("read_verilog", "read", "read_systemverilog") and behavioural & set(segment.split()):
                reads_rtl = True
            elif LOWERS_PROCESSES.match(command):
                return lines
            elif reads_rtl and command and not PROCESS_TOLERANT.match(command):
                result.notes.append(f"added `proc` before `{command}`, which needs the processes lowered")
                head, tail = ";".join(segments[:at]).strip(), ";".join(segments[at:]).strip()
                return [*lines[:index], *([head] if head else []), "proc", tail, *lines[index + 1 :]]
    return lines


def _opensta_prologue(
    lines: list[str], tool: ScriptTool, request: Request, tops: Sequence[str], result: Constrained
) -> list[str]:
    """OpenSTA's load order, completed: every supplied Liberty file read, every supplied netlist read, the design
    linked (``link_design`` with the request's top) and every supplied SDC read after it. Without the link, every
    timing command stops with "no network has been linked"; a supplied file left unread times the wrong design."""
    commands, _ = tool.split("\n".join(lines) + "\n")
    read = {word for c in commands if c.name.startswith("read_") or c.name == "source" for word in c.words[1:]}

    def last(*names: str) -> int:
        # the line index after the last single-line command of these names, 0 when there is none
        found = [c.line for c in commands if c.name in names and "\n" not in c.text.strip()]
        return max(found, default=0)

    added: list[tuple[int, int, str]] = []  # (insert before this 0-based line, load step, text)
    for name in request.inputs:
        if name in read:
            continue
        if name.endswith(".lib"):
            added.append((0, 0, f"read_liberty {name}"))
        elif name.endswith(VERILOG):
            added.append((last("read_liberty", "read_verilog"), 1, f"read_verilog {name}"))
    reads_netlist = any(c.name == "read_verilog" for c in commands) or any(step == 1 for _, step, _ in added)
    linked = any(c.name == "link_design" for c in commands)
    link = last("link_design")
    if reads_netlist and not linked and len(tops) == 1:
        linked, link = True, last("read_liberty", "read_verilog")
        added.append((link, 2, f"link_design {tops[0]}"))
    for name in request.inputs:
        if name.endswith(".sdc") and name not in read and linked:
            added.append((link, 3, f"read_sdc {name}"))
    # Back to front: each insertion leaves the positions before it valid, and at one position the later step goes
    # in first so the earlier one ends up above it.
    for at, _, text in sorted(added, key=lambda item: item[:2], reverse=True):
        lines.insert(at, text)
    if added:
        result.notes.append(f"completed OpenSTA's load order: {'; '.join(t for *_, t in sorted(added))}")
    return lines


#: OpenSTA's writer of each output extension
OPENSTA_WRITERS = {"sdf": "write_sdf", "sdc": "write_sdc", "v": "write_verilog"}


#: a Tcl output redirection to a file (``report_checks > out.rpt``)
REDIRECT = re.compile(r">>?\s*(\S+)\s*$")


#: OpenSTA's readers of the request's files
OPENSTA_READERS = frozenset({"read_liberty", "read_verilog", "read_sdc", "read_sdf", "read_spef", "source"})


def _opensta_reads(lines: list[str], request: Request, result: Constrained) -> list[str]:
    """A reader of a file the request does not supply (an example's ``seed_cells.lib``) reads the request's file of
    that kind when exactly one fits, else goes (the load order below reads every supplied file): OpenSTA stops at
    "cannot read file"."""
    out: list[str] = []
    written: set[str] = set()
    for line in lines:
        words = line.split()
        name = words[-1] if len(words) > 1 else ""
        if words and words[0] in OPENSTA_READERS and FILE_NAME.fullmatch(name):
            if name not in request.inputs and name not in written:
                fixed = closest(name, request.inputs)
                if fixed is None:
                    result.notes.append(f"dropped `{line.strip()}`: the request supplies no {name}")
                    continue
                result.notes.append(f"`{words[0]} {name}` -> `{words[0]} {fixed}` (the request's file)")
                line = line.replace(name, fixed)
        elif words and (words[0].startswith("write_") or REDIRECT.search(line)):
            written.add(words[-1])
        out.append(line)
    return out


def _opensta_writers(lines: list[str], request: Request, result: Constrained) -> list[str]:
    """The writers of an OpenSTA script made to agree with the request's files: a writer aimed at an input
    (``write_sdc tally.sdc`` over the supplied constraints) is dropped; a named output written by its own format's
    writer is written by nothing else (a ``write_sdc tally.sdf`` or a report redirected over it is dropped); a named
    output written only by another format's writer gets its own (the file alone: the options were the other
    writer's)."""
    writes: dict[str, set[str]] = {}
    for line in lines:
        words = line.split()
        if len(words) > 1 and words[0] in OPENSTA_WRITERS.values():
            writes.setdefault(words[-1], set()).add(words[0])
    out: list[str] = []
    for line in lines:
        words = line.split()
        writer = bool(words) and words[0] in OPENSTA_WRITERS.values()
        redirect = REDIRECT.search(line)
        name = words[-1] if writer and len(words) > 1 else (redirect.group(1) if redirect else "")
        right = OPENSTA_WRITERS.get(name.rsplit(".", 1)[-1]) if "." in name else None
        if writer and name in request.protected:
            result.notes.append(f"dropped `{line.strip()}`: it would write over {name}, an input of the request")
            continue
        if not name or name not in request.named_outputs or right in (None, words[0]):
            out.append(line)
            continue
        if right in writes.get(name, set()):
            result.notes.append(f"dropped `{line.strip()}`: `{right}` writes {name} elsewhere in the script")
            continue
        if writer:
            line = f"{right} {name}"
            result.notes.append(f"`{words[0]} {name}` -> `{line}`: {name} is to be {name.rsplit('.', 1)[-1]}")
        out.append(line)
    return out


def _mapping_needs_synthesis(lines: list[str], scan: _Scan, result: Constrained) -> list[str]:
    """Insert ``synth`` before the first mapping command (``dfflibmap``, ``abc``) that no synthesis precedes:
    on a design fresh from ``read_verilog`` they map nothing, and the script 'passes' with RTL in the netlist."""
    for index, line in enumerate(lines):
        command = line.split()[0] if line.split() else ""
        if FINE.match(command):
            return lines
        if command in MAPPERS:
            top = f" -top {scan.tops[0]}" if len(scan.tops) == 1 else ""
            flat = " -flatten" if re.search(r"\bflat", scan.request.instruction, re.I) else ""
            synth = f"synth{top}{flat}"
            result.notes.append(f"added `{synth}` before `{command}`, which maps a synthesized design")
            return [*lines[:index], synth, *lines[index:]]
    return lines


def _writer_options(lines: list[str], request: Request, result: Constrained) -> list[str]:
    """Add the ``write_verilog`` options the instruction asks for in words (``-noattr``, ``-noexpr``)."""
    wanted = [option for pattern, option in WRITER_OPTIONS if pattern.search(request.instruction)]
    for index, line in enumerate(lines):
        words = line.split()
        if words[:1] != ["write_verilog"] or ";" in line:
            continue
        missing = [option for option in wanted if option not in words]
        if missing:
            lines[index] = " ".join([words[0], *missing, *words[1:]])
            result.notes.append(f"`{lines[index]}`: the request asks for {', '.join(missing)} in words")
    return lines


def _report_line(lines: list[str], output: str, request: Request) -> tuple[int, str] | None:
    """Where a named report file should come from: the script's last report command wrapped in ``tee -o``, else
    the one report command the instruction names, else the script's last command the instruction names (``scc``,
    ``eval``: what it prints is what was asked for), else the report the instruction asks for in words
    (statistics, area, checks); None when that is unclear."""
    for index in range(len(lines) - 1, -1, -1):
        words = lines[index].split()
        if words and words[0] in REPORT_COMMANDS and ";" not in lines[index]:
            return index, f"tee -o {output} {lines[index]}"
    wanted = request.instruction.lower()
    named = [c for c in REPORT_COMMANDS if re.search(rf"(?<![\w-]){c}(?![\w-])", wanted)]
    if len(named) == 1:
        return len(lines), f"tee -o {output} {named[0]}"
    for index in range(len(lines) - 1, -1, -1):
        words = lines[index].split()
        mentioned = words and re.search(rf"(?<![\w-]){re.escape(words[0])}(?![\w-])", wanted)
        if mentioned and not NOT_REPORTS.match(words[0]) and ";" not in lines[index]:
            return index, f"tee -o {output} {lines[index]}"
    libraries = [n for n in request.inputs if n.endswith(".lib")]
    if re.search(r"\b(stat|statistics|cells?|area|resources?|how many|count)\b", wanted):
        liberty = f" -liberty {libraries[0]}" if len(libraries) == 1 and re.search(r"area|liberty", wanted) else ""
        return len(lines), f"tee -o {output} stat{liberty}"
    if re.search(r"\b(check|checks|lint|problems)\b", wanted):
        return len(lines), f"tee -o {output} check"
    return None
