"""Documentation grounding: the target tool's own help for the commands a request needs, in the prompt.

A small generator only knows the commands its examples show. :class:`ToolDocs` picks the commands a request calls
for from the tool's reference (harvested by :mod:`chipmate.documents`) two ways:

- **explicit mentions**: a command named in the instruction (``muxcover``), a format it names or an output file's
  extension (``.blif`` -> ``write_blif``, ``KISS2`` -> ``fsm_export``), a vendor or device family (``iCE40`` ->
  ``synth_ice40``, ``Xilinx`` -> ``synth_xilinx``), and for OpenSTA the report words (``hold`` -> ``report_checks``);
- **hybrid retrieval** over the instruction (dense + BM25, fused by :mod:`chipmate.documents.search`, the rule
  designqa's retriever uses) against each command's name, title and option descriptions, plus two signals of
  :mod:`chipmate.documents.prior`: the library's usage prior (:func:`usage_prior`) and the title match. Readers
  and writers are never retrieved: the files and the output's format decide them.

:meth:`ToolDocs.usage` renders each as its synopsis without optional flags and the options the request names (or
shares two words of the description with), within ``BUDGET``; the prompt puts them in the system message
(:func:`.prompt.build_messages`). :func:`repair_help` picks the repair turn's help: the real command closest to an
unknown one, the writer of a format a failed requirement names, else the failing command.

Over 400 lines on purpose: choosing commands (mentions, vendors, formats, hybrid retrieval) and rendering their
usage share one table of each tool's vocabulary.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chipmate.documents.prior import log_share, rarity, title_match
from chipmate.documents.prior import words as name_words
from chipmate.documents.search import HybridIndex

from .prompt import FILE_NAME, verilog_design

log = logging.getLogger("chipmate.scriptgen")

#: most characters of usage text put into a prompt (~250 tokens): enough for four or five commands' synopses and
#: their matching options; more only lengthens the prompt, which costs seconds per request on a CPU
BUDGET = 1000
#: commands shown per request: the explicit mentions first, then the best retrieved
COMMANDS = 4
#: commands retrieval may add to the mentions: more were mostly noise on the first development set
RETRIEVED = 2
#: options shown per command, and the characters of each option's description
OPTIONS = 3
OPTION_CHARS = 80
#: a retrieved command must score at least this (fused cosine/BM25 plus the usage prior) to be shown; below it,
#: help is noise
MIN_SCORE = 0.65
#: weight of the usage prior (:func:`usage_prior`) added to a retrieved command's score
PRIOR_WEIGHT = 0.2
#: weight of the title match (:func:`chipmate.documents.prior.title_match`: the IDF-weighted share of a command's
#: name the request says, "checks" for ``check``) added to a retrieved command's score
TITLE_WEIGHT = 0.1

#: format words and output-file extensions -> the Yosys command that writes them
YOSYS_FORMATS = {
    "v": "write_verilog", "json": "write_json", "blif": "write_blif", "edif": "write_edif", "edn": "write_edif",
    "rtlil": "write_rtlil", "il": "write_rtlil", "spice": "write_spice", "btor": "write_btor", "btor2": "write_btor",
    "smt2": "write_smt2", "smt-lib": "write_smt2", "aiger": "write_aiger", "aag": "write_aiger", "aig": "write_aiger",
    "firrtl": "write_firrtl", "cxxrtl": "write_cxxrtl", "kiss2": "fsm_export", "vcd": "sim", "dot": "show",
    "graphviz": "show", "liberty": "dfflibmap", "lib": "dfflibmap", "simplec": "write_simplec",
}  # fmt: skip
#: vendor and device-family words -> Yosys's synthesis script for them
YOSYS_VENDORS = {
    "ice40": "synth_ice40", "icestorm": "synth_ice40", "ecp5": "synth_ecp5", "xilinx": "synth_xilinx",
    "7-series": "synth_xilinx", "artix": "synth_xilinx", "kintex": "synth_xilinx", "virtex": "synth_xilinx",
    "spartan": "synth_xilinx", "zynq": "synth_xilinx", "ultrascale": "synth_xilinx", "gowin": "synth_gowin",
    "gatemate": "synth_gatemate", "intel": "synth_intel", "altera": "synth_intel", "cyclone": "synth_intel",
    "nexus": "synth_nexus", "quicklogic": "synth_quicklogic", "efinix": "synth_efinix",
    "anlogic": "synth_anlogic", "achronix": "synth_achronix", "microchip": "synth_microchip",
    "polarfire": "synth_microchip", "greenpak": "synth_greenpak4", "fabulous": "synth_fabulous",
}  # fmt: skip
#: OpenSTA: the words of a timing request -> the commands that answer it
OPENSTA_WORDS = {
    "setup": "report_checks", "hold": "report_checks", "path": "report_checks", "slack": "report_worst_slack",
    "wns": "report_wns", "tns": "report_tns", "sdf": "write_sdf", "spef": "read_spef", "parasitics": "read_spef",
    "sdc": "read_sdc", "clock": "create_clock", "clocks": "report_clock_properties", "power": "report_power",
    "load": "set_load", "fanout": "report_net", "unconstrained": "check_setup", "skew": "report_clock_skew",
}  # fmt: skip
#: English words that are also command names: a mention of them is not a request for the command
COMMON_WORDS = frozenset(
    [
        "add",
        "check",
        "connect",
        "copy",
        "delete",
        "design",
        "design",
        "echo",
        "eval",
        "help",
        "history",
        "log",
        "ls",
        "rename",
        "scc",
        "select",
        "show",
        "sim",
        "sat",
        "stat",
        "tee",
        "test",
        "cd",
        "read",
        "write",
        "opt",
        "proc",
        "hierarchy",
        "synth",
        "memory",
        "fsm",
        "flatten",
        "clean",
        "plugin",
        "script",
        "cover",
        "wait",
        "time",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*")


def _named_command(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` as a command although it is also an English word: in backticks, or followed
    by "command" or "pass" ("evaluate it with the eval command", "run `ls`")."""
    word = re.escape(name)
    return re.search(rf"`{word}\b|(?<![\w-]){word}\s+(?:command|pass)\b", text, re.I) is not None


