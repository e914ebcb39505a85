"""Query-adapter training: a linear map of the question's vector, learnt from questions written from your
passages, so the dense search finds their passages more often — without re-embedding the knowledge base.

Steps (the data steps are the retriever recipe's, ``retriever_data.py``): passages (a designqa index, documents,
or Yosys help) → questions per passage (generator and/or keyphrase templates) → checks (duplicates dropped,
the round-trip check with the embedder) → training → ``out_dir/query_adapter.npz``, which
``tasks.designqa.query_adapter`` names (``chipmate.documents.adapt.QueryAdapter``).

The passages' vectors stay as the index stores them; the questions are embedded once. The matrix ``W`` starts at
the identity and is trained with a softmax over *every* passage (the KB is small enough that no negative
sampling is needed: 900 passages × 1,000 questions is one matrix product), the question's own passage the
target and the other passages of its source left out (two chunks of one command's help both answer it). A
penalty ``identity_weight · ‖W − I‖²`` keeps it near the embedder it adapts, which matters with a few hundred
template-made questions. Training takes seconds on a CPU; writing questions with the generator is the slow part.

Run::

    chipmate train query-adapter -c examples/recipes/query-adapter.yaml
    chipmate train query-adapter --set index_dir=~/kb --out-dir runs/kb-query-adapter

then set ``tasks.designqa.query_adapter: runs/kb-query-adapter/query_adapter.npz``. ``out_dir`` also receives
``questions.jsonl`` (generated questions, reused by the next run), ``embedded.npz`` (the vectors of passages
and questions, reused by the next run: only the training is redone), ``metrics.jsonl`` (loss per step, dev
metrics before and after) and ``summary.json``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from chipmate.sections import Count, Section, invalid

from ..progress import say
from .retriever_data import (
    TrainingPair,
    passages_and_questions,
    split_dev,
)


class AdapterTrainConfig(Section):
    """The ``train:`` section."""

    KEY = "train"

    steps: Count = 300  # full-batch Adam steps
    learning_rate: float = Field(default=1e-3, gt=0)
    scale: float = Field(default=20.0, gt=0)  # inverse temperature on cosine scores (MNRL's default)
    # penalty on ‖W − I‖²: how far the adapted query may move. Chosen on held-out generated-from-passage questions
    # of the Yosys-help KB: 1.0 barely moved W, 0.1 and 0.01 reached dev hit@1 0.612 and 0.626 (from 0.558)
    identity_weight: float = Field(default=0.01, ge=0)
    progress: bool = True


class Config(Section):
    """A query-adapter run (``chipmate train query-adapter -c FILE``)."""

    out_dir: str = "runs/query-adapter"
    embedder: str | None = None  # the embedder alias the KB is built with; null = the default (MiniLM)
    # -- passages and questions: as in the retriever recipe ------------------------------------------------------
    index_dir: str | None = None
    paths: list[str] = Field(default_factory=list)
    yosys_help: bool = False
    chunk_size: int = 512
    chunk_overlap: int = 64
    generator: str | None = None
    generated_per_passage: int = Field(default=1, ge=0)
    max_generated_passages: int = Field(default=0, ge=0)  # 0: every passage
    keyphrase_per_passage: int = Field(default=2, ge=0)
    questions_file: str | None = None
    write_questions: bool = True  # false: use only the questions already in questions_file
    answerable_depth: int = Field(default=20, ge=0)
    dev_fraction: float = Field(default=0.1, ge=0, lt=0.5)
    seed: int = 0
    train: AdapterTrainConfig = Field(default_factory=AdapterTrainConfig)
    # Query adapters are files, not model aliases; the keys exist so `--alias` fails with a hint.
    alias: str | None = None
    replace: bool = False
    models_config: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Config:
        if self.generated_per_passage + self.keyphrase_per_passage == 0:
            raise invalid("keyphrase_per_passage", "and generated_per_passage are both 0: no queries to train on")
        if self.alias:
            raise invalid(
                "alias",
                "is not used: a query adapter is not recorded as a model alias (drop --alias and set "
                "tasks.designqa.query_adapter to the run's query_adapter.npz)",
            )
        return self


#: fewer generated questions than this and the dev set is made of keyphrase questions instead
MIN_GENERATED_DEV = 50


class EmbeddingCache:
    """Vectors of texts by the embedder ``alias``, kept in an ``.npz`` between runs of the recipe."""

    def __init__(self, path: Path, alias: str) -> None:
        self.path = path
        self.alias = alias
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                if str(data["alias"]) == alias:
                    self.vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def embed(self, embedder: Any, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            for text, vector in zip(missing, np.asarray(embedder.embed(missing), dtype=np.float32), strict=True):
                self.vectors[text] = vector
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def passages(self, embedder: Any, chunks: list[Any]) -> np.ndarray:
        """The passages as the index embeds them (``passage_vectors``), through the cache."""
        return self.embed(embedder, [c.embedding_text() for c in chunks])

    def wrap(self, embedder: Any) -> Any:
        """An object with the embedder's ``embed(texts)`` that goes through the cache."""
        cache = self

        class _Cached:
            def embed(self, texts: list[str], **_: Any) -> np.ndarray:
                return cache.embed(embedder, list(texts))

        return _Cached()

    def save(self) -> None:
        texts = list(self.vectors)
        with open(self.path, "wb") as fh:
            np.savez(
                fh,
                alias=np.array(self.alias),
                texts=np.array(texts),
                vectors=np.stack([self.vectors[t] for t in texts]),
            )


