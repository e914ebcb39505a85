"""Retriever fine-tuning (ChipNeMo's domain-adapted retriever): synthetic questions from your passages, hard
negatives mined with the current embedder, contrastive training, a sentence-transformers model designqa loads.

Steps (data in ``retriever_data.py``): passages (a designqa index, documents, or Yosys help) → questions per
passage (generator model and/or keyphrase templates) → hard negatives (faiss over the current embedder, likely
false negatives dropped) → contrastive training (sentence-transformers' ``MultipleNegativesRankingLoss``: in-batch
plus hard negatives) on the trainer's loop (``chipmate.trainer.loop.train``: precision, DDP/FSDP, checkpoints, resume)
→ ``out_dir/final`` (a sentence-transformers directory) and,
with ``alias``, an embedder alias that ``tasks.designqa.embedder`` and ``chipmate index build --embedder`` use.

Why the trainer's loop and not ``SentenceTransformer.fit``: it is the product's one training path (fp32 on CPU,
bf16/fp16 with fp32 masters on a GPU, DDP or FSDP under torchrun, the same metrics, checkpoints, Ctrl-C and
resume as the other recipes); this recipe gives it a batch function and the contrastive loss (MNRL, a few lines),
and sentence-transformers' Trainer would add ``datasets`` and ``accelerate`` to chipmate's dependencies.

Run::

    chipmate train retriever -c examples/recipes/retriever.yaml --alias kb-retriever
    chipmate train retriever -c examples/recipes/retriever.yaml --resume       # continue after an interruption
    torchrun --standalone --nproc_per_node=2 -m chipmate train retriever -c FILE    # data parallel
    chipmate index build --embedder kb-retriever --index-dir ~/kb docs/             # re-embed with the new model

``out_dir`` receives ``questions.jsonl`` (generated questions, reused on resume), ``pairs.jsonl`` (the training
data), ``dev.jsonl`` (held-out questions, e.g. to tune designqa's fusion weight), ``metrics.jsonl`` and
``metrics.png`` (loss per step, dev hit@k per epoch: the loop's records with an ``epoch`` key), ``ckpt.pt`` (after
each epoch), ``summary.json`` and ``final/``.

Over 400 lines on purpose: the recipe's configuration, run, batch function and contrastive loss read top to
bottom as one recipe; the data steps already live in ``retriever_data.py``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from chipmate.errors import InvalidInputError
from chipmate.sections import Count, Section, invalid
from chipmate.trainer.loop import TrainConfig
from chipmate.trainer.precision import PrecisionConfig
from chipmate.trainer.sharding import Parallel
from chipmate.training_data import PASSAGES

from ..progress import say
from .retriever_data import (
    answerable,
    batches,
    dev_metrics,
    generation_targets,
    load_passages,
    make_queries,
    mine_hard_negatives,
    passage_vectors,
    split_dev,
    training_columns,
    write_pairs,
)

if TYPE_CHECKING:
    from chipmate.host import Host

logger = logging.getLogger("chipmate.trainer.retriever")


class RetrieverTrainConfig(Section):
    """The ``train:`` section: the optimisation itself."""

    KEY = "train"

    epochs: Count = 3  # small corpora: a few passes; the dev metrics show when it stops helping
    # in-batch negatives: more is better (at least 2: a query needs company), 32 fits a CPU step in seconds
    batch_size: int = Field(default=32, ge=2)
    # the sentence-transformers fine-tuning range is 2e-5..1e-4 for MiniLM-sized models
    learning_rate: float = Field(default=5e-5, gt=0)
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)  # linear warmup over the first 10% of steps, then cosine
    weight_decay: float = 0.01  # the BERT fine-tuning value
    max_grad_norm: float = 1.0  # clip on unscaled fp32 grads
    scale: float = Field(default=20.0, gt=0)  # MNRL's inverse temperature on cosine scores (sentence-transformers')
    # fp32 on CPU (no fast half kernels there); bf16/fp16 keep fp32 masters on a GPU.
    precision: PrecisionConfig = Field(default_factory=lambda: PrecisionConfig(mode="fp32"))
    device: str = "auto"  # auto = cuda when available, else cpu
    # under torchrun: "ddp" keeps a whole model per process (MiniLM-sized models fit anywhere); "fsdp" shards it
    parallel: Parallel = "ddp"
    resume: bool = False  # continue from out_dir/ckpt.pt (written after each epoch)
    progress: bool = True  # tqdm bars
    plot: bool = True  # metrics.png at the end


class Config(Section):
    """A retriever fine-tuning run (``chipmate train retriever -c FILE``): data keys at the top, ``train:``."""

    out_dir: str = "runs/retriever"  # questions, pairs, metrics, checkpoint and final/ go here
    # Model to adapt: an embedder alias or a sentence-transformers directory; null = the default embedder.
    base_model: str | None = None
    # -- passages: any of the three, together ------------------------------------------------------------------
    index_dir: str | None = None  # a designqa index: trains on exactly what designqa searches
    paths: list[str] = Field(default_factory=list)  # documents or folders, chunked like `chipmate index build`
    yosys_help: bool = False  # Yosys's command help (the default knowledge base)
    chunk_size: int = 512  # for paths / yosys_help; designqa's default chunking
    chunk_overlap: int = 64
    # -- queries ------------------------------------------------------------------------------------------------
    generator: str | None = None  # generator alias that writes questions; null = the default generator
    # Generated questions per passage (first greedy, others sampled); 0 = heuristic only. ChipNeMo generated
    # its queries with an LLM: they are phrased like a user's, unlike templates.
    generated_per_passage: int = Field(default=1, ge=0)
    # Passages the generator writes questions for, a seeded sample; 0 = all. Writing costs 5-15 s a passage on a
    # 2-core CPU, so a large KB takes hours; the keyphrase questions still cover every passage.
    max_generated_passages: int = Field(default=0, ge=0)
    # Keyphrase questions per passage: free, deterministic, and they teach the domain's vocabulary.
    keyphrase_per_passage: int = Field(default=2, ge=0)
    questions_file: str | None = None  # generated questions to reuse (default out_dir/questions.jsonl)
    # -- hard negatives -----------------------------------------------------------------------------------------
    # Round-trip check: keep a question only when the base model ranks its own passage (or its source's) within
    # this many passages; 0 = keep all. Drops vague and off-passage questions before they become training data.
    answerable_depth: int = Field(default=20, ge=0)
    # hard negatives per query (each costs a batch of passages per step; 1 is the common choice)
    negatives: int = Field(default=1, ge=0)
    mining_depth: int = 30  # nearest passages examined per query; at least negatives
    false_negative_margin: float = 0.05  # drop candidates scoring ≥ positive − margin (NV-Retriever's filter)
    # generated questions held out to report hit@k before and after training
    dev_fraction: float = Field(default=0.1, ge=0, lt=0.5)
    seed: int = 0  # data order, dev split, keyphrase sampling (the base model is pretrained: no init)
    train: RetrieverTrainConfig = Field(default_factory=RetrieverTrainConfig)
    # -- the result ---------------------------------------------------------------------------------------------
    alias: str | None = None  # record out_dir/final as this embedder alias (chipmate models list)
    replace: bool = False  # let alias overwrite a recorded alias of the same name
    # With alias and index_dir: re-embed that index with the new model (recorded under the alias), so the KB
    # uses it; then set tasks.designqa.embedder to the alias. The old generation stays for running readers.
    reindex: bool = False
    models_config: str | None = None  # chipmate config that resolves aliases and the cache (None: the usual one)

    @model_validator(mode="after")
    def _coherent(self) -> Config:
        if self.mining_depth < self.negatives:
            raise invalid("mining_depth", f"must be >= negatives ({self.negatives}), got {self.mining_depth}")
        if self.reindex and not (self.alias and self.index_dir):
            raise invalid("reindex", "must be used with alias and index_dir (it re-embeds that index for the alias)")
        if self.generated_per_passage + self.keyphrase_per_passage == 0:
            raise invalid("keyphrase_per_passage", "and generated_per_passage are both 0: no queries to train on")
        return self


#: the name tests and benchmarks use
RetrieverConfig = Config


def load_config(path: str | None, overrides: dict[str, Any] | None = None) -> Config:
    """The recipe's config from a YAML file plus dotted ``overrides`` (as ``chipmate train retriever`` reads it)."""
    from chipmate.trainer.recipes import load_recipe_config

    return load_recipe_config(Config, path, {k: v for k, v in (overrides or {}).items() if v is not None}, "retriever")


