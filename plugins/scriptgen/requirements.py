"""Intent checks: what the instruction asks for, as requirements checked against what the run really produced.

A script that runs cleanly can still do the wrong thing: write the netlist under another name or in another
format, keep the wrong top module, leave the hierarchy in, ignore the named FPGA family or liberty library, keep
memories, or leave out a step the instruction names. :func:`extract` turns an instruction (and the request's
files) into :class:`Requirement` s by general rules over the tool's own vocabulary — the ``synth_<family>``
commands Yosys has, its command names, the output formats its writers produce — never per task. After a run,
:func:`verify` checks each against the artefacts in the run directory, not the script text:

- every named output exists, is non-empty and has the named format (its content is sniffed: a JSON netlist parses,
  a BLIF file has ``.model``, an EDIF file starts with ``(edif`` ...);
- the structure of the written netlists (modules, which one is the top, cell types) comes from the netlist itself:
  a Yosys JSON netlist is parsed here, Verilog/BLIF/RTLIL netlists are read back by Yosys in a second, introspection
  run in the same sandbox directory (:func:`introspection_script`) that writes them as JSON; with no netlist
  written, the run's log is the evidence (Yosys's ``Top module:`` line, ``Executing FLATTEN pass``, its statistics);
- a requested step holds when the script runs that command or the log shows Yosys executing it inside another
  (``synth`` runs ``opt_clean``).

An unmet requirement becomes a problem that the repair stage gets with what was found ("asked for top module
`alu`; the netlist's top is `alu_wrap`"), and the task's ``requirements`` output lists each with whether it held.

Over 400 lines on purpose: extraction, verification and the model-free fixes read the same requirement kinds;
split, each kind's three halves would live in three files.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks import Problem
from .constrain import CLAUSE, Request
from .prompt import CELL, FILE_NAME, verilog_design

#: output formats by the words an instruction uses for them (Yosys's writer names and the formats' own names)
FORMAT_WORDS: dict[str, tuple[str, ...]] = {
    "json": ("json",),
    "blif": ("blif",),
    "edif": ("edif", "edn"),
    "verilog": ("verilog", "systemverilog"),
    "rtlil": ("rtlil", "ilang"),
    "spice": ("spice",),
    "dot": ("dot", "graphviz"),
    "aiger": ("aiger",),
    "btor": ("btor", "btor2"),
    "smt2": ("smt2", "smt-lib", "smtlib", "smt-lib2"),
    "firrtl": ("firrtl",),
}
#: format of an output by its extension, when the instruction names none in words
EXTENSION_FORMATS = {
    ".json": "json",
    ".blif": "blif",
    ".edif": "edif",
    ".edn": "edif",
    ".edf": "edif",
    ".v": "verilog",
    ".vg": "verilog",
    ".sv": "verilog",
    ".il": "rtlil",
    ".rtlil": "rtlil",
    ".spice": "spice",
    ".sp": "spice",
    ".cir": "spice",
    ".dot": "dot",
    ".gv": "dot",
    ".aig": "aiger",
    ".aag": "aiger",
    ".btor": "btor",
    ".smt2": "smt2",
    ".lib": "liberty",
    ".fir": "firrtl",
    ".txt": "report",
    ".rpt": "report",
    ".log": "report",
}
#: the Yosys writer of each format: the command whose help the repair turn gets for a missing or wrong output
WRITER_OF = {
    "json": "write_json",
    "blif": "write_blif",
    "edif": "write_edif",
    "verilog": "write_verilog",
    "rtlil": "write_rtlil",
    "spice": "write_spice",
    "dot": "show",
    "aiger": "write_aiger",
    "btor": "write_btor",
    "smt2": "write_smt2",
    "firrtl": "write_firrtl",
    "report": "tee",
}
#: netlist formats whose modules and cells can be checked, and the Yosys frontend that reads each back
NETLIST_READERS = {"verilog": "read_verilog", "blif": "read_blif", "rtlil": "read_rtlil", "json": "read_json"}
# What a file of each format starts with or holds (sniffed from the content the run wrote).
SNIFF: dict[str, re.Pattern[str]] = {
    "verilog": re.compile(r"^\s*module\s", re.M),
    "blif": re.compile(r"^\.model\s", re.M),
    "edif": re.compile(r"\A\s*\(edif\b", re.I),
    "rtlil": re.compile(r"^\s*module\s+\\", re.M),
    "spice": re.compile(r"^\.(subckt|end)\b", re.M | re.I),
    "dot": re.compile(r"\b(?:di)?graph\b[^{]*\{"),
    "aiger": re.compile(r"\A(aig|aag) \d"),
    "btor": re.compile(r"^\d+ (sort|input|state)\b", re.M),
    "smt2": re.compile(r"\((declare-|set-|define-)|SMT-LIBv2"),
    "liberty": re.compile(r"\blibrary\s*\("),
    "firrtl": re.compile(r"^\s*(FIRRTL version|circuit )", re.M),
}
BINARY = re.compile(r"\A<(\d+) bytes of binary data>\Z")
TOO_BIG = re.compile(r"\A<(\d+) bytes, not returned>\Z")
#: formats that may be binary (AIGER's binary flavour)
BINARY_FORMATS = {"aiger"}

# Device families in the words of the synth_<family> help texts, for instructions that name the device, not the
# family (the family's own name is always recognised: it is the command's suffix).
FAMILY_ALIASES = {
    "xilinx": ("7-series", "artix", "kintex", "virtex", "spartan", "zynq", "ultrascale"),
    "intel": ("cyclone iv", "cyclone 10", "max10", "max 10"),
    "intel_alm": ("cyclone v", "cyclonev", "arria"),
    "ecp5": ("lattice ecp5",),
    "lattice": ("machxo2", "machxo3"),
    "nexus": ("crosslink-nx", "certus-nx"),
    "sf2": ("smartfusion2", "smartfusion 2", "igloo2"),
    "microchip": ("polarfire",),
    "efinix": ("trion",),
}
#: families named after their vendor, and the vendor's other families: "a Lattice iCE40" asks for ice40 alone
VENDOR_FAMILIES = {"lattice": {"ice40", "ecp5", "nexus"}}
FLATTEN = re.compile(
    r"\bflatten(?:s|ed|ing)?\b|\bflat\b|\b(?:without|no|remov\w*|dissolv\w*|eliminat\w*)\s+(?:the\s+|any\s+)?"
    r"(?:design\s+|module\s+)?hierarch",
    re.I,
)
KEEP_HIERARCHY = re.compile(
    r"\b(?:keep\w*|preserv\w*|retain\w*|maintain\w*)\s+(?:the\s+|its\s+)?(?:design\s+|module\s+)?hierarch"
    r"|\bhierarchical\s+netlist|\b(?:do\s+not|don't|never|without|not)\s+flatten"
    r"|\b(?:keep\w*|preserv\w*|retain\w*)\b[^.;]{0,40}\bas\s+(?:an?\s+)?(?:separate\s+)?(?:sub-?)?modules?\b",
    re.I,
)
NO_MEMORY = re.compile(
    r"\b(?:no|without|zero)\s+(?:\w+\s+){0,2}memor(?:y|ies)\b"
    r"|\bmemor(?:y|ies)\b[^.;]{0,40}\b(?:to|into|as)\s+(?:plain\s+|basic\s+|d-?)?"
    r"(?:flip-?flops?|registers?|ffs?|dffs?|logic|gates)\b"
    r"|\bmemory_map\b",
    re.I,
)
#: the memories kept as memory cells: "keeping the memory as one memory cell", "keep its memories", "without
#: mapping the memory" (a ``cells $mem`` requirement; ``$mem`` also matches ``$mem_v2``)
KEEP_MEMORY = re.compile(
    r"\bmemor(?:y|ies)\b[^.;]{0,30}\bas\s+(?:an?\s+|one\s+|single\s+)*(?:\$mem\w*|memory|memories)(?:\s+cells?)?\b"
    r"|\bkeep(?:s|ing)?\s+(?:the\s+|its\s+|all\s+)?(?:\w+\s+)?memor(?:y|ies)\b(?!\s+(?:out|away)\b)"
    r"|\b(?:without|not|never)\s+(?:\w+\s+)?mapping\s+(?:the\s+|its\s+)?memor(?:y|ies)\b",
    re.I,
)
# "Synthesize it", "a gate-level netlist": the result must be made of fine-grained cells ($_AND_, $_DFF_P_, a
# library's or a family's cells), not the word-level cells ($add, $dff, $mux) a design has before synthesis.
SYNTHESIZED = re.compile(r"\b(?:synthesi[sz](?:e|es|ed|ing)|synthesis|gate-?level)\b", re.I)
# ... unless the instruction stops before the fine-grained part or rules synthesis out.
NOT_SYNTHESIZED = re.compile(
    r"\b(?:coarse|rtl|word-?level|-run|-noabc|before\s+fine|(?:without|no|not|before|skip\w*)\s+synthesi\w*"
    r"|synthesi\w*\s+(?:is\s+)?(?:not\s+)?(?:needed|required|necessary))",
    re.I,
)
# Word-level cells that synthesis leaves alone because they are not logic (simulation, formal, debug info).
FINE_CELL = re.compile(r"^\$(?:_.*|lut|sop)$")  # gates and flip-flops ($_AND_, $_DFF_P_) and LUT/SOP cells
FINE_MAPPING = re.compile(r"Executing (?:TECHMAP|SIMPLEMAP|ABC9?|DFFLIBMAP) pass", re.I)
KEPT_CELLS = re.compile(r"^\$(?:scopeinfo|print|check|assert|assume|cover|live|fair|specify\w*|paramod\b.*)$")
MAPPING = re.compile(r"\b(?:map\w*|techmap\w*|technology|tech-?map\w*|dfflibmap|abc|target\w*|implement\w*)\b", re.I)
TOP_PATTERNS = (
    re.compile(r"\btop(?:-level)?(?:\s+module)?\s+(?:is\s+|being\s+|named\s+|called\s+|=\s*)?`?([A-Za-z_]\w*)`?", re.I),
    re.compile(r"`?([A-Za-z_]\w*)`?\s+(?:module\s+)?(?:as|is)\s+(?:the\s+)?top\b", re.I),
    re.compile(r"-top\s+([A-Za-z_]\w*)"),
)
#: words before a command name that make it a step the instruction asks for ("run opt_clean", "use abc"); not
#: "then", which precedes verbs that are also command names ("then dump RTLIL to x.il")
STEP_CUES = frozenset(
    {"run", "runs", "running", "use", "using", "call", "apply", "applying", "execute", "with", "via", "perform", "by"}
)
#: commands an instruction names in passing, never as a step to check (their file or format is checked instead)
NOT_STEPS = frozenset(
    {"read", "write", "help", "tee", "echo", "log", "design", "select", "cd", "ls", "plugin", "exec", "script", "shell"}
)
# Gate types ABC maps to (``abc -g``): named as in its help; AND and OR only in capitals (the English words).
_GATE = r"(?:(?i:nand|nor|xnor|xor|andnot|ornot|nmux|mux|aoi3|oai3|aoi4|oai4)|AND|OR|NOT|BUF)"
_GATES = rf"{_GATE}(?:\s*(?:,|/|&|\band\b|\bor\b)\s*{_GATE})*"
GATE_PATTERNS = (
    re.compile(rf"\bonly\s+(?:2-input\s+|two-input\s+)?({_GATES})(?:\s*-?\s*gates?\b|\s+cells?\b)"),
    re.compile(rf"\b({_GATES})\s+gates?\s+only\b"),
    re.compile(r"\babc\s+(?:-\S+\s+)*?-g\s+([A-Za-z0-9,]+)"),
)
GATE_NAMES = (
    "NAND",
    "NOR",
    "XNOR",
    "XOR",
    "ANDNOT",
    "ORNOT",
    "NMUX",
    "MUX",
    "AOI3",
    "OAI3",
    "AOI4",
    "OAI4",
    "AND",
    "OR",
)
GATE_CELL = re.compile(r"^\$_([A-Z0-9]+)_$")
#: combinational gates ABC may add to any gate set
ALWAYS_GATES = {"NOT", "BUF"}
#: words just before a command name that ask for it not to run ("without using the synth command")
NEGATIONS = frozenset({"without", "not", "no", "never", "instead", "avoid", "avoiding", "except", "skip", "dont"})
MEMORY_CELL = re.compile(r"^\$mem")
#: a cell type an instruction may name: Yosys's own (``$_MUX4_``, ``$pmux``, ``$mem_v2``) or a library's or device
#: family's (``SB_CARRY``, ``TIEHIX1``: only names the request's libraries or named families define count)
CELL_NAME = re.compile(r"(?<![\w$])(\$[A-Za-z0-9_]+|[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*\d*)(?![\w$])")
#: words before a named cell type that want it gone ("no SB_CARRY cells", "without $dlatch")
CELL_NEGATIONS = NEGATIONS | {"none", "free", "zero", "remove", "removing", "eliminate", "eliminating", "rid"}
#: verbs whose object is a cell type to disappear ("turn the $pmux cells into trees"), unless the cell comes
#: after the verb's target preposition ("map the muxes to $_MUX4_ cells")
CELL_SOURCE_VERBS = re.compile(
    r"\b(?:turn\w*|replac\w*|convert\w*|map\w*|break\w*|split\w*|lower\w*|expand\w*|decompos\w*|"
    r"rewrit\w*|transform\w*)\b"
)
#: a backticked command and the aside describing it: "`pmuxtree` (transform $pmux cells to trees of $mux cells)"
COMMAND_ASIDE = re.compile(r"`[^`]*`(?:\s*\([^()]*\))?")
#: the preposition after a transforming verb that introduces its target ("map the muxes to ...")
CELL_TARGET = re.compile(r"\b(?:into|to|onto|with|as|using|by)\b")
#: what may stand between two cell types of one list ("$_AND_ and $_NOT_", "SB_LUT4, SB_CARRY or SB_DFF")
CELL_LIST_GAP = re.compile(r"^[\s,/]*(?:and|or|nor|plus)?[\s,/]*$", re.I)


@dataclass(frozen=True)
class Requirement:
    """Something the instruction asks for that the run's artefacts can show."""

    #: output | top | flatten | hierarchy | target | liberty | no-memory | gates | synthesized | step | cells |
    #: no-cells
    kind: str
    #: the file, module, family, library file or command it is about
    subject: str
    #: output: the format the file must have ("json", "report", ...)
    format: str = ""
    #: the command whose help the repair turn gets when it is unmet
    command: str = ""

    def __str__(self) -> str:
        return {
            "output": f"write {self.subject}" + (f" ({self.format})" if self.format else ""),
            "top": f"top module `{self.subject}`",
            "flatten": "flattened hierarchy",
            "hierarchy": "hierarchy kept (submodules not flattened)",
            "target": f"{self.subject} cells (synth_{self.subject})",
            "liberty": f"cells of the liberty library {self.subject}",
            "no-memory": "no memory cells left",
            "gates": f"only {self.subject.replace(',', '/')} gates (and NOT)",
            "synthesized": "synthesized to fine-grained cells (no word-level cells left)",
            "step": f"runs `{self.subject}`",
            "cells": f"{self.subject.replace(',', ', ')} cells present",
            "no-cells": f"no {self.subject.replace(',', ', ')} cells",
        }[self.kind]


