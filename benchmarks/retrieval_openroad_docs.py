"""Design-Q&A retrieval on another tool's documentation: OpenROAD's command reference (its modules' READMEs).

A user's own KB, built as ``chipmate index build`` builds it (Markdown loader, default chunking), from the
``src/*/README.md`` files of an OpenROAD checkout: each module's commands with their synopsis (a Tcl code
block), their option table and examples. Questions: ``benchmarks/data/openroad_docs_questions.jsonl``, 40
questions written for this project the way a user asks them (35 answered by one command, 5 flow questions
that need two to four commands' passages); ``gold`` is a list of items, each a set of equivalent
``module/Command heading`` keys. This set is never used to tune anything (the Yosys-help set is the
development set); it measures whether the stages generalise to documents they were not built on.

The OpenROAD documentation is not part of this repository (BSD-3-Clause, and a user's KB is theirs): pass a
checkout with ``--docs`` (``git clone https://github.com/The-OpenROAD-Project/OpenROAD``; measured at commit
5c9e487, 2026-08-22).

Run::

    .venv/bin/python benchmarks/retrieval_openroad_docs.py --docs ~/src/OpenROAD
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from _retrieval import Stage, add_rerank_args, default_stages, rerank_stages, run_stages, table

from chipmate.documents import Document
from chipmate.documents.chunks import chunk_file
from chipmate.plugins.backends.embedder import open_embedder
from chipmate.plugins.designqa.index import IndexSettings, KnowledgeIndex
from chipmate.plugins.designqa.retrieve import Hit, topic
from chipmate.plugins.designqa.writer import update_index

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "openroad_docs_questions.jsonl"


def key_of(hit: Hit) -> str:
    """``module/Command heading``: the module folder and the third level of the heading path (H1 module, H2
    Commands, H3 the command); a command's Options/Example subsections count as the command."""
    source, section = topic(hit.chunk)
    module = Path(source).parent.name
    parts = [p.strip() for p in section.split(" > ")]
    return f"{module}/{parts[2] if len(parts) > 2 else parts[-1]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, required=True, help="an OpenROAD checkout (reads src/*/README.md)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "retrieval_openroad_docs.md")
    parser.add_argument("--embedder", help="a sentence-transformers directory for a +adapted row")
    parser.add_argument("--work-dir", type=Path, help="keep the index here and reuse it")
    add_rerank_args(parser)
    args = parser.parse_args()

    files = sorted(args.docs.expanduser().glob("src/*/README.md"))
    if not files:
        parser.error(f"no src/*/README.md under {args.docs}: pass an OpenROAD checkout")
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [(row["question"], [set(item) for item in row["gold"]]) for row in rows]
    settings = IndexSettings()
    documents = []
    for path in files:
        source = str(path.relative_to(args.docs.expanduser()))
        chunks = chunk_file(path, source, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
        documents.append(Document(source, chunks))
    base = open_embedder()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = (args.work_dir or Path(tmp)) / "kb"
        build_s = 0.0
        if not KnowledgeIndex.exists(root):
            started = time.perf_counter()
            update_index(root, base, add=documents, settings=settings)
            build_s = time.perf_counter() - started
        index = KnowledgeIndex.open(root, embedder=base)
        got, _ = run_stages(index, base, queries, key_of, default_stages() + rerank_stages(args))
        results.update(got)
        if args.embedder:
            tuned = open_embedder(str(args.embedder), name="adapted")
            tuned_root = Path(tmp) / "adapted"
            update_index(tuned_root, tuned, add=documents, settings=settings, name="adapted")
            tuned_index = KnowledgeIndex.open(tuned_root, embedder=tuned, name="adapted")
            got, _ = run_stages(tuned_index, tuned, queries, key_of, [Stage("+adapted", diverse=True, expand=True)])
            results.update(got)
    multi = sum(1 for _, gold in queries if len(gold) > 1)
    lines = [
        "# Retrieval on OpenROAD's command documentation (a user KB the stages were not built on)",
        "",
        f"Command: `.venv/bin/python {' '.join(sys.argv)}`  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, CPU only, shared with other jobs  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Data: {len(queries)} questions ({multi} need several commands) over {len(files)} module READMEs, "
        f"{len(index)} passages; index build "
        + (f"{build_s:.0f} s" if build_s else "reused (--work-dir)")
        + ". Never tuned on.",
        "",
        *table(results),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
