"""Growing the seed library from scripts written outside chipmate: Yosys's own tests and examples, OpenSTA's.

``python -m chipmate.plugins.scriptgen.harvest --yosys REPO.git --opensta REPO.git`` rebuilds
``seed/harvested.jsonl`` (and the small designs under ``seed/designs/yosys/``) from git mirrors of
YosysHQ/yosys and The-OpenROAD-Project/OpenSTA at the commits they hold (each record names its commit). Steps:

1. **collect** — every ``.ys`` script of the Yosys repository (tests, examples, docs, techlibs) is split into
   sections at ``design -reset``; here-documents (``read_verilog <<EOT``) become design files, small files the
   script reads are copied (at most ``MAX_FILE`` bytes each), test assertions (``select -assert-*``), logging and
   ``cd`` are dropped, paths are flattened to plain names, and a section that writes nothing gets a writer, so
   every record produces a file. OpenSTA's test and example scripts use large Liberty libraries that cannot ship,
   so each of their timing commands is replayed on the seed netlists (``seed_cells.lib``) with the test's object
   names mapped onto the seed design's, its report redirected to a file.
2. **validate** — each candidate runs in scriptgen's own sandboxed runner (pyosys's Yosys; the ``sta`` binary); a
   record is kept only when it ran without an error, wrote its files, OpenSTA printed no warning (a warning means
   an object was not found, so the command did nothing), and the language constraints leave it unchanged.
3. **describe** — the embedded generator writes the request a user would type; rules review it (length, every
   output file named, no file name the record lacks, the key commands' intent mentioned, no near copy of a
   development-set instruction) and a rule-written instruction from the commands' help titles replaces a
   rejected one. Each record says which wrote its instruction (``instruction_by``).

Results are cached per candidate under ``--work`` (default ``<cache>/scriptgen/harvest``), so a rerun only
validates and describes what changed. The records carry their provenance (repository, path, commit) and licence:
ISC for Yosys, GPL-3.0 for OpenSTA (command lines only, replayed on chipmate's designs).

Over 400 lines on purpose: an offline maintenance script (the server never imports it) whose collect,
validate and describe steps share the candidate model; each step stays a short function.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import yosys_commands
from .constrain import Request, clean, constrain
from .library import DESIGNS_DIR, HARVEST_FILE, SEED_FILE, read_jsonl
from .prompt import FILE_NAME, verilog_design

YOSYS_DESIGNS = DESIGNS_DIR / "yosys"
LICENSES = {"yosys": "ISC", "opensta": "GPL-3.0-or-later"}
REPOS = {"yosys": "YosysHQ/yosys", "opensta": "The-OpenROAD-Project/OpenSTA"}
MAX_FILE = 6000  # bytes of one design file a record may carry
MAX_FILES = 12000  # bytes of all of a record's files
MAX_COMMANDS = 24  # longer scripts crowd the few-shot prompt out
TIMEOUT = 8.0  # seconds per validation run: a slower script makes a poor few-shot example anyway

# -- git -------------------------------------------------------------------------------------------------------


class GitTree:
    """Read-only access to one commit of a bare git mirror (``git ls-tree`` and ``git show``)."""

    def __init__(self, git_dir: Path, commit: str = "HEAD") -> None:
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", commit).strip()
        sizes = self._git("ls-tree", "-r", "-l", self.commit)
        self.sizes: dict[str, int] = {}
        for line in sizes.splitlines():
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) == 4 and parts[1] == "blob" and parts[3].isdigit():
                self.sizes[path] = int(parts[3])

    def _git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=True, timeout=120
        )
        return result.stdout.decode("utf-8", "replace")

    def paths(self, pattern: str) -> list[str]:
        """Paths of the commit matching the regular expression ``pattern``, sorted."""
        rx = re.compile(pattern)
        return sorted(p for p in self.sizes if rx.search(p))

    def text(self, path: str) -> str | None:
        """The file's text, or None when it is absent, binary or not UTF-8."""
        if path not in self.sizes:
            return None
        data = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "show", f"{self.commit}:{path}"], capture_output=True, timeout=60
        ).stdout
        if b"\0" in data:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None