_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "as",
        "is",
        "it",
        "its",
        "be",
        "this",
        "that",
        "into",
        "from",
        "at",
        "all",
        "no",
        "not",
        # the verbs every request and every option's description are written with
        "use",
        "using",
        "write",
        "create",
        "build",
        "make",
        "run",
        "then",
        "only",
    ]
)


@dataclass
class CommandDoc:
    """One command of a tool's reference: its synopsis, title and options (flag, description)."""

    name: str
    usage: str
    title: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    #: the tool's own grouping of its commands (Yosys: ``passes/opt``, ``techlibs/ice40``, ...), empty if none
    group: str = ""

    @property
    def reads_or_writes(self) -> bool:
        """A reader or writer of a file format (Yosys's frontends and backends): every script has one of each."""
        return self.group in ("frontends", "backends")

    @property
    def retrievable(self) -> bool:
        """False for commands shown only when a request names them: a vendor's own flow (``techlibs/<vendor>``: a
        generic "synthesize" must not get ``synth_anlogic``), readers and writers, internal and test commands, the
        interpreter's own."""
        vendor = self.group.startswith("techlibs/") and self.group != "techlibs/common"
        # Readers and writers: the request's files decide the reader and the output's format or extension the
        # writer (both explicit mentions). Offered by retrieval, they were noise on the first development set:
        # read_blif beside every "BLIF netlist", write_aiger2 and write_xaiger2 beside a named write_verilog.
        return not vendor and not self.reads_or_writes and self.group not in ("internal", "passes/tests", "kernel")

    def search_text(self) -> str:
        """What retrieval matches a request against: name, title, synopsis and option descriptions."""
        described = " ".join(f"{flag} {text}" for flag, text in self.options)[:1200]
        return f"{self.name} {self.name.replace('_', ' ')}: {self.title}. {self.usage} {described}"


