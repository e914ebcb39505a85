"""Reranker training: a cross-encoder over designqa's fused candidates, started from the embedded MiniLM and
trained on questions written from your passages, with hard negatives mined from the index.

Steps (the data steps are the retriever recipe's, ``retriever_data.py``): passages (a designqa index, documents,
or Yosys help) → questions per passage (generator and/or keyphrase templates) → checks (duplicates dropped, every
question must find its passage's source in the base embedder's top ``answerable_depth``) → ``negatives`` hard
negatives per question mined with the embedder over faiss (the passages a reranker will actually see next to the
answer, minus likely false negatives) → training → ``out_dir/final``, which ``tasks.designqa.reranker`` names.

The model is MiniLM's BERT with a one-logit classification head (``AutoModelForSequenceClassification``): the
question and a passage are read together, so it can weigh a word of the question against the passage's wording,
which the bi-encoder's two separate vectors cannot. The loss is listwise: for each question, a softmax over its
positive and its hard negatives with the positive as the target (the "localised contrastive estimation" of Gao et
al. 2021, the usual way to train a reranker on mined negatives). With ``lora.rank > 0`` (the default) only LoRA
matrices and the head are trained and saved: a few MB that load over the embedded MiniLM, small enough to ship;
``lora.rank: 0`` trains and saves the whole 90 MB model.

Run::

    chipmate train reranker -c examples/recipes/reranker.yaml
    chipmate train reranker --set index_dir=~/kb --out-dir runs/kb-reranker
    python -m chipmate.trainer.recipes.reranker -c examples/recipes/reranker.yaml      # the same, for scripts

then set ``tasks.designqa.reranker: runs/kb-reranker/final``. ``out_dir`` receives ``questions.jsonl``
(generated questions, reused on resume), ``pairs.jsonl``, ``dev.jsonl``, ``metrics.jsonl`` / ``metrics.png``
(loss per step; dev hit@1 and MRR@10 of the reranked candidates per epoch), ``ckpt.pt``, ``summary.json``
(questions written/dropped/kept, dev metrics of the embedder's order and of the reranked order) and ``final/``.

Over 400 lines on purpose: one recipe, its config, data steps and training loop read top to bottom.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from chipmate.sections import Count, Section, invalid
from chipmate.trainer.precision import PrecisionConfig

from ..progress import say
from .retriever_data import (
    TrainingPair,
    mine_hard_negatives,
    passage_vectors,
    passages_and_questions,
    split_dev,
    training_columns,
    write_pairs,
)

logger = logging.getLogger("chipmate.trainer.reranker")

#: BERT's linear layers that get LoRA matrices (attention and feed-forward); the pooler and the new head are
#: trained whole (``modules_to_save``): the head starts random
LORA_TARGETS = ["query", "key", "value", "output.dense", "intermediate.dense"]


class LoraSettings(Section):
    """The ``lora:`` section: 0 trains the whole model; otherwise LoRA on attention and feed-forward layers."""

    KEY = "lora"

    rank: int = Field(default=16, ge=0)  # 0: train the whole model
    alpha: int = 32
    dropout: float = Field(default=0.1, ge=0, lt=1)


class RerankerTrainConfig(Section):
    """The ``train:`` section: the optimisation itself."""

    KEY = "train"

    epochs: Count = 2
    batch_size: Count = 8  # questions per step; each brings 1 + negatives passages through the encoder
    learning_rate: float = Field(default=2e-4, gt=0)  # LoRA's usual range; use ~3e-5 with lora.rank 0
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)  # linear warmup over the first 10% of steps, then cosine
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0  # clip on unscaled fp32 grads
    # fp32 on CPU (no fast half kernels there); bf16/fp16 keep fp32 masters on a GPU.
    precision: PrecisionConfig = Field(default_factory=lambda: PrecisionConfig(mode="fp32"))
    device: str = "auto"  # auto = cuda when available, else cpu
    resume: bool = False  # continue from out_dir/ckpt.pt (written after each epoch)
    progress: bool = True
    plot: bool = True  # metrics.png at the end


class Config(Section):
    """A reranker training run (``chipmate train reranker -c FILE``): data keys at the top, ``lora:``, ``train:``."""

    out_dir: str = "runs/reranker"
    # Model to start from: a model directory (config.json) or an embedder alias; null = the embedded MiniLM.
    # LoRA adapters (lora.rank > 0) load over the embedded MiniLM only, so they need null here.
    base_model: str | None = None
    # -- passages: any of the three, together (as in the retriever recipe) ------------------------------------
    index_dir: str | None = None
    paths: list[str] = Field(default_factory=list)
    yosys_help: bool = False
    chunk_size: int = 512
    chunk_overlap: int = 64
    # -- questions (as in the retriever recipe) ------------------------------------------------------------------
    generator: str | None = None
    generated_per_passage: int = Field(default=1, ge=0)
    # a seeded sample of passages gets generated questions; 0 = all
    max_generated_passages: int = Field(default=0, ge=0)
    keyphrase_per_passage: int = Field(default=1, ge=0)
    questions_file: str | None = None  # generated questions to reuse (default out_dir/questions.jsonl)
    # false: train on the questions already in questions_file (e.g. a retriever run's), writing none
    write_questions: bool = True
    answerable_depth: int = Field(default=20, ge=0)  # round-trip check with the base embedder; 0 = keep all
    # -- hard negatives ------------------------------------------------------------------------------------------
    # A reranker learns from the passages it will have to order: several per question, from the embedder's top.
    # At least 1: a listwise loss needs something to rank below the answer.
    negatives: int = Field(default=3, ge=1)
    mining_depth: int = 20  # designqa reranks the fused top 20: mine where it looks
    false_negative_margin: float = 0.05
    dev_fraction: float = Field(default=0.1, ge=0, lt=0.5)
    rerank_depth: int = Field(default=20, ge=2)  # dev metrics rerank the embedder's top this many
    # question + passage tokens (a 512-character chunk with its section line fits)
    max_length: int = Field(default=256, ge=32)
    seed: int = 0
    lora: LoraSettings = Field(default_factory=LoraSettings)
    train: RerankerTrainConfig = Field(default_factory=RerankerTrainConfig)
    # Rerankers are not model aliases (the registry knows generators and embedders): name out_dir/final in
    # tasks.designqa.reranker. The keys exist so `--alias` fails with that hint instead of "unknown key".
    alias: str | None = None
    replace: bool = False
    models_config: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Config:
        if self.mining_depth < self.negatives:
            raise invalid("mining_depth", f"must be >= negatives ({self.negatives}), got {self.mining_depth}")
        if self.generated_per_passage + self.keyphrase_per_passage == 0:
            raise invalid("keyphrase_per_passage", "and generated_per_passage are both 0: no queries to train on")
        if self.alias:
            raise invalid(
                "alias",
                "is not used: a reranker is not recorded as a model alias (drop --alias and set "
                "tasks.designqa.reranker to the run's final/ directory)",
            )
        if self.lora.rank and self.base_model:
            raise invalid(
                "base_model",
                "must be null for a LoRA reranker (it loads over the embedded MiniLM only); or set lora.rank: 0",
            )
        return self


def base_model_dir(name: str | None, host: Any) -> Path:
    """The directory to start from: a model directory as given, an embedder alias's path, or the embedded MiniLM."""
    if name and (Path(name).expanduser() / "config.json").is_file():
        return Path(name).expanduser()
    # An alias (or none: the default embedder, the embedded MiniLM) resolved by the model registry.
    return Path(host.models.local_path(name or host.models.default_alias("embedder")))


