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
    .lock                held (fcntl) by the single writer

A writer builds a complete new generation in a temporary directory, renames it into place, and only then
replaces ``manifest.json`` (``os.replace``, atomic on POSIX). Readers never lock: they read the manifest, load
the generation it names, and reload when the manifest changes. The previous generation is kept so a reader that
read the old manifest a moment ago can still load it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from chipmate.errors import BackendUnavailableError, ConfigError, InvalidInputError

from .ingest import Chunk, content_key

FORMAT = "chipmate-designqa-index"
#: bump when the layout changes; an index of another version is refused with a rebuild hint
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_KEEP_GENERATIONS = 2


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


# -- on-disk helpers --------------------------------------------------------------------------------------------


def _write_json_atomic(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the index's single-writer lock; IndexBusyError when another writer keeps it past ``timeout`` s."""
    root.mkdir(parents=True, exist_ok=True)
    fh = open(root / ".lock", "a+")  # noqa: SIM115 - held for the whole with-block
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"another process is writing knowledge index {root}",
                        hint="wait for it to finish (`chipmate index stats` shows the last generation)",
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        fh.close()  # closing releases the flock


def _build_faiss(vectors: np.ndarray, settings: IndexSettings) -> Any:
    import faiss

    dim = vectors.shape[1]
    if len(vectors) >= settings.hnsw_threshold:
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = settings.hnsw_ef_search
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def _tokenize(texts: list[str]) -> Any:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def _lexical_text(chunk: Chunk) -> str:
    return " ".join([chunk.section, chunk.text, *chunk.aliases])


def _build_bm25(chunks: Sequence[Chunk]) -> Any:
    import bm25s

    retriever = bm25s.BM25()
    if chunks:
        retriever.index(_tokenize([_lexical_text(c) for c in chunks]), show_progress=False)
    return retriever


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


# -- writing ----------------------------------------------------------------------------------------------------


@dataclass
class Document:
    """The chunks of one source and the fingerprint of the file they came from."""

    source: str
    chunks: list[Chunk]
    fingerprint: str = ""


@dataclass
class UpdateReport:
    """What one write changed."""

    added_chunks: int = 0
    embedded_chunks: int = 0
    reused_vectors: int = 0
    removed_chunks: int = 0
    duplicate_chunks: int = 0
    skipped_sources: int = 0
    total_chunks: int = 0
    generation: int = 0


def update_index(
    root: str | os.PathLike[str],
    embedder: Embedder,
    *,
    add: Iterable[Document] = (),
    remove: Iterable[str] = (),
    settings: IndexSettings | None = None,
    fresh: bool = False,
    show_progress: bool = False,
    progress: Callable[[float], None] | None = None,
    lock_timeout: float = 0.0,
    name: str | None = None,
) -> UpdateReport:
    """Publish a new generation of the index at ``root``: drop the chunks of ``remove`` and of every source in
    ``add``, then add the chunks of ``add``. Chunks whose id is already indexed reuse their vectors, so only new
    text is embedded; a source whose fingerprint is unchanged is skipped. ``fresh`` starts from an empty index.
    ``name`` identifies the embedder in the manifest (default: its ``name`` attribute or class name).
    """
    name = name or embedder_name(embedder)
    remove = list(remove)
    root = Path(root).expanduser()
    report = UpdateReport()
    with writer_lock(root, lock_timeout):
        current = (
            None
            if fresh or not KnowledgeIndex.exists(root)
            else KnowledgeIndex.open(root, embedder=embedder, name=name)
        )
        if settings is None:
            settings = current.settings if current is not None else IndexSettings()
        old_chunks = current.chunks if current else []
        old_sources = dict(current.sources) if current else {}
        documents = list(add)
        for doc in documents:
            if doc.fingerprint and old_sources.get(doc.source) == doc.fingerprint:
                report.skipped_sources += 1
        documents = [d for d in documents if not (d.fingerprint and old_sources.get(d.source) == d.fingerprint)]
        dropped = set(remove) | {d.source for d in documents}
        unknown = [s for s in remove if s not in old_sources]
        if unknown:
            raise InvalidInputError(
                f"not in knowledge index {root}: {', '.join(sorted(unknown))}",
                hint="`chipmate index stats --sources` lists the indexed sources",
            )
        if current is not None and not dropped:
            # Nothing changed (every file unchanged): publishing a new generation would only cost a rebuild.
            report.total_chunks = len(old_chunks)
            report.generation = current.manifest["generation"]
            return report
        keep = [i for i, c in enumerate(old_chunks) if c.source not in dropped]
        report.removed_chunks = len(old_chunks) - len(keep)
        chunks = [old_chunks[i] for i in keep]
        seen = {content_key(c.text) for c in chunks}
        new: list[Chunk] = []
        for doc in documents:
            for chunk in doc.chunks:
                key = content_key(chunk.text)
                if key in seen:
                    report.duplicate_chunks += 1
                    continue
                seen.add(key)
                new.append(chunk)
        report.added_chunks = len(new)

        # Reuse the vectors of chunks (and aliases) that are already embedded: same id means same text.
        old_rows: dict[str, list[int]] = {}
        if current is not None:
            for row, owner in enumerate(current.owners):
                old_rows.setdefault(old_chunks[int(owner)].id, []).append(row)
        dim = int(embedder.dimension)
        pieces: list[np.ndarray] = []
        owners: list[int] = []
        to_embed: list[tuple[int, str]] = []
        all_chunks = chunks + new
        for position, chunk in enumerate(all_chunks):
            rows = old_rows.get(chunk.id) if current is not None else None
            if rows is not None and len(rows) == 1 + len(chunk.aliases):
                pieces.append(current.vectors[rows])  # type: ignore[union-attr]
                owners.extend([position] * len(rows))
                report.reused_vectors += 1
                continue
            for text in (chunk.embedding_text(), *chunk.aliases):
                to_embed.append((position, text))
        if to_embed:
            report.embedded_chunks = len({p for p, _ in to_embed})
            texts = [t for _, t in to_embed]
            if progress is None:
                embedded = np.asarray(embedder.embed(texts, show_progress=show_progress), dtype=np.float32)
            else:
                # Slices let a caller report progress (the server's "being built (x%)"); 2048 texts keep the
                # per-call overhead negligible next to encoding.
                parts = []
                for start in range(0, len(texts), 2048):
                    parts.append(np.asarray(embedder.embed(texts[start : start + 2048]), dtype=np.float32))
                    progress(0.9 * min(len(texts), start + 2048) / len(texts))
                embedded = np.concatenate(parts)
            if embedded.shape != (len(to_embed), dim):
                raise BackendUnavailableError(
                    f"embedder returned vectors of shape {embedded.shape}, expected ({len(to_embed)}, {dim})"
                )
            pieces.append(embedded)
            owners.extend(p for p, _ in to_embed)
        if progress:
            progress(0.9)
        vectors = np.concatenate(pieces) if pieces else np.zeros((0, dim), dtype=np.float32)
        owner_array = np.asarray(owners, dtype=np.int32)
        # Keep rows grouped by chunk so reused and new rows sit in chunk order (stable files, easy debugging).
        order = np.argsort(owner_array, kind="stable")
        vectors, owner_array = np.ascontiguousarray(vectors[order]), owner_array[order]

        sources = {s: f for s, f in old_sources.items() if s not in dropped}
        for doc in documents:
            sources[doc.source] = doc.fingerprint
        generation = (current.manifest["generation"] + 1) if current is not None else _next_generation(root)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generation": generation,
            "data_dir": f"gen-{generation:06d}",
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "embedder": {"name": name, "dimension": dim},
            "settings": asdict(settings),
            "chunks": len(all_chunks),
            "vectors": len(vectors),
            "dense_index": "hnsw" if len(vectors) >= settings.hnsw_threshold else "flat",
        }
        _write_generation(root, manifest, all_chunks, vectors, owner_array, sources, settings)
        report.total_chunks = len(all_chunks)
        report.generation = generation
        if progress:
            progress(1.0)
    return report


def _next_generation(root: Path) -> int:
    """After a fresh build over an old directory, keep counting up so readers notice the change."""
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    return max(numbers, default=0) + 1


def _write_generation(
    root: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray,
    owners: np.ndarray,
    sources: Mapping[str, str],
    settings: IndexSettings,
) -> None:
    import faiss

    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-gen-"))
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", vectors)
        np.save(tmp / "owners.npy", owners)
        faiss.write_index(_build_faiss(vectors, settings), str(tmp / "dense.faiss"))
        bm25 = _build_bm25(chunks)
        (tmp / "bm25").mkdir()
        if chunks:
            bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "sources.json").write_text(json.dumps(dict(sources), indent=1, sort_keys=True), encoding="utf-8")
        manifest["files"] = {str(p.relative_to(tmp)): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
        final = root / manifest["data_dir"]
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_json_atomic(root / MANIFEST, manifest)
    # Keep the previous generation for readers that loaded the old manifest a moment ago.
    old = sorted(p for p in root.glob("gen-*") if p.is_dir() and p.name != manifest["data_dir"])
    for stale in old[: max(0, len(old) - (_KEEP_GENERATIONS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
