"""The persisted index: citations, incremental add/remove, corruption and version errors, readers and writers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from chipmate.errors import InvalidInputError
from chipmate.plugins.designqa.index import MANIFEST, IndexBusyError, IndexCorruptError, IndexSettings, KnowledgeIndex
from chipmate.plugins.designqa.retrieve import HybridRetriever
from chipmate.plugins.designqa.writer import update_index, writer_lock

from .conftest import documents


def search(root: Path, embedder, query: str, k: int = 3, mode: str = "hybrid"):
    return HybridRetriever(KnowledgeIndex.open(root, embedder=embedder), embedder, mode=mode).search(query, k)


@pytest.mark.parametrize(
    ("query", "source", "section", "lines"),
    [
        ("which density target should the aurora block use?", "flow.rst", "Placement flow > Density target", (9, 13)),
        ("how many flops can a scan chain have?", "manual.pdf", "page 1", None),
        ("8-bit counter with active-low reset", "counter.v", "module counter", (1, 10)),
        ("how are hold violations on the scan path fixed?", "page.html", "Static timing analysis", (5, 5)),
        ("merge submodules into their parent before mapping", "guide.md", "Synthesis guide > Flattening", (7, 12)),
        ("worst negative slack report procedure", "flow.tcl", "proc report_wns", (1, 5)),
    ],
)
def test_citations_point_at_the_right_source(built_index, embedder, docs_dir, query, source, section, lines):
    best = search(built_index, embedder, query)[0]
    assert best.chunk.source == str((docs_dir / source).resolve())
    assert best.chunk.section == section
    if lines:
        assert (best.chunk.start_line, best.chunk.end_line) == lines


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_finds_an_exact_term(built_index, embedder, mode):
    best = search(built_index, embedder, "set_timing_derate late", mode=mode)[0]
    assert "set_timing_derate" in best.chunk.text


def test_manifest_records_format_embedder_and_settings(built_index):
    manifest = json.loads((built_index / MANIFEST).read_text())
    assert manifest["format_version"] == 1
    assert manifest["embedder"] == {"name": "all-minilm-l6-v2", "dimension": 384}
    assert manifest["settings"]["chunk_size"] == 300
    assert manifest["dense_index"] == "flat"


def test_incremental_add_embeds_only_new_text(index_copy, embedder, tmp_path):
    before = KnowledgeIndex.open(index_copy)
    new = tmp_path / "power.md"
    new.write_text("# Power\n\nThe always-on domain is supplied by VDD_AON at 0.75 V.\n")
    report = update_index(index_copy, embedder, add=documents([new], before.settings))
    assert report.embedded_chunks == 1
    assert report.reused_vectors == len(before)
    assert report.total_chunks == len(before) + 1
    best = search(index_copy, embedder, "which supply feeds the always-on domain?")[0]
    assert best.chunk.source == str(new.resolve())
    # The same file again is recognised by its fingerprint and skipped.
    again = update_index(index_copy, embedder, add=documents([new], before.settings))
    assert (again.skipped_sources, again.embedded_chunks) == (1, 0)
    # A changed file replaces its old chunks.
    new.write_text("# Power\n\nThe always-on domain is supplied by VDD_RET at 0.7 V.\n")
    changed = update_index(index_copy, embedder, add=documents([new], before.settings))
    assert (changed.removed_chunks, changed.added_chunks, changed.total_chunks) == (1, 1, len(before) + 1)
    texts = [c.text for c in KnowledgeIndex.open(index_copy).chunks]
    assert any("VDD_RET" in t for t in texts) and not any("VDD_AON" in t for t in texts)


def test_remove_drops_a_source(index_copy, embedder, docs_dir):
    counter = str((docs_dir / "counter.v").resolve())
    report = update_index(index_copy, embedder, remove=[counter])
    assert report.removed_chunks == 1
    index = KnowledgeIndex.open(index_copy)
    assert counter not in index.sources
    assert all(c.source != counter for c in index.chunks)
    assert len(index.vectors) == len(index.chunks)
    best = search(index_copy, embedder, "8-bit counter with active-low reset", k=8)
    assert all(h.chunk.source != counter for h in best)
    with pytest.raises(InvalidInputError, match="not in knowledge index"):
        update_index(index_copy, embedder, remove=[counter])


def test_duplicate_passages_are_indexed_once(tmp_path, embedder, docs_dir):
    twin = tmp_path / "copy-of-guide.md"
    shutil.copy(docs_dir / "guide.md", twin)
    settings = IndexSettings(chunk_size=300, chunk_overlap=40)
    report = update_index(tmp_path / "i", embedder, add=documents([docs_dir / "guide.md", twin], settings))
    assert report.duplicate_chunks == report.added_chunks


def test_truncated_file_gives_a_rebuild_hint(index_copy):
    manifest = json.loads((index_copy / MANIFEST).read_text())
    vectors = index_copy / manifest["data_dir"] / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="wrong size") as info:
        KnowledgeIndex.open(index_copy)
    assert "chipmate index build" in str(info.value)


def test_garbled_faiss_file_is_reported(index_copy):
    manifest = json.loads((index_copy / MANIFEST).read_text())
    dense = index_copy / manifest["data_dir"] / "dense.faiss"
    dense.write_bytes(b"x" * dense.stat().st_size)  # same size: only the reader can tell
    with pytest.raises(IndexCorruptError, match="unusable"):
        KnowledgeIndex.open(index_copy)


def test_version_mismatch_and_bad_manifest(index_copy, tmp_path):
    manifest = json.loads((index_copy / MANIFEST).read_text())
    (index_copy / MANIFEST).write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexCorruptError, match="format version 99") as info:
        KnowledgeIndex.open(index_copy)
    assert "rebuild" in str(info.value)
    (index_copy / MANIFEST).write_text("{not json")
    with pytest.raises(IndexCorruptError, match="not valid JSON"):
        KnowledgeIndex.open(index_copy)
    with pytest.raises(IndexCorruptError, match="no knowledge index"):
        KnowledgeIndex.open(tmp_path / "nowhere")


def test_other_embedder_is_refused(built_index, embedder):
    class Other:
        name = "other-model"
        dimension = 384

    with pytest.raises(IndexCorruptError, match="built with embedder 'all-minilm-l6-v2'"):
        KnowledgeIndex.open(built_index, embedder=Other())


def test_reader_sees_a_new_generation_and_old_one_stays_loadable(index_copy, embedder, tmp_path):
    reader = KnowledgeIndex.open(index_copy)
    assert reader.refresh() is reader
    note = tmp_path / "note.txt"
    note.write_text("The ECO freeze for the aurora block is on Friday.\n")
    update_index(index_copy, embedder, add=documents([note], reader.settings))
    fresh = reader.refresh()
    assert len(fresh) == len(reader) + 1
    # The reader's old arrays are untouched and the previous generation directory is kept.
    assert (index_copy / reader.manifest["data_dir"]).is_dir()
    assert len(reader.vectors) == len(reader.chunks)


def test_single_writer_lock(index_copy, embedder, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Lock test passage about a level shifter.\n")
    with writer_lock(index_copy), pytest.raises(IndexBusyError, match="another process is writing"):
        update_index(index_copy, embedder, add=documents([note], IndexSettings()))
    # A reader is never blocked by the lock.
    with writer_lock(index_copy):
        assert len(KnowledgeIndex.open(index_copy)) > 0


def test_hnsw_above_the_threshold(tmp_path, embedder, docs_dir):
    settings = IndexSettings(chunk_size=300, chunk_overlap=40, hnsw_threshold=5)
    update_index(tmp_path / "i", embedder, add=documents([docs_dir], settings), settings=settings)
    index = KnowledgeIndex.open(tmp_path / "i")
    assert index.manifest["dense_index"] == "hnsw"
    best = HybridRetriever(index, embedder, mode="dense").search("8-bit counter with active-low reset", 1)[0]
    assert best.chunk.section == "module counter"


def test_aliases_are_searched_as_their_chunk(tmp_path, embedder):
    from chipmate.documents import Document
    from chipmate.documents.chunks import Chunk

    chunks = [
        Chunk(
            "a",
            "The PDN generator adds straps on metal 5 and metal 6.",
            "pdn.md",
            aliases=["how do I build a power grid?"],
        ),
        Chunk("b", "Clock tree synthesis balances the skew between sinks.", "cts.md"),
    ]
    update_index(tmp_path / "i", embedder, add=[Document("pdn.md", chunks[:1]), Document("cts.md", chunks[1:])])
    index = KnowledgeIndex.open(tmp_path / "i")
    assert len(index.vectors) == 3 and list(index.owners) == [0, 0, 1]
    hits = HybridRetriever(index, embedder, mode="dense").search("how do I build a power grid?", 2)
    assert hits[0].chunk.id == "a" and hits[0].dense == pytest.approx(1.0, abs=1e-4)
    assert np.isclose(np.linalg.norm(index.vectors, axis=1), 1.0, atol=1e-4).all()


def test_an_interrupted_write_leaves_nothing_after_the_next_open(index_copy):
    # What a writer killed mid-write leaves: a temporary generation, a temporary manifest, and a generation
    # renamed into place that no manifest published.
    manifest = json.loads((index_copy / MANIFEST).read_text())
    current = index_copy / manifest["data_dir"]
    leftovers = [
        index_copy / ".tmp-gen-killed",
        index_copy / f"gen-{manifest['generation'] + 1:06d}",
        index_copy / f".{MANIFEST}.abc123",
    ]
    for path in leftovers[:2]:
        path.mkdir()
        (path / "vectors.npy").write_bytes(b"half")
    leftovers[2].write_text("{")
    # While a writer holds the lock its files are not leftovers: they stay.
    with writer_lock(index_copy):
        KnowledgeIndex.open(index_copy)
    assert all(p.exists() for p in leftovers)
    index = KnowledgeIndex.open(index_copy)
    assert [p for p in leftovers if p.exists()] == []
    assert current.is_dir() and index.manifest["generation"] == manifest["generation"]


def test_a_writer_removes_leftovers_before_it_writes(index_copy, embedder, docs_dir):
    (index_copy / ".tmp-gen-killed").mkdir()
    update_index(index_copy, embedder, remove=[str(docs_dir / "guide.md")])
    assert not (index_copy / ".tmp-gen-killed").exists()
