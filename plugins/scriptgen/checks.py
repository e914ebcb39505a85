"""Static checks run on every script before it reaches a tool: a parser and an allow-list, not patterns.

A script is split into commands exactly as its tool splits it, and every command must be on the tool's
allow-list (deny by default); the few allowed commands that can run programs or touch paths have option-level
rules. Yosys scripts (this module) are split with Yosys's own rules (``Pass::call`` and ``next_token`` of
``kernel/register.cc``): words separated by blanks, a double quote quoting only at the start of a word and up to a
quote that ends a word (a quote in mid-word is a plain character), ``#`` starting a comment only as the first
character of a word, ``;`` ending a command only at the end of a word, ``!`` as the first word running a shell.
Commands that run another command (``tee``, ``debug``, ``trace``) are checked with that command too. ABC scripts
(``abc -script +cmd;cmd`` and a request file given to ``-script``) are split into ABC commands, each on ABC's own
allow-list (no ``source``, ``starter``, ``sis``, ``read``/``write``, ...). Tcl (OpenSTA) is parsed in
:mod:`.tclcheck`.

Everywhere, any word that is an absolute path, starts with ``~``, or climbs out with a ``..`` component is refused,
and request files that a tool would execute as a script (an ABC script, an SDC file) are checked as scripts and
must not be written by the script itself; request files a tool reads (Verilog) may not include files from
outside the run (`` `include "/etc/passwd" ``, ``$readmemh("/...")``).

These checks are the first of three layers (docs/security.md): each run also gets its own namespaces (only its
own files visible and writable, no network) and, where the kernel offers it, Landlock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# -- what every checker shares ---------------------------------------------------------------------------------


def names(text: str) -> frozenset[str]:
    """The whitespace-separated names of ``text`` (allow-lists are written as blocks of names)."""
    return frozenset(text.split())


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


@dataclass(frozen=True)
class CommandPolicy:
    """What a tool's scripts may call: an allow-list (deny by default) and option-level rules.

    A plugin extends a tool's policy by registering an adapter built with a wider one, e.g.
    ``YosysTool(policy=YOSYS_POLICY.extend({"my_pass"}))`` under its own tool name.
    """

    #: commands a script may use
    allowed: frozenset[str]
    #: why a well-known dangerous command is refused (a clearer message than "not allowed")
    reasons: Mapping[str, str] = field(default_factory=dict)
    #: command ("*" = any) -> option -> why it is refused
    refused_options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def extend(self, commands: Iterable[str]) -> CommandPolicy:
        """This policy with ``commands`` allowed too."""
        return CommandPolicy(self.allowed | frozenset(commands), self.reasons, self.refused_options)

    def refusal(self, name: str) -> str | None:
        """Why ``name`` may not be called, or None when it may."""
        if name in self.allowed:
            return None
        reason = self.reasons.get(name, "is not on the allow-list of commands a script may use")
        return f"`{name}` {reason}"

    def option_refusal(self, name: str, option: str) -> str | None:
        """Why ``option`` of ``name`` is refused, or None."""
        for key in (name, "*"):
            reason = self.refused_options.get(key, {}).get(option)
            if reason:
                return f"`{name} {option}` {reason}"
        return None


def path_problem(word: str) -> str | None:
    """Why ``word`` may not appear in a script (an absolute, home or climbing path), or None."""
    candidates = [word]
    if "=" in word:
        candidates.append(word.split("=", 1)[1])  # -DNAME=/x, -set name=/x
    if re.match(r"^-[IL]", word):
        candidates.append(word[2:])  # -I/usr/include glued to its option
    if word.startswith(">"):
        candidates.append(word.lstrip(">"))  # OpenSTA's >file and >>file
    for value in candidates:
        value = value.strip("\"'{}")
        if value.startswith(("/", "~", "\\")):
            return f"path {value!r} is outside the run directory; use the request's file names"
        parts = re.split(r"[/\\]", value)
        if ".." in parts:
            return f"path {value!r} climbs out of the run directory with '..'"
    return None


# Directives of request files that make a tool read another file (Verilog includes and memory images), and the
# literal file name that must follow them.
INCLUDE = re.compile(r"`include\b|\$readmem[hb]\b")
LITERAL_NAME = re.compile(r"\s*(?:\(\s*)?(?:\"([^\"\n]*)\"|<([^>\n]*)>)")


def included_file_problems(files: Mapping[str, str]) -> list[Problem]:
    """Request files that would make a tool read a file outside the run (`` `include "/etc/passwd" ``), or a
    file whose name only the tool computes (`` `include `NAME ``, ``$readmemh(PARAM, m)``)."""
    problems = []
    for name, content in files.items():
        for match in INCLUDE.finditer(content):
            literal = LITERAL_NAME.match(content, match.end())
            target = (literal.group(1) if literal.group(1) is not None else literal.group(2)) if literal else None
            reason = "its file name is computed (a macro or parameter)" if target is None else path_problem(target)
            if reason:
                line = content.count("\n", 0, match.start()) + 1
                message = f"{name} line {line} ({match.group()}) reads another file: {reason}; refused"
                problems.append(Problem(0, "", message))
    return problems


def script_file_problem(name: str, files: Mapping[str, str] | None, words: Iterable[str], what: str) -> str | None:
    """Why the file ``name`` may not be run as a script: not a request file, or the script could rewrite it.
    With ``files`` unknown (None: a draft checked before its run) only the rewriting is judged; the run, which
    knows the files, checks again."""
    if files is not None and name not in files:
        return f"{what} {name!r} is not one of the request's files (it would run unchecked)"
    if sum(1 for w in words if w.strip('"') == name or w.lstrip(">") == name) > 1:
        return f"{what} {name!r} is named elsewhere in the script, which could rewrite it before it runs"
    return None


# -- Yosys -----------------------------------------------------------------------------------------------------

# Deny by default: the Yosys commands a script may use. Commands that run programs, other scripts or plugins,
# change the directory or environment, or start viewers are absent (see YOSYS_REASONS).
YOSYS_ALLOWED = names(
    """
    abc abc9 abc9_ops abc_new add aigmap alumacc anlogic_eqn anlogic_fixcarry arith_tree assertpmux async2sync
    attrmap attrmvcp autoname blackbox bmuxmap booth box_derive bufnorm bwmuxmap cellmatch check check_mem
    chformal chparam chtype clean clean_zerowidth clk2fflogic clkbufmap clockgate connect connwrappers constmap
    copy cutpoint debug delete deminout demuxmap design design_equal dffinit dfflegalize dfflibmap dffunmap
    dft_tag dump echo edgetypes efinix_fixcarry equiv_add equiv_induct equiv_make equiv_mark equiv_miter
    equiv_opt equiv_purge equiv_remove equiv_simple equiv_status equiv_struct eval expose extract
    extract_counter extract_fa extract_reduce extractinv flatten fmcombine fminit formalff freduce fsm
    fsm_detect fsm_expand fsm_export fsm_extract fsm_info fsm_map fsm_opt fsm_recode gatemate_foldinv glift
    hierarchy hilomap ice40_dsp ice40_opt ice40_wrapcarry icell_liberty insbuf iopadmap jny json keep_hierarchy
    lattice_dsp_nexus lattice_gsr log logger ls ltp lut2bmux lut2mux maccmap mcm memory memory_bmux2rom
    memory_bram memory_collect memory_dff memory_libmap memory_map memory_memx memory_narrow memory_nordff
    memory_share memory_unpack microchip_dffopt microchip_dsp miter mutate muxcover muxpack nx_carry onehot opt
    opt_balance_tree opt_clean opt_demorgan opt_dff opt_expr opt_ffinv opt_hier opt_lut opt_lut_ins opt_mem
    opt_mem_feedback opt_mem_priority opt_mem_widen opt_merge opt_muxtree opt_reduce opt_share optbarriers
    paramap peepopt pmux2shiftx pmuxtree portarcs portlist prep printattrs proc proc_arst proc_clean proc_dff
    proc_dlatch proc_init proc_memwr proc_mux proc_prune proc_rmdead proc_rom ql_bram_merge ql_bram_types
    ql_dsp_io_regs ql_dsp_macc ql_dsp_simd ql_ioff read read_aiger read_blif read_json read_liberty read_rtlil
    read_verilog recover_names rename rmports sat scatter scc scratchpad select setattr setparam setundef share
    shregmap sim simplemap sort splice splitcells splitnets sta stat submod supercover synth synth_achronix
    synth_analogdevices synth_anlogic synth_easic synth_ecp5 synth_efinix synth_fabulous synth_gatemate
    synth_gowin synth_ice40 synth_intel synth_intel_alm synth_lattice synth_microchip synth_nanoxplore
    synth_nexus synth_quicklogic synth_sf2 synth_xilinx synthprop techmap tee timeest torder trace tribuf
    uniquify verilog_defaults verilog_defines wbflip wrapcell wreduce write_aiger write_aiger2 write_blif
    write_btor write_cxxrtl write_edif write_file write_firrtl write_functional_cxx write_functional_rosette
    write_functional_smt2 write_intersynth write_jny write_json write_rtlil write_simplec write_smt2 write_smv
    write_spice write_table write_verilog write_xaiger write_xaiger2 xilinx_dffopt xilinx_dsp xilinx_srl xprop
    zinit
    """
)
YOSYS_REASONS = {
    "shell": "runs a shell",
    "!": "runs a shell command",
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
    "sdc_expand": "starts an external program",
    "abc9_exe": "runs ABC with a command line of the script's choosing",
    "qbfsat": "starts an external solver",
    "python": "runs Python code",
    "verific": "is not supported in the sandbox",
    "read_verilog_file_list": "reads file names from a file the checks cannot see",
    "help": "can write files of its own naming",
    "ice40_braminit": "reads files named inside the design",
}
YOSYS_POLICY = CommandPolicy(
    allowed=YOSYS_ALLOWED,
    reasons=YOSYS_REASONS,
    refused_options={
        "*": {"-exe": "names a program to run", "-solver": "names a program to run"},
        "read_verilog": {"-ppdump": "dumps preprocessed text, included files and all, into the log"},
        "sat": {"-solver": "names a program to run"},
    },
)
# Commands whose remaining words are another command (after their own options), as in tee.cc and trace.cc.
YOSYS_WRAPPERS = {"tee": {"-o", "-a", "-s"}, "debug": set(), "trace": set()}
# Commands whose option names an ABC script (``+cmd;cmd`` inline, else a file ABC will ``source``).
ABC_SCRIPT_OPTION = {"abc": "-script", "abc9": "-script", "abc_new": "-script"}

# Deny by default: ABC commands an ABC script may use (logic optimisation and mapping; no file, shell or
# external-program commands such as source, starter, sis, mvsis, capo, read_*, write_*).
ABC_ALLOWED = names(
    """
    amap b balance bdd buffer cleanup collapse dc2 dch dfraig drf drw dretime dsd fraig fraig_restore
    fraig_store fraig_sweep fx if ifraig irw irws iresyn lcorr lutpack map mfs mfs2 mfs3 print_gates print_level
    print_stats ps pcut print_fanio refactor renode resub retime rewrite rf rfz rs rw rwz scleanup scorr sop st
    stime strash sweep topo upsize dnsize minsize ssweep orchestrate multi logic sat iprove cec dcec dsat time
    &b &blut &dc2 &dch &dsdb &fraig &get &if &jf &kf &lf &mfs &nf &ps &put &satlut &scorr &sopb &st &syn2 &syn3
    &syn4 &synch2 &sweep &flow &flow2 &flow3 &dfs &norm &reduce &retime &shrink &trim &w &mlut &lnetmap
    """
)
# Characters ABC's command line gives a meaning the checks do not model (quotes, escapes, shell-like syntax).
ABC_SPECIAL = re.compile(r"[\"'\\`$|<>!]")


