"""Few-shot examples for a request: the library records whose instructions are most similar to it.

Instructions are embedded with the configured embedder (default all-MiniLM-L6-v2) and compared by cosine, in one
of three modes (``tasks.scriptgen.retrieval``):

- ``plain``: the instructions as written;
- ``masked``: the names that differ from design to design replaced by what they are — a file name by its kind
  (``alu_syn.json`` → ``JSON file``), the request's module names by ``the design`` — so "synthesize alu.v and
  write alu_syn.json" finds the same flow on other designs rather than other flows on a design called alu;
- ``hybrid`` (default): the mean of the two similarities. On the development set it ranked the example whose
  script is closest to the reference solution first more often than either alone (docs/scriptgen.md).

The ranked records then become the examples by three rules (:func:`_diverse`): one flow shown once, a record for
each command the documentation grounding found, and places for records written for their instruction.

The library's vectors are cached in the user cache under a fingerprint of the records, the embedder and the mode,
so they are recomputed only when one of them changes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .library import ScriptLibrary, ScriptRecord
from .prompt import FILE_NAME, verilog_design

log = logging.getLogger("chipmate.scriptgen")
MODES = ("plain", "masked", "hybrid")
KINDS = {
    "v": "Verilog", "sv": "SystemVerilog", "json": "JSON", "blif": "BLIF", "lib": "liberty", "il": "RTLIL",
    "rtlil": "RTLIL", "edif": "EDIF", "edn": "EDIF", "txt": "text", "rpt": "report", "log": "log", "sdc": "SDC",
}  # fmt: skip


def masked(instruction: str, files: Sequence[Mapping[str, str]]) -> str:
    """``instruction`` with file names replaced by their kind and the files' module names by ``the design``."""
    text = FILE_NAME.sub(lambda m: f"{KINDS.get(m.group(2), m.group(2))} file", instruction)
    for module in sorted(verilog_design(files).modules, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(module)}\b", "the design", text)
    return text


@dataclass
class Example:
    """A retrieved record and its similarity to the request."""

    record: ScriptRecord
    score: float


class ExampleRetriever:
    """Nearest library records by instruction embedding, for one tool."""

    def __init__(
        self,
        library: ScriptLibrary,
        embedder: Any,
        *,
        tool: str,
        cache_dir: Path | None,
        embedder_name: str,
        mode: str = "hybrid",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"retrieval mode {mode!r} is not one of {', '.join(MODES)}")
        self.library = library
        self.embedder = embedder
        self.tool = tool
        self.cache_dir = cache_dir
        self.embedder_name = embedder_name
        self.mode = mode
        self._records: list[ScriptRecord] = []
        self._vectors: dict[str, np.ndarray] = {}
        self._fingerprint = ""
        self._lock = threading.Lock()

    def _views(self) -> tuple[str, ...]:
        return ("plain", "masked") if self.mode == "hybrid" else (self.mode,)

    @staticmethod
    def _text(view: str, instruction: str, files: Sequence[Mapping[str, str]]) -> str:
        return masked(instruction, files) if view == "masked" else instruction

    def _index(self) -> tuple[list[ScriptRecord], dict[str, np.ndarray]]:
        fingerprint = hashlib.sha256(f"{self.library.fingerprint(self.tool)}:{self.embedder_name}".encode())
        key = fingerprint.hexdigest()[:24]
        with self._lock:
            if not self._vectors or key != self._fingerprint:
                records = self.library.records(self.tool)
                self._vectors = {view: self._load_or_embed(records, key, view) for view in self._views()}
                self._records, self._fingerprint = records, key
            return self._records, self._vectors

    def _load_or_embed(self, records: list[ScriptRecord], key: str, view: str) -> np.ndarray:
        path = self.cache_dir / "scriptgen" / f"examples-{self.tool}-{view}-{key}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            try:
                vectors = np.load(path)
                if vectors.shape[0] == len(records):
                    return vectors
            except (OSError, ValueError):
                pass
        texts = [self._text(view, r.instruction, r.files) for r in records]
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32) if texts else np.zeros((0, 1), np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, vectors)
                tmp.replace(path)
            except OSError as exc:
                log.warning("could not cache the example index in %s: %s", path, exc)
        return vectors

    def search(
        self,
        instruction: str,
        files: Sequence[Mapping[str, str]],
        k: int,
        *,
        exclude: Sequence[str] = (),
        commands: Sequence[str] = (),
    ) -> list[Example]:
        """The ``k`` records most similar to the request, best first (``exclude`` lists record ids to skip).

        Records whose scripts run the same commands in the same order as one already chosen are skipped: a second
        copy of one flow on another design teaches the generator nothing, and the harvested library holds many
        (one test script per design). ``commands`` (the tool's commands the documentation grounding found for the
        request) each get the most similar record that runs them, right after the most similar record overall, at
        most ``COVERED`` of them: the generator then sees each command the grounding offers used in a script, not
        only its usage line. ``WRITTEN`` places go to records written for their instruction (no provenance) when
        the library has them.
        """
        if k <= 0:
            return []
        records, vectors = self._index()
        if not records:
            return []
        views = self._views()
        queries = self.embedder.embed([self._text(view, instruction, files) for view in views])
        scores = sum(vectors[view] @ np.asarray(queries[i], dtype=np.float32) for i, view in enumerate(views))
        scores = np.asarray(scores) / len(views)
        order = np.argsort(-scores, kind="stable")
        skip = set(exclude)
        ranked = [Example(records[i], float(scores[i])) for i in order if records[i].id not in skip]
        return _diverse(ranked, k, commands)


#: grounded commands that may each bring a record that runs them into the examples
COVERED = 2
#: places kept for records written for their instruction rather than harvested (when the library has them)
WRITTEN = 2


def flow(script: str) -> tuple[str, ...]:
    """The commands of ``script`` in order (each line's first word): two records with one flow show one thing."""
    return tuple(line.split()[0] for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _runs(script: str, command: str) -> bool:
    return re.search(rf"(?<![\w$-]){re.escape(command)}(?![\w-])", script) is not None


def _diverse(ranked: Sequence[Example], k: int, commands: Sequence[str]) -> list[Example]:
    """The first ``k`` of ``ranked`` with distinct flows, with a record for each of ``commands`` (at most
    ``COVERED``) the chosen ones do not run, placed after the first, and at least ``WRITTEN`` records without
    provenance when ``ranked`` has them."""
    chosen: list[Example] = []
    flows: set[tuple[str, ...]] = set()

    def take(example: Example) -> bool:
        shape = flow(example.record.script)
        if shape in flows or any(example.record.id == c.record.id for c in chosen):
            return False
        flows.add(shape)
        chosen.append(example)
        return True

    for example in ranked:
        if take(example):
            break
    covering = 0
    for command in commands:
        if covering >= COVERED or len(chosen) >= k:
            break
        if any(_runs(c.record.script, command) for c in chosen):
            continue
        covering += any(take(e) for e in ranked if _runs(e.record.script, command))
    # Records written for their instruction (no provenance: the hand-written seed, a user's own) keep WRITTEN
    # places: their requests read like a user's and their scripts are plain flows, where a harvested test script
    # comes with a templated instruction and the test's own selections and checks.
    wanted = WRITTEN - sum(not c.record.provenance for c in chosen)
    for example in ranked:
        if len(chosen) >= k:
            break
        if example.record.provenance and k - len(chosen) <= wanted:
            continue
        if take(example) and not example.record.provenance:
            wanted -= 1
    for example in ranked:  # too few written records: the others fill up
        if len(chosen) >= k:
            break
        take(example)
    return chosen[:k]
