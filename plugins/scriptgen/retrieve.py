"""Few-shot examples for a request: the library records whose instructions are most similar to it.

Instructions are embedded with the configured embedder (default all-MiniLM-L6-v2) and compared by cosine. Before
embedding, the names that differ from design to design are masked: file names become ``FILE.<ext>`` and the
request's module names ``MODULE``, so "synthesize alu.v and write alu_syn.json" finds examples of the same flow
on other designs rather than other flows on a design called alu. The library's vectors are cached in the user
cache under a fingerprint of the records and the embedder, so they are recomputed only when either changes.
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


def masked(instruction: str, files: Sequence[Mapping[str, str]]) -> str:
    """``instruction`` with file names as ``FILE.<ext>`` and the files' module names as ``MODULE``."""
    text = FILE_NAME.sub(lambda m: f"FILE.{m.group(2)}", instruction)
    for module in sorted(verilog_design(files).modules, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(module)}\b", "MODULE", text)
    return text


@dataclass
class Example:
    """A retrieved record and its cosine similarity to the request."""

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
        mask: bool = True,
    ) -> None:
        self.library = library
        self.embedder = embedder
        self.tool = tool
        self.cache_dir = cache_dir
        self.embedder_name = embedder_name
        self.mask = mask
        self._records: list[ScriptRecord] = []
        self._vectors: np.ndarray | None = None
        self._fingerprint = ""
        self._lock = threading.Lock()

    def _text(self, instruction: str, files: Sequence[Mapping[str, str]]) -> str:
        return masked(instruction, files) if self.mask else instruction

    def _index(self) -> tuple[list[ScriptRecord], np.ndarray]:
        fingerprint = hashlib.sha256(
            f"{self.library.fingerprint(self.tool)}:{self.embedder_name}:{self.mask}".encode()
        ).hexdigest()[:24]
        with self._lock:
            if self._vectors is None or fingerprint != self._fingerprint:
                records = self.library.records(self.tool)
                self._vectors = self._load_or_embed(records, fingerprint)
                self._records, self._fingerprint = records, fingerprint
            return self._records, self._vectors

    def _load_or_embed(self, records: list[ScriptRecord], fingerprint: str) -> np.ndarray:
        path = self.cache_dir / "scriptgen" / f"examples-{self.tool}-{fingerprint}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            try:
                vectors = np.load(path)
                if vectors.shape[0] == len(records):
                    return vectors
            except (OSError, ValueError):
                pass
        texts = [self._text(r.instruction, r.files) for r in records]
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
        self, instruction: str, files: Sequence[Mapping[str, str]], k: int, *, exclude: Sequence[str] = ()
    ) -> list[Example]:
        """The ``k`` records most similar to the request, best first (``exclude`` lists record ids to skip)."""
        if k <= 0:
            return []
        records, vectors = self._index()
        if not records:
            return []
        query = np.asarray(self.embedder.embed([self._text(instruction, files)]), dtype=np.float32)[0]
        scores = vectors @ query
        order = np.argsort(-scores, kind="stable")
        skip = set(exclude)
        found = [Example(records[i], float(scores[i])) for i in order if records[i].id not in skip]
        return found[:k]
