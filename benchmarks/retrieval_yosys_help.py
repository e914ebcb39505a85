"""Design-Q&A retrieval over Yosys's own help, before and after adapting the retriever to it.

Queries: ``benchmarks/data/yosys_help_questions.jsonl``, 50 questions written the way a user asks them, each
answered by one Yosys command (``gold``, with its equivalents: ``clean`` is ``opt_clean``) and never naming it.
Documents: the default knowledge base (every command's help, harvested through pyosys, default chunking).
A hit is a retrieved passage of the gold command's help; passages are collapsed to their command, so hit@k
counts distinct commands.

Adaptation: ``chipmate.trainer.recipes.retriever`` on the Yosys-help passages alone — never on these questions:
keyphrase questions with the command's name left out, hard negatives mined by MiniLM, one epoch per default.
Generated questions are off by default here (``--generated N`` turns them on): the embedded generator writes one
in 5–15 s on a shared 2-core CPU, hours for 900 passages.

``--ablation`` measures designqa's retrieval stages instead (``benchmarks/_retrieval.py``): the index before and
after command chunks carry their title, then +diversity, +query expansion and +rerank (hit@1/3/5 over passages
as returned, recall@5/@20, p50 latency). These 50 questions are the Yosys-help *development* set: stage
defaults are checked on them; the held-out Yosys questions are not in this repository.

Run::

    .venv/bin/python benchmarks/retrieval_yosys_help.py            # writes benchmarks/results/retrieval_yosys_help.md
    .venv/bin/python benchmarks/retrieval_yosys_help.py --ablation # writes results/retrieval_yosys_help_ablation.md
    .venv/bin/python benchmarks/retrieval_yosys_help.py --run-dir runs/yosys-retriever
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
from _retrieval import add_rerank_args

from chipmate.documents.yosys_help import yosys_documents
from chipmate.plugins.backends.embedder import open_embedder
from chipmate.plugins.designqa.index import IndexSettings, KnowledgeIndex
from chipmate.plugins.designqa.retrieve import DEFAULT_DENSE_WEIGHT, HybridRetriever
from chipmate.plugins.designqa.writer import update_index

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "yosys_help_questions.jsonl"


def command_ranks(retriever: HybridRetriever, questions: list[dict], depth: int = 60) -> list[int | None]:
    """0-based rank of the first gold command among the distinct commands retrieved (None: not in ``depth``)."""
    ranks = []
    for row in questions:
        commands: list[str] = []
        for hit in retriever.search(row["question"], depth):
            if hit.chunk.section not in commands:
                commands.append(hit.chunk.section)
        found = [i for i, c in enumerate(commands) if c in row["gold"]]
        ranks.append(found[0] if found else None)
    return ranks


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """hit@1/5/10 and MRR@10."""
    n = max(1, len(ranks))
    hit = {k: sum(1 for r in ranks if r is not None and r < k) / n for k in (1, 5, 10)}
    mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n
    return {"hit@1": hit[1], "hit@5": hit[5], "hit@10": hit[10], "mrr@10": mrr}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "retrieval_yosys_help.md")
    parser.add_argument("--run-dir", type=Path, help="where the retriever recipe writes (default: a temporary dir)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--keyphrase", type=int, default=3, help="keyphrase questions per passage")
    parser.add_argument("--generated", type=int, default=0, help="generated questions per passage (slow on CPU)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-index", type=Path, help="an existing MiniLM Yosys-help index (default: build one)")
    parser.add_argument("--no-adapt", action="store_true", help="measure the base retriever only")
    parser.add_argument("--ablation", action="store_true", help="measure designqa's retrieval stages")
    parser.add_argument("--embedder", help="a sentence-transformers directory for the +adapted rows (ablation)")
    parser.add_argument("--work-dir", type=Path, help="keep the ablation's indexes here and reuse them")
    add_rerank_args(parser)
    args = parser.parse_args()
    if args.ablation:
        return ablation(args)

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = IndexSettings()
    documents = yosys_documents(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    base = open_embedder()
    results: dict[str, dict[str, float]] = {}
    per_question: dict[str, list[int | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.base_index or Path(tmp) / "base"
        if not (root / "manifest.json").is_file():
            update_index(root, base, add=documents, settings=settings, show_progress=True)
        index = KnowledgeIndex.open(root, embedder=base)

        def evaluate(index: KnowledgeIndex, embedder, label: str) -> None:
            for mode, weight in (("dense", 1.0), ("hybrid", DEFAULT_DENSE_WEIGHT)):
                retriever = HybridRetriever(index, embedder, mode=mode, dense_weight=weight)
                ranks = command_ranks(retriever, questions)
                name = f"{label} {mode}" + (f" (w={weight})" if mode == "hybrid" else "")
                results[name] = metrics(ranks)
                per_question[name] = ranks

        evaluate(index, base, "MiniLM (base)")
        lexical = HybridRetriever(index, base, mode="lexical")
        results["BM25 (bm25s)"] = metrics(command_ranks(lexical, questions))

        if args.no_adapt:
            return report(args, questions, documents, index, results, per_question, None, 0.0)
        from chipmate.trainer.recipes.retriever import Config, RetrieverTrainConfig, run

        run_dir = args.run_dir or Path(tmp) / "run"
        config = Config(
            out_dir=str(run_dir),
            index_dir=str(root),
            generated_per_passage=args.generated,
            keyphrase_per_passage=args.keyphrase,
            dev_fraction=0.1,
            seed=args.seed,
            train=RetrieverTrainConfig(epochs=args.epochs),
        )
        started = time.perf_counter()
        result = run(config)
        train_s = time.perf_counter() - started
        tuned = open_embedder(result["model_dir"], name="yosys-retriever")
        tuned_root = Path(tmp) / "tuned"
        update_index(tuned_root, tuned, add=documents, settings=settings, show_progress=True, name="yosys-retriever")
        evaluate(KnowledgeIndex.open(tuned_root, embedder=tuned, name="yosys-retriever"), tuned, "adapted")
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return report(args, questions, documents, index, results, per_question, summary, train_s)


def _without_context(documents):
    """The documents as they were chunked before chunks carried their command's title."""
    from dataclasses import replace

    from chipmate.documents.chunks import chunk_id

    out = []
    for doc in documents:
        chunks = [replace(c, context="", id=chunk_id(c.source, c.section, c.text)) for c in doc.chunks]
        out.append(type(doc)(doc.source, chunks, fingerprint=doc.fingerprint))
    return out