# -- candidates ------------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A script harvested from outside, made self-contained, before it is validated."""

    id: str
    tool: str
    script: str
    #: name -> content
    files: dict[str, str]
    provenance: dict[str, str]
    #: where each file is stored under seed/designs (name -> relative path)
    stored: dict[str, str] = field(default_factory=dict)

    def key(self) -> str:
        payload = json.dumps([self.tool, self.script, sorted(self.files.items())], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    def outputs(self) -> list[str]:
        return script_outputs(self.tool, self.script)


YOSYS_READERS = {
    "read_verilog": "v",
    "read": "v",
    "read_rtlil": "il",
    "read_liberty": "lib",
    "read_blif": "blif",
    "read_json": "json",
    "read_aiger": "aig",
}
# Test scaffolding, not work a user asks for: dropped from harvested scripts.
YOSYS_DROP = {
    "log",
    "cd",
    "dump",
    "echo",
    "logger",
    "debug",
    "bugpoint",
    "test_cell",
    "test_autotb",
    "test_abcloop",
    "test_pmgen",
    "select",
}
YOSYS_REFUSE_SECTION = {
    "!",
    "script",
    "tcl",
    "plugin",
    "python",
    "shell",
    "exec",
    "verific",
    "read_verilog_file_list",
    "read_ilang",
    "setenv",
    "help",
    "show",
    "viz",
}
WRITERS = (
    "write_verilog",
    "write_json",
    "write_rtlil",
    "write_blif",
    "write_edif",
    "write_aiger",
    "write_btor",
    "write_smt2",
    "write_spice",
    "write_firrtl",
    "write_cxxrtl",
    "write_simplec",
    "write_smv",
    "write_table",
    "write_intersynth",
    "write_xaiger",
    "write_jny",
    "write_file",
    "write_functional_cxx",
    "write_aiger2",
)
FILE_WORD = re.compile(r"^[\w+./-]+\.(v|sv|vh|svh|il|rtlil|lib|blif|json|aig|aag|txt|ys|abc|script|lut|box|pmg)$")


def script_outputs(tool: str, script: str) -> list[str]:
    """The files a harvested script writes (writers' last word, ``tee -o``, OpenSTA's ``> file``)."""
    found: list[str] = []
    for line in script.splitlines():
        words = line.split()
        if not words:
            continue
        if tool == "yosys":
            if words[0] in WRITERS and len(words) > 1 and words[0] != "write_file":
                found.append(words[-1])
            if words[0] == "tee" and "-o" in words[:-1]:
                found.append(words[words.index("-o") + 1])
        else:
            for i, word in enumerate(words):
                if word in (">", ">>") and i + 1 < len(words):
                    found.append(words[i + 1])
            if words[0] in ("write_sdc", "write_verilog", "write_sdf") and len(words) > 1:
                found.append(words[-1])
    return list(dict.fromkeys(found))


def _keep_selection(words: list[str]) -> bool:
    """A ``select`` that narrows what later commands work on is kept; assertions and listings are dropped."""
    return not any(w.startswith("-assert") or w in ("-list", "-count", "-write") for w in words[1:])


class YosysConverter:
    """Turns one Yosys ``.ys`` file of the mirror into self-contained candidates, one per ``design -reset`` section."""

    def __init__(self, tree: GitTree, path: str, store: dict[str, str]) -> None:
        self.tree = tree
        self.path = path
        self.dir = posixpath.dirname(path)
        self.stem = re.sub(r"[^A-Za-z0-9_]", "_", posixpath.splitext(posixpath.basename(path))[0])
        #: content hash -> stored name, shared by every converter of a run (one copy of each design)
        self.store = store

    def _store(self, name: str, content: str) -> str:
        digest = hashlib.sha256(content.encode()).hexdigest()[:10]
        if digest in self.store:
            return self.store[digest]
        taken = set(self.store.values())
        base, ext = posixpath.splitext(re.sub(r"[^A-Za-z0-9_.+-]", "_", name))
        stored, n = f"{base}{ext}", 1
        while stored in taken:
            n += 1
            stored = f"{base}_{n}{ext}"
        self.store[digest] = stored
        return stored

    def candidates(self) -> list[Candidate]:
        text = self.tree.text(self.path)
        if text is None:
            return []
        sections: list[tuple[list[str], dict[str, str]]] = []
        lines: list[str] = []
        files: dict[str, str] = {}
        bad = False
        raw_lines = text.splitlines()
        i = 0
        heredocs = 0
        while i < len(raw_lines):
            raw = raw_lines[i].strip()
            i += 1
            if not raw:
                continue
            commands, shell = yosys_commands(raw)
            if shell:
                bad = True
                continue
            for tokens in commands:
                if any(t.startswith("<<") for t in tokens):
                    at = next(k for k, t in enumerate(tokens) if t.startswith("<<"))
                    marker = tokens[at][2:] or (tokens[at + 1] if at + 1 < len(tokens) else "")
                    marker = marker.strip("\"'")
                    body = []
                    while i < len(raw_lines) and raw_lines[i].strip() != marker:
                        body.append(raw_lines[i])
                        i += 1
                    i += 1
                    head = tokens[:at]
                    content = "\n".join(body).strip("\n") + "\n"
                    if head and head[0] == "write_file":
                        files[head[-1]] = files.get(head[-1], "") + content if "-a" in head else content
                        continue
                    ext = YOSYS_READERS.get(head[0]) if head else None
                    if ext is None:
                        bad = True
                        continue
                    if ext == "v" and "-sv" in head:
                        ext = "sv"
                    heredocs += 1
                    name = self._store(f"{self.stem}{'' if heredocs == 1 else heredocs}.{ext}", content)
                    files[name] = content
                    lines.append(" ".join([*head, name]))
                    continue
                words = [t.strip('"') for t in tokens]
                name = words[0]
                if name == "design" and "-reset" in words:
                    sections.append((lines, files))
                    lines, files = [], {}
                    heredocs = heredocs  # names stay unique across sections
                    continue
                if name in YOSYS_REFUSE_SECTION or (name == "logger" and "-expect" in words):
                    bad = True
                if name in YOSYS_DROP and not (name == "select" and _keep_selection(words)):
                    continue
                rewritten = self._rewrite(words, files)
                if rewritten is None:
                    bad = True
                    continue
                if rewritten:
                    lines.append(" ".join(rewritten))
        if bad:
            return []
        sections.append((lines, files))
        out = []
        for n, (body, section_files) in enumerate(sections, start=1):
            candidate = self._finish(body, section_files, n, len(sections))
            if candidate is not None:
                out.append(candidate)
        return out

    def _rewrite(self, words: list[str], files: dict[str, str]) -> list[str] | None:
        """The command with file arguments flattened to plain names (and their files copied), [] to drop it,
        None when the section cannot be made self-contained."""
        name = words[0]
        out = [name]
        for position, word in enumerate(words[1:], start=1):
            if word.startswith("+/") or (not FILE_WORD.match(word) and "/" not in word):
                out.append(word)
                continue
            if word.startswith("/dev/null") or word.startswith("/"):
                if name in WRITERS or words[position - 1] in ("-o", "-a"):
                    return []  # a write to /dev/null is a test's way to exercise a writer: drop it
                return None
            source = posixpath.normpath(posixpath.join(self.dir, word))
            size = self.tree.sizes.get(source)
            if size is not None and name not in WRITERS:
                content = self.tree.text(source)
                if content is None or size > MAX_FILE:
                    return None
                stored = self._store(posixpath.basename(source), content)
                files[stored] = content
                out.append(stored)
            elif "/" in word:
                if name in WRITERS or words[position - 1] in ("-o",):
                    out.append(posixpath.basename(word))
                else:
                    return None  # reads a generated or missing file from another directory
            else:
                out.append(word)
        return out

    def _finish(self, body: list[str], files: dict[str, str], n: int, total: int) -> Candidate | None:
        if not files or not body or sum(len(c) for c in files.values()) > MAX_FILES:
            return None
        if any(len(c.encode()) > MAX_FILE for c in files.values()):
            return None
        reads = [line for line in body if line.split()[0] in YOSYS_READERS]
        if not reads or len(body) > MAX_COMMANDS:
            return None
        # Only the files this section reads (a here-document may belong to another section).
        used = {w for line in body for w in line.split()}
        files = {k: v for k, v in files.items() if k in used}
        suffix = f"_{n}" if total > 1 else ""
        stem = f"{self.stem}{suffix}"
        script = "\n".join(body) + "\n"
        if not script_outputs("yosys", script):
            script += default_writer(body, stem)
        record_id = "yosys-" + re.sub(r"[^A-Za-z0-9_.-]", "-", self.path.removeprefix("tests/"))[:100]
        provenance = {"repo": REPOS["yosys"], "path": self.path, "commit": self.tree.commit}
        if total > 1:
            provenance["section"] = str(n)
        return Candidate(f"{record_id}{suffix}", "yosys", script, files, provenance)


def default_writer(body: list[str], stem: str) -> str:
    """A writer for a section that writes nothing, chosen by what the section leaves behind."""
    commands = [line.split()[0] for line in body]
    mapped = any(c.startswith(("synth", "techmap", "abc", "dfflibmap", "simplemap")) for c in commands)
    choice = int(hashlib.sha256(stem.encode()).hexdigest(), 16) % 4
    if mapped:
        return [
            f"write_verilog -noattr {stem}_syn.v\n",
            f"write_json {stem}.json\n",
            f"tee -o {stem}_stat.txt stat\n",
            f"write_blif {stem}.blif\n",
        ][choice]
    return [
        f"write_rtlil {stem}.il\n",
        f"write_json {stem}.json\n",
        f"tee -o {stem}_stat.txt stat\n",
        f"write_verilog -noattr {stem}_out.v\n",
    ][choice]


def yosys_candidates(tree: GitTree) -> list[Candidate]:
    """Every self-contained section of the mirror's ``.ys`` scripts."""
    store: dict[str, str] = {}
    found: list[Candidate] = []
    for path in tree.paths(r"^(tests|examples|docs|techlibs|passes|backends|frontends)/.*\.ys$"):
        if "/verific/" in path or "/bugpoint/" in path:
            continue
        found.extend(YosysConverter(tree, path, store).candidates())
    return found


# -- OpenSTA -----------------------------------------------------------------------------------------------------

# The seed netlists a harvested OpenSTA command is replayed on.
STA_DESIGNS = {
    "counter": {"netlist": "counter_netlist.v", "sdc": "counter.sdc"},
    "pwm": {"netlist": "pwm_netlist.v", "sdc": "pwm.sdc"},
    "shift_reg": {"netlist": "shift_reg_netlist.v", "sdc": "shift_reg.sdc"},
}
STA_SETUP = {
    "read_liberty",
    "read_verilog",
    "link_design",
    "read_sdc",
    "read_spef",
    "read_sdf",
    "read_parasitics",
    "read_saif",
    "read_vcd",
    "define_corners",
    "set_cmd_units",
    "source",
    "puts",
    "sta::set_debug",
    "report_power",
    "read_verilog_file",
    "exit",
    "set",
    "proc",
    "foreach",
    "if",
    "for",
    "while",
    "close",
    "open",
    "make_instance",
    "delete_instance",
    "make_net",
    "delete_net",
    "connect_pin",
    "disconnect_pin",
    "replace_cell",
    "write_verilog",
    "write_sdf",
    "insert_buffer",
    "log_begin",
    "log_end",
}
STA_REPORTERS = ("report_", "check_setup")
STA_PER_COMMAND = 10  # distinct harvested lines replayed per OpenSTA command (the tests repeat a few forms a lot)
# Test cell names (Nangate45, ASAP7, Sky130) -> the seed library's cell of the same function, and pin names.
CELL_FUNCTIONS = (
    ("buf", "BUF"),
    ("inv", "INV"),
    ("nand", "NAND2"),
    ("nor", "NOR2"),
    ("xnor", "XNOR2"),
    ("xor", "XOR2"),
    ("and", "AND2"),
    ("or", "OR2"),
    ("aoi", "AOI21"),
    ("oai", "OAI21"),
    ("mux", "MUX2"),
    ("dff", "DFF"),
    ("reg", "DFF"),
    ("ff", "DFF"),
    ("r", "DFF"),
    ("u", "AND2"),
)
PIN_NAMES = {
    "CK": "CLK",
    "CP": "CLK",
    "C": "CLK",
    "CLK": "CLK",
    "clk": "CLK",
    "D": "D",
    "d": "D",
    "Q": "Q",
    "QN": "Q",
    "q": "Q",
    "A": "A",
    "A1": "A",
    "A2": "B",
    "B": "B",
    "B1": "B",
    "Z": "Y",
    "ZN": "Y",
    "X": "Y",
    "Y": "Y",
    "Y1": "Y",
    "o": "Y",
    "z": "Y",
    "a": "A",
    "b": "B",
}


@dataclass
class Netlist:
    """What a seed netlist offers a replayed command: ports by direction, instances by cell."""

    inputs: list[str]
    outputs: list[str]
    cells: dict[str, list[str]]

    @classmethod
    def parse(cls, text: str) -> Netlist:
        def ports(direction: str) -> list[str]:
            out = []
            for width, name in re.findall(rf"^\s*{direction}\s+(\[\d+:\d+\]\s*)?(\w+)\s*;", text, re.M):
                out.append(f"{name}[0]" if width else name)
            return out

        cells: dict[str, list[str]] = {}
        for cell, instance in re.findall(r"^\s*([A-Z][A-Z0-9]*)\s+(\S+)\s*\(", text, re.M):
            cells.setdefault(cell, []).append(instance)
        return cls([p for p in ports("input") if p != "clk"], ports("output"), cells)

    def cell_of(self, name: str) -> str:
        lower = name.lower()
        for prefix, cell in CELL_FUNCTIONS:
            if lower.startswith(prefix) or f"_{prefix}" in lower:
                if cell == "DFF":
                    return next((c for c in ("DFF", "DFFR", "DFFS") if c in self.cells), "DFF")
                if cell in self.cells:
                    return cell
        return next(iter(self.cells))

    def instance(self, name: str) -> str:
        return self.cells[self.cell_of(name)][0]

    def port(self, name: str) -> str:
        if re.fullmatch(r"(clk|clock|ck)\w*|CLK\w*", name, re.I):
            return "clk"
        if name in self.inputs or name in self.outputs:
            return name
        if re.match(r"(out|q|y|z|o\b|data_out|dout)", name, re.I):
            return self.outputs[0]
        return self.inputs[0]

    def pin(self, path: str) -> str:
        instance, _, pin = path.rpartition("/")
        if not instance:
            return self.port(path)
        cell = self.cell_of(instance)
        mapped = PIN_NAMES.get(pin, "A")
        if cell.startswith("DFF") and mapped not in ("CLK", "D", "Q"):
            mapped = "D"
        if not cell.startswith("DFF") and mapped in ("CLK", "D"):
            mapped = "A"
        if not cell.startswith("DFF") and mapped == "Q":
            mapped = "Y"
        return f"{self.cells[cell][0]}/{mapped}"


def _sta_names(kind: str, words: str, netlist: Netlist) -> str:
    def one(word: str) -> str:
        if word.startswith("-") or word in ("*",) or not re.fullmatch(r"[\w/\[\]*.]+", word):
            return word
        if kind in ("get_ports", "get_port"):
            return netlist.port(word)
        if kind in ("get_pins", "get_pin"):
            return netlist.pin(word)
        if kind in ("get_cells", "get_cell"):
            return netlist.instance(word)
        if kind in ("get_clocks", "get_clock"):
            return "clk" if not word.startswith("v") else word
        if kind in ("get_lib_cells", "get_lib_cell", "get_lib_pins", "get_lib_pin"):
            lib, _, rest = word.rpartition("/") if kind.startswith("get_lib_cell") else ("", "", word)
            cell, _, pin = rest.partition("/")
            mapped = netlist.cell_of(cell) if cell != "*" else "*"
            if pin:
                mapped += "/" + (PIN_NAMES.get(pin, pin) if pin != "*" else "*")
            return f"seed_cells/{mapped}" if lib else mapped
        if kind in ("get_nets", "get_net"):
            return netlist.outputs[0].split("[")[0] + ("[0]" if "[" in netlist.outputs[0] else "")
        return word

    braced = words.startswith("{") and words.endswith("}")
    inner = words[1:-1] if braced else words
    mapped = " ".join(one(w) for w in inner.split())
    # A bus bit (count[0]) outside braces would be a Tcl command substitution.
    return "{" + mapped + "}" if braced or "[" in mapped else mapped


def braced(name: str) -> str:
    """``name`` as one Tcl word: a bus bit (``count[0]``) in braces."""
    return "{" + name + "}" if "[" in name else name


def map_sta_line(line: str, netlist: Netlist) -> str:
    """A test's command with its object names mapped onto the seed design's (clocks, ports, pins, cells)."""

    def query(match: re.Match[str]) -> str:
        kind, rest = match.group(1), match.group(2)
        options = re.findall(r"-(?:of_objects|filter|hierarchical|hsc|regexp|nocase|quiet)\b(?:\s+\S+)?", rest)
        if options:
            return match.group(0)  # a filtered or relative query keeps its form
        return f"[{kind} {_sta_names(kind, rest.strip(), netlist)}]"

    text = re.sub(r"\[(get_\w+)\s+([^\[\]]*)\]", query, line)
    text = re.sub(r"-clock\s+(\w+)", lambda m: "-clock clk" if not m.group(1).startswith("v") else m.group(0), text)
    text = re.sub(
        r"(-(?:from|to|through|rise_from|fall_from|rise_to|fall_to)\s+)([A-Za-z_][\w/]*)\b(?!\])",
        lambda m: m.group(1) + braced(netlist.pin(m.group(2))),
        text,
    )
    return text


def sta_command_lines(tree: GitTree) -> Iterator[tuple[str, int, str]]:
    """(path, line, command) of every one-line top-level command of OpenSTA's test and example Tcl scripts."""
    for path in tree.paths(r"^(examples|test|[a-z]+/test)/[^/]+\.tcl$"):
        text = tree.text(path)
        if text is None:
            continue
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#") or line.endswith(("\\", "{")) or line.count("[") != line.count("]"):
                continue
            if line.count("{") != line.count("}") or "$" in line:
                continue
            yield path, number, line


def opensta_candidates(tree: GitTree) -> list[Candidate]:
    """Each distinct OpenSTA command of the mirror's scripts, replayed on each seed netlist."""
    from .tclcheck import OPENSTA_COMMANDS

    netlists = {d: Netlist.parse((DESIGNS_DIR / s["netlist"]).read_text()) for d, s in STA_DESIGNS.items()}
    seen: set[str] = set()
    per_command: Counter[str] = Counter()
    found: list[Candidate] = []
    designs = list(STA_DESIGNS)
    for path, number, line in sta_command_lines(tree):
        command = line.split()[0]
        if command not in OPENSTA_COMMANDS or command in STA_SETUP or command.startswith("read_"):
            continue
        line = re.sub(r"\s*>>?\s*\S+\s*$", "", line)  # the test's own redirection goes to its own file
        if line in seen or per_command[command] >= STA_PER_COMMAND:
            continue
        seen.add(line)
        per_command[command] += 1
        # One seed design per harvested line, spread over the three by the line's hash.
        design = designs[int(hashlib.sha256(line.encode()).hexdigest(), 16) % len(designs)]
        spec = STA_DESIGNS[design]
        if True:
            mapped = map_sta_line(line, netlists[design])
            digest = hashlib.sha256(f"{design}:{mapped}".encode()).hexdigest()[:6]
            stem = f"{design}_{command.removeprefix('report_').removeprefix('set_')}_{digest}"
            setup = f"read_liberty seed_cells.lib\nread_verilog {spec['netlist']}\nlink_design {design}\n"
            if command != "create_clock":
                setup += f"read_sdc {spec['sdc']}\n"
            if command.startswith(STA_REPORTERS):
                body = f"{mapped} > {stem}.rpt\n"
            elif command.startswith(("get_", "all_")):
                body = f"report_object_full_names [{mapped}] > {stem}.rpt\n"
            elif command.startswith(("set_", "create_", "unset_", "group_path", "delete_")):
                follow = int(digest, 16) % 2
                body = f"{mapped}\n" + (
                    f"write_sdc {stem}.sdc\n" if follow else f"report_checks -path_delay max > {stem}.rpt\n"
                )
            else:
                continue
            files = {"seed_cells.lib": "", spec["netlist"]: ""}
            if command != "create_clock":
                files[spec["sdc"]] = ""
            for name in files:
                files[name] = (DESIGNS_DIR / name).read_text()
            provenance = {"repo": REPOS["opensta"], "path": path, "commit": tree.commit, "line": str(number)}
            found.append(
                Candidate(
                    f"opensta-{path.replace('/', '-').removesuffix('.tcl')}-{number}-{design}"[:120],
                    "opensta",
                    setup + body,
                    files,
                    provenance,
                    stored={name: name for name in files},
                )
            )
    return found


# -- validation ----------------------------------------------------------------------------------------------------


def validate(candidate: Candidate, tools: dict[str, Any]) -> str:
    """Empty when the candidate ran cleanly in its tool and wrote every file it names; else why not."""
    tool = tools[candidate.tool]
    run = tool.run(candidate.script, files=candidate.files, timeout=TIMEOUT)
    if not run.ok:
        return (run.error or "failed").splitlines()[0][:200]
    missing = [o for o in candidate.outputs() if not run.outputs or o not in run.outputs]
    if missing:
        return f"did not write {', '.join(missing)}"
    warning = re.search(r"^Warning.*$", run.log, re.M) if candidate.tool == "opensta" else None
    if warning:
        return "OpenSTA warned: " + warning.group()[:160]
    script, _ = clean(candidate.script)
    if script != candidate.script:
        return "the clean-up stage would change the script"
    return ""


# -- instructions ------------------------------------------------------------------------------------------------

SKIP_INTENT = {
    "read_verilog",
    "read_liberty",
    "read",
    "read_rtlil",
    "read_blif",
    "read_json",
    "read_aiger",
    "hierarchy",
    "proc",
    "opt_clean",
    "clean",
    "design",
    "select",
    "tee",
    "write_verilog",
    "write_json",
    "write_rtlil",
    "write_blif",
    "read_sdc",
    "link_design",
    "report_checks",
    "write_sdc",
}
KIND_WORDS = {
    "v": "Verilog",
    "sv": "SystemVerilog",
    "json": "JSON",
    "il": "RTLIL",
    "blif": "BLIF",
    "txt": "report",
    "rpt": "report",
    "sdc": "SDC",
    "edif": "EDIF",
    "aig": "AIGER",
    "btor": "BTOR",
    "smt2": "SMT-LIB",
    "spice": "SPICE",
}


def key_commands(tool: str, script: str) -> list[list[str]]:
    """The commands that carry a script's intent (not reading, elaborating, cleaning or writing), in order."""
    seen: set[str] = set()
    out = []
    for line in script.splitlines():
        words = line.split()
        if not words or words[0] in SKIP_INTENT or words[0].startswith("write_") or words[0] in seen:
            continue
        seen.add(words[0])
        out.append(words)
    return out


def titles(tool: str, tools: dict[str, Any]) -> dict[str, str]:
    """Each command's one-line summary from the tool's own help."""
    if tool == "yosys":
        return {k: str(v.get("title", "")).strip() for k, v in tools["yosys"].reference().get("cmds", {}).items()}
    return {}


STA_INTENT = {
    "report": "report",
    "set": "set",
    "create": "create",
    "get": "list",
    "all": "list",
    "unset": "remove",
    "check": "check",
    "group": "group",
    "delete": "delete",
}


def rule_instruction(candidate: Candidate, summaries: dict[str, str]) -> str:
    """An instruction written from the script's commands and their help summaries."""
    inputs = ", ".join(candidate.files)
    outputs = candidate.outputs()
    steps = []
    for words in key_commands(candidate.tool, candidate.script)[:4]:
        words = words[: words.index(">")] if ">" in words else words  # the report's file is named at the end
        shown = " ".join(words)
        if len(shown) > 100:  # too long to quote: the command and its options
            shown = " ".join([words[0], *(w for w in words[1:] if w.startswith("-"))])
        title = summaries.get(words[0], "").rstrip(".")
        step = f"`{shown}` ({title[0].lower() + title[1:]})" if title else f"`{shown}`"
        if steps and len("; then ".join([*steps, step])) > 260:
            break  # an instruction names the main steps, not every one
        steps.append(step)
    written = " and ".join(f"{KIND_WORDS.get(o.rsplit('.', 1)[-1], 'output')} {o}" for o in outputs)
    if candidate.tool == "opensta":
        netlist = next((n for n in candidate.files if n.endswith(".v")), "the netlist")
        sdc = next((n for n in candidate.files if n.endswith(".sdc")), "")
        head = f"Load {netlist} with seed_cells.lib" + (f" and the constraints in {sdc}" if sdc else "")
        body = f", apply {', then '.join(steps)}" if steps else ""
        return f"{head}{body}, and save the result to {written}."
    verb = "Read " + inputs
    if not steps:
        return f"{verb} and write it out as {written}."
    return f"{verb}, run {'; then '.join(steps)}; write {written}."


PROMPT = (
    "You describe Yosys and OpenSTA scripts as the one-sentence request a chip designer would type to get them. "
    "Name the input files, say what the main commands do in plain words, and name every output file exactly. "
    "Reply with the request only."
)
SHOTS = [
    (
        "read_verilog counter.v\nsynth -top counter\nwrite_verilog netlist.v\n",
        ["counter.v"],
        "Run generic synthesis on counter from counter.v and save the resulting netlist as netlist.v.",
    ),
    (
        "read_verilog counter.v\nhierarchy -top counter\nproc\nopt -full\nopt_clean -purge\nwrite_verilog -noattr "
        "counter_opt.v\n",
        ["counter.v"],
        "Read counter.v, convert processes, run opt -full and opt_clean -purge, and write the optimized RTL to "
        "counter_opt.v without attributes.",
    ),
    (
        "read_liberty seed_cells.lib\nread_verilog counter_netlist.v\nlink_design counter\nread_sdc counter.sdc\n"
        "report_wns > counter_slack.rpt\n",
        ["seed_cells.lib", "counter_netlist.v", "counter.sdc"],
        "Load counter_netlist.v with seed_cells.lib and counter.sdc, then write the worst negative slack to "
        "counter_slack.rpt.",
    ),
]


def model_messages(candidate: Candidate) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": PROMPT}]
    for script, files, instruction in SHOTS:
        messages.append({"role": "user", "content": f"Files: {', '.join(files)}\nScript:\n{script}"})
        messages.append({"role": "assistant", "content": instruction})
    messages.append({"role": "user", "content": f"Files: {', '.join(candidate.files)}\nScript:\n{candidate.script}"})
    return messages


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9_]+", text.lower()))


