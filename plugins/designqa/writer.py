"""Writing a knowledge index: publish a new generation atomically, embedding only text that is new.

A writer holds the index's single-writer lock (``chipmate.files.file_lock``), builds a complete new generation
in a temporary directory, renames it into place, and only then replaces ``manifest.json`` (``atomic_write``), so
readers (``index.KnowledgeIndex``) never see a half-written index. The previous generation is kept for readers
that read the old manifest a moment ago.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chipmate.documents import Chunk, Document, content_key
from chipmate.documents.search import tokenize
from chipmate.errors import BackendUnavailableError, InvalidInputError
from chipmate.files import LockTimeout, atomic_write, file_lock

from .index import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    Embedder,
    IndexBusyError,
    IndexSettings,
    KnowledgeIndex,
    embedder_name,
)

_KEEP_GENERATIONS = 2


def _write_json_atomic(path: Path, data: Any) -> None:
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, sort_keys=True)


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the index's single-writer lock; IndexBusyError when another writer keeps it past ``timeout`` s."""
    try:
        with file_lock(root / ".lock", timeout):
            yield
    except LockTimeout:
        raise IndexBusyError(
            f"another process is writing knowledge index {root}",
            hint="wait for it to finish (`chipmate index stats` shows the last generation)",
        ) from None


def remove_leftovers(root: Path) -> list[Path]:
    """Delete what an interrupted writer left in ``root``: temporary generations (``.tmp-gen-*``), temporary
    manifests, and generations renamed into place that no manifest ever published. Call it holding the writer
    lock (a live writer's temporary files look the same); returns what was removed."""
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        current = int(manifest["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        current = None  # no readable manifest: only the temporary files are certainly garbage
    removed = [*root.glob(".tmp-gen-*"), *root.glob(f".{MANIFEST}.*")]
    if current is not None:
        removed += [p for p in root.glob("gen-*") if p.name[4:].isdigit() and int(p.name[4:]) > current]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return removed


def clean_if_idle(root: Path) -> None:
    """:func:`remove_leftovers` when no writer holds the lock (readers call this when they open an index)."""
    try:
        with writer_lock(root, 0.0):
            remove_leftovers(root)
    except (IndexBusyError, OSError):
        pass  # a writer is at work (its files are not leftovers), or the index is read-only to us


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


def _lexical_text(chunk: Chunk) -> str:
    return " ".join([chunk.section, chunk.context, chunk.text, *chunk.aliases])


def _build_bm25(chunks: Sequence[Chunk]) -> Any:
    import bm25s

    retriever = bm25s.BM25()
    if chunks:
        retriever.index(tokenize([_lexical_text(c) for c in chunks]), show_progress=False)
    return retriever


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
        remove_leftovers(root)
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
        all_chunks = chunks + _new_chunks(documents, chunks, report)
        vectors, owner_array = _vectors(current, old_chunks, all_chunks, embedder, report, show_progress, progress)

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
            "embedder": {"name": name, "dimension": int(embedder.dimension)},
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


def _new_chunks(documents: Sequence[Document], kept: Sequence[Chunk], report: UpdateReport) -> list[Chunk]:
    """The chunks of ``documents`` whose text is neither among ``kept`` nor an earlier new chunk (counted)."""
    seen = {content_key(c.text) for c in kept}
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
    return new


def _vectors(
    current: KnowledgeIndex | None,
    old_chunks: Sequence[Chunk],
    all_chunks: Sequence[Chunk],
    embedder: Embedder,
    report: UpdateReport,
    show_progress: bool,
    progress: Callable[[float], None] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, owning chunk position per row) for ``all_chunks``, grouped by chunk in chunk order."""
    # Reuse the vectors of chunks (and aliases) that are already embedded: same id means same text.
    dim = int(embedder.dimension)
    old_rows: dict[str, list[int]] = {}
    if current is not None:
        for row, owner in enumerate(current.owners):
            old_rows.setdefault(old_chunks[int(owner)].id, []).append(row)
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    to_embed: list[tuple[int, str]] = []
    for position, chunk in enumerate(all_chunks):
        rows = old_rows.get(chunk.id) if current is not None else None
        if rows is not None and len(rows) == 1 + len(chunk.aliases):
            pieces.append(current.vectors[rows])  # type: ignore[union-attr]  # rows is only set when current is not None
            owners.extend([position] * len(rows))
            report.reused_vectors += 1
            continue
        for text in (chunk.embedding_text(), *chunk.aliases):
            to_embed.append((position, text))
    if to_embed:
        report.embedded_chunks = len({p for p, _ in to_embed})
        embedded = _embed([t for _, t in to_embed], embedder, show_progress, progress)
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
    return np.ascontiguousarray(vectors[order]), owner_array[order]


def _embed(
    texts: list[str], embedder: Embedder, show_progress: bool, progress: Callable[[float], None] | None
) -> np.ndarray:
    if progress is None:
        return np.asarray(embedder.embed(texts, show_progress=show_progress), dtype=np.float32)
    # Slices let a caller report progress (the server's "being built (x%)") and stop a build between
    # them by raising from ``progress``; 256 texts keep the per-call overhead negligible next to
    # encoding while a stop waits seconds, not minutes.
    parts = []
    for start in range(0, len(texts), 256):
        parts.append(np.asarray(embedder.embed(texts[start : start + 256]), dtype=np.float32))
        progress(0.9 * min(len(texts), start + 256) / len(texts))
    return np.concatenate(parts)


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