def candidate_lists(embedder: Any, pairs: list[TrainingPair], vectors: np.ndarray, depth: int) -> list[list[int]]:
    """Each pair's question's ``depth`` nearest passages by the embedder, best first: what a reranker orders."""
    import faiss

    if not pairs:
        return []
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    queries = np.asarray(embedder.embed([p.query for p in pairs]), dtype=np.float32)
    _, ids = index.search(queries, min(depth, len(vectors)))
    return [[int(i) for i in row if i >= 0] for row in ids]


def rank_metrics(orders: list[list[int]], pairs: list[TrainingPair], groups: list[str]) -> dict[str, float]:
    """hit@1/3 and MRR@10 of ``orders`` (candidate lists, best first); a passage of the positive's source counts,
    as it does for the retriever recipe's answerability check (two chunks of one command both answer)."""
    if not pairs:
        return {}
    ranks = []
    for order, pair in zip(orders, pairs, strict=True):
        wanted = groups[pair.positive]
        ranks.append(next((r for r, i in enumerate(order) if groups[i] == wanted), None))
    n = len(pairs)
    return {
        "hit@1": sum(r is not None and r < 1 for r in ranks) / n,
        "hit@3": sum(r is not None and r < 3 for r in ranks) / n,
        "mrr@10": sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n,
    }