def _text(node: Mapping[str, Any]) -> str:
    parts = [str(node.get("body", ""))] + [_text(child) for child in node.get("content", [])]
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def _walk(nodes: Sequence[Mapping[str, Any]], usages: list[str], options: list[tuple[str, str]]) -> None:
    """Collect the usage lines and the options (flag, description) of a help tree."""
    for node in nodes:
        kind = node.get("type")
        if kind == "usage":
            usages.append(" ".join(str(node.get("body", "")).split()))
        elif kind == "option":
            described = " ".join(_text(child) for child in node.get("content", []))
            options.append((" ".join(str(node.get("body", "")).split()), described))
        else:
            _walk(node.get("content", []), usages, options)


#: an optional flag of a synopsis, without its brackets: ``[-dont_use <cell_name>]`` -> ``-dont_use <cell_name>``
_FLAG_GROUP = re.compile(r"\[(-[^\[\]]*)\]")


def yosys_commands(reference: Mapping[str, Any]) -> list[CommandDoc]:
    """Every command of Yosys's JSON reference (``help -dump-cmds-json``)."""
    groups = {name: group for group, names in (reference.get("groups") or {}).items() for name in names}
    docs = []
    for name, entry in sorted(reference.get("cmds", {}).items()):
        usages: list[str] = []
        options: list[tuple[str, str]] = []
        _walk(entry.get("content", []), usages, options)
        title = " ".join(str(entry.get("title", "")).split())
        usage = usages[0] if usages else name
        if not options:
            # Older help (dfflibmap, memory, ...) is free text to the JSON dump: its synopsis's optional flags are
            # all the options there are to offer.
            options = [(flag, "") for flag in _FLAG_GROUP.findall(usage)]
        docs.append(CommandDoc(name, usage, title, options, groups.get(name, "")))
    return docs


_GROUP = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]")


def opensta_commands(reference: Mapping[str, Any]) -> list[CommandDoc]:
    """Every command of OpenSTA's reference (:mod:`chipmate.documents.opensta_help`): its bracketed argument groups
    become options, the rest the synopsis."""
    docs = []
    for name, entry in sorted(reference.get("cmds", {}).items()):
        usage = str(entry.get("usage") or name)
        groups = _GROUP.findall(usage)
        options = [(g, "") for g in groups]
        synopsis = " ".join(_GROUP.sub(" ", usage).split())
        docs.append(CommandDoc(name, synopsis, str(entry.get("title", "")), options))
    return docs


def words(text: str) -> set[str]:
    """Content words of ``text``, lower-cased, with a plural ``s`` dropped (so ``flip-flops`` meets ``flip-flop``)."""
    found = set()
    for word in _WORD.findall(text.lower()):
        for part in {word, *re.split(r"[-_+]", word)}:
            if len(part) > 2 and part not in _STOP:
                found.add(part[:-1] if part.endswith("s") and len(part) > 4 else part)
    return found


#: optional flags of a synopsis (``[-prepare]``, ``[-dont_use <cell_name>]``, ``[options]``): dropped from the shown
#: synopsis, since a small model copied them all (``dfflibmap -prepare -map-only -info``, which Yosys refuses); the
#: options the request asks for are listed under it
_OPTIONAL_FLAGS = re.compile(r"\s*\[(?:-[^\[\]]*|options)\]")
#: an option is shown when the request says its name (``-flatten`` for "flattened"), or shares two words of its
#: description that score at least this together (each 1 / the number of the command's options that use it)
MIN_OPTION = 1.0


def synopsis(usage: str) -> str:
    """``usage`` without its optional flags: ``dfflibmap [-prepare] ... -liberty <file> [selection]`` ->
    ``dfflibmap -liberty <file> [selection]``."""
    return " ".join(_OPTIONAL_FLAGS.sub("", usage).split()) or usage


def _said(word: str, wanted: set[str]) -> bool:
    """``word`` (from an option's name) is one the request says, or a prefix of one of at least 4 letters
    (``attr`` / ``attribute``, ``flatten`` / ``flattened``)."""
    return word in wanted or (len(word) >= 4 and any(w.startswith(word) for w in wanted))