def yosys_lines(script: str) -> list[str]:
    """The lines the sandbox feeds to Yosys one by one (``sandbox_child.run_yosys`` splits the same way)."""
    return script.splitlines()


def _next_token(text: str, start: int) -> tuple[str, int]:
    """Yosys's ``next_token(text, " \\t\\r\\n", long_strings=true)``: the next word (quotes kept) and where it ends.

    A word starting with ``"`` runs to the first ``"`` followed by a separator or the end (or by ``;`` and then
    a separator or the end, which keeps the ``;``); without one it is an ordinary word. A quote anywhere else is
    a plain character."""
    seps = " \t\r\n"
    n = len(text)
    i = start
    while i < n and text[i] in seps:
        i += 1
    if i < n and text[i] == '"':
        for j in range(i + 1, n):
            if text[j] == '"' and (j + 1 == n or text[j + 1] in seps):
                return text[i : j + 1], j + 1
            if j + 1 < n and text[j] == '"' and text[j + 1] == ";" and (j + 2 == n or text[j + 2] in seps):
                return text[i : j + 1] + ";", j + 2
    j = i
    while j < n and text[j] not in seps:
        j += 1
    return text[i:j], j


def unquote(token: str) -> str:
    """A word as a command uses it: one pair of surrounding double quotes removed (``rewrite_filename``)."""
    return token[1:-1] if len(token) >= 2 and token[0] == '"' and token[-1] == '"' else token