def score_pairs(model: Any, tokenizer: Any, queries: list[str], texts: list[str], max_length: int, device: str):
    """The model's logits for (query, passage) pairs, one per pair."""
    features = tokenizer(
        queries, texts, truncation="only_second", max_length=max_length, padding=True, return_tensors="pt"
    ).to(device)
    return model(**features).logits[:, 0]


def reranked(
    model: Any, tokenizer: Any, pairs: list[TrainingPair], candidates: list[list[int]], chunks: list[Any],
    max_length: int, device: str,
) -> list[list[int]]:  # fmt: skip
    """Every candidate list reordered by the model's scores (evaluation mode, no gradients)."""
    import torch

    out = []
    model.eval()
    with torch.inference_mode():
        for pair, order in zip(pairs, candidates, strict=True):
            texts = [chunks[i].embedding_text() for i in order]
            scores = score_pairs(model, tokenizer, [pair.query] * len(texts), texts, max_length, device)
            out.append([order[i] for i in torch.argsort(-scores.float().cpu(), stable=True).tolist()])
    return out


def build_model(config: Config, base_dir: Path, device: str) -> tuple[Any, Any]:
    """(tokenizer, model): MiniLM's encoder with a fresh one-logit head, wrapped in LoRA when ``lora.rank``."""
    import logging as _logging

    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    # "Some weights were newly initialized": the head, expected; transformers logs it as a warning.
    _logging.getLogger("transformers.modeling_utils").setLevel(_logging.ERROR)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    model = AutoModelForSequenceClassification.from_pretrained(str(base_dir), num_labels=1)
    if config.lora.rank:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=config.lora.rank,
            lora_alpha=config.lora.alpha,
            lora_dropout=config.lora.dropout,
            target_modules=LORA_TARGETS,
            modules_to_save=["classifier", "pooler"],
            task_type="SEQ_CLS",
        )
        model = get_peft_model(model, lora)
    return tokenizer, model.to(device)