def group_metrics(scores: np.ndarray, positives: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """hit@1/3/5 and MRR@10 over every passage, a passage of the positive's source counting as the answer: the
    rank is the number of passages of *other* sources scoring above the best passage of its source."""
    if not len(positives):
        return {}
    same = groups[None, :] == groups[positives][:, None]
    best_own = np.where(same, scores, -np.inf).max(axis=1)
    ranks = (np.where(same, -np.inf, scores) > best_own[:, None]).sum(axis=1)
    out = {f"hit@{k}": float((ranks < k).mean()) for k in (1, 3, 5)}
    out["mrr@10"] = float(np.where(ranks < 10, 1.0 / (ranks + 1), 0.0).mean())
    return out


def train_matrix(
    queries: np.ndarray, positives: np.ndarray, passages: np.ndarray, groups: np.ndarray, config: AdapterTrainConfig,
    *, log: Any = None,
) -> np.ndarray:  # fmt: skip
    """``W`` (d×d) trained as the module docstring says; ``log(step, loss)`` after each step."""
    import torch
    import torch.nn.functional as F

    q = torch.from_numpy(queries)
    p = torch.from_numpy(passages)
    target = torch.from_numpy(positives).long()
    group_ids = torch.from_numpy(np.unique(groups, return_inverse=True)[1])
    # other passages of the positive's source: neither target nor negative
    hide = (group_ids[None, :] == group_ids[target][:, None]) & (torch.arange(len(p))[None, :] != target[:, None])
    dim = q.shape[1]
    delta = torch.zeros(dim, dim, requires_grad=True)
    optimizer = torch.optim.Adam([delta], lr=config.learning_rate)
    eye = torch.eye(dim)
    for step in range(config.steps):
        adapted = F.normalize(q @ (eye + delta).T, dim=-1)
        logits = (config.scale * adapted @ p.T).masked_fill(hide, float("-inf"))
        loss = F.cross_entropy(logits, target) + config.identity_weight * delta.pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if log is not None:
            log(step + 1, float(loss.detach()))
    return (eye + delta.detach()).numpy()


def _fit(
    config: Config,
    out: Path,
    alias: str,
    train: tuple[np.ndarray, np.ndarray],
    dev: tuple[np.ndarray, np.ndarray],
    vectors: np.ndarray,
    groups: np.ndarray,
) -> tuple[Any, dict[str, float], dict[str, float], float]:
    """Train the matrix, with dev metrics before and after in ``out/metrics.jsonl``: (adapter, dev before, dev
    after, seconds)."""
    from chipmate.documents.adapt import QueryAdapter
    from chipmate.trainer.metrics import MetricsLog

    train_q, train_pos = train
    dev_q, dev_pos = dev
    dev_before = group_metrics(dev_q @ vectors.T, dev_pos, groups)
    (out / "metrics.jsonl").unlink(missing_ok=True)
    metrics = MetricsLog(out / "metrics.jsonl")
    metrics.write({"step": 0, **{f"dev_{k}": v for k, v in dev_before.items()}})
    every = max(1, config.train.steps // 10)

    def log(step: int, loss: float) -> None:
        metrics.write({"step": step, "loss": loss})
        if config.train.progress and (step % every == 0 or step == config.train.steps):
            say(f"train query-adapter: step {step}/{config.train.steps} loss {loss:.4f}")

    started = time.perf_counter()
    try:
        matrix = train_matrix(train_q, train_pos, vectors, groups, config.train, log=log)
        adapter = QueryAdapter(matrix, embedder=alias)
        dev_after = group_metrics(adapter.adapt(dev_q) @ vectors.T, dev_pos, groups)
        metrics.write({"step": config.train.steps, **{f"dev_{k}": v for k, v in dev_after.items()}})
    finally:
        metrics.close()
    return adapter, dev_before, dev_after, time.perf_counter() - started


def run(config: Config) -> dict[str, Any]:
    """Make and check the questions, train the matrix, write ``out_dir/query_adapter.npz``; returns the summary."""
    from chipmate.host import Host
    from chipmate.trainer.recipes import host_config

    out = Path(config.out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    host = Host(host_config(config.models_config))
    random.seed(config.seed)
    alias = config.embedder or host.models.default_alias("embedder")
    # Embedding is the slow part on a CPU, and the same for every train: setting: cached in out_dir for the next
    # run (keyed by the embedder, the passages and the questions).
    cache = EmbeddingCache(out / "embedded.npz", alias)

    def embed(chunks: list[Any], questions: int) -> tuple[Any, np.ndarray]:
        embedder = host.models.embedder(config.embedder)
        say(f"train query-adapter: embedding {len(chunks)} passages and {questions} questions")
        return cache.wrap(embedder), cache.passages(embedder, chunks)

    chunks, queries, group_list, checked, cached, vectors = passages_and_questions(
        config, host, out, "query-adapter", embed=embed, show_progress=config.train.progress,
        write_questions=config.write_questions,
    )  # fmt: skip
    groups = np.array(group_list)
    pairs = [TrainingPair(q.text, q.gold, [], origin) for q, origin in queries]
    # Held out: generated questions (they resemble a user's) when there are enough to measure anything.
    origin = "generated" if sum(p.origin == "generated" for p in pairs) >= MIN_GENERATED_DEV else "keyphrase"
    train_pairs, dev_pairs = split_dev(pairs, config.dev_fraction, seed=config.seed, origin=origin)

    def encode(rows: list[TrainingPair]) -> tuple[np.ndarray, np.ndarray]:
        if not rows:
            return np.zeros((0, vectors.shape[1]), dtype=np.float32), np.zeros(0, dtype=np.int64)
        embedded = np.asarray(cached.embed([r.query for r in rows]), dtype=np.float32)
        return embedded, np.array([r.positive for r in rows], dtype=np.int64)

    train_q, train_pos = encode(train_pairs)
    dev_q, dev_pos = encode(dev_pairs)
    cache.save()
    adapter, dev_before, dev_after, train_s = _fit(
        config, out, alias, (train_q, train_pos), (dev_q, dev_pos), vectors, groups
    )
    adapter.meta.update(
        {
            "passages": len(chunks),
            "questions": {o: sum(1 for p in train_pairs if p.origin == o) for o in ("generated", "keyphrase")},
            "steps": config.train.steps,
            "identity_weight": config.train.identity_weight,
        }
    )
    path = adapter.save(out / "query_adapter.npz")
    summary = {
        "embedder": adapter.embedder,
        "passages": len(chunks),
        "queries": {o: sum(1 for p in pairs if p.origin == o) for o in ("generated", "keyphrase")},
        "questions_checked": checked,
        "train_pairs": len(train_pairs),
        "dev_pairs": len(dev_pairs),
        "dev_origin": origin,
        "dev_before": dev_before,
        "dev_after": dev_after,
        "train_seconds": round(train_s, 1),
        "adapter": str(path),
        "size_bytes": path.stat().st_size,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    import json

    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    say(f"train query-adapter: wrote {path}; set tasks.designqa.query_adapter: {path}")
    return summary