def yosys_commands(line: str) -> tuple[list[list[str]], bool]:
    """The commands of one line as Yosys's ``Pass::call`` splits it (tokens with their quotes), and whether the
    line is a ``!`` shell command."""
    token, at = _next_token(line, 0)
    if not token:
        return [], False
    if token.startswith("!"):
        return [["!", line[line.find("!") + 1 :].strip()]], True
    commands: list[list[str]] = [[]]
    while token:
        if token.startswith("#"):
            break  # the rest of the line is a comment
        if token.endswith(";"):
            stripped = token.rstrip(";")
            if stripped:
                commands[-1].append(stripped)
            commands.append([])
        else:
            commands[-1].append(token)
        token, at = _next_token(line, at)
    return [c for c in commands if c and not c[0].startswith(":")], False


def split_yosys(script: str) -> tuple[list[Command], list[Problem]]:
    """The commands of a Yosys script with their lines (words unquoted), and syntax problems (here-documents)."""
    commands: list[Command] = []
    problems: list[Problem] = []
    for number, raw in enumerate(yosys_lines(script), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts, shell = yosys_commands(stripped)
        if shell:
            commands.append(Command(number, parts[0], stripped))
            continue
        if stripped.count('"') % 2:
            problems.append(Problem(number, stripped.split()[0], "unbalanced double quote", kind="syntax"))
        for tokens in parts:
            words = [unquote(t) for t in tokens]
            commands.append(Command(number, words, " ".join(tokens)))
            if any(t.startswith("<<") for t in tokens):
                problems.append(Problem(number, words[0], "here-documents (<<) are not supported", kind="syntax"))
    return commands, problems


def abc_script_problems(text: str, where: str) -> list[str]:
    """Why an ABC script may not run: commands off ABC's allow-list, paths, characters the checks do not model."""
    problems = []
    special = ABC_SPECIAL.search(text)
    if special:
        problems.append(f"{where}: ABC script character {special.group()!r} is not allowed")
    for raw in re.split(r"[;\n]", text):
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] not in ABC_ALLOWED:
            problems.append(f"{where}: ABC command `{words[0]}` is not on ABC's allow-list")
        for word in words[1:]:
            reason = path_problem(word)
            if reason:
                problems.append(f"{where}: ABC `{words[0]}`: {reason}")
                break
    return problems