def run(config: Config) -> dict[str, Any]:
    """Generate and check the data, train, save ``out_dir/final``; returns the summary."""
    import torch

    from chipmate.host import Host
    from chipmate.trainer.loop import param_groups
    from chipmate.trainer.metrics import plot_retrieval_metrics
    from chipmate.trainer.precision import iter_master_pairs, make_precision
    from chipmate.trainer.recipes import host_config

    out = Path(config.out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    host = Host(host_config(config.models_config))
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = config.train.device if config.train.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")

    data = _rerank_data(config, host, out)
    chunks, groups, train_pairs, dev_pairs = data.chunks, data.groups, data.train_pairs, data.dev_pairs
    dev_candidates = data.dev_candidates

    # 3) training: listwise softmax over [positive, negatives...] per question, on the precision core
    tokenizer, model = build_model(config, base_model_dir(config.base_model, host), device)
    steps_per_epoch = (len(train_pairs) + config.train.batch_size - 1) // config.train.batch_size
    total = steps_per_epoch * config.train.epochs
    precision = make_precision(
        config.train.precision,
        model,
        lambda params: torch.optim.AdamW(params, lr=config.train.learning_rate),
        param_groups=param_groups(model, config.train.weight_decay),
        max_grad_norm=config.train.max_grad_norm,
    )
    _train_epochs(config, out, model, tokenizer, precision, data, device, total)
    if precision.mode in ("fp16", "bf16"):
        model.float()  # save the fp32 masters, not their half-precision copies
        for param, master in iter_master_pairs(precision):
            param.data.copy_(master.data)
    dev_after = rank_metrics(
        reranked(model, tokenizer, dev_pairs, dev_candidates, chunks, config.max_length, device), dev_pairs, groups
    )
    final = out / "final"
    save_model(model, tokenizer, final, lora=bool(config.lora.rank))
    if config.train.plot:
        plot_retrieval_metrics(out / "metrics.jsonl", out / "metrics.png")
    summary = _summary(config, data, final, dev_after)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    say(f"train reranker: wrote {final}; set tasks.designqa.reranker: {final}")
    return summary


def _train_epochs(
    config: Config, out: Path, model: Any, tokenizer: Any, precision: Any, data: _RerankData, device: str, total: int
) -> None:
    """3) the epochs (from the checkpoint with ``train.resume``): listwise steps, then dev metrics and a checkpoint."""
    from chipmate.trainer.metrics import MetricsLog
    from chipmate.trainer.schedule import cosine_lr

    chunks, groups, train_pairs, dev_pairs = data.chunks, data.groups, data.train_pairs, data.dev_pairs
    dev_candidates, dev_embedder = data.dev_candidates, data.dev_embedder
    rng = random.Random(config.seed)
    epoch, step = _resume(config, out, model, precision, device)
    log = MetricsLog(out / "metrics.jsonl")
    if epoch == 0:
        log.write({"epoch": 0, "step": 0, **{f"dev_{k}": v for k, v in dev_embedder.items()}})
    bar = None
    if config.train.progress:
        from ..progress import Progress  # a bar on a terminal, plain lines in a log

        bar = Progress(total, f"train reranker ({precision.mode})", unit="step", initial=step)
    try:
        while epoch < config.train.epochs:
            model.train()
            order = list(train_pairs)
            random.Random(config.seed * 1000 + epoch).shuffle(order)  # epoch-seeded: a resume sees the same
            for start in range(0, len(order), config.train.batch_size):
                batch = order[start : start + config.train.batch_size]
                lr = cosine_lr(
                    step,
                    max_lr=config.train.learning_rate,
                    min_lr=config.train.learning_rate * 0.1,
                    warmup_steps=int(total * config.train.warmup_ratio),
                    decay_steps=total,
                )
                for group in precision.param_groups:
                    group["lr"] = lr
                seed = rng.randrange(1 << 30)
                loss = _listwise_loss(config, model, tokenizer, precision, batch, chunks, groups, seed, device)
                precision.backward(loss)
                step += int(precision.step())
                log.write({"epoch": epoch + 1, "step": step, "loss": float(loss.detach()), "lr": lr})
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{float(loss.detach()):.4f}", epoch=epoch + 1)
            epoch += 1
            dev_now = rank_metrics(
                reranked(model, tokenizer, dev_pairs, dev_candidates, chunks, config.max_length, device),
                dev_pairs,
                groups,
            )
            log.write({"epoch": epoch, "step": step, **{f"dev_{k}": v for k, v in dev_now.items()}})
            say(f"train reranker: epoch {epoch} dev reranked " + ", ".join(f"{k} {v:.3f}" for k, v in dev_now.items()))
            _save(config, out, model, precision, epoch, step)
    finally:
        if bar is not None:
            bar.close()
        log.close()


def _resume(config: Config, out: Path, model: Any, precision: Any, device: str) -> tuple[int, int]:
    """(epoch, step) to start from: the checkpoint's with ``train.resume``, else 0 (and a fresh metrics log)."""
    import torch

    from chipmate.trainer.checkpoint import load_checkpoint

    if config.train.resume and (out / "ckpt.pt").is_file():
        state = load_checkpoint(out / "ckpt.pt", map_location=device)
        model.load_state_dict(state["model"])
        precision.load_state_dict(state["precision"])
        torch.set_rng_state(state["rng"].cpu())
        return state["epoch"], state["step"]
    if (out / "metrics.jsonl").exists():
        (out / "metrics.jsonl").unlink()  # a fresh run starts a fresh log
    return 0, 0


def _save(config: Config, out: Path, model: Any, precision: Any, epoch: int, step: int) -> None:
    """The checkpoint after an epoch: model, precision state (masters, optimizer, scaler), position, RNG."""
    import torch

    from chipmate.trainer.checkpoint import save_checkpoint

    state = {"model": model.state_dict(), "precision": precision.state_dict(), "epoch": epoch, "step": step}
    config_json = json.loads(json.dumps(config.model_dump(), default=str))
    save_checkpoint({**state, "config": config_json, "rng": torch.get_rng_state()}, out / "ckpt.pt")


@dataclass
class _RerankData:
    """Steps 1 and 2's result: passages, checked question pairs with hard negatives, the embedder's dev order."""

    chunks: list[Any]
    groups: list[str]
    pairs: list[TrainingPair]
    train_pairs: list[TrainingPair]
    dev_pairs: list[TrainingPair]
    dev_candidates: list[list[int]]
    dev_embedder: dict[str, float]
    checked: dict[str, int]


def _rerank_data(config: Config, host: Any, out: Path) -> _RerankData:
    """1) passages and questions, exactly as the retriever recipe makes them (the questions file is shared);
    2) checks and hard negatives with the embedder designqa retrieves with (the candidates a reranker sees)."""

    def embed(chunks: list[Any], questions: int) -> tuple[Any, np.ndarray]:
        embedder = host.models.embedder(None)  # designqa's default embedder
        say(f"train reranker: embedding {len(chunks)} passages, checking {questions} questions, mining negatives")
        return embedder, passage_vectors(embedder, chunks)

    chunks, queries, groups, checked, embedder, vectors = passages_and_questions(
        config, host, out, "reranker", embed=embed, show_progress=config.train.progress,
        write_questions=config.write_questions,
    )  # fmt: skip
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
    dev_candidates = candidate_lists(embedder, dev_pairs, vectors, config.rerank_depth)
    dev_embedder = rank_metrics(dev_candidates, dev_pairs, groups)
    return _RerankData(chunks, groups, pairs, train_pairs, dev_pairs, dev_candidates, dev_embedder, checked)


def _listwise_loss(
    config: Config,
    model: Any,
    tokenizer: Any,
    precision: Any,
    batch: list[TrainingPair],
    chunks: list[Any],
    groups: list[str],
    seed: int,
    device: str,
) -> Any:
    """Softmax cross-entropy of each question's [positive, negatives...] scores, the positive first."""
    import torch
    import torch.nn.functional as F

    group_size = 1 + config.negatives
    columns = training_columns(batch, chunks, config.negatives, groups, seed=seed)
    # row-major: question 0's positive and negatives, then question 1's, ...
    passages = [columns[1 + slot][row] for row in range(len(batch)) for slot in range(group_size)]
    texts = [q for q in columns[0] for _ in range(group_size)]
    with precision.autocast():
        logits = score_pairs(model, tokenizer, texts, passages, config.max_length, device)
        logits = logits.float().view(len(batch), group_size)
        return F.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long, device=logits.device))