def _names(flag: str, wanted: set[str]) -> bool:
    """The request says the option's name: the whole of it (``-dont_use``), each of its parts ("path delay" for
    ``-path_delay``), or for a one-word name the word with or without its ``no`` (``-noattr`` for "attributes",
    ``-flatten`` for "flattened"). A part of a longer name is not enough: "keep the hierarchy" does not ask for
    ``-nokeep_prints``, nor "map the memory" for ``-map-only``."""
    name = flag.split(" ")[0].strip("[]").lstrip("-").lower()
    if name in wanted:
        return True
    parts = [part for part in re.split(r"[-_]", name.removeprefix("no")) if part]
    if len(parts) > 1:  # every part said: "path delay" names -path_delay
        return all(_said(part, wanted) for part in parts)
    return any(_said(form, wanted) for form in (name, name.removeprefix("no")) if len(form) > 2)


def option_scores(doc: CommandDoc, wanted: set[str]) -> list[tuple[int, str, str, float]]:
    """``(position, flag, description, score)`` of the options of ``doc`` that match the request's words
    ``wanted`` at least ``MIN_OPTION``.

    The option's name said (``-noattr``'s "attr") scores 2; a word only its description shares scores
    1/(the number of the command's options that use it): "module" and "file" are in every option, "carry" in one.
    """
    # A word the command's own name or title says selects no option: "JSON" asks for write_json, not for the
    # one write_json option whose description says "JSON number".
    wanted = wanted - words(f"{doc.name} {doc.title}")
    option_words = [words(f"{flag} {text}") for flag, text in doc.options]
    frequency: dict[str, int] = {}
    for found in option_words:
        for word in found:
            frequency[word] = frequency.get(word, 0) + 1
    scored = []
    for position, ((flag, text), found) in enumerate(zip(doc.options, option_words, strict=True)):
        named = {form for w in words(flag.split(" ")[0]) for form in (w, w.removeprefix("no")) if len(form) > 2}
        said = _names(flag, wanted)
        shared = (wanted & found) - named
        score = 2.0 * said + sum(1.0 / frequency[w] for w in shared)
        # One shared word is chance ("pattern" in -nodec's "bit patterns"); two, or the option's name, is a match.
        if said or (len(shared) >= 2 and score >= MIN_OPTION):
            scored.append((position, flag, text, score))
    return scored


def usage_prior(scripts: Iterable[Sequence[str]]) -> dict[str, float]:
    """``{command: prior in [0, 1]}`` from the command names of validated scripts (one sequence per script): log(1
    + the scripts that use it) over the best such count.

    What a tool's users actually run: the library's scripts come mostly from the tool's own tests and open flows
    (:mod:`.harvest`), so ``stat``, ``abc`` and ``dfflibmap`` rank above ``extract_counter`` (GreenPAK only) and
    ``symfpu_convert`` when a request's words match them about equally. The idea of designqa's topic prior
    (:mod:`chipmate.documents.prior`), counted over scripts instead of documentation.
    """
    counts: dict[str, int] = {}
    for names in scripts:
        for name in set(names):
            counts[name] = counts.get(name, 0) + 1
    return log_share(counts)


def library_prior(tool: Any, records: Iterable[Any]) -> dict[str, float]:
    """:func:`usage_prior` of the commands ``tool``'s library ``records`` run (each record's script split by the
    tool's own parser)."""
    return usage_prior([command.name for command in tool.split(record.script)[0]] for record in records)