@dataclass
class Check:
    """One requirement after a run: whether it held, and what was found."""

    requirement: Requirement
    held: bool
    detail: str = ""

    def output(self) -> dict[str, Any]:
        """The ``requirements`` entry of the task's output."""
        return {"requirement": str(self.requirement), "held": self.held, "detail": self.detail}

    def problem(self) -> Problem:
        """An unmet requirement as a problem for the repair turn: what was asked and what was found."""
        return Problem(0, self.requirement.command, f"asked for {self.requirement}; {self.detail}", "intent")


# -- extraction --------------------------------------------------------------------------------------------------


def extract(
    instruction: str, files: Sequence[Mapping[str, str]], commands: Iterable[str], language: str
) -> list[Requirement]:
    """The requirements ``instruction`` states on ``files``, for a tool with ``commands`` and script ``language``
    ("yosys" gets the netlist requirements; every language gets outputs and steps)."""
    request = Request(instruction, list(files))
    known = frozenset(commands)
    found: list[Requirement] = []
    for name in request.named_outputs:
        fmt = output_format(instruction, name)
        found.append(Requirement("output", name, fmt, WRITER_OF.get(fmt, "tee" if language == "yosys" else "")))
    if language == "yosys":
        found += _netlist_requirements(instruction, request, known)
    found += [Requirement("step", c, command=c) for c in named_steps(instruction, known, language)]
    return list(dict.fromkeys(found))  # once each, in the order found