STOP_WORDS = {"the", "a", "an", "and", "of", "to", "in", "for", "on", "with", "by", "from", "into", "all"}
STA_VERBS = {"set", "report", "get", "all", "unset", "delete", "create", "check", "group", "find"}
SETTING = re.compile(
    r"\b(set|sets|setting|apply|applies|applying|constrain\w*|specify|specifies|add|adds|assign\w*|define\w*|declare\w*|"
    r"mark\w*|use|using|give|make|disable\w*|enable\w*|limit\w*|cap|model\w*|treat\w*)\b"
)
UNDO = re.compile(r"\b(unset|remove|removes|removing|delete|deletes|deleting|clear|clears|reset|drop)\b")


def mentions(command: str, prose: str, summary: str) -> bool:
    """Whether ``prose`` (an instruction without its file names) says what ``command`` does: its name, two words
    of its help summary, or (OpenSTA) every word of its name past the verb, with an undoing verb for unset_."""
    lower = prose.lower()
    if command.lower() in lower or command.replace("_", " ") in lower:
        return True
    mine = words_of(prose)
    if len((words_of(summary) - STOP_WORDS) & mine) >= 2:
        return True
    parts = command.split("_")
    if not summary and parts[0] in STA_VERBS and len(parts) > 1:
        stems = {w[:5] for w in mine}
        if all(p[:5] in stems for p in parts[1:]):
            if parts[0] in ("unset", "delete"):
                return bool(UNDO.search(lower))
            return parts[0] != "set" or bool(SETTING.search(lower))
    return False


