"""The persisted knowledge index: chunk metadata, their vectors in faiss, and a BM25 index, in one directory.

Layout of an index directory::

    manifest.json        format + version, generation, embedder name and dimension, chunk settings, counts
    gen-000007/          the files of generation 7 (the manifest names the current one)
        chunks.jsonl     one chunk per line (id, text, source, section, lines, format, aliases)
        vectors.npy      float32 (rows, dim), L2-normalised; rows = chunks, then their aliases
        owners.npy       int32 (rows,): the chunk each vector row belongs to
        dense.faiss      faiss inner-product index over vectors.npy (flat, or HNSW above a threshold)
        bm25/            bm25s index over chunk text (+ aliases)
        sources.json     source -> fingerprint of the file it was read from, for incremental ``add``
    .lock                held (chipmate.files.file_lock) by the single writer

This module reads: :class:`KnowledgeIndex` loads the generation the manifest names and reloads when the
manifest changes, without locks. ``writer.py`` publishes new generations (atomically, under a single-writer lock).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from chipmate.errors import BackendUnavailableError, ConfigError

from .chunks import Chunk

FORMAT = "chipmate-designqa-index"
#: bump when the layout changes; an index of another version is refused with a rebuild hint
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class Embedder(Protocol):
    """What the index needs from an embedder (chipmate.models' Embedder satisfies it)."""

    dimension: int

    def embed(self, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray: ...


class IndexCorruptError(ConfigError):
    """The index directory is unreadable, incomplete, of another format version or another embedder."""


class IndexBusyError(BackendUnavailableError):
    """Another process holds the index's writer lock."""


@dataclass
class IndexSettings:
    """How an index is chunked and which faiss index type it uses; recorded in the manifest."""

    # ChipNeMo's RAG used ~512-character passages; long enough for a command's option list, short enough that
    # a tiny generator's context holds eight of them.
    chunk_size: int = 512
    # A sentence or two of carry-over keeps a definition and its first use in one passage.
    chunk_overlap: int = 64
    # Exact (flat) search costs O(n) per query: ~3 ms at 20k chunks of 384 dims, ~15 ms at 100k on two cores.
    # Above this many vectors an HNSW graph answers in well under a millisecond at ~0.99 recall.
    hnsw_threshold: int = 20_000
    # HNSW graph degree; 32 is faiss's recommended middle ground between memory and recall.
    hnsw_m: int = 32
    # Candidates examined per HNSW query; 128 keeps recall@10 above 0.98 at 100k chunks.
    hnsw_ef_search: int = 128


def rebuild_hint(root: Path) -> str:
    """The hint every load error carries."""
    return f"rebuild it with `chipmate index build --index-dir {root} <paths>` (or delete the directory)"


def _corrupt(root: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(f"knowledge index {root} is unusable: {what}", hint=rebuild_hint(root))


def embedder_name(embedder: Any) -> str:
    """A name for ``embedder`` when the caller gives none: its ``name`` attribute, else its class name."""
    for attr in ("name", "model_name", "alias"):
        value = getattr(embedder, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(embedder).__name__


def tokenize(texts: list[str]) -> Any:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


# -- the index ---------------------------------------------------------------------------------------------------


class KnowledgeIndex:
    """One loaded generation of an index directory: chunks, vectors, faiss and BM25, ready to search.

    Safe to share between threads; :meth:`refresh` swaps in a newer generation written by another process.
    """

    def __init__(
        self,
        root: Path,
        manifest: dict[str, Any],
        chunks: list[Chunk],
        vectors: np.ndarray,
        owners: np.ndarray,
        dense: Any,
        bm25: Any,
        sources: dict[str, str],
    ) -> None:
        self.root = root
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors
        self.owners = owners
        self.dense = dense
        self.bm25 = bm25
        self.sources = sources
        self._stamp = _manifest_stamp(root)
        self._lock = threading.Lock()

    # -- loading ----------------------------------------------------------------------------------------------

    @staticmethod
    def exists(root: str | os.PathLike[str]) -> bool:
        """True when ``root`` holds a manifest (it may still be unusable)."""
        return (Path(root) / MANIFEST).is_file()

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, embedder: Any = None, name: str | None = None) -> KnowledgeIndex:
        """Load the current generation of ``root``; IndexCorruptError (with a rebuild hint) when it cannot be
        used, including when ``embedder`` (called ``name``) differs from the one the index was built with."""
        root = Path(root).expanduser()
        if not cls.exists(root):
            raise IndexCorruptError(f"no knowledge index at {root}", hint=rebuild_hint(root))
        from .writer import clean_if_idle  # the writer imports this module

        # A writer killed mid-write left its temporary generation; nobody else would ever delete it.
        clean_if_idle(root)
        # A writer may replace the generation between reading the manifest and loading its files; retry then.
        for attempt in range(3):
            try:
                index = cls._load(root)
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise _corrupt(root, "files named by the manifest are missing") from None
                time.sleep(0.05)
        if embedder is not None:
            index.check_embedder(embedder, name)
        return index

    @classmethod
    def _load(cls, root: Path) -> KnowledgeIndex:
        import bm25s
        import faiss

        try:
            manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _corrupt(root, f"{MANIFEST} is not valid JSON ({exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _corrupt(root, f"{MANIFEST} is not a chipmate designqa manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise _corrupt(
                root,
                f"it has format version {manifest.get('format_version')!r}; "
                f"this chipmate reads version {FORMAT_VERSION}",
            )
        data = root / manifest["data_dir"]
        if not data.is_dir():
            raise FileNotFoundError(data)
        try:
            for name, size in manifest["files"].items():
                if (data / name).stat().st_size != size:
                    raise _corrupt(root, f"{manifest['data_dir']}/{name} has the wrong size (truncated?)")
            with open(data / "chunks.jsonl", encoding="utf-8") as fh:
                chunks = [Chunk.from_dict(json.loads(line)) for line in fh if line.strip()]
            vectors = np.load(data / "vectors.npy", allow_pickle=False)
            owners = np.load(data / "owners.npy", allow_pickle=False)
            dense = faiss.read_index(str(data / "dense.faiss"))
            bm25 = bm25s.BM25.load(str(data / "bm25"), show_progress=False) if chunks else bm25s.BM25()
            sources = json.loads((data / "sources.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise
        except IndexCorruptError:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            # json, numpy and faiss report damaged files as ValueError/RuntimeError; all mean the same here.
            raise _corrupt(root, f"{type(exc).__name__}: {exc}") from exc
        rows = len(vectors)
        if len(chunks) != manifest.get("chunks") or rows != manifest.get("vectors") or len(owners) != rows:
            raise _corrupt(root, "chunk and vector counts disagree with the manifest")
        if dense.ntotal != rows or (rows and vectors.shape[1] != manifest["embedder"]["dimension"]):
            raise _corrupt(root, "the faiss index does not match the stored vectors")
        return cls(root, manifest, chunks, vectors, owners, dense, bm25, sources)

    def check_embedder(self, embedder: Any, name: str | None = None) -> None:
        """IndexCorruptError when ``embedder`` (called ``name``) is not the model this index was built with."""
        recorded = self.manifest["embedder"]
        name = name or embedder_name(embedder)
        if int(embedder.dimension) != recorded["dimension"] or name != recorded["name"]:
            raise IndexCorruptError(
                f"knowledge index {self.root} was built with embedder {recorded['name']!r} "
                f"({recorded['dimension']} dims), not {name!r} ({embedder.dimension} dims)",
                hint=rebuild_hint(self.root) + ", or configure the embedder it was built with",
            )

    def refresh(self) -> KnowledgeIndex:
        """This index, or a newly loaded one when a writer has published a new generation since."""
        stamp = _manifest_stamp(self.root)
        if stamp == self._stamp:
            return self
        return KnowledgeIndex.open(self.root)

    # -- searching --------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def settings(self) -> IndexSettings:
        """The chunking and faiss settings the index was built with."""
        return IndexSettings(**self.manifest["settings"])

    def dense_search(self, query: np.ndarray, k: int) -> dict[int, float]:
        """Best cosine similarity per chunk for the ``k`` nearest chunks (a chunk's aliases count as the chunk)."""
        if not len(self.chunks):
            return {}
        rows = len(self.vectors)
        # Aliases make several rows per chunk; over-fetch so k distinct chunks usually come back.
        fetch = min(rows, k * max(1, rows // max(1, len(self.chunks))) + k)
        with self._lock:  # faiss search is thread-safe, but HNSW's efSearch parameter is shared state
            scores, ids = self.dense.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), fetch)
        best: dict[int, float] = {}
        for score, row in zip(scores[0], ids[0], strict=True):
            if row < 0:
                continue
            owner = int(self.owners[row])
            if owner not in best:
                best[owner] = float(score)
                if len(best) == k:
                    break
        return best

    def dense_scores(self, query: np.ndarray, ids: Iterable[int]) -> dict[int, float]:
        """Exact cosine similarity of ``query`` to the given chunks (best over each chunk's rows)."""
        ids = list(ids)
        if not ids:
            return {}
        wanted = np.isin(self.owners, ids)
        rows = np.nonzero(wanted)[0]
        sims = self.vectors[rows] @ query.astype(np.float32)
        best: dict[int, float] = {}
        for row, sim in zip(rows, sims, strict=True):
            owner = int(self.owners[row])
            best[owner] = max(best.get(owner, -1.0), float(sim))
        return best

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when no query term is in the vocabulary)."""
        import bm25s

        if not self.chunks:
            return np.zeros(0, dtype=np.float32)
        tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
        known = [t for t in tokens if t in self.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)

    def document_frequency(self, text: str) -> int:
        """In how many chunks the rarest content word of ``text`` occurs (BM25's postings): 0 when a word is not
        in the index. Query expansion uses it to translate a term into the form the knowledge base uses."""
        import bm25s

        if not self.chunks:
            return 0
        tokens = bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]
        vocab = self.bm25.vocab_dict
        indptr = self.bm25.scores["indptr"]
        counts = []
        for token in tokens:
            tid = vocab.get(token)
            if tid is None:
                return 0
            counts.append(int(indptr[tid + 1] - indptr[tid]))
        return min(counts) if counts else 0

    def stats(self) -> dict[str, Any]:
        """What ``chipmate index stats`` prints."""
        by_format: dict[str, int] = {}
        for chunk in self.chunks:
            by_format[chunk.format or "?"] = by_format.get(chunk.format or "?", 0) + 1
        return {
            "index_dir": str(self.root),
            "generation": self.manifest["generation"],
            "updated": self.manifest["updated"],
            "chunks": len(self.chunks),
            "vectors": len(self.vectors),
            "sources": len(self.sources),
            "formats": by_format,
            "embedder": self.manifest["embedder"],
            "dense_index": self.manifest["dense_index"],
            "settings": self.manifest["settings"],
        }


def _manifest_stamp(root: Path) -> tuple[int, int] | None:
    try:
        st = (root / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)
