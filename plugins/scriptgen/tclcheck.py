"""Tcl (OpenSTA) scripts parsed into commands, recursively, and checked against OpenSTA's allow-list.

The parser follows Tcl's rules (the Dodekalogue): commands end at a newline or ``;``; words are braced (no
substitution), double-quoted or bare (with ``$variable``, ``[command]`` and backslash substitution); ``{*}``
expands a word; ``#`` starts a comment only where a command starts. Every ``[...]`` in a word is parsed as a
script, and so is every argument that a command runs as a script or evaluates as an expression: the bodies of
``if``/``while``/``for``/``foreach``/``lmap``/``catch``/``try``/``switch``/``proc``/``time``, ``apply``'s
lambda, ``dict for|map|with|update|filter``, ``eval``, ``uplevel``, ``namespace eval``, ``subst``, ``expr`` and
OpenSTA's ``with_output_to_variable``. Such an argument must be literal (a braced or plain word): a script or an
expression computed at run time (``eval $code``, ``if $cond ...``, ``{*}$args`` before a body) is refused, because
no static check can see what it runs. So are command names computed at run time (``$cmd``, ``[...]``).

The allow-list (deny by default) holds Tcl's data and control commands and OpenSTA's timing commands; a script
may also call the procedures it defines itself (whose bodies are checked where they are defined). Option-level
rules: OpenSTA's output redirection (``> file``, ``>> file``, ``>file``) and every file argument of a command that
reads or writes files must be a literal plain name in the run directory; ``lsort -command`` is refused. A file
``read_sdc`` reads is Tcl that OpenSTA evaluates: it must be one of the request's files, not named elsewhere in the
script, and is checked like the script.

Over 400 lines on purpose: the parser and the checks share the word model (``TclWord``, computed vs literal) and
together are one security boundary, reviewed as one; each function stays short.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .checks import Command, CommandPolicy, Problem, names, path_problem, script_file_problem

WHITESPACE = " \t\r\v\f"
TCL_BUILTINS = names(
    """
    append apply array binary break catch concat continue dict error eval exit expr flush for foreach format
    global if incr info join lappend lassign lindex linsert list llength lmap lrange lrepeat lreplace lreverse
    lsearch lset lsort namespace proc puts regexp regsub return scan set split string subst switch throw time
    try unset uplevel upvar variable while
    """
)
OPENSTA_COMMANDS = names(
    """
    all_clocks all_inputs all_outputs all_registers check_setup connect_pin connect_pins create_clock
    create_generated_clock create_voltage_area current_design current_instance define_corners delete_clock
    delete_from_list delete_generated_clock delete_instance delete_net disconnect_pin disconnect_pins
    elapsed_run_time find_timing find_timing_paths get_cell get_cells get_clock get_clocks get_fanin get_fanout
    get_full_name get_lib get_lib_cell get_lib_cells get_lib_pin get_lib_pins get_libs get_name get_net get_nets
    get_pin get_pins get_port get_ports get_property get_timing_edges group_path help insert_buffer link_design
    log_begin log_end make_instance make_net read_liberty read_parasitics read_sdc read_sdf read_spef
    read_verilog replace_cell report_annotated_check report_annotated_delay report_arrival report_cell
    report_check_types report_checks report_clock_properties report_clock_skew report_constant report_dcalc
    report_disabled_edges report_edges report_instance report_lib_cell report_net report_object_full_names
    report_object_names report_path report_pin report_power report_pulse_width_checks report_required
    report_slack report_slews report_tns report_wns report_worst_slack set_assigned_check set_assigned_delay
    set_assigned_transition set_case_analysis set_clock_gating_check set_clock_groups set_clock_latency
    set_clock_sense set_clock_transition set_clock_uncertainty set_cmd_units set_data_check set_delay_calculator
    set_disable_inferred_clock_gating set_disable_timing set_drive set_driving_cell set_false_path
    set_fanout_load set_hierarchy_separator set_ideal_latency set_ideal_network set_ideal_transition
    set_input_delay set_input_transition set_level_shifter_strategy set_level_shifter_threshold set_load
    set_logic_dc set_logic_one set_logic_zero set_max_area set_max_capacitance set_max_delay
    set_max_dynamic_power set_max_fanout set_max_leakage_power set_max_time_borrow set_max_transition
    set_min_capacitance set_min_delay set_min_pulse_width set_multicycle_path set_operating_conditions
    set_output_delay set_pocv_sigma_factor set_port_fanout_number set_power_activity set_propagated_clock
    set_pvt set_resistance set_sense set_timing_derate set_units set_wire_load_min_block_size set_wire_load_mode
    set_wire_load_model set_wire_load_selection_group total_negative_slack unset_case_analysis
    unset_clock_groups unset_clock_latency unset_clock_transition unset_clock_uncertainty unset_data_check
    unset_disable_inferred_clock_gating unset_disable_timing unset_generated_clock unset_input_delay
    unset_output_delay unset_path_exceptions unset_propagated_clock unset_timing_derate user_run_time
    with_output_to_variable worst_negative_slack worst_slack write_sdc write_sdf write_verilog
    """
)
TCL_REASONS = {
    "exec": "runs a program",
    "open": "opens files or pipes",
    "file": "reads and changes the file system",
    "source": "runs another script file",
    "socket": "opens network connections",
    "load": "loads native code",
    "interp": "creates interpreters without the sandbox's checks",
    "cd": "changes the working directory",
    "glob": "lists directories",
    "rename": "can restore refused commands",
    "trace": "runs code the checks cannot see",
    "after": "runs code the checks cannot see",
    "chan": "opens and reconfigures channels",
    "fconfigure": "reconfigures channels",
    "package": "loads packages with native code",
    "auto_load": "loads code",
    "unknown": "redefines command lookup",
    "coroutine": "runs code the checks cannot see",
    "tailcall": "runs code the checks cannot see",
    "yieldto": "runs code the checks cannot see",
    "write_path_spice": "starts a SPICE simulator",
}
OPENSTA_POLICY = CommandPolicy(
    allowed=TCL_BUILTINS | OPENSTA_COMMANDS,
    reasons=TCL_REASONS,
    refused_options={"lsort": {"-command": "runs a command the checks cannot see"}},
)
# Commands whose file arguments must be literal plain names (they read or write files).
FILE_COMMANDS = names(
    """
    read_liberty read_parasitics read_sdc read_sdf read_spef read_verilog write_sdc write_sdf write_verilog
    log_begin
    """
)
NAMESPACE_SUBCOMMANDS = frozenset({"eval", "current", "exists", "qualifiers", "tail"})
MAX_DEPTH = 32


@dataclass
class TclWord:
    """One word of a Tcl command."""

    #: the word's source without its enclosing braces or quotes
    text: str
    #: "brace", "quote" or "bare"
    kind: str
    #: 1-based line where the word starts
    line: int
    #: its value when nothing is substituted at run time (braced, or no ``$``/``[``); None when computed
    literal: str | None
    #: commands of its ``[...]`` substitutions
    calls: list[TclCall] = field(default_factory=list)
    #: preceded by ``{*}``
    expand: bool = False


@dataclass
class TclCall:
    """One Tcl command: its line and words."""

    line: int
    words: list[TclWord]
    text: str


class TclSyntaxError(ValueError):
    """A script Tcl itself would not parse (unbalanced braces, brackets or quotes)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


