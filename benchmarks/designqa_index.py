"""designqa index performance: build throughput against raw ``SentenceTransformer.encode`` on the same chunks, and
search latency (query embedding + dense + BM25 + fusion, no generation) at 100k chunks.

1. Throughput: the Yosys help (harvested through pyosys, chunked with the defaults) is embedded twice, alternately:
   by ``SentenceTransformer.encode`` directly, and by ``update_index`` (embedding + faiss + BM25 + atomic write).
   The best of ``--rounds`` runs of each is compared, because this shared machine's load varies.
2. Latency: 100k synthetic chunks (random sentences over the Yosys-help vocabulary, random unit vectors: embedding
   100k real passages would take half an hour on two cores and does not change search cost) in an HNSW index
   (and, for comparison, a flat one); queries are real questions embedded by the real MiniLM on each call.

Run::

    .venv/bin/python benchmarks/designqa_index.py        # writes benchmarks/results/designqa_index.md
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.plugins.backends.embedder import SentenceTransformerEmbedder, open_embedder
from chipmate.plugins.designqa.chunks import Chunk, chunk_file
from chipmate.plugins.designqa.index import IndexSettings, KnowledgeIndex
from chipmate.plugins.designqa.loaders import iter_documents
from chipmate.plugins.designqa.retrieve import HybridRetriever
from chipmate.plugins.designqa.writer import Document, update_index
from chipmate.plugins.designqa.yosys_help import yosys_documents

HERE = Path(__file__).resolve().parent
QUERIES = [
    "how do I remove unused wires?",
    "what does flatten do",
    "map flip-flops to a liberty library",
    "which pass converts memories to flip-flops",
    "how can I write the netlist as verilog",
    "run abc with a delay target",
    "show the design as a graph",
    "check for combinational loops",
]


class RandomVectors:
    """Stands in for the embedder while the 100k synthetic chunks are indexed (their text is random anyway)."""

    name = "all-minilm-l6-v2"
    dimension = 384

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def embed(self, texts, *, batch_size=64, show_progress=False):
        vectors = self.rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def throughput(embedder: SentenceTransformerEmbedder, documents: list[Document], rounds: int) -> dict:
    chunks = [c for d in documents for c in d.chunks]
    texts = [c.embedding_text() for c in chunks]
    raw, indexed = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        raw.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            report = update_index(tmp, embedder, add=documents, fresh=True)
            indexed.append(time.perf_counter() - started)
    return {
        "chunks": len(chunks),
        "indexed_chunks": report.total_chunks,
        "raw_s": min(raw),
        "index_s": min(indexed),
        "raw_all": raw,
        "index_all": indexed,
    }


def synthetic_documents(vocabulary: list[str], count: int, seed: int = 0) -> list[Document]:
    rng = random.Random(seed)
    documents = []
    per_doc = 100
    for d in range(count // per_doc):
        source = f"synthetic/doc-{d:05d}.md"
        chunks = []
        for c in range(per_doc):
            words = rng.choices(vocabulary, k=rng.randint(40, 80))
            text = " ".join(words)
            chunks.append(Chunk(id=f"{d:05d}{c:03d}", text=text, source=source, section=f"s{c}"))
        documents.append(Document(source, chunks))
    return documents


def latency(embedder, vocabulary: list[str], count: int, threshold: int, samples: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = IndexSettings(hnsw_threshold=threshold)
        started = time.perf_counter()
        update_index(tmp, RandomVectors(), add=synthetic_documents(vocabulary, count), settings=settings)
        build_s = time.perf_counter() - started
        index = KnowledgeIndex.open(tmp)
        retriever = HybridRetriever(index, embedder)
        for query in QUERIES:  # warm-up: faiss, BM25 and torch caches
            retriever.search(query, 8)
        times, embed_times = [], []
        for i in range(samples):
            query = QUERIES[i % len(QUERIES)]
            started = time.perf_counter()
            vector = retriever.embed_query(query)
            embedded = time.perf_counter()
            retriever.search(query, 8, query_vector=vector)
            done = time.perf_counter()
            times.append((done - started) * 1000)
            embed_times.append((embedded - started) * 1000)
        return {
            "kind": index.manifest["dense_index"],
            "build_s": build_s,
            "p50": statistics.median(times),
            "p90": float(np.percentile(times, 90)),
            "embed_p50": statistics.median(embed_times),
        }


def random_minilm(source: Path) -> str:
    """A copy of the model directory ``source`` whose transformer has random weights (same architecture)."""
    import shutil

    import torch
    from transformers import BertConfig, BertModel

    target = Path(tempfile.mkdtemp(prefix="minilm-random-"))
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    torch.manual_seed(0)
    BertModel(BertConfig.from_pretrained(target)).save_pretrained(target)
    return str(target)


def repo_documents() -> list[Document]:
    """This repository's docs and sources, chunked with the defaults (a corpus that needs no pyosys)."""
    root = HERE.parent
    paths = [
        root / name for name in ("docs", "sdk", "plugins", "trainer", "tests", "examples") if (root / name).is_dir()
    ]
    documents = []
    settings = IndexSettings()
    for path in iter_documents(paths):
        if path.suffix in (".pdf", ".html", ".htm") or "/v1/" in str(path):
            continue
        source = str(path.relative_to(root))
        documents.append(
            Document(
                source, chunk_file(path, source, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
            )
        )
    return documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--commands", type=int, default=0, help="Only the first N Yosys commands (quick checks).")
    parser.add_argument(
        "--corpus",
        choices=["yosys", "repo"],
        default="yosys",
        help="Chunks for the throughput run: Yosys help (needs pyosys) or this repository's own sources and docs.",
    )
    parser.add_argument("--embedder-path", help="sentence-transformers model directory (default: embedded MiniLM).")
    parser.add_argument("--device", default="cpu", help="Torch device of the embedder (default cpu).")
    parser.add_argument(
        "--random-weights",
        type=Path,
        metavar="MINILM_DIR",
        help="Use MiniLM's architecture and tokenizer from MINILM_DIR (its config and tokenizer files suffice) with "
        "random weights: same cost per text, for machines the 90 MB weights cannot be copied to.",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "designqa_index.md")
    args = parser.parse_args()

    if args.random_weights:
        args.embedder_path = random_minilm(args.random_weights)
    embedder = open_embedder(args.embedder_path, device=args.device)
    if args.corpus == "yosys":
        documents = yosys_documents()
        if args.commands:
            documents = documents[: args.commands]
    else:
        documents = repo_documents()
    tp = throughput(embedder, documents, args.rounds)
    ratio = tp["raw_s"] / tp["index_s"]
    print(f"throughput: {tp}", file=sys.stderr)

    vocabulary = sorted(
        {w for d in documents for c in d.chunks for w in re.findall(r"[a-z_][a-z0-9_]+", c.text.lower())}
    )
    hnsw = latency(embedder, vocabulary, args.chunks, IndexSettings().hnsw_threshold, args.samples)
    print(f"hnsw: {hnsw}", file=sys.stderr)
    flat = latency(embedder, vocabulary, args.chunks, args.chunks + 1, args.samples)
    print(f"flat: {flat}", file=sys.stderr)

    corpus_name = "Yosys help via pyosys" if args.corpus == "yosys" else "this repository's docs and sources"
    model_name = (
        f"a sentence-transformers model from {args.embedder_path}" if args.embedder_path else "all-MiniLM-L6-v2"
    )
    cpu = cpu_model()
    lines = [
        "# designqa index: build throughput and search latency",
        "",
        f"Command: `python {' '.join(sys.argv)}`  ",
        f"Machine: {cpu}, {os.cpu_count()} cores, embedder on {args.device}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"## Build throughput ({corpus_name}, default chunking)",
        "",
        f"{tp['chunks']} chunks from {len(documents)} documents, {model_name} on {args.device}, best of "
        f"{args.rounds} interleaved runs (all runs: raw {', '.join(f'{t:.1f}' for t in tp['raw_all'])} s; "
        f"index {', '.join(f'{t:.1f}' for t in tp['index_all'])} s).",
        "",
        "| pipeline | seconds | chunks/s |",
        "|---|---|---|",
        f"| raw `SentenceTransformer.encode` (peer) | {tp['raw_s']:.1f} | {tp['chunks'] / tp['raw_s']:.1f} |",
        f"| `update_index` (embed + faiss + BM25 + atomic write) | {tp['index_s']:.1f} | "
        f"{tp['chunks'] / tp['index_s']:.1f} |",
        "",
        f"Ratio index/raw throughput: **{ratio:.2f}×** (target ≥ 0.9×) → **{'PASS' if ratio >= 0.9 else 'FAIL'}**",
        "",
        f"## Search latency at {args.chunks:,} chunks (hybrid, top-8, no generation)",
        "",
        f"{args.samples} searches of {len(QUERIES)} real questions, each embedding its query with MiniLM; synthetic "
        f"chunks (40–80 random words of the {corpus_name} vocabulary, random unit vectors).",
        "",
        "| dense index | build s | p50 ms | p90 ms | of which query embedding p50 ms |",
        "|---|---|---|---|---|",
        f"| {hnsw['kind']} (default above {IndexSettings().hnsw_threshold:,} vectors) | {hnsw['build_s']:.1f} | "
        f"{hnsw['p50']:.1f} | {hnsw['p90']:.1f} | {hnsw['embed_p50']:.1f} |",
        f"| {flat['kind']} (for comparison) | {flat['build_s']:.1f} | {flat['p50']:.1f} | {flat['p90']:.1f} | "
        f"{flat['embed_p50']:.1f} |",
        "",
        f"Target p50 ≤ 20 ms at 100k chunks (default HNSW) → **{'PASS' if hnsw['p50'] <= 20 else 'FAIL'}** "
        f"({hnsw['p50']:.1f} ms).",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