def ablation(args) -> int:
    """Every retrieval stage on the 50 questions; writes ``results/retrieval_yosys_help_ablation.md``."""
    from _retrieval import Stage, default_stages, rerank_stages, run_stages, table

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [(row["question"], [set(row["gold"])]) for row in questions]
    settings = IndexSettings()
    documents = yosys_documents(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    base = open_embedder()
    results: dict[str, dict[str, float]] = {}
    build_s = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work_dir or Path(tmp)
        for label, docs in (("plain chunks", _without_context(documents)), ("titled chunks", documents)):
            root = work / label.replace(" ", "-")
            if not KnowledgeIndex.exists(root):
                started = time.perf_counter()
                update_index(root, base, add=docs, settings=settings)
                build_s[label] = time.perf_counter() - started
            index = KnowledgeIndex.open(root, embedder=base)
            stages = default_stages() if label == "plain chunks" else default_stages()[1:] + rerank_stages(args)
            got, _ = run_stages(index, base, queries, lambda h: h.chunk.section, stages, prefix=f"{label}: ")
            results.update(got)
        if args.embedder:
            tuned = open_embedder(str(args.embedder), name="adapted")
            root = Path(tmp) / "adapted"
            update_index(root, tuned, add=documents, settings=settings, name="adapted")
            index = KnowledgeIndex.open(root, embedder=tuned, name="adapted")
            stage = Stage("+adapted", diverse=True, expand=True)
            got, _ = run_stages(index, tuned, queries, lambda h: h.chunk.section, [stage], prefix="titled chunks: ")
            results.update(got)
    lines = [
        "# Yosys-help retrieval: ablation of designqa's retrieval stages",
        "",
        f"Command: `.venv/bin/python {' '.join(sys.argv)}`  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, CPU only, shared with other jobs  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Data: the 50 development questions of `benchmarks/data/yosys_help_questions.jsonl` over the Yosys-help "
        f"KB ({sum(len(d.chunks) for d in documents)} passages of {len(documents)} commands). Metrics over the "
        "passages as returned (a command filling two slots counts twice), gold = the command's passages.",
        "",
        *table(results),
        "",
        "Index build (embedding included): "
        + (", ".join(f"{label} {seconds:.0f} s" for label, seconds in build_s.items()) or "reused (--work-dir)")
        + ".",
        "",
    ]
    out = HERE / "results" / "retrieval_yosys_help_ablation.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


def report(args, questions, documents, index, results, per_question, summary, train_s) -> int:
    """Write the results file (``summary`` None: the base retriever only)."""
    lines = [
        "# Retrieval on Yosys help (designqa), before and after adapting the retriever",
        "",
        f"Command: `.venv/bin/python {' '.join(sys.argv)}`  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, CPU only  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Data: {len(questions)} user-phrased questions (`benchmarks/data/yosys_help_questions.jsonl`, none names "
        f"its command) over the Yosys-help knowledge base ({len(index)} passages of {len(documents)} commands). "
        "Ranks count distinct commands.",
        "",
        "| retriever | hit@1 | hit@5 | hit@10 | MRR@10 |",
        "|---|---|---|---|---|",
    ]
    for label, m in results.items():
        lines.append(f"| {label} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['hit@10']:.3f} | {m['mrr@10']:.3f} |")
    if summary is None:
        lines += ["", "Adaptation not run (`--no-adapt`): see the results section of docs/designqa.md."]
    lines += (
        [
            "",
            f"Adaptation (`chipmate.trainer.recipes.retriever`, {train_s:.0f} s end to end, seed {args.seed}, "
            f"{args.epochs} epoch(s)): {summary['passages']} passages, {summary['queries']['keyphrase']} keyphrase "
            f"questions with the command's name left out, {summary['queries']['generated']} generated questions, "
            f"{summary['train_pairs']} training pairs with one mined hard negative each. Held-out synthetic questions, "
            f"dense hit@1 / MRR@10: {summary['dev_before']['hit@1']:.3f} / {summary['dev_before']['mrr@10']:.3f} "
            f"before, {summary['dev_after']['hit@1']:.3f} / {summary['dev_after']['mrr@10']:.3f} after. The 50 "
            "questions above were not used for training or tuning.",
        ]
        if summary is not None
        else []
    )
    lines += [
        "",
        "| question | gold | base hybrid rank | adapted hybrid rank |",
        "|---|---|---|---|",
    ]
    before = per_question[f"MiniLM (base) hybrid (w={DEFAULT_DENSE_WEIGHT})"]
    after = per_question.get(f"adapted hybrid (w={DEFAULT_DENSE_WEIGHT})", [None] * len(before))
    for row, b, a in zip(questions, before, after, strict=True):
        show = ["—" if r is None else str(r + 1) for r in (b, a)]
        if summary is None:
            show[1] = "not run"
        lines.append(f"| {row['question']} | {', '.join(row['gold'])} | {show[0]} | {show[1]} |")
    lines.append("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