BACKSLASH = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _backslash(text: str, i: int) -> tuple[str, int]:
    """The character a backslash sequence at ``text[i]`` stands for, and the index after it."""
    if i + 1 >= len(text):
        return "\\", i + 1
    c = text[i + 1]
    if c in BACKSLASH:
        return BACKSLASH[c], i + 2
    if c == "\n":
        j = i + 2
        while j < len(text) and text[j] in " \t":
            j += 1
        return " ", j
    for prefix, width in (("x", 2), ("u", 4), ("U", 8)):
        if c == prefix:
            m = re.match(f"[0-9a-fA-F]{{1,{width}}}", text[i + 2 :])
            if m:
                return chr(min(int(m.group(), 16), 0x10FFFF)), i + 2 + len(m.group())
            return c, i + 2
    m = re.match(r"[0-7]{1,3}", text[i + 1 :])
    if m:
        return chr(int(m.group(), 8) & 0xFF), i + 1 + len(m.group())
    return c, i + 2


class _Parser:
    """A recursive-descent parser of Tcl scripts into :class:`TclCall` trees."""

    def __init__(self, text: str, line: int) -> None:
        self.text, self.i, self.line = text, 0, line

    def _advance(self, to: int) -> None:
        self.line += self.text.count("\n", self.i, to)
        self.i = to

    def script(self, nested: bool = False) -> list[TclCall]:
        """Commands until the end (or the ``]`` closing a command substitution when ``nested``)."""
        text, n = self.text, len(self.text)
        calls: list[TclCall] = []
        while self.i < n:
            c = text[self.i]
            if c in WHITESPACE + ";\n":
                self._advance(self.i + 1)
                continue
            if c == "\\" and self.i + 1 < n and text[self.i + 1] == "\n":
                self._advance(self.i + 2)
                continue
            if nested and c == "]":
                return calls
            if c == "#":
                j = self.i
                while j < n and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                self._advance(min(j, n))
                continue
            start, line = self.i, self.line
            words = self.words(nested)
            if words:
                calls.append(TclCall(line, words, text[start : self.i].strip()))
        if nested:
            raise TclSyntaxError(self.line, "missing close-bracket")
        return calls

    def words(self, nested: bool) -> list[TclWord]:
        """The words of one command, up to its end."""
        text, n = self.text, len(self.text)
        words: list[TclWord] = []
        while self.i < n:
            c = text[self.i]
            if c in WHITESPACE:
                self._advance(self.i + 1)
                continue
            if c == "\\" and self.i + 1 < n and text[self.i + 1] == "\n":
                self._advance(self.i + 2)
                continue
            if c in ";\n" or (nested and c == "]"):
                break
            expand = text.startswith("{*}", self.i) and self.i + 3 < n and text[self.i + 3] not in WHITESPACE + ";\n"
            if expand:
                self._advance(self.i + 3)
            word = self.word(nested)
            word.expand = expand
            words.append(word)
        return words

    def word(self, nested: bool) -> TclWord:
        """One word starting at the current position."""
        text, n, line = self.text, len(self.text), self.line
        if text[self.i] == "{":
            depth, j = 0, self.i
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            if depth:
                raise TclSyntaxError(line, "missing close-brace")
            if j < n and text[j] not in WHITESPACE + ";\n" and not (nested and text[j] == "]"):
                raise TclSyntaxError(self.line, "extra characters after close-brace")
            body = text[self.i + 1 : j - 1]
            self._advance(j)
            return TclWord(body, "brace", line, body.replace("\\\n", " "))
        quoted = text[self.i] == '"'
        start = self.i + quoted
        j, calls, value, computed = start, [], "", False
        while j < n:
            c = text[j]
            if quoted and c == '"':
                break
            if not quoted and (c in WHITESPACE + ";\n" or (nested and c == "]")):
                break
            if c == "\\":
                if not quoted and j + 1 < n and text[j + 1] == "\n":
                    break  # a backslash-newline separates bare words
                char, j = _backslash(text, j)
                value += char
                continue
            if c == "[":
                inner = _Parser(text, self.line + text.count("\n", self.i, j))
                inner.i = j + 1
                calls += inner.script(nested=True)
                j = inner.i + 1
                computed = True
                continue
            if c == "$":
                j, inner_calls, is_var = self._variable(j)
                calls += inner_calls
                computed = computed or is_var
                if not is_var:
                    value += "$"
                continue
            value += c
            j += 1
        if quoted:
            if j >= n:
                raise TclSyntaxError(line, "missing close-quote")
            if j + 1 < n and text[j + 1] not in WHITESPACE + ";\n" and not (nested and text[j + 1] == "]"):
                raise TclSyntaxError(line, "extra characters after close-quote")
            body = text[start:j]
            self._advance(j + 1)
        else:
            body = text[start:j]
            self._advance(j)
        return TclWord(body, "quote" if quoted else "bare", line, None if computed else value, calls)

    def _variable(self, at: int) -> tuple[int, list[TclCall], bool]:
        """Skip a ``$name``, ``$name(index)`` or ``${name}`` at ``at``: where it ends, the commands in its index,
        and whether it is a variable at all (a lone ``$`` is a plain character)."""
        text, n = self.text, len(self.text)
        j = at + 1
        if j < n and text[j] == "{":
            end = text.find("}", j)
            if end < 0:
                raise TclSyntaxError(self.line, "missing close-brace for variable name")
            return end + 1, [], True
        m = re.match(r"(?:::|[A-Za-z0-9_])*", text[j:])
        if not m or (not m.group() and not text.startswith("(", j)):
            return j, [], False  # "$(x)" is element x of the array with the empty name; a lone "$" is a "$"
        j += len(m.group())
        calls: list[TclCall] = []
        if j < n and text[j] == "(":
            depth = 0
            while j < n:
                c = text[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[":
                    inner = _Parser(text, self.line)
                    inner.i = j + 1
                    calls += inner.script(nested=True)
                    j = inner.i + 1
                    continue
                depth += {"(": 1, ")": -1}.get(c, 0)
                j += 1
                if depth == 0:
                    break
        return j, calls, True


def parse_tcl(script: str, line: int = 1) -> list[TclCall]:
    """The commands of a Tcl script (TclSyntaxError when Tcl would not parse it)."""
    return _Parser(script, line).script()


def tcl_list(text: str) -> list[str] | None:
    """The elements of a literal Tcl list, or None when it is not a well-formed list."""
    try:
        words = _Parser(text.replace("\n", " "), 1).words(nested=False)
    except TclSyntaxError:
        return None
    if any(w.literal is None and w.kind != "brace" for w in words):
        # In a list, $ and [ are plain characters: take the source text.
        return [w.text for w in words]
    return [w.literal if w.literal is not None else w.text for w in words]


def split_tcl(script: str) -> tuple[list[Command], list[Problem]]:
    """The top-level commands of a Tcl script with their lines, and syntax problems."""
    try:
        calls = parse_tcl(script)
    except TclSyntaxError as exc:
        return [], [Problem(exc.line, "", str(exc), kind="syntax")]
    commands = []
    for call in calls:
        nested = [[w.text for w in inner.words] for w in call.words for inner in w.calls]
        commands.append(Command(call.line, [w.text for w in call.words], call.text, nested))
    return commands, []


# -- the checks ----------------------------------------------------------------------------------------------


Scripts = list[tuple[TclWord, str]]


def _if_scripts(args: list[TclWord]) -> Scripts:
    out: Scripts = []
    i = 0
    while i < len(args):
        out.append((args[i], "expr"))
        i += 1 + (i + 1 < len(args) and args[i + 1].literal == "then")
        if i < len(args):
            out.append((args[i], "script"))
            i += 1
        if i < len(args) and args[i].literal == "elseif":
            i += 1
            continue
        i += i < len(args) and args[i].literal == "else"
        if i < len(args):
            out.append((args[i], "script"))
        break
    return out


def _try_scripts(args: list[TclWord]) -> Scripts:
    out: Scripts = [(args[0], "script")]
    i = 1
    while i < len(args):
        step = {"on": 3, "trap": 3, "finally": 1}.get(args[i].literal or "", 0)
        if not step or i + step >= len(args):
            break
        out.append((args[i + step], "script"))
        i += step + 1
    return out


def _switch_scripts(args: list[TclWord]) -> Scripts:
    i = 0
    while i < len(args) and (args[i].literal or "").startswith("-") and args[i].literal != "--":
        i += 2 if args[i].literal in ("-matchvar", "-indexvar") else 1
    i += 1 if i < len(args) and args[i].literal == "--" else 0
    rest = args[i + 1 :]
    if len(rest) != 1:
        return [(w, "script") for w in rest[1::2] if w.literal != "-"]
    elements = tcl_list(rest[0].literal or "") if rest[0].literal is not None else None
    if elements is None:
        return [(rest[0], "script")]  # computed: refused below
    return [(TclWord(body, "brace", rest[0].line, body), "script") for body in elements[1::2] if body != "-"]


def _apply_scripts(args: list[TclWord]) -> Scripts:
    elements = tcl_list(args[0].literal) if args[0].literal is not None else None
    if elements is None or len(elements) < 2:
        return [(args[0], "script")]
    return [(TclWord(elements[1], "brace", args[0].line, elements[1]), "script")]


def _dict_scripts(args: list[TclWord]) -> Scripts:
    sub = args[0].literal
    if sub in ("for", "map", "with", "update") or (sub == "filter" and len(args) > 2 and args[2].literal == "script"):
        return [(args[-1], "script")]
    return []


def _concatenating_scripts(name: str, args: list[TclWord]) -> Scripts:
    """eval, uplevel, namespace eval, subst, expr: their arguments are concatenated, then run."""
    rest = args[2 if name == "namespace" else 0 :]
    if name == "uplevel" and rest and re.fullmatch(r"#?\d+", rest[0].literal or ""):
        rest = rest[1:]
    if name == "subst":
        rest = [w for w in rest if not (w.literal or "").startswith("-")][-1:]
    if name == "namespace" and (not args or args[0].literal != "eval"):
        rest = []
    if not rest:
        return []
    # One synthetic word, computed when any of the arguments is.
    kind = {"expr": "expr", "subst": "subst"}.get(name, "script")
    computed = any(w.literal is None for w in rest)
    braced = all(w.kind == "brace" for w in rest)
    text = " ".join(w.text for w in rest)
    joined = " ".join(w.literal or "" for w in rest)
    word = TclWord(joined if braced else text, "brace" if braced else "bare", rest[0].line, None)
    word.literal = None if computed else joined
    return [(word, kind)]


def _scripts_of(name: str, words: list[TclWord]) -> Scripts:
    """The arguments of a command that Tcl runs as scripts ("script") or evaluates as expressions ("expr")."""
    args = words[1:]
    if name == "if":
        return _if_scripts(args)
    if name == "while" and len(args) >= 2:
        return [(args[0], "expr"), (args[1], "script")]
    if name == "for" and len(args) >= 4:
        return [(args[0], "script"), (args[1], "expr"), (args[2], "script"), (args[3], "script")]
    if name in ("foreach", "lmap", "time", "with_output_to_variable") and args:
        return [(args[-1 if name != "time" else 0], "script")]
    if name == "catch" and args:
        return [(args[0], "script")]
    if name == "proc" and len(args) == 3:
        return [(args[2], "script")]
    if name in ("eval", "uplevel", "namespace", "subst", "expr"):
        return _concatenating_scripts(name, args)
    handlers = {"try": _try_scripts, "switch": _switch_scripts, "apply": _apply_scripts, "dict": _dict_scripts}
    return handlers[name](args) if name in handlers and args else []


def _expression_calls(text: str, line: int) -> list[TclCall]:
    """Commands an expression (or a ``subst`` template) runs: every ``[...]`` in it, parsed as a script."""
    calls, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "[":
            parser = _Parser(text, line + text.count("\n", 0, i))
            parser.i = i + 1
            calls += parser.script(nested=True)
            i = parser.i + 1
            continue
        i += 1
    return calls


class _Checker:
    """Walks a parsed script and collects the reasons it may not run."""

    def __init__(self, policy: CommandPolicy, files: Mapping[str, str] | None, all_words: list[str]) -> None:
        self.policy, self.files, self.all_words = policy, files, all_words
        self.procs: set[str] = set()
        self.problems: list[Problem] = []

    def refuse(self, line: int, command: str, message: str) -> None:
        problem = Problem(line, command, f"{message}; refused")
        if not any(p.line == line and p.message == problem.message for p in self.problems):
            self.problems.append(problem)

    def collect_procs(self, calls: list[TclCall], depth: int = 0) -> None:
        """Procedure names the script defines (literal, not namespaced): calls to them are allowed."""
        for call in calls:
            if call.words and call.words[0].literal == "proc" and len(call.words) == 4:
                name = call.words[1].literal
                if name and "::" not in name.lstrip(":"):
                    self.procs.add(name.lstrip(":"))
            if depth < MAX_DEPTH:
                for word, kind in _scripts_of(_name(call), call.words):
                    if kind == "script" and word.literal is not None:
                        with contextlib.suppress(TclSyntaxError):  # reported when the body is checked
                            self.collect_procs(parse_tcl(word.literal, word.line), depth + 1)

    def calls(self, calls: list[TclCall], depth: int = 0) -> None:
        for call in calls:
            self.call(call, depth)

    def call(self, call: TclCall, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.refuse(call.line, "", "scripts nested deeper than 32 levels")
            return
        for word in call.words:
            self.calls(word.calls, depth + 1)
        first = call.words[0]
        if first.expand or first.literal is None:
            self.refuse(call.line, first.text, f"command name {first.text!r} is computed at run time")
            return
        name = first.literal.lstrip(":") if first.literal.startswith("::") else first.literal
        if "::" in name:
            self.refuse(call.line, name, f"`{name}`: namespaced commands are not allowed")
            return
        if name not in self.procs:
            refusal = self.policy.refusal(name)
            if refusal:
                self.refuse(call.line, name, refusal)
                return
        args = call.words[1:]
        for word in args:
            if word.literal is not None:
                option = self.policy.option_refusal(name, word.literal)
                reason = option or (path_problem(word.literal) and f"`{name}`: {path_problem(word.literal)}")
                if reason:
                    self.refuse(call.line, name, reason)
                    return
        if name == "namespace" and (not args or args[0].literal not in NAMESPACE_SUBCOMMANDS):
            sub = args[0].text if args else ""
            self.refuse(call.line, name, f"`namespace {sub}` is not allowed (only namespace eval and queries)")
            return
        if not self.redirections(call, name) or not self.file_arguments(call, name):
            return
        scripts = _scripts_of(name, call.words)
        if scripts and any(w.expand for w in args):
            self.refuse(call.line, name, f"`{name}` with {{*}} expansion: its scripts are computed at run time")
            return
        for word, kind in scripts:
            self.script_argument(name, word, kind, depth)

    def script_argument(self, name: str, word: TclWord, kind: str, depth: int) -> None:
        if kind == "expr":
            if word.kind != "brace" and (word.literal is None or "$" in word.text):
                # An unbraced expression is substituted twice: a variable's value would be parsed as code.
                self.refuse(word.line, name, f"`{name}`: unbraced expression {word.text!r}; brace it")
                return
            try:
                self.calls(_expression_calls(word.text, word.line), depth + 1)
            except TclSyntaxError as exc:
                self.refuse(exc.line, name, f"`{name}`: {exc}")
            return
        if word.literal is None:
            self.refuse(word.line, name, f"`{name}`: a script computed at run time ({word.text!r})")
            return
        try:
            if kind == "subst":
                self.calls(_expression_calls(word.literal, word.line), depth + 1)
            else:
                self.calls(parse_tcl(word.literal, word.line), depth + 1)
        except TclSyntaxError as exc:
            self.refuse(exc.line, name, f"`{name}`: {exc}")

    def redirections(self, call: TclCall, name: str) -> bool:
        """OpenSTA's ``> file`` / ``>> file`` / ``>file``: a literal plain name in the run directory."""
        words = call.words
        for i, word in enumerate(words[1:], start=1):
            if not word.text.startswith(">"):
                continue
            target = word.text.lstrip(">")
            computed = word.literal is None
            if not target and i + 1 < len(words):
                target, computed = words[i + 1].text, words[i + 1].literal is None
            reason = (
                "computed at run time"
                if computed
                else "missing"
                if not target
                else path_problem(target) or (None if re.fullmatch(r"[A-Za-z0-9_.+-]+", target) else "not a name")
            )
            if reason:
                self.refuse(call.line, name, f"`{name}`: output redirection to {target!r}: {reason}")
                return False
        return True

    def file_arguments(self, call: TclCall, name: str) -> bool:
        """Commands that read or write files take literal names; an SDC file is checked as the script is."""
        if name not in FILE_COMMANDS:
            return True
        names = [w for w in call.words[1:] if not (w.literal or "").startswith("-") and not w.text.startswith(">")]
        for word in names:
            if word.literal is None:
                self.refuse(call.line, name, f"`{name}`: file name {word.text!r} is computed at run time")
                return False
        if name == "read_sdc" and names:
            sdc = names[-1].literal or ""
            reason = script_file_problem(sdc, self.files, self.all_words, "SDC file")
            if reason:
                self.refuse(call.line, name, f"`read_sdc`: {reason}")
                return False
            for problem in tcl_check(self.files[sdc], self.files, self.policy, nested=True) if self.files else []:
                self.refuse(call.line, name, f"`read_sdc {sdc}` line {problem.line}: {problem.message}")
        return True


def _name(call: TclCall) -> str:
    literal = call.words[0].literal if call.words else None
    return (literal or "").lstrip(":") if (literal or "").startswith("::") else (literal or "")


def _all_words(calls: list[TclCall]) -> list[str]:
    words = []
    for call in calls:
        for word in call.words:
            words.append(word.text)
            words += _all_words(word.calls)
    return words


def tcl_check(
    script: str,
    files: Mapping[str, str] | None = None,
    policy: CommandPolicy = OPENSTA_POLICY,
    *,
    nested: bool = False,
) -> list[Problem]:
    """Every reason the Tcl ``script`` may not run (empty when it may)."""
    try:
        calls = parse_tcl(script)
    except TclSyntaxError as exc:
        return [Problem(exc.line, "", f"{exc}; refused" if nested else str(exc), kind="unsafe" if nested else "syntax")]
    checker = _Checker(policy, files, _all_words(calls))
    checker.collect_procs(calls)
    checker.calls(calls)
    return checker.problems