def output_format(instruction: str, name: str) -> str:
    """The format the instruction wants ``name`` in: a format word right after it ("crc.edif (EDIF)", "NAME in
    BLIF format") or among the few words before it in its clause ("a BLIF netlist to NAME"), else the one its
    extension says ("" when neither says). A report (``.txt``, ``.rpt``, ``.log``) is a report whatever words
    surround it ("the stat report computed with the liberty file to area.txt")."""
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    by_extension = EXTENSION_FORMATS.get(extension, "")
    at = instruction.find(name)
    if by_extension == "report" or at < 0:
        return by_extension
    after = CLAUSE.split(instruction[at + len(name) :])[0]
    for fmt, words in FORMAT_WORDS.items():
        for word in words:
            if re.match(rf"\s*(?:\(\s*|(?:in|as|using)\s+(?:an?\s+)?){re.escape(word)}\b", after, re.I):
                return fmt
    # The words since the previous file name, without asides in parentheses (they belong to that name).
    before = CLAUSE.split(instruction[:at])[-1]
    previous = list(FILE_NAME.finditer(before))
    if previous:
        before = before[previous[-1].end() :]
    before = " ".join(re.sub(r"\([^()]*\)", " ", before).split()[-6:])
    candidates = []
    for fmt, words in FORMAT_WORDS.items():
        for word in words:
            for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", before, re.I):
                candidates.append((match.start(), fmt))
    if candidates:
        return max(candidates)[1]
    return by_extension


def _netlist_requirements(instruction: str, request: Request, known: frozenset[str]) -> list[Requirement]:
    found: list[Requirement] = []
    design = verilog_design(request.files)
    top = named_top(instruction, design.modules)
    if top:
        found.append(Requirement("top", top, command="hierarchy"))
    if KEEP_HIERARCHY.search(instruction):
        if len(design.modules) > 1:
            found.append(Requirement("hierarchy", "", command="synth"))
    elif FLATTEN.search(instruction):
        found.append(Requirement("flatten", "", command="flatten"))
    for family in named_families(instruction, known):
        found.append(Requirement("target", family, command=f"synth_{family}"))
    lowered = instruction.lower()
    for item in request.files:
        name = item["name"]
        # A library the request supplies and the instruction maps to ("map the flip-flops to cells.lib",
        # "technology-map using the library"): its cells must be in the result.
        named = name.lower() in lowered or "librar" in lowered or "liberty" in lowered
        if name.endswith(".lib") and CELL.search(item.get("content", "")) and MAPPING.search(instruction) and named:
            found.append(Requirement("liberty", name, command="dfflibmap"))
    # "without mapping the memory to flip-flops" says both; keeping is the more specific reading.
    keep_memory = KEEP_MEMORY.search(instruction) is not None
    if NO_MEMORY.search(instruction) and not keep_memory:
        found.append(Requirement("no-memory", "", command="memory_map"))
    gates = named_gates(instruction)
    if gates:
        found.append(Requirement("gates", ",".join(gates), command="abc"))
    present, absent = named_cells(instruction, _known_cells(request.files, found))
    if keep_memory and "$mem" not in present + absent:
        present.append("$mem")
    if present:
        found.append(Requirement("cells", ",".join(present)))
    if absent:
        family = next((r.subject for r in found if r.kind == "target"), "")
        found.append(Requirement("no-cells", ",".join(absent), command=f"synth_{family}" if family else ""))
    # A target family, a library or a gate set already asks for more than fine-grained cells.
    subsumed = any(r.kind in ("target", "liberty", "gates") for r in found)
    # Asides in parentheses describe a command ("run `prep` (generic synthesis script)"), they ask for nothing.
    plain = re.sub(r"\([^()]*\)", " ", instruction)
    if SYNTHESIZED.search(plain) and not NOT_SYNTHESIZED.search(instruction) and not subsumed:
        found.append(Requirement("synthesized", "", command="synth"))
    return found


def _known_cells(files: Sequence[Mapping[str, str]], requirements: Sequence[Requirement]) -> frozenset[str]:
    """The non-Yosys cell types an instruction may name: those of the request's Liberty libraries and of the
    device families it targets (the ``target`` ones among ``requirements``)."""
    cells = {cell for item in files if item["name"].endswith(".lib") for cell in CELL.findall(item.get("content", ""))}
    for requirement in requirements:
        if requirement.kind == "target":
            cells |= family_cells(requirement.subject)
    return frozenset(cells)