class ToolDocs:
    """The command reference of one tool, searchable by request; built once per tool and embedder."""

    def __init__(
        self,
        tool: str,
        commands: Sequence[CommandDoc],
        embedder: Any,
        *,
        cache_dir: Path | None = None,
        embedder_name: str = "",
        fingerprint: str = "",
        prior: Mapping[str, float] | None = None,
    ) -> None:
        self.tool = tool
        #: :func:`usage_prior` of the tool's commands (empty: retrieval alone decides)
        self.prior = dict(prior or {})
        self.commands = {c.name: c for c in commands}
        self.embedder = embedder
        self._names = list(self.commands)
        self._cache_dir = cache_dir
        self._key = hashlib.sha256(f"{tool}:{fingerprint}:{embedder_name}:{len(self._names)}".encode()).hexdigest()
        self._index: HybridIndex | None = None
        self._frequency: dict[str, int] | None = None  # word -> commands whose help says it, for the title match
        self._lock = threading.Lock()

    def _hybrid(self) -> HybridIndex:
        with self._lock:
            if self._index is None:
                texts = [self.commands[n].search_text() for n in self._names]
                self._index = HybridIndex(texts, self._vectors(texts))
            return self._index

    def _vectors(self, texts: list[str]) -> np.ndarray:
        path = self._cache_dir / "scriptgen" / f"helpdocs-{self.tool}-{self._key[:24]}.npy" if self._cache_dir else None
        if path is not None and path.is_file():
            try:
                vectors = np.load(path)
                if vectors.shape[0] == len(texts):
                    return vectors
            except (OSError, ValueError):
                pass
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, vectors)
                tmp.replace(path)
            except OSError as exc:
                log.warning("could not cache the help index in %s: %s", path, exc)
        return vectors

    def mentioned(self, instruction: str, files: Sequence[Mapping[str, str]] = ()) -> list[str]:
        """Commands the instruction calls for by name, format, output extension, vendor or (OpenSTA) topic."""
        found: list[str] = []
        inputs = {f["name"] for f in files}
        # An input's format is not asked for: ``in.json`` given does not call for write_json.
        lowered = FILE_NAME.sub(lambda m: " " if m.group(1) in inputs else m.group(0), instruction).lower()
        # File names are not mentions of commands (``out.json`` is not the ``json`` command); their extensions are
        # handled below.
        for token in _WORD.findall(FILE_NAME.sub(" ", instruction)):
            name = token.strip("-+")
            if name in self.commands and (name.lower() not in COMMON_WORDS or _named_command(name, instruction)):
                found.append(name)
        tables = [OPENSTA_WORDS] if self.tool == "opensta" else [YOSYS_VENDORS, YOSYS_FORMATS]
        for table in tables:
            for word, command in table.items():
                if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
                    found.append(command)
        if self.tool != "opensta":
            for match in FILE_NAME.finditer(instruction):
                if match.group(1) not in inputs and match.group(2) in YOSYS_FORMATS:
                    found.append(YOSYS_FORMATS[match.group(2)])
        return [c for c in dict.fromkeys(found) if c in self.commands]

    def search(self, instruction: str, k: int = COMMANDS) -> list[tuple[str, float]]:
        """The ``k`` commands whose help best matches ``instruction`` (hybrid retrieval plus the usage prior and the
        title match), with their scores."""
        index = self._hybrid()
        vector = np.asarray(self.embedder.embed([instruction]), dtype=np.float32)[0]
        # A deeper pool than k, so the prior and the title match can lift a command the words alone ranked just
        # below it.
        found = index.search(instruction, vector, k + 16)
        question = name_words(FILE_NAME.sub(" ", instruction))
        scored = []
        for i, score in found:
            name = self._names[i]
            score += PRIOR_WEIGHT * self.prior.get(name, 0.0)
            score += TITLE_WEIGHT * title_match(question, name, self._rarity)
            scored.append((name, score))
        return sorted(scored, key=lambda pair: -pair[1])[:k]

    def _rarity(self, word: str) -> float:
        """IDF of ``word`` over the commands' help in [0, 1]: 1 for a word no command's help says, ~0 for one all
        say."""
        if self._frequency is None:
            frequency: dict[str, int] = {}
            for doc in self.commands.values():
                for found in set(name_words(doc.search_text())):
                    frequency[found] = frequency.get(found, 0) + 1
            self._frequency = frequency
        return rarity(self._frequency.get(word, 0), len(self.commands))

    def lookup(self, instruction: str, files: Sequence[Mapping[str, str]] = (), k: int = COMMANDS) -> list[str]:
        """The commands to show for a request: its explicit mentions first, then at most ``RETRIEVED`` retrieved ones
        above ``MIN_SCORE`` that may be shown unasked (:attr:`CommandDoc.retrievable`), ``k`` in all (mentions are
        never dropped for retrieved ones)."""
        chosen = self.mentioned(instruction, files)
        room = min(k - len(chosen), RETRIEVED)
        if room > 0:
            for name, score in self.search(_query(instruction, files), k + len(chosen) + 8):
                if room <= 0:
                    break
                if score >= MIN_SCORE and name not in chosen and self.commands[name].retrievable:
                    chosen.append(name)
                    room -= 1
        return chosen

    def options(self, command: str) -> list[tuple[str, str]]:
        """``command``'s options and what its help says of each (none for a command the tool does not have)."""
        doc = self.commands.get(command)
        return list(doc.options) if doc is not None else []

    def transformations(self, commands: Sequence[str]) -> list[str]:
        """``commands`` without the readers and writers (Yosys' frontends and backends; every script has those)."""
        return [c for c in commands if c in self.commands and not self.commands[c].reads_or_writes]

    def usage(self, instruction: str, commands: Sequence[str], budget: int = BUDGET) -> str:
        """Concise usage lines of ``commands``: synopsis and title, then the options that share the most words
        with ``instruction`` (at most ``OPTIONS`` each); whole commands are dropped once ``budget`` is reached."""
        # File names say nothing about options (``seq_detect_syn.v`` is not a request for anything "syn").
        wanted = words(FILE_NAME.sub(" ", instruction))
        blocks: list[str] = []
        used = 0
        for name in commands:
            doc = self.commands.get(name)
            if doc is None:
                continue
            head = synopsis(doc.usage) + (f"  # {doc.title}" if doc.title else "")
            lines = [head]
            scored = [(-score, position, flag, text) for position, flag, text, score in option_scores(doc, wanted)]
            for _, _, flag, text in sorted(scored)[:OPTIONS]:
                text = text if len(text) <= OPTION_CHARS else text[: OPTION_CHARS - 3].rstrip() + "..."
                lines.append(f"    {flag}" + (f": {text}" if text else ""))
            block = "\n".join(lines)
            if used + len(block) > budget:
                if blocks:
                    break
                block = block[:budget]
            blocks.append(block)
            used += len(block) + 1
        return "\n".join(blocks)

    def prompt_text(self, instruction: str, files: Sequence[Mapping[str, str]] = ()) -> str:
        """The usage lines for a request (empty when nothing matches)."""
        return self.usage(instruction, self.lookup(instruction, files))

    def closest(self, word: str) -> str | None:
        """The real command closest in spelling to ``word`` (an unknown command a script used), or None."""
        match = difflib.get_close_matches(word, self._names, n=1, cutoff=0.6)
        return match[0] if match else None