def _summary(config: Config, data: _RerankData, final: Path, dev_after: dict[str, float]) -> dict[str, Any]:
    return {
        "base_model": config.base_model,
        "lora_rank": config.lora.rank,
        "passages": len(data.chunks),
        "queries": {o: sum(1 for p in data.pairs if p.origin == o) for o in ("generated", "keyphrase")},
        "questions_checked": data.checked,
        "train_pairs": len(data.train_pairs),
        "dev_pairs": len(data.dev_pairs),
        "dev_embedder_order": data.dev_embedder,
        "dev_reranked": dev_after,
        "model_dir": str(final),
        "size_bytes": sum(f.stat().st_size for f in final.iterdir() if f.is_file()),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def save_model(model: Any, tokenizer: Any, final: Path, *, lora: bool) -> None:
    """Write ``final``: the LoRA adapter and head (no base path recorded: it loads over the embedded MiniLM), or
    the whole model with its tokenizer."""
    model.eval()
    if lora:
        model.peft_config["default"].base_model_name_or_path = "sentence-transformers/all-MiniLM-L6-v2"
        # No embedding rows are trained; "auto" would look the base name up on the Hub to decide that.
        model.save_pretrained(str(final), save_embedding_layers=False)
    else:
        model.save_pretrained(str(final))
        tokenizer.save_pretrained(str(final))