def named_cells(instruction: str, known: frozenset[str]) -> tuple[list[str], list[str]]:
    """The cell types the instruction wants in the result and those it wants gone: ``$``-types (``$_MUX4_``) and
    ``known`` library or family cells (``SB_CARRY``), each by the words of its clause before it. Gone: a negation
    among the last four words ("no SB_CARRY cells", "without $dlatch"), or the object of a transforming verb before
    its target preposition ("turn the $pmux cells into trees"). A cell right after another, joined by "and", "or"
    or a comma, is in the same list: "made only of $_AND_ and $_NOT_ cells" wants both. Library and family cells
    are only ever wanted gone; backticked commands and the asides describing them are skipped."""
    present: list[str] = []
    absent: list[str] = []
    # A command in backticks and the aside that describes it ("`pmuxtree` (transform $pmux cells to trees of $mux
    # cells)") say what the command does, not what the result must hold.
    instruction = COMMAND_ASIDE.sub(lambda m: " " * len(m.group(0)), instruction)
    clause_start = 0
    previous: tuple[int, bool] | None = None  # (end of the previous cell name, whether it was wanted gone)
    for boundary in [*CLAUSE.finditer(instruction), None]:
        end = boundary.start() if boundary else len(instruction)
        clause = instruction[clause_start:end]
        for match in CELL_NAME.finditer(clause):
            name = match.group(1)
            if not name.startswith("$") and name not in known:
                continue
            if previous is not None and CELL_LIST_GAP.match(
                re.sub(r"[()]|\bcells?\b", " ", clause[previous[0] : match.start()])
            ):
                gone = previous[1]
            else:
                before = re.sub(r"[()]", " ", clause[: match.start()]).lower()
                last = re.findall(r"[a-z']+", before)[-4:]
                verb = list(CELL_SOURCE_VERBS.finditer(before))
                gone = any(w in CELL_NEGATIONS for w in last) or bool(
                    verb and not CELL_TARGET.search(before[verb[-1].end() :])
                )
            # A library's or family's cell is asked for only when it is to go: a tie cell "for constant values"
            # appears only when the design has constants.
            if gone or name.startswith("$"):
                (absent if gone else present).append(name)
            previous = (match.end(), gone)
        clause_start = boundary.end() if boundary else end
        previous = None
    return list(dict.fromkeys(present)), list(dict.fromkeys(absent))


def named_gates(instruction: str) -> list[str]:
    """The gate types the instruction restricts the netlist to ("only NAND gates", "abc -g AND,OR"), as ABC's
    ``-g`` names them; empty when it names none."""
    for pattern in GATE_PATTERNS:
        match = pattern.search(instruction)
        if match:
            words = re.findall(r"[A-Za-z0-9]+", match.group(1))
            gates = [
                w.upper() for w in words if w.upper() in GATE_NAMES and (w.isupper() or w.upper() not in ("AND", "OR"))
            ]
            if gates:
                return list(dict.fromkeys(gates))
    return []


def named_top(instruction: str, modules: Mapping[str, str]) -> str | None:
    """The module the instruction names as the top, when it is one of the request's modules."""
    for pattern in TOP_PATTERNS:
        for match in pattern.finditer(instruction):
            if match.group(1) in modules:
                return match.group(1)
    return None


def families(commands: Iterable[str]) -> list[str]:
    """The device families the tool synthesizes for: the suffixes of its ``synth_<family>`` commands."""
    return sorted(c.removeprefix("synth_") for c in commands if c.startswith("synth_"))


def named_families(instruction: str, commands: Iterable[str]) -> list[str]:
    """The families whose name (``ice40``, ``synth_ice40``) or device names the instruction mentions."""
    lowered = instruction.lower()
    named = []
    for family in families(commands):
        words = (family, *FAMILY_ALIASES.get(family, ()))
        spelled = re.search(rf"(?<![\w-])synth_{re.escape(family)}(?![\w-])", lowered)
        if spelled or any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", lowered) for w in words):
            named.append(family)
    # "intel_alm" and "intel": the longer name wins when both match the same words.
    named = [f for f in named if not any(o != f and o.startswith(f + "_") and o in named for o in named)]
    # "Lattice" is the vendor of iCE40 and ECP5 too: beside one of them it names no family of its own.
    return [f for f in named if not (f in VENDOR_FAMILIES and VENDOR_FAMILIES[f] & set(named))]


def named_steps(instruction: str, commands: frozenset[str], language: str) -> list[str]:
    """Commands the instruction asks to run: in backticks, with an underscore (``opt_clean``), or after a cue
    ("run abc", "then flatten"); never readers, writers or the synth_<family> a target requirement checks."""
    steps = []
    for match in re.finditer(r"`([^`]+)`|(?<![\w$/.-])([a-z][a-z0-9_]*)(?![\w-]*\.\w)", instruction):
        word = (match.group(1) or match.group(2) or "").split()
        if not word or word[0] not in commands:
            continue
        name = word[0]
        if name in NOT_STEPS or name.startswith(("read", "write", "synth_")) or name in steps:
            continue
        tokens = [re.sub(r"\W", "", t) for t in instruction[: match.start()].lower().split()]
        after = instruction[match.end() :].lstrip().lower()
        explicit = bool(match.group(1)) or "_" in name or (language == "tcl" and name.startswith("report"))
        cued = (bool(tokens) and tokens[-1] in STEP_CUES) or after.startswith(("pass", "command"))
        if (explicit or cued) and not NEGATIONS & set(tokens[-4:]):
            steps.append(name)
    return steps


# -- what a run produced -----------------------------------------------------------------------------------------


@dataclass
class Netlist:
    """The structure of one written netlist: modules (not blackboxes) with their cell types, and the top."""

    file: str
    modules: dict[str, Counter[str]] = field(default_factory=dict)
    #: the module marked as top (the ``top`` attribute), "" when none is
    marked_top: str = ""
    #: read back from Verilog: gates written as expressions (``~(a & b)``) come back as word-level cells
    expressions: bool = False

    @property
    def instantiated(self) -> set[str]:
        return {t for cells in self.modules.values() for t in cells}

    @property
    def roots(self) -> list[str]:
        """Modules no other module of the netlist instantiates."""
        used = self.instantiated
        return sorted(m for m in self.modules if m not in used)

    @property
    def top(self) -> str:
        if self.marked_top:
            return self.marked_top
        roots = self.roots
        return roots[0] if len(roots) == 1 else ""

    @property
    def cell_types(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for cells in self.modules.values():
            total.update(cells)
        return total

    def children(self) -> dict[str, list[str]]:
        """Per module, the modules of this netlist it instantiates."""
        return {m: sorted(t for t in cells if t in self.modules) for m, cells in self.modules.items()}


def parse_json_netlist(file: str, text: str) -> Netlist | None:
    """A Yosys JSON netlist (``write_json``) as a :class:`Netlist`; None when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        return None
    netlist = Netlist(file)
    for name, module in data["modules"].items():
        if not isinstance(module, dict):
            continue
        attributes = module.get("attributes") or {}
        if _true(attributes.get("blackbox")) or _true(attributes.get("whitebox")):
            continue
        cells = module.get("cells") or {}
        netlist.modules[name] = Counter(
            str(c.get("type", "")) for c in cells.values() if isinstance(c, dict) and c.get("type") != "$scopeinfo"
        )
        if _true(attributes.get("top")):
            netlist.marked_top = name
    return netlist


def _true(value: Any) -> bool:
    """A Yosys attribute value is true: 1, "1", or a binary string with a 1 in it."""
    if isinstance(value, int):
        return value != 0
    return isinstance(value, str) and "1" in value and set(value) <= {"0", "1"}


def parse_edif_netlist(file: str, text: str) -> Netlist:
    """An EDIF netlist's cells with contents (the design's modules) and the cells each instantiates."""
    netlist = Netlist(file)
    for match in re.finditer(r"\(cell\s+(?:\(rename\s+)?(\S+)", text):
        start = match.end()
        nxt = text.find("(cell ", start)
        body = text[start : nxt if nxt >= 0 else len(text)]
        if "(contents" not in body:
            continue
        name = match.group(1).strip('"')
        netlist.modules[name] = Counter(m.group(1) for m in re.finditer(r"\(cellRef\s+(\S+?)[\s)]", body))
    top = re.search(r"\(design\s+\S+\s+\(cellRef\s+(\S+?)[\s)]", text)
    netlist.marked_top = top.group(1) if top else ""
    return netlist


#: lines of the introspection script per netlist (how a failing line names its netlist)
INTROSPECTION_LINES = 5


def parse_stat_json(file: str, text: str) -> Netlist | None:
    """Yosys's ``stat -json`` of a netlist read back (modules and their cell types) as a :class:`Netlist`."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        return None
    netlist = Netlist(file)
    for name, module in data["modules"].items():
        if not isinstance(module, dict):
            continue
        cells = module.get("num_cells_by_type") or {}
        netlist.modules[name.lstrip("\\")] = Counter(
            {t.lstrip("\\"): int(n) for t, n in cells.items() if t != "$scopeinfo" and isinstance(n, int)}
        )
    return netlist