def _yosys_command_problems(
    words: list[str],
    policy: CommandPolicy,
    files: Mapping[str, str] | None,
    all_words: list[str],
    depth: int = 0,
) -> list[str]:
    """Why one Yosys command (unquoted words) may not run; a wrapper's inner command is checked too."""
    name = words[0]
    refusal = policy.refusal(name)
    if refusal:
        return [refusal]
    for word in words[1:]:
        option = policy.option_refusal(name, word)
        if option:
            return [option]
        reason = path_problem(word)
        if reason:
            return [f"`{name}`: {reason}"]
    option = ABC_SCRIPT_OPTION.get(name)
    if option and option in words[:-1]:
        value = words[words.index(option) + 1]
        if value.startswith("+"):
            return abc_script_problems(value[1:].replace(",", " "), f"`{name} {option}`")
        reason = script_file_problem(value, files, all_words, "ABC script")
        if reason:
            return [f"`{name} {option}`: {reason}"]
        return abc_script_problems(files[value], f"ABC script {value}") if files is not None else []
    if name in YOSYS_WRAPPERS and depth < 8:
        at = 1
        while at < len(words) and (words[at] in YOSYS_WRAPPERS[name] or re.fullmatch(r"[-+]\d+|-q", words[at])):
            at += 2 if words[at] in YOSYS_WRAPPERS[name] else 1
        if at < len(words):
            return _yosys_command_problems(words[at:], policy, files, all_words, depth + 1)
    return []


def yosys_safety(
    commands: list[Command], files: Mapping[str, str] | None = None, policy: CommandPolicy = YOSYS_POLICY
) -> list[Problem]:
    """Refuse commands off the allow-list, refused options, paths outside the run and unchecked ABC scripts."""
    problems = []
    all_words = [w for c in commands for w in c.words]
    for command in commands:
        for message in _yosys_command_problems(command.words, policy, files, all_words):
            problems.append(Problem(command.line, command.name, f"{message}; refused"))
    return problems