def base_model_path(name: str | None, host: Host) -> str:
    """The directory of ``name``: a sentence-transformers directory as given, else an embedder alias's path."""
    if name and Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    alias = name or host.models.default_alias("embedder")
    return str(host.models.local_path(alias))


@dataclass
class _Data:
    """What training needs from steps 1 and 2."""

    chunks: list[Any]
    groups: list[str]  # each passage's source: passages of one source are never each other's negatives
    pairs: list[Any]
    train_pairs: list[Any]
    dev_pairs: list[Any]
    checked: dict[str, int]
    dev_before: dict[str, float]


def run(config: Config) -> dict[str, Any]:
    """Generate the data, train, save ``out_dir/final`` and (with ``alias``) record it as an embedder alias.

    Under torchrun every process trains (``train.parallel``: ddp or fsdp); rank 0 prepares the data first (and
    writes the generated questions), the others then read the same questions and compute the same pairs, and
    rank 0 alone writes the outputs.
    """
    import torch

    from chipmate.host import Host
    from chipmate.trainer.loop import finish_distributed, setup_distributed, train
    from chipmate.trainer.recipes import check_alias, host_config

    # A bad or taken --alias fails now, not after the training.
    check_alias(config.alias, config.replace, config.models_config)
    out = Path(config.out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    host = Host(host_config(config.models_config))
    device = config.train.device if config.train.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    rank, world, _ = setup_distributed(device)
    main = rank == 0
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    base = base_model_path(config.base_model, host)
    # Loaded by the sentence-transformers backend through the registry (the trainer imports no plugin); training
    # updates ``embedder.model`` in place, so the embedder always embeds with the current weights.
    embedder = host.models.load_unlisted("retriever-base", {"backend": "sentence-transformers", "path": base,
                                                            "device": device})  # fmt: skip
    model = embedder.model
    for name, param in model.named_parameters():
        # BERT's pooler runs but the embedding never uses it (sentence-transformers pools the token states): it gets
        # no gradient, so AdamW never touched it; frozen, it does not trip DDP's every-parameter-has-a-gradient check.
        if ".pooler." in f".{name}":
            param.requires_grad_(False)
    with _main_first(main, world):
        data = _prepare(config, host, model, embedder, out, main)

    # 3) training on the trainer's loop (DDP or FSDP under torchrun), then the fp32 weights back into one model
    if main and not config.train.resume and (out / "metrics.jsonl").exists():
        (out / "metrics.jsonl").unlink()  # a fresh run starts a fresh log
    per_epoch = len(batches(data.train_pairs, data.groups, config.train.batch_size, config.seed)) // world
    result = train(
        _loop_config(config, out, device, max(1, per_epoch)),
        model,
        _batch_fn(config, data, rank, world, max(1, per_epoch)),
        evaluate=lambda m: {f"dev_{k}": v for k, v in dev_metrics(_Forward(m), data.dev_pairs, data.chunks).items()},
        loss=_contrastive_loss(config.train.scale),
    )
    if not main:
        finish_distributed()
        return {}
    summary = _write_outputs(config, host, model, result, data, base, device, out, world)
    finish_distributed()
    return summary


def _write_outputs(
    config: Config, host: Host, model: Any, result: Any, data: _Data, base: str, device: str, out: Path, world: int
) -> dict[str, Any]:
    """Rank 0, after training: save ``out/final`` and the plot, record the alias (and re-embed the index with
    it), and write ``summary.json``; returns the summary."""
    from sentence_transformers import SentenceTransformer

    from chipmate.trainer.metrics import plot_retrieval_metrics
    from chipmate.trainer.recipes.training import to_fp32

    model = to_fp32(model, result, rebuild=lambda: SentenceTransformer(base, device=device, local_files_only=True))
    model.eval()
    final = out / "final"
    model.save(str(final))
    if config.train.plot:
        plot_retrieval_metrics(out / "metrics.jsonl", out / "metrics.png")
    summary = {
        "base_model": config.base_model,
        "passages": len(data.chunks),
        "queries": {o: sum(1 for p in data.pairs if p.origin == o) for o in ("generated", "keyphrase")},
        "questions_checked": data.checked,
        "train_pairs": len(data.train_pairs),
        "dev_pairs": len(data.dev_pairs),
        "world_size": world,
        "dev_before": data.dev_before,
        "dev_after": dev_metrics(_Forward(model), data.dev_pairs, data.chunks),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model_dir": str(final),
    }
    if config.alias:
        from chipmate.models.store import add_alias

        add_alias(host.models, config.alias, final, backend="sentence-transformers", recipe="retriever",
                  replace=config.replace)  # fmt: skip
        summary["alias"] = config.alias
        if config.reindex and config.index_dir:
            # the index's plugin re-embeds it with the trained model (designqa's offer of its passages)
            trained = host.models.load_unlisted(config.alias, {"backend": "sentence-transformers", "path": str(final)})
            summary["reindexed"] = host.training_data.trained(
                PASSAGES, "index", model_dir=final, alias=config.alias, index_dir=config.index_dir, embedder=trained
            )
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


@contextlib.contextmanager
def _main_first(main: bool, world: int) -> Iterator[None]:
    """Rank 0 runs the block first (it writes the caches), the other ranks after it (they read them)."""
    import torch.distributed as dist

    if world > 1 and not main:
        dist.barrier()
    yield
    if world > 1 and main:
        dist.barrier()


def _prepare(config: Config, host: Any, model: Any, embedder: Any, out: Path, main: bool) -> _Data:
    """Steps 1 and 2: passages, questions (generated ones cached in questions.jsonl), the answerability check,
    hard negatives mined with the model as it is now, and the dev split."""
    # 1) passages and queries (generated questions are cached, so a second run or a resume writes none)
    harvest = " (harvesting Yosys help: a minute or two)" if config.yosys_help else ""
    say(f"train retriever: reading the passages{harvest}")
    chunks = load_passages(
        host.training_data,
        index_dir=config.index_dir,
        paths=config.paths,
        yosys_help=config.yosys_help,
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
    )
    questions = Path(config.questions_file).expanduser() if config.questions_file else out / "questions.jsonl"
    generator = None
    targets = generation_targets(len(chunks), config.max_generated_passages, config.seed)
    if config.generated_per_passage > 0:
        from .retriever_data import read_questions

        covered = read_questions(questions, chunks)[1]
        if any(i not in covered for i in targets):
            generator = host.models.generator(config.generator)
    checked: dict[str, int] = {}
    queries = make_queries(
        chunks,
        generator=generator,
        generated_per_passage=config.generated_per_passage,
        keyphrase_per_passage=config.keyphrase_per_passage,
        generate_for=targets,
        questions_file=questions,
        seed=config.seed,
        show_progress=config.train.progress and main,
        stats=checked,
    )
    # 2) the answerability check and hard negatives with the model as it is now, then the dev split
    model.eval()
    groups = [c.source for c in chunks]
    say(f"train retriever: embedding {len(chunks)} passages, checking {len(queries)} questions, mining negatives")
    vectors = passage_vectors(embedder, chunks)  # embedded once for checking, mining and the "before" metrics
    checked["unanswerable"] = 0
    if config.answerable_depth:
        queries, checked["unanswerable"] = answerable(
            queries, chunks, embedder, vectors, depth=config.answerable_depth, groups=groups
        )
    checked["kept"] = len(queries)
    logger.info(
        "questions: %d written, %d duplicates and %d unanswerable dropped, %d kept",
        checked["written"],
        checked["duplicates"],
        checked["unanswerable"],
        checked["kept"],
    )
    if not queries:
        raise InvalidInputError(
            "no question survived the checks (duplicates, answerable by its passage)",
            hint="generate more questions (generated_per_passage) or set answerable_depth: 0",
        )
    pairs = mine_hard_negatives(
        queries,
        chunks,
        embedder,
        negatives=config.negatives,
        depth=config.mining_depth,
        margin=config.false_negative_margin,
        groups=groups,
        vectors=vectors,
    )
    train_pairs, dev_pairs = split_dev(pairs, config.dev_fraction, seed=config.seed)
    if main:
        write_pairs(out / "pairs.jsonl", train_pairs, chunks)
        write_pairs(out / "dev.jsonl", dev_pairs, chunks)
    dev_before = dev_metrics(embedder, dev_pairs, chunks, vectors)
    return _Data(chunks, groups, pairs, train_pairs, dev_pairs, checked, dev_before)


def _loop_config(config: Config, out: Path, device: str, per_epoch: int) -> TrainConfig:
    """The trainer loop's settings for this run: an iteration is one batch of queries per process, an epoch
    ``per_epoch`` of them; dev metrics and a checkpoint after every epoch, the loss after every step."""
    t = config.train
    total = per_epoch * t.epochs
    return TrainConfig(
        out_dir=str(out),
        precision=t.precision,
        max_iters=total,
        batch_size=t.batch_size,
        seq_len=1,  # a batch of queries has no one sequence length: tokens_per_s then counts queries per second
        parallel=t.parallel,
        learning_rate=t.learning_rate,
        min_lr=t.learning_rate * 0.1,
        warmup_iters=int(total * t.warmup_ratio),
        lr_schedule="cosine",
        weight_decay=t.weight_decay,
        betas=(0.9, 0.999),  # torch's AdamW default, the fine-tuning value (the loop's 0.95 suits LM pretraining)
        max_grad_norm=t.max_grad_norm,
        log_interval=1,
        checkpoint_interval=per_epoch,
        eval_interval=per_epoch,
        resume=t.resume and (out / "ckpt.pt").is_file(),
        seed=config.seed,
        device=device,
        progress=t.progress,
        plot=False,  # plot_retrieval_metrics draws the dev metrics too
    )


def _batch_fn(config: Config, data: _Data, rank: int, world: int, per_epoch: int) -> Any:
    """The loop's BatchFn: iteration -> this rank's batch of the epoch's shuffle, as text columns
    [queries, positives, negatives_1..n] (MNRL's layout). Depends only on the seed and the iteration (resume)."""
    epochs: dict[int, list[Any]] = {}

    def get(iteration: int, micro: int, rank_: int) -> list[list[str]]:
        epoch, index = divmod(iteration, per_epoch)
        if epoch not in epochs:
            epochs.clear()  # one epoch's shuffle at a time
            epochs[epoch] = batches(data.train_pairs, data.groups, config.train.batch_size, config.seed * 1000 + epoch)
        batch = epochs[epoch][index * world + rank]
        return training_columns(batch, data.chunks, config.negatives, data.groups, seed=iteration)

    get.iterations_per_epoch = per_epoch  # type: ignore[attr-defined]  # the loop records epochs from it
    return get


class _Forward:
    """An embedder over the model being trained that calls its forward under ``no_grad``, not ``encode``.

    ``encode`` runs under ``torch.inference_mode``; under FSDP the parameters it gathers would become inference
    tensors, which the next training step may not update in place."""

    def __init__(self, model: Any, batch_size: int = 64) -> None:
        self.model, self.batch_size = model, batch_size

    def embed(self, texts: list[str]) -> Any:
        import numpy as np
        import torch
        import torch.nn.functional as F

        device = next(self.model.parameters()).device
        parts = []
        with torch.no_grad():
            for start in range(0, len(texts), self.batch_size):
                features = self.model.tokenize(texts[start : start + self.batch_size])
                features = {k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()}
                parts.append(F.normalize(self.model(features)["sentence_embedding"].float(), dim=-1).cpu().numpy())
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def _contrastive_loss(scale: float) -> Any:
    """The loop's LossFn: sentence-transformers' MultipleNegativesRankingLoss (cosine similarity × ``scale``,
    cross-entropy against the query's own positive; the other rows' positives and every hard negative are the
    negatives), with all columns embedded in one forward pass through the (DDP/FSDP-wrapped) model."""
    import torch
    import torch.nn.functional as F

    def loss(model: Any, columns: list[list[str]], autocast: Any) -> torch.Tensor:
        inner = model.module if hasattr(model, "module") else model  # DDP wraps it; tokenizing is the model's own
        tokenize = getattr(inner, "preprocess", None) or inner.tokenize
        texts = [text for column in columns for text in column]
        device = next(inner.parameters()).device
        features = {k: v.to(device) if hasattr(v, "to") else v for k, v in tokenize(texts).items()}
        with autocast():
            embeddings = model(features)["sentence_embedding"]
        embeddings = F.normalize(embeddings.float(), dim=-1)
        n = len(columns[0])
        queries, candidates = embeddings[:n], embeddings[n:]
        scores = queries @ candidates.T * scale
        return F.cross_entropy(scores, torch.arange(n, device=scores.device))

    return loss