def introspection_script(outputs: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A Yosys script that reads each netlist ``outputs`` names (file -> format) back and writes its statistics
    (``stat -json``: modules and cell types, small whatever the netlist's size), and which file holds which
    netlist's. Run after the script in the same directory: what it finds is what was written, whatever the script
    claimed."""
    lines: list[str] = []
    written: dict[str, str] = {}
    for index, (name, fmt) in enumerate(sorted(outputs.items()), start=1):
        reader = NETLIST_READERS.get(fmt)
        if reader is None or not re.fullmatch(r"[\w+-][\w.+-]*", name):
            continue
        stats = f"chipmate_intent_{index}.json"
        if fmt == "verilog" and name.endswith(".sv"):
            reader += " -sv"
        # proc and memory_collect: an RTL netlist's processes and memories become cells the statistics count;
        # they change nothing on a gate-level netlist.
        lines += ["design -reset", f"{reader} {name}", "proc", "memory_collect", f"tee -q -o {stats} stat -json"]
        assert len(lines) % INTROSPECTION_LINES == 0
        written[stats] = name
    return ("\n".join(lines) + "\n" if lines else ""), written


# -- verification ------------------------------------------------------------------------------------------------


@dataclass
class Evidence:
    """What a run left to check requirements against."""

    #: outputs of the run: file name -> content (the sandbox's ``outputs``)
    outputs: Mapping[str, str]
    #: the tool's log of the run
    log: str
    #: command names the script ran (it ran without error, so each ran)
    commands: set[str]
    #: netlists written by the run, parsed (JSON directly, others through the introspection run)
    netlists: list[Netlist] = field(default_factory=list)
    #: why a netlist could not be read back: file -> the reader's error
    unreadable: dict[str, str] = field(default_factory=dict)


def evidence(
    requirements: Sequence[Requirement],
    outputs: Mapping[str, str],
    log: str,
    commands: Iterable[str],
    introspection: Mapping[str, str] | None = None,
    introspected: Mapping[str, str] | None = None,
    unreadable: tuple[str, str] | None = None,
) -> Evidence:
    """The evidence of a run: ``introspection`` (the introspection run's outputs) and ``introspected`` (its
    statistics file -> the netlist they are of) give the structure of the netlists; ``unreadable`` is the netlist
    Yosys could not read back and its error (the introspection run stops there)."""
    found = Evidence(outputs, log, set(commands))
    parsed: set[str] = set()
    for requirement in requirements:
        if requirement.kind != "output" or requirement.subject not in outputs:
            continue
        text = outputs[requirement.subject]
        netlist = None
        if requirement.format == "json":
            netlist = parse_json_netlist(requirement.subject, text)  # also knows the top attribute
        elif requirement.format == "edif" and SNIFF["edif"].search(text):
            netlist = parse_edif_netlist(requirement.subject, text)
        if netlist is not None:
            found.netlists.append(netlist)
            parsed.add(requirement.subject)
    for stats, file in (introspected or {}).items():
        if file in parsed or file not in outputs:
            continue
        dumped = (introspection or {}).get(stats)
        netlist = parse_stat_json(file, dumped) if dumped is not None else None
        if netlist is not None:
            netlist.expressions = NETLIST_READERS.get(_format_of(requirements, file)) == "read_verilog"
            found.netlists.append(netlist)
    if unreadable is not None and unreadable[0] not in parsed:
        found.unreadable[unreadable[0]] = unreadable[1]
    return found


def _format_of(requirements: Sequence[Requirement], file: str) -> str:
    return next((r.format for r in requirements if r.kind == "output" and r.subject == file), "")


def failed_introspection(introspected: Mapping[str, str], error_line: int, error: str) -> tuple[str, str] | None:
    """The netlist whose read-back failed at line ``error_line`` of the introspection script, with the error."""
    files = list(introspected.values())
    index = (error_line - 1) // INTROSPECTION_LINES if error_line > 0 else -1
    if not 0 <= index < len(files):
        return None
    return files[index], (error.strip().splitlines() or ["not read back"])[0]


def verify(requirements: Sequence[Requirement], found: Evidence, files: Sequence[Mapping[str, str]]) -> list[Check]:
    """Each requirement checked against the run's evidence."""
    return [_verify(r, found, files) for r in requirements]


def _verify(requirement: Requirement, found: Evidence, files: Sequence[Mapping[str, str]]) -> Check:
    kind = requirement.kind
    check = {
        "output": _check_output,
        "top": _check_top,
        "flatten": _check_flatten,
        "hierarchy": _check_hierarchy,
        "target": _check_target,
        "liberty": _check_liberty,
        "no-memory": _check_memory,
        "gates": _check_gates,
        "synthesized": _check_synthesized,
        "step": _check_step,
        "cells": _check_cells,
        "no-cells": _check_cells,
    }[kind]
    held, detail = check(requirement, found, files)
    return Check(requirement, held, detail)


def _check_output(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    name, fmt = requirement.subject, requirement.format
    if name not in found.outputs:
        others = sorted(n for n in found.outputs if not n.startswith("chipmate_intent_"))
        wrote = f"it wrote {', '.join(others)}" if others else "it wrote no file"
        return False, f"the run never wrote {name}; {wrote}"
    text = found.outputs[name]
    if not text.strip():
        return False, f"{name} is empty"
    big = TOO_BIG.match(text)
    if big:
        return True, f"written ({big.group(1)} bytes, too large to inspect)"
    if BINARY.match(text):
        if fmt and fmt not in BINARY_FORMATS:
            return False, f"{name} holds binary data, not {fmt}"
        return True, "written (binary)"
    if fmt == "json":
        try:
            json.loads(text)
        except ValueError:
            return False, f"{name} is not JSON (it starts with {_start(text)}; {_guess(text)})"
    elif fmt in SNIFF and not SNIFF[fmt].search(text):
        return False, f"{name} is not {fmt} (it starts with {_start(text)}; {_guess(text)})"
    if name in found.unreadable:
        return False, f"{name} cannot be read back as {fmt}: {found.unreadable[name]}"
    return True, f"written, {len(text)} characters" + (f" of {fmt}" if fmt and fmt != "report" else "")


def _start(text: str) -> str:
    first = text.strip().splitlines()[0][:40]
    return f"`{first}`"


def _guess(text: str) -> str:
    formats = [fmt for fmt, pattern in SNIFF.items() if pattern.search(text)]
    try:
        json.loads(text)
        formats.insert(0, "json")
    except ValueError:
        pass
    return f"it looks like {formats[0]}" if formats else "its format is not one a writer makes"


def _log_top(log: str) -> str:
    tops = re.findall(r"Top module:\s+\\?(\S+)", log)
    return tops[-1] if tops else ""


def _check_top(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    wanted = requirement.subject
    for netlist in found.netlists:
        if wanted not in netlist.modules:
            shown = netlist.top or ", ".join(netlist.roots) or "none"
            return False, f"{netlist.file} has no module `{wanted}`; its top is `{shown}`"
        if netlist.top and netlist.top != wanted:
            return False, f"the top of {netlist.file} is `{netlist.top}`"
        if wanted not in netlist.roots:
            parents = sorted(m for m, children in netlist.children().items() if wanted in children)
            return False, f"in {netlist.file} `{wanted}` is instantiated by {', '.join(parents)}, not the top"
    if found.netlists:
        return True, "top of " + ", ".join(n.file for n in found.netlists)
    top = _log_top(found.log)
    if not top:
        return False, "no netlist was written and the run never set a top module (no `Top module:` in the log)"
    if top != wanted:
        return False, f"the run's top module is `{top}`"
    return True, "the run's top module (log)"


def _check_flatten(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    for netlist in found.netlists:
        nested = {m: c for m, c in netlist.children().items() if c}
        if nested:
            first = next(iter(nested))
            return False, f"{netlist.file} keeps the hierarchy: `{first}` instantiates {', '.join(nested[first])}"
    if found.netlists:
        return True, "no module instantiates another in " + ", ".join(n.file for n in found.netlists)
    if re.search(r"Executing FLATTEN pass", found.log):
        return True, "the log shows the flatten pass"
    return False, "no netlist was written and the log shows no flatten pass"


def _check_hierarchy(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    for netlist in found.netlists:
        if not any(netlist.children().values()):
            return False, f"{netlist.file} is flat: {len(netlist.modules)} module(s), none instantiates another"
    if found.netlists:
        return True, "submodules kept in " + ", ".join(n.file for n in found.netlists)
    if re.search(r"Executing FLATTEN pass", found.log):
        return False, "the log shows a flatten pass"
    return True, "no flatten pass in the log"


def _log_cell_types(log: str) -> Counter[str] | None:
    """The cell types of the last statistics Yosys printed (``stat``, the end of every ``synth*``), or None.
    Yosys prints a count and, indented further, one line per cell type: ``      121   SB_LUT4``."""
    blocks = re.split(r"Printing statistics\.", log)
    if len(blocks) < 2:
        return None
    block = re.split(r"\n-- Running command|\n\d+(?:\.\d+)*\. Executing|=== design hierarchy ===", blocks[-1])[0]
    types: Counter[str] = Counter()
    for match in re.finditer(r"^\s*(\d+)\s{3,}(?:[\d.]+\s+)?([$\\]?[A-Za-z_][^\s]*)\s*$", block, re.M):
        if match.group(2) != "$scopeinfo":
            types[match.group(2).lstrip("\\")] += int(match.group(1))
    return types


def _cell_types(found: Evidence) -> tuple[Counter[str] | None, str]:
    if found.netlists:
        total: Counter[str] = Counter()
        for netlist in found.netlists:
            total.update(netlist.cell_types)
        return total, ", ".join(n.file for n in found.netlists)
    return _log_cell_types(found.log), "the run's last statistics"


def _shown(types: Counter[str], limit: int = 6) -> str:
    return ", ".join(t for t, _ in types.most_common(limit)) or "no cells"


@functools.lru_cache(maxsize=64)
def family_cells(family: str) -> frozenset[str]:
    """The cells of a device family: the modules of its simulation/blackbox libraries in Yosys's share directory
    (``share/<family>/cells_sim.v``, ``share/lattice/cells_sim_ecp5.v`` ...); empty when Yosys's share is absent."""
    share = _share_dir()
    if share is None:
        return frozenset()
    names: set[str] = set()
    for path in share.rglob("cells_*.v*"):
        relative = path.relative_to(share).as_posix().lower()
        if family not in re.split(r"[/_.]", relative) and f"/{family}/" not in f"/{relative}":
            continue
        names.update(_modules(path, set()))
    return frozenset(names)


def _modules(path: Path, seen: set[Path]) -> set[str]:
    """The modules ``path`` defines, with those of the files it `` `include``s: ECP5's LUT4, TRELLIS_FF and CCU2C
    are in ``common_sim.vh`` and ``ccu2c_sim.vh``, which ``cells_sim.v`` includes."""
    if path in seen:
        return set()
    seen.add(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    names = set(re.findall(r"^\s*module\s+\\?([A-Za-z_][\w$]*)", text, re.M))
    for included in re.findall(r'^\s*`include\s+"([^"]+)"', text, re.M):
        names |= _modules(path.parent / included, seen)
    return names


def _share_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("pyosys")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        share = Path(location) / "share"
        if share.is_dir():
            return share
    return None


def _check_target(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    family = requirement.subject
    types, where = _cell_types(found)
    if types is None:
        if re.search(rf"Executing SYNTH_{re.escape(family.upper())} pass", found.log):
            return True, f"the log shows synth_{family} (no netlist or statistics to count cells)"
        return False, f"no netlist or statistics to check, and the log shows no synth_{family}"
    cells = family_cells(family)
    if cells:
        ours = Counter({t: n for t, n in types.items() if t in cells})
        if ours:
            return True, f"{sum(ours.values())} {family} cell(s) in {where}: {_shown(ours, 4)}"
        return False, f"no {family} cells in {where}; it has {_shown(types)}"
    # No share directory to name the family's cells: a mapped design has no Yosys-internal cells left.
    internal = [t for t in types if t.startswith("$")]
    if types and not internal:
        return True, f"every cell of {where} is a primitive: {_shown(types, 4)}"
    return False, f"{where} is not mapped to {family} primitives: {_shown(types)}"


def _check_liberty(requirement: Requirement, found: Evidence, files: Sequence[Mapping[str, str]]) -> tuple[bool, str]:
    content = next((f.get("content", "") for f in files if f["name"] == requirement.subject), "")
    cells = set(CELL.findall(content))
    types, where = _cell_types(found)
    if types is None:
        return False, "no netlist or statistics to check the cells of"
    ours = Counter({t: n for t, n in types.items() if t in cells})
    if ours:
        return True, f"{sum(ours.values())} cell(s) of {requirement.subject} in {where}: {_shown(ours, 4)}"
    return False, f"no cell of {requirement.subject} in {where}; it has {_shown(types)}"


def _is_cell(cell_type: str, name: str) -> bool:
    """``cell_type`` is the named cell type: the same, or a version of it (``$mem_v2`` for ``$mem``)."""
    return cell_type == name or bool(name.startswith("$") and re.fullmatch(rf"{re.escape(name)}_v\d+", cell_type))


def _check_cells(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    names = requirement.subject.split(",")
    # A Verilog netlist read back turns gates and flip-flops written as expressions into other cells: only the
    # other formats' cells, else the run's last statistics, name the cell types.
    exact = [n for n in found.netlists if not n.expressions]
    types, where = _cell_types(replace(found, netlists=exact))
    if types is None:
        # Nothing to count (a report-only run): not evidence against the request.
        return True, "no netlist or statistics to count cells in"
    counts = {name: sum(n for t, n in types.items() if _is_cell(t, name)) for name in names}
    if requirement.kind == "cells":
        missing = [name for name, n in counts.items() if not n]
        if missing:
            return False, f"no {', '.join(missing)} cells in {where}; it has {_shown(types)}"
        return True, f"{where} has " + ", ".join(f"{n} {name}" for name, n in counts.items())
    left = {name: n for name, n in counts.items() if n}
    if left:
        return False, f"{where} still has " + ", ".join(f"{n} {name}" for name, n in left.items())
    return True, f"no {', '.join(names)} cells in {where}"


def _check_memory(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    types, where = _cell_types(found)
    if types is None:
        return False, "no netlist or statistics to check for memories"
    memories = Counter({t: n for t, n in types.items() if MEMORY_CELL.match(t)})
    if memories:
        return False, f"{where} still has memory cells: {_shown(memories)}"
    return True, f"no memory cells in {where}"


def _check_synthesized(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    # A Verilog netlist read back turns gates written as expressions into word-level cells again: only the other
    # formats' cells, else the run's last statistics, else whether the log shows a mapping pass, are evidence.
    exact = [n for n in found.netlists if not n.expressions]
    types: Counter[str] | None = Counter()
    if exact:
        for netlist in exact:
            types.update(netlist.cell_types)
        where = ", ".join(n.file for n in exact)
    else:
        types, where = _log_cell_types(found.log), "the run's last statistics"
    if types is None:
        if FINE_MAPPING.search(found.log):
            return True, "the log shows the design mapped to fine-grained cells"
        return False, "no synthesis or mapping pass in the log"
    coarse = Counter(
        {t: n for t, n in types.items() if t.startswith("$") and not FINE_CELL.match(t) and not KEPT_CELLS.match(t)}
    )
    if coarse:
        return False, f"{where} still has word-level cells: {_shown(coarse)}"
    return True, f"only fine-grained cells in {where}"


def _log_abc_gates(log: str) -> Counter[str] | None:
    """The gates the last ABC pass of the run mapped to (its ``ABC RESULTS: NAND cells: 385`` lines), or None."""
    runs = log.split("Executing ABC pass")
    if len(runs) < 2:
        return None
    gates: Counter[str] = Counter()
    for name, count in re.findall(r"ABC RESULTS:\s+(\S+) cells:\s+(\d+)", runs[-1]):
        gates[f"$_{name}_"] += int(count)
    return gates


def _check_gates(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    allowed = set(requirement.subject.split(",")) | ALWAYS_GATES
    if found.netlists and not any(n.expressions for n in found.netlists):
        types, where = _cell_types(found)
    else:
        # A Verilog netlist writes gates as expressions, so reading it back cannot tell a NAND from an AND and a
        # NOT; the gates ABC reported mapping to in the run's log can.
        types, where = _log_abc_gates(found.log), "the run's last ABC mapping (log)"
        if types is None:
            fallback, fallback_where = _cell_types(replace(found, netlists=[]))
            types, where = (fallback, fallback_where) if fallback is not None else (None, where)
    if types is None:
        return False, "no gate-level netlist, ABC mapping or statistics to check the gates of"
    gates = Counter({t: n for t, n in types.items() if GATE_CELL.match(t) and _gate(t) in (*GATE_NAMES, "NOT", "BUF")})
    other = Counter({t: n for t, n in gates.items() if _gate(t) not in allowed})
    coarse = Counter(
        {t: n for t, n in types.items() if t.startswith("$") and not t.startswith(("$_", "$mem", "$paramod"))}
    )
    if coarse:
        return False, f"{where} still has word-level cells: {_shown(coarse)}"
    if other:
        return False, f"{where} has other gates: {_shown(other)}"
    if not any(_gate(t) in allowed - ALWAYS_GATES for t in gates):
        return False, f"no {requirement.subject.replace(',', '/')} gates in {where}; it has {_shown(types)}"
    return True, f"gates of {where}: {_shown(gates, 4)}"


def _gate(cell_type: str) -> str:
    match = GATE_CELL.match(cell_type)
    return match.group(1) if match else ""


def _check_step(requirement: Requirement, found: Evidence, _files: Any) -> tuple[bool, str]:
    command = requirement.subject
    if command in found.commands:
        return True, "in the script, and it ran"
    if re.search(rf"Executing {re.escape(command.upper())} pass", found.log):
        return True, "run by another command (log)"
    return False, f"the script never runs `{command}`"


# -- the fix an unmet requirement spells out -------------------------------------------------------------------

#: Yosys commands that elaborate or synthesize with a ``-top`` option
TOP_OPTION_COMMANDS = re.compile(r"^(hierarchy|prep|synth(_\w+)?)$")
ONLY_FLIP_FLOPS = re.compile(r"\b(flip-?flops?|registers?|ffs?|dffs?|sequential)\b", re.I)
ONLY_FLOPS_NOT_LOGIC = re.compile(r"\b(logic|gates?|combinational|everything|all cells|abc)\b", re.I)


@dataclass
class IntentFix:
    """A script changed the way an unmet requirement says, and what was done."""

    script: str
    note: str


def _output_index(lines: list[str]) -> int:
    """Where a step belongs: before the first line that writes a file (a writer, ``tee -o``), else the end."""
    for index, line in enumerate(lines):
        words = line.split()
        if words and (words[0].startswith("write_") or (words[0] == "tee" and ("-o" in words or "-a" in words))):
            return index
    return len(lines)


def _after_reads(lines: list[str]) -> int:
    last = -1
    for index, line in enumerate(lines):
        if line.split()[:1] and line.split()[0].startswith("read"):
            last = index
    return last + 1


def intent_fix(script: str, check: Check, instruction: str, tops: Sequence[str]) -> IntentFix | None:
    """The change an unmet Yosys requirement spells out, without a model: the named top set, a ``flatten`` or
    ``memory`` pass, the family's ``synth_<family>`` for a generic ``synth``, the library mapped, a ``synth`` where
    none ran, a named step run before the outputs are written, a named output written by its format's writer. None
    when it takes a model."""
    requirement = check.requirement
    lines = [line for line in script.splitlines() if line.strip()]
    kind, subject = requirement.kind, requirement.subject
    at = _output_index(lines)
    if kind == "top":
        return _fix_top(lines, subject)
    if kind == "flatten":
        if any(line.split()[:1] == ["flatten"] for line in lines[:at]):
            return None
        lines.insert(at, "flatten")
        return IntentFix(_join(lines), "added `flatten` before the outputs are written: the request asks for it")
    if kind == "hierarchy":
        kept = [line.replace(" -flatten", "") for line in lines if line.split()[:1] != ["flatten"]]
        if kept == lines:
            return None
        return IntentFix(_join(kept), "removed the flattening: the request keeps the hierarchy")
    if kind == "target":
        return _fix_target(lines, subject, at, tops)
    if kind == "liberty":
        mapping = [f"dfflibmap -liberty {subject}"]
        if not (ONLY_FLIP_FLOPS.search(instruction) and not ONLY_FLOPS_NOT_LOGIC.search(instruction)):
            mapping.append(f"abc -liberty {subject}")
        if all(m in lines for m in mapping):
            return None
        lines[at:at] = [m for m in mapping if m not in lines]
        return IntentFix(_join(lines), f"added `{'`, `'.join(mapping)}`: the request maps to {subject}")
    if kind == "no-memory":
        if "memory_map" in lines[:at]:
            return None
        lines = [line.replace("memory -nomap", "memory") for line in lines]
        lines[at:at] = ["proc", "memory_map"] if "proc" not in script else ["memory_map"]
        return IntentFix(_join(lines), "added `memory_map` before the outputs: the request wants no memories")
    if kind == "cells" and "$mem" in subject.split(","):
        return _keep_memory(lines, at)
    if kind == "cells" and all(MAPPED_CELL.fullmatch(cell) for cell in subject.split(",")):
        # Yosys's fine-grained cells ($_AND_, $_DFF_P_) come only from a mapping pass; none ran: the generic one.
        if _runs_any(lines, MAPS_TO_GATES):
            return None
        lines[at:at] = ["techmap"] if "proc" in script.split() else ["proc", "techmap"]
        return IntentFix(_join(lines), f"added `techmap` before the outputs: {subject} cells come from a mapping")
    if kind == "synthesized":
        if _runs_any(lines, SYNTH):
            return None  # it synthesized and still left word-level cells: the model's to fix
        top = f" -top {tops[0]}" if len(tops) == 1 else ""
        lines.insert(at, f"synth{top}")
        return IntentFix(
            _join(lines), f"added `synth{top}` before the outputs: the request asks for a synthesized design"
        )
    if kind == "gates":
        lines.insert(at, f"abc -g {subject}")
        return IntentFix(_join(lines), f"added `abc -g {subject}`: the request allows only those gates")
    if kind == "step":
        if subject in {line.split()[0] for line in lines if line.split()}:
            return None
        lines.insert(at, subject)
        return IntentFix(_join(lines), f"added `{subject}` before the outputs: the request asks for it")
    if kind == "output":
        writer = WRITER_OF.get(requirement.format, "")
        if not writer.startswith("write_"):
            return None
        for index, line in enumerate(lines):
            words = line.split()
            if words and words[0].startswith("write_") and subject in words and words[0] != writer and ";" not in line:
                lines[index] = f"{writer} {subject}"
                return IntentFix(_join(lines), f"`{words[0]}` -> `{writer}`: {subject} is to be {requirement.format}")
        if not any(subject in line.split() for line in lines):
            lines.append(f"{writer} {subject}")
            return IntentFix(_join(lines), f"added `{writer} {subject}`: the request names that output")
    return None


#: the synthesis scripts: ``synth`` and every ``synth_<family>``
SYNTH = re.compile(r"synth(?:_\w+)?")
PROC = re.compile(r"proc")


def _runs_any(lines: Sequence[str], commands: re.Pattern[str]) -> bool:
    """Whether a line of the script runs a command ``commands`` matches in full."""
    return any(commands.fullmatch(line.split()[0]) for line in lines if line.split())


#: a fine-grained Yosys cell type (``$_AND_``, ``$_DFF_P_``, ``$_MUX4_``)
MAPPED_CELL = re.compile(r"\$_\w+_")
#: commands after which a design is made of fine-grained cells (or of a library's)
MAPS_TO_GATES = re.compile(r"synth\w*|techmap|simplemap|abc\w*|aigmap|muxcover|dfflegalize")


def _keep_memory(lines: list[str], at: int) -> IntentFix | None:
    """``memory -nomap`` in place of ``memory`` and ``memory_map``, or added before the outputs; None after a
    ``synth`` (which maps memories itself: the model's to change)."""
    if _runs_any(lines, SYNTH) or "memory -nomap" in lines:
        return None
    kept = [line for line in lines if line.split()[:1] != ["memory_map"]]
    if any(line.split()[:1] == ["memory"] for line in kept):
        kept = ["memory -nomap" if line.split()[:1] == ["memory"] else line for line in kept]
    else:
        at = _output_index(kept)
        kept[at:at] = ["memory -nomap"] if _runs_any(lines, PROC) else ["proc", "memory -nomap"]
    return IntentFix(_join(kept), "`memory -nomap`: the request keeps the memories as memory cells")


def _fix_top(lines: list[str], subject: str) -> IntentFix:
    """``-top subject`` on the command that takes it (replacing another top), else a ``hierarchy -top``."""
    for index, line in enumerate(lines):
        words = line.split()
        if words and TOP_OPTION_COMMANDS.match(words[0]) and "-top" in words[:-1]:
            position = words.index("-top") + 1
            if words[position] != subject:
                words[position] = subject
                lines[index] = " ".join(words)
                return IntentFix(_join(lines), f"`-top {subject}`: the request names `{subject}` as the top")
    for index, line in enumerate(lines):
        words = line.split()
        if words and TOP_OPTION_COMMANDS.match(words[0]) and ";" not in line:
            lines[index] = f"{line} -top {subject}"
            return IntentFix(_join(lines), f"`{lines[index]}`: the request names `{subject}` as the top")
    lines.insert(_after_reads(lines), f"hierarchy -top {subject}")
    return IntentFix(_join(lines), f"added `hierarchy -top {subject}`: the request names it as the top")


def _fix_target(lines: list[str], subject: str, at: int, tops: Sequence[str]) -> IntentFix:
    """The family's ``synth_<family>`` in place of another synth command, else added before the outputs."""
    command = f"synth_{subject}"
    for index, line in enumerate(lines):
        words = line.split()
        if words and SYNTH.fullmatch(words[0]) and words[0] != command and ";" not in line:
            # Only the options every synth_<family> shares: the generic synth's others may not exist there.
            kept = words[words.index("-top") : words.index("-top") + 2] if "-top" in words[:-1] else []
            lines[index] = " ".join([command, *kept, *(["-flatten"] if "-flatten" in words else [])])
            return IntentFix(_join(lines), f"`{words[0]}` -> `{lines[index]}`: the request targets {subject}")
    top = f" -top {tops[0]}" if len(tops) == 1 else ""
    lines.insert(at, f"{command}{top}")
    return IntentFix(_join(lines), f"added `{command}{top}`: the request targets {subject}")


#: a flag that takes no argument (``-nocarry``): the only kind an option fix adds
BARE_FLAG = re.compile(r"-[A-Za-z][\w-]*")
#: words of an option's help that say it keeps cells out ("do not use SB_CARRY cells", "disable $_MUX4_")
OPTION_NEGATION = re.compile(r"\b(?:no|not|don't|without|disable|disables|never|avoid)\b", re.I)
#: a cell type in an option's help, maybe a prefix ending in ``*`` (``SB_DFFE*``)
OPTION_CELL = re.compile(r"\$?[A-Za-z_][\w$]*\*?")


def _says_cell(text: str, cell: str) -> bool:
    for token in OPTION_CELL.findall(text):
        if token == cell or (token.endswith("*") and len(token) > 2 and cell.startswith(token[:-1])):
            return True
    return False


def option_fix(script: str, check: Check, options: Callable[[str], Sequence[tuple[str, str]]]) -> IntentFix | None:
    """An unmet ``cells``/``no-cells`` requirement met by an option of a command the script already runs, found in
    that command's help (``options(command)``: its flags and their descriptions): the first flag without an argument
    whose description names a wanted-gone cell with a negation ("-nocarry: do not use SB_CARRY cells"), or a wanted
    cell without one. None when no such option exists: the model's to fix."""
    requirement = check.requirement
    if requirement.kind not in ("cells", "no-cells"):
        return None
    absent = requirement.kind == "no-cells"
    lines = [line for line in script.splitlines() if line.strip()]
    for cell in requirement.subject.split(","):
        for index, line in enumerate(lines):
            words = line.split()
            if not words or ";" in line:
                continue
            for flag, text in options(words[0]):
                if not BARE_FLAG.fullmatch(flag) or flag in words or not _says_cell(text, cell):
                    continue
                if bool(OPTION_NEGATION.search(text)) == absent:
                    lines[index] = f"{line} {flag}"
                    why = "keeps out" if absent else "gives"
                    return IntentFix(_join(lines), f"`{lines[index]}`: its help says `{flag}` {why} {cell} cells")
    return None


def _join(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)