def _query(instruction: str, files: Sequence[Mapping[str, str]]) -> str:
    """The instruction as a query over the help: without file names and the request's module names, which no
    command's help says and which only add noise to the embedding."""
    text = FILE_NAME.sub(" ", instruction)
    for module in verilog_design(files).modules:
        text = re.sub(rf"\b{re.escape(module)}\b", " ", text)
    return " ".join(text.split())


NO_COMMAND = re.compile(r"No such command: (\S+)|invalid command name \"([^\"]+)\"")
MISSING_OUTPUT = re.compile(r"\b([\w+-][\w.+-]*\.([A-Za-z0-9]+))\b")


def repair_help(tool: Any, run: Any, docs: ToolDocs | None) -> tuple[str, str]:
    """``(command, help text)`` for the repair turn: the real command closest to an unknown one, the writer of a
    format a failed requirement names, else the command that failed."""
    command = run.command
    if docs is not None:
        unknown = NO_COMMAND.search(run.error or "")
        if unknown:
            closest = docs.closest(unknown.group(1) or unknown.group(2))
            if closest:
                command = closest
        elif run.ok and not command:
            # A problem after a clean run that names no command (an intent check names the command that meets
            # it): the writer of the output it names, if any.
            for match in MISSING_OUTPUT.finditer(run.error or ""):
                writer = YOSYS_FORMATS.get(match.group(2).lower()) if docs.tool != "opensta" else None
                if writer in docs.commands:
                    command = writer
                    break
    try:
        return command, tool.help(command) if command else ""
    except Exception as exc:  # help is a hint: a tool that cannot give it must not fail the repair
        log.debug("no help for %s: %s", command, exc)
        return command, ""
