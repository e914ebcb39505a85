"""Retriever fine-tuning (ChipNeMo's domain-adapted retriever): synthetic questions from your passages, hard
negatives mined with the current embedder, contrastive training, a sentence-transformers model designqa loads.

Steps (data in ``retriever_data.py``): passages (a designqa index, documents, or Yosys help) → questions per
passage (generator model and/or keyphrase templates) → hard negatives (faiss over the current embedder, likely
false negatives dropped) → training with sentence-transformers' ``MultipleNegativesRankingLoss`` (in-batch plus
hard negatives) on chipmate's precision core → ``out_dir/final`` (a sentence-transformers directory) and,
with ``alias``, an embedder alias that ``tasks.designqa.embedder`` and ``chipmate index build --embedder`` use.

Why the precision core and not ``SentenceTransformer.fit``: it is the product's one training path (fp32 on CPU,
bf16/fp16 with fp32 masters on a GPU, the same metrics, checkpoints and resume as the other recipes), and the
step of a bi-encoder is small enough to read in one screen; the loss itself is sentence-transformers' own, and
its Trainer would add ``datasets`` and ``accelerate`` to chipmate's dependencies for no gain here.

Run::

    chipmate train retriever -c examples/recipes/retriever.yaml --alias kb-retriever
    chipmate train retriever -c examples/recipes/retriever.yaml --resume       # continue after an interruption
    chipmate index build --embedder kb-retriever --index-dir ~/kb docs/             # re-embed with the new model

``out_dir`` receives ``questions.jsonl`` (generated questions, reused on resume), ``pairs.jsonl`` (the training
data), ``dev.jsonl`` (held-out questions, e.g. to tune designqa's fusion weight), ``metrics.jsonl`` and
``metrics.png`` (loss per step, dev hit@k per epoch), ``ckpt.pt`` (after each epoch), ``summary.json`` and ``final/``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from chipmate.errors import InvalidInputError
from chipmate.sections import Count, Section, invalid
from chipmate.trainer.precision import PrecisionConfig
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


def run(config: Config) -> dict[str, Any]:
    """Generate the data, train, save ``out_dir/final`` and (with ``alias``) record it as an embedder alias."""
    import torch

    try:  # sentence-transformers >= 6 moved the losses; 3.x-5.x have them here
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    except ImportError:
        from sentence_transformers.losses import MultipleNegativesRankingLoss

    from chipmate.host import Host
    from chipmate.trainer.checkpoint import load_checkpoint, save_checkpoint
    from chipmate.trainer.metrics import MetricsLog, plot_retrieval_metrics
    from chipmate.trainer.precision import iter_master_pairs, make_precision
    from chipmate.trainer.recipes import check_alias, host_config
    from chipmate.trainer.schedule import cosine_lr

    # A bad or taken --alias fails now, not after the training.
    check_alias(config.alias, config.replace, config.models_config)
    out = Path(config.out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    host = Host(host_config(config.models_config))
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = config.train.device if config.train.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    # Loaded by the sentence-transformers backend through the registry (the trainer imports no plugin); training
    # updates ``embedder.model`` in place, so the embedder always embeds with the current weights.
    settings = {"backend": "sentence-transformers", "path": base_model_path(config.base_model, host), "device": device}
    embedder = host.models.load_unlisted("retriever-base", settings)
    model = embedder.model

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
        show_progress=config.train.progress,
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
    write_pairs(out / "pairs.jsonl", train_pairs, chunks)
    write_pairs(out / "dev.jsonl", dev_pairs, chunks)
    dev_before = dev_metrics(embedder, dev_pairs, chunks, vectors)

    # 3) training: MNRL over [queries, positives, negative_1..n] columns, on the precision core
    loss_fn = MultipleNegativesRankingLoss(model, scale=config.train.scale)
    steps_per_epoch = len(batches(train_pairs, groups, config.train.batch_size, config.seed))
    total = steps_per_epoch * config.train.epochs
    precision = make_precision(
        config.train.precision,
        model,
        lambda params: torch.optim.AdamW(params, lr=config.train.learning_rate),
        param_groups=_param_groups(model, config.train.weight_decay),
        max_grad_norm=config.train.max_grad_norm,
    )
    epoch, step = 0, 0
    if config.train.resume and (out / "ckpt.pt").is_file():
        state = load_checkpoint(out / "ckpt.pt", map_location=device)
        model.load_state_dict(state["model"])
        precision.load_state_dict(state["precision"])
        epoch, step = state["epoch"], state["step"]
        torch.set_rng_state(state["rng"].cpu())
    elif (out / "metrics.jsonl").exists():
        (out / "metrics.jsonl").unlink()  # a fresh run starts a fresh log
    log = MetricsLog(out / "metrics.jsonl")
    if epoch == 0:
        log.write({"epoch": 0, "step": 0, **{f"dev_{k}": v for k, v in dev_before.items()}})
    bar = None
    if config.train.progress:
        from ..progress import Progress  # a bar on a terminal, plain lines in a log

        bar = Progress(total, f"train retriever ({precision.mode})", unit="step", initial=step)
    try:
        while epoch < config.train.epochs:
            model.train()
            for batch in batches(train_pairs, groups, config.train.batch_size, config.seed * 1000 + epoch):
                lr = cosine_lr(
                    step,
                    max_lr=config.train.learning_rate,
                    min_lr=config.train.learning_rate * 0.1,
                    warmup_steps=int(total * config.train.warmup_ratio),
                    decay_steps=total,
                )
                for group in precision.param_groups:
                    group["lr"] = lr
                columns = training_columns(batch, chunks, config.negatives, groups, seed=step)
                features = [_features(model, texts, device) for texts in columns]
                with precision.autocast():
                    loss = loss_fn(features, None)
                precision.backward(loss)
                stepped = precision.step()
                step += int(stepped)
                log.write({"epoch": epoch + 1, "step": step, "loss": float(loss.detach()), "lr": lr})
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{float(loss.detach()):.4f}", epoch=epoch + 1)
            epoch += 1
            model.eval()
            log.write(
                {
                    "epoch": epoch,
                    "step": step,
                    **{f"dev_{k}": v for k, v in dev_metrics(embedder, dev_pairs, chunks).items()},
                }
            )
            save_checkpoint(
                {
                    "model": model.state_dict(),
                    "precision": precision.state_dict(),
                    "epoch": epoch,
                    "step": step,
                    "config": config.model_dump(mode="json"),
                    "rng": torch.get_rng_state(),
                },
                out / "ckpt.pt",
            )
    finally:
        if bar is not None:
            bar.close()
        log.close()
    if precision.mode in ("fp16", "bf16"):
        # Save the fp32 masters, not their half-precision copies.
        model.float()
        for param, master in iter_master_pairs(precision):
            param.data.copy_(master.data)
    model.eval()
    dev_after = dev_metrics(embedder, dev_pairs, chunks)
    final = out / "final"
    model.save(str(final))
    if config.train.plot:
        plot_retrieval_metrics(out / "metrics.jsonl", out / "metrics.png")
    summary = {
        "base_model": config.base_model,
        "passages": len(chunks),
        "queries": {o: sum(1 for p in pairs if p.origin == o) for o in ("generated", "keyphrase")},
        "questions_checked": checked,
        "train_pairs": len(train_pairs),
        "dev_pairs": len(dev_pairs),
        "dev_before": dev_before,
        "dev_after": dev_after,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    summary["model_dir"] = str(final)
    if config.alias:
        from chipmate.models.store import add_alias

        add_alias(host.models, config.alias, final, backend="sentence-transformers", recipe="retriever",
                  replace=config.replace)  # fmt: skip
        summary["alias"] = config.alias
        if config.reindex and config.index_dir:
            # the index's plugin re-embeds it with the trained model (designqa's offer of its passages)
            summary["reindexed"] = host.training_data.trained(
                PASSAGES, "index", model_dir=final, alias=config.alias, index_dir=config.index_dir
            )
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def _param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]


def _features(model: Any, texts: list[str], device: str) -> dict[str, Any]:
    tokenize = getattr(model, "preprocess", None) or model.tokenize
    features = tokenize(texts)
    return {k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()}