def review(
    instruction: str,
    candidate: Candidate,
    summaries: dict[str, str],
    tools: dict[str, Any],
    held_out: list[set[str]],
    *,
    by_model: bool = True,
) -> str:
    """Empty when the instruction passes the rules; else the first rule it breaks."""
    text = instruction.strip()
    if "\n" in text or not 30 <= len(text) <= (320 if by_model else 400):
        return "length or lines"
    if re.search(r"\b(this|the|above|following) (yosys |tcl )?script\b|```|^(sure|here)\b", text, re.I):
        return "talks about the script instead of asking for the work"
    if by_model and (text.count(",") > 8 or len(re.findall(r"(?<!\w)-\w", text)) > 4):
        return "reads like a list of commands, not a request"
    named = {m.group(1) for m in FILE_NAME.finditer(text)}
    outputs = set(candidate.outputs())
    if not outputs <= named:
        return f"does not name the output(s) {', '.join(sorted(outputs - named))}"
    stray = named - outputs - set(candidate.files)
    if stray:
        return f"names file(s) the record lacks: {', '.join(sorted(stray))}"
    # File names are left out of the check: a harvested output name often contains the command's name.
    prose = FILE_NAME.sub(" ", text)
    keys = key_commands(candidate.tool, candidate.script)
    covered = sum(1 for words in keys if mentions(words[0], prose, summaries.get(words[0], "")))
    if keys and covered < max(1, (len(keys) + 1) // 2):
        return f"mentions the intent of {covered} of {len(keys)} key commands"
    mine = words_of(text)
    for dev in held_out:
        if dev and len(dev & mine) / len(dev) >= 0.6:
            return "too close to a development-set instruction"
    request = Request(text, [{"name": k, "content": v} for k, v in candidate.files.items()])
    if request.missing_inputs:
        return f"reads as if {', '.join(request.missing_inputs)} were an input the record lacks"
    result = constrain(candidate.script, request, tools[candidate.tool])
    if result.script != candidate.script or result.problems or result.notes:
        return "the language constraints would change the script for this instruction"
    return ""


def level(script: str) -> str:
    count = sum(1 for line in script.splitlines() if line.strip())
    return "easy" if count <= 3 else "medium" if count <= 7 else "hard"


# -- the run -----------------------------------------------------------------------------------------------------


def progress(items: list[Any], label: str) -> Iterator[Any]:
    """``items`` with a progress bar on stderr (tqdm when installed)."""
    try:
        from tqdm import tqdm

        yield from tqdm(items, desc=label, file=sys.stderr)
    except ImportError:
        for i, item in enumerate(items, start=1):
            if i % 25 == 0 or i == len(items):
                print(f"{label}: {i}/{len(items)}", file=sys.stderr)
            yield item


def dev_instructions(data: Path) -> list[set[str]]:
    """Words of the development sets' instructions (only to keep harvested instructions from copying them)."""
    held: list[set[str]] = []
    for path in sorted(data.glob("scriptgen_dev*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                held.append(words_of(json.loads(line).get("instruction", "")))
    return held


def dev_names(data: Path) -> tuple[set[str], set[str]]:
    """File and module names of the development sets' designs: a harvested design must not share one."""
    files: set[str] = set()
    items = []
    for directory in sorted(data.glob("scriptgen_dev*")):
        if directory.is_dir():
            for path in directory.rglob("*"):
                if path.is_file():
                    files.add(path.name)
                    if path.suffix in (".v", ".sv"):
                        items.append({"name": path.name, "content": path.read_text(errors="replace")})
    return files, set(verilog_design(items).modules)


def clashes(candidate: Candidate, files: set[str], modules: set[str]) -> set[str]:
    """The file and module names ``candidate`` shares with the development sets (it must share none)."""
    items = [{"name": k, "content": v} for k, v in candidate.files.items()]
    return (set(candidate.files) & files) | (set(verilog_design(items).modules) & modules)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chipmate.plugins.scriptgen.harvest", description=__doc__)
    parser.add_argument("--yosys", type=Path, required=True, help="git directory of a YosysHQ/yosys mirror")
    parser.add_argument("--opensta", type=Path, help="git directory of a The-OpenROAD-Project/OpenSTA mirror")
    parser.add_argument("--work", type=Path, help="cache of validation and description results")
    parser.add_argument("--model", default=None, help="generator alias (default: the registry's default)")
    parser.add_argument("--no-model", action="store_true", help="rule-written instructions only")
    parser.add_argument(
        "--model-seconds",
        type=float,
        default=0.0,
        help="stop asking the generator after this many seconds (0: no limit); the rest get rule-written "
        "instructions now and the model's on a later run (its answers are cached)",
    )
    parser.add_argument(
        "--validate-seconds",
        type=float,
        default=0.0,
        help="stop validating new candidates after this many seconds (0: no limit); a rerun goes on",
    )
    parser.add_argument(
        "--describe-only",
        action="store_true",
        help="only ask the generator about candidates already validated (fills the cache; writes no library)",
    )
    parser.add_argument("--limit", type=int, default=0, help="at most this many candidates per tool (0: all)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (for the dev sets)")
    parser.add_argument(
        "--held-out",
        type=Path,
        action="append",
        default=[],
        help="another directory of scriptgen_dev* sets whose designs and instructions the harvest must not share",
    )
    return parser


def _read_rows(path: Path) -> dict[str, dict[str, Any]]:
    """A cache file of JSON lines, by their ``key`` (a later line for the same key wins)."""
    rows: dict[str, dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["key"]] = row
    return rows


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    from chipmate.config import cache_dir

    work = args.work or cache_dir() / "scriptgen" / "harvest"
    work.mkdir(parents=True, exist_ok=True)
    results_path = work / "results.jsonl"
    cached = _read_rows(results_path)
    tools, candidates = _collect(args)
    print(f"{len(candidates)} candidates", file=sys.stderr)
    bad_files, bad_modules, held_out = set(), set(), []
    for data in [args.root / "benchmarks" / "data", *args.held_out]:
        names = dev_names(data)
        bad_files |= names[0]
        bad_modules |= names[1]
        held_out += dev_instructions(data)
    _validate_all(candidates, cached, tools, args, results_path)

    passed = [
        c
        for c in candidates
        if c.key() in cached and not cached[c.key()]["error"] and not clashes(c, bad_files, bad_modules)
    ]
    # One record per distinct script (the same flow harvested twice says nothing new).
    unique: dict[str, Candidate] = {}
    for candidate in passed:
        unique.setdefault(candidate.script + "\0" + json.dumps(sorted(candidate.files.items())), candidate)
    kept = list(unique.values())
    described = work / "instructions.jsonl"
    notes = _read_rows(described)
    records, model_time = _describe_all(kept, notes, described, tools, held_out, args)
    if args.describe_only:
        return 0
    write_library(records)
    report(candidates, cached, records)
    tried = sum(1 for c in kept if notes.get(c.key(), {}).get("model"))
    print(f"the model wrote {tried} instructions in {model_time:.0f} s this run (cached ones included in the count)")
    return 0


def _collect(args: argparse.Namespace) -> tuple[dict[str, Any], list[Candidate]]:
    """The tools to validate with, and the candidates of the mirrors (at most ``--limit`` per tool)."""
    from .opensta import OpenStaTool
    from .yosys import YosysTool

    tools: dict[str, Any] = {"yosys": YosysTool()}
    candidates = yosys_candidates(GitTree(args.yosys))
    if args.limit:
        candidates = candidates[: args.limit]
    if args.opensta:
        tools["opensta"] = OpenStaTool()
        sta = opensta_candidates(GitTree(args.opensta))
        candidates += sta[: args.limit] if args.limit else sta
    return tools, candidates


def _validate_all(
    candidates: list[Candidate],
    cached: dict[str, dict[str, Any]],
    tools: dict[str, Any],
    args: argparse.Namespace,
    results_path: Path,
) -> None:
    """Validate the candidates not in ``cached`` (within ``--validate-seconds``), appending to the cache file."""
    # Cheap runs first (OpenSTA, then Yosys sections without equivalence proofs), so an interrupted harvest
    # has validated the widest set; the cache makes the next run go on from there.
    order = sorted(candidates, key=lambda c: (c.tool == "yosys", "equiv_opt" in c.script or "sat " in c.script))
    # What is left to validate goes in order of the commands it adds to those already validated, so a time
    # budget (--validate-seconds) spends itself on coverage first.
    covered = {
        line.split()[0]
        for c in order
        if c.key() in cached and not cached[c.key()]["error"]
        for line in c.script.splitlines()
        if line.split()
    }
    order.sort(
        key=lambda c: (
            c.key() in cached,
            -len({line.split()[0] for line in c.script.splitlines() if line.split()} - covered),
        )
    )
    started = time.perf_counter()
    with open(results_path, "a", encoding="utf-8") as sink:
        for candidate in progress(order, "validate"):
            key = candidate.key()
            if key in cached or args.describe_only:
                continue
            if args.validate_seconds and time.perf_counter() - started > args.validate_seconds:
                break  # the rest stay unvalidated (and out of the library) until a later run
            cached[key] = {"key": key, "id": candidate.id, "error": validate(candidate, tools)}
            sink.write(json.dumps(cached[key]) + "\n")
            sink.flush()


def _describe_all(
    kept: list[Candidate],
    notes: dict[str, dict[str, Any]],
    described: Path,
    tools: dict[str, Any],
    held_out: list[set[str]],
    args: argparse.Namespace,
) -> tuple[list[tuple[Candidate, str, str, str]], float]:
    """(records sorted by id, seconds the generator took): an instruction for every kept candidate that gets
    one, the model's (asked for those ``notes`` lacks, appended to ``described``) or else the rules'."""
    summaries = {tool: titles(tool, tools) for tool in tools}
    generator = None
    if not args.no_model:
        from chipmate.config import load_config
        from chipmate.host import Host

        # On a shared, oversubscribed CPU, spinning OpenMP threads make each generation ~15x slower.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        generator = Host(load_config(None)).models.generator(args.model)
    model_time = 0.0
    records: list[tuple[Candidate, str, str, str]] = []
    # Instructions and ids are unique across the whole seed library, the hand-written records included.
    hand_written = read_jsonl(SEED_FILE, source="seed", base_dir=DESIGNS_DIR)
    used = {r.instruction for r in hand_written}
    ids = {r.id for r in hand_written}
    # Described in a fixed shuffled order, so a time-limited model pass spreads over every source.
    shuffled = sorted(kept, key=lambda c: c.key())
    with open(described, "a", encoding="utf-8") as sink:
        for candidate in progress(shuffled, "describe"):
            key = candidate.key()
            row = notes.get(key) or {"key": key, "model": None}
            budget_left = not args.model_seconds or model_time < args.model_seconds
            if row.get("model") is None and generator is not None and budget_left:
                start = time.perf_counter()
                reply = generator.generate(model_messages(candidate), max_tokens=80, temperature=0.0)
                model_time += time.perf_counter() - start
                row = {"key": key, "model": " ".join(reply.text.strip().split())}
                sink.write(json.dumps(row) + "\n")
                sink.flush()
                notes[key] = row
            summary = summaries[candidate.tool]
            instruction, by = row.get("model") or "", "model"
            rejected = review(instruction, candidate, summary, tools, held_out) if instruction else "no model"
            if rejected or instruction in used:
                instruction, by = rule_instruction(candidate, summary), "rules"
                if review(instruction, candidate, summary, tools, held_out, by_model=False) or instruction in used:
                    continue
            if candidate.id in ids:
                continue
            used.add(instruction)
            ids.add(candidate.id)
            records.append((candidate, instruction, by, rejected))
    records.sort(key=lambda r: r[0].id)
    return records, model_time


def write_library(records: list[tuple[Candidate, str, str, str]]) -> None:
    """Write harvested.jsonl and the designs its Yosys records read (the old harvest's designs are replaced)."""
    YOSYS_DESIGNS.mkdir(parents=True, exist_ok=True)
    for old in YOSYS_DESIGNS.iterdir():
        old.unlink()
    lines = []
    for candidate, instruction, by, _ in records:
        names = []
        for name, content in candidate.files.items():
            if candidate.tool == "yosys":
                (YOSYS_DESIGNS / name).write_text(content, encoding="utf-8")
                names.append(f"yosys/{name}")
            else:
                names.append(name)
        row = {
            "id": candidate.id,
            "tool": candidate.tool,
            "level": level(candidate.script),
            "instruction": instruction,
            "files": names,
            "script": candidate.script,
            "provenance": candidate.provenance,
            "license": LICENSES[candidate.tool],
            "instruction_by": by,
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    HARVEST_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def report(candidates: list[Candidate], cached: dict[str, dict[str, Any]], records: list[Any]) -> None:
    tried = Counter(c.tool for c in candidates)
    passed = Counter(c.tool for c in candidates if not cached[c.key()]["error"])
    kept = Counter(c.tool for c, *_ in records)
    by = Counter(b for _, _, b, _ in records)
    commands: dict[str, set[str]] = {"yosys": set(), "opensta": set()}
    for candidate, *_ in records:
        for line in candidate.script.splitlines():
            if line.split():
                commands[candidate.tool].add(line.split()[0])
    for tool in tried:
        print(
            f"{tool}: {tried[tool]} candidates, {passed[tool]} validated "
            f"({passed[tool] / tried[tool]:.0%}), {kept[tool]} records, {len(commands[tool])} commands"
        )
    print(f"instructions: {by['model']} model-written and kept, {by['rules']} rule-written")
    print(f"{HARVEST_FILE}: {HARVEST_FILE.stat().st_size} bytes")


if __name__ == "__main__":
    raise SystemExit(main())
