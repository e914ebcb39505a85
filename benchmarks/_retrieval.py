"""Shared by the retrieval benchmarks: the ablation stages and their metrics, measured on what a user gets.

Every stage is the designqa retriever with one more part switched on, in the order the issue asks for
(base, +diversity, +query expansion, +prior, +title match, +rerank, +adapted; the prior and the title match, on by
default, are off in the rows before their own and on in the rows after them). Metrics are over the passages as returned (not collapsed
to documents), so a command filling two of the top three slots costs hit@3 as it costs a user:

- hit@k: some passage of the top k belongs to a gold item (a command, an answer document, a doc section);
- recall@k: share of a question's gold items that have a passage in the top k (questions with several gold
  items need several passages; an item is a set of equivalent keys, e.g. ``opt_clean`` and ``clean``);
- p50 / p90 latency of one ``search`` call (query expansion, embedding, fusion, diversity, reranking), in seconds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipmate.plugins.designqa.retrieve import Hit, HybridRetriever

if TYPE_CHECKING:
    import argparse

KS = (1, 3, 5)
RECALL_KS = (5, 20)
DEPTH = 20


@dataclass
class Stage:
    """One row of an ablation: retriever switches on top of the index and embedder it is given."""

    label: str
    diverse: bool = False
    expand: bool = False
    reranker: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: measure on the first ``limit`` queries only (a slow stage); None = all
    limit: int | None = None


def default_stages(reranker: Any = None) -> list[Stage]:
    """base, +diversity, +query expansion, +prior, +title match (the default settings, less the query adapter), and
    +rerank when a reranker is given."""
    off = {"prior_weight": 0.0, "title_weight": 0.0}
    stages = [
        Stage("base (hybrid)", extra=off),
        Stage("+diversity", diverse=True, extra=off),
        Stage("+diversity +expansion", diverse=True, expand=True, extra=off),
        Stage("+diversity +expansion +prior", diverse=True, expand=True, extra={"title_weight": 0.0}),
        Stage("+diversity +expansion +prior +title", diverse=True, expand=True),
    ]
    if reranker is not None:
        stages.append(
            Stage("+diversity +expansion +prior +title +rerank", diverse=True, expand=True, reranker=reranker)
        )
    return stages


def add_rerank_args(parser: argparse.ArgumentParser) -> None:
    """``--reranker DIR`` (repeatable; default the shipped Yosys-help cross-encoder) and ``--generator-rerank N``."""
    parser.add_argument(
        "--reranker",
        action="append",
        type=Path,
        help="a cross-encoder directory (`chipmate train reranker`) for a +rerank row; repeatable",
    )
    parser.add_argument(
        "--query-adapter",
        action="append",
        type=Path,
        help="a query adapter (`chipmate train query-adapter`) for a +adapted row; repeatable "
        "(default: the shipped plugins/designqa/adapters/yosys-help-query)",
    )
    parser.add_argument(
        "--generator-rerank",
        type=int,
        default=0,
        metavar="N",
        help="also measure query-likelihood reranking with the default generator (CTranslate2 score_batch) on the "
        "first N questions, next to the same stages without it (slow: ~10 s a question on 2 cores)",
    )


def rerank_stages(args: argparse.Namespace) -> list[Stage]:
    """The +adapted and +rerank rows the arguments ask for (query adapters, cross-encoders, then the generator's
    reranking on its subset)."""
    from chipmate.plugins.designqa.adapt import YOSYS_HELP_QUERY_ADAPTER, QueryAdapter
    from chipmate.plugins.designqa.rerank import CrossEncoderReranker

    stages = []
    for path in args.query_adapter or ([YOSYS_HELP_QUERY_ADAPTER] if YOSYS_HELP_QUERY_ADAPTER.is_file() else []):
        adapter = QueryAdapter.load(path)
        label = f"+diversity +expansion +prior +title +adapted (query adapter {path.parent.name}/{path.name})"
        stages.append(Stage(label, diverse=True, expand=True, extra={"query_adapter": adapter}))
    for path in args.reranker or []:
        from chipmate.host import Host

        models = Host().models  # a LoRA reranker sits on the default embedder, which the registry resolves
        reranker = CrossEncoderReranker(path, base_dir=models.local_path(models.default_alias("embedder")))
        label = f"+diversity +expansion +prior +title +rerank (cross-encoder {path.name})"
        stages.append(Stage(label, diverse=True, expand=True, reranker=reranker))
    if args.generator_rerank:
        from chipmate.host import Host
        from chipmate.plugins.designqa.rerank import GeneratorReranker

        n = args.generator_rerank
        generator = GeneratorReranker(Host().models.generator(None))
        stages.append(Stage(f"+diversity +expansion, first {n} questions", diverse=True, expand=True, limit=n))
        label = f"+diversity +expansion +rerank (generator query likelihood), first {n} questions"
        stages.append(Stage(label, diverse=True, expand=True, reranker=generator, limit=n))
    return stages


def evaluate(
    retriever: HybridRetriever,
    queries: Sequence[tuple[str, list[set[Hashable]]]],
    key_of: Callable[[Hit], Hashable],
) -> tuple[dict[str, float], list[int | None]]:
    """Metrics over ``queries`` ((question, gold items)) and each query's 0-based passage rank of its first gold
    hit (None: not in the top ``DEPTH``)."""
    hits_at = {k: 0 for k in KS}
    recall_at = {k: 0.0 for k in RECALL_KS}
    seconds: list[float] = []
    ranks: list[int | None] = []
    for question, gold in queries:
        started = time.perf_counter()
        hits = retriever.search(question, DEPTH)
        seconds.append(time.perf_counter() - started)
        keys = [key_of(h) for h in hits]
        every = set().union(*gold)
        first = next((i for i, key in enumerate(keys) if key in every), None)
        ranks.append(first)
        for k in KS:
            hits_at[k] += first is not None and first < k
        for k in RECALL_KS:
            top = set(keys[:k])
            recall_at[k] += sum(1 for item in gold if item & top) / max(1, len(gold))
    n = max(1, len(queries))
    out = {f"hit@{k}": hits_at[k] / n for k in KS}
    out.update({f"recall@{k}": recall_at[k] / n for k in RECALL_KS})
    mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n
    out["mrr@10"] = mrr
    out["p50_s"] = statistics.median(seconds) if seconds else 0.0
    out["p90_s"] = sorted(seconds)[int(0.9 * (len(seconds) - 1))] if seconds else 0.0
    return out, ranks


def run_stages(
    index: Any,
    embedder: Any,
    queries: Sequence[tuple[str, list[set[Hashable]]]],
    key_of: Callable[[Hit], Hashable],
    stages: Sequence[Stage],
    *,
    prefix: str = "",
) -> tuple[dict[str, dict[str, float]], dict[str, list[int | None]]]:
    """Metrics and ranks per stage label (``prefix`` prepended)."""
    results: dict[str, dict[str, float]] = {}
    ranks: dict[str, list[int | None]] = {}
    for stage in stages:
        retriever = HybridRetriever(
            index, embedder, diverse=stage.diverse, expand=stage.expand, reranker=stage.reranker, **stage.extra
        )
        retriever.search("warm up", 3)  # the first call loads lazily built state; not a user's latency
        label = f"{prefix}{stage.label}"
        results[label], ranks[label] = evaluate(retriever, queries[: stage.limit], key_of)
    return results, ranks


def table(results: dict[str, dict[str, float]]) -> list[str]:
    """The ablation as Markdown table lines."""
    lines = [
        "| stage | hit@1 | hit@3 | hit@5 | recall@5 | recall@20 | MRR@10 | p50 s | p90 s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, m in results.items():
        lines.append(
            f"| {label} | {m['hit@1']:.3f} | {m['hit@3']:.3f} | {m['hit@5']:.3f} | {m['recall@5']:.3f} | "
            f"{m['recall@20']:.3f} | {m['mrr@10']:.3f} | {m['p50_s']:.3f} | {m['p90_s']:.3f} |"
        )
    return lines
