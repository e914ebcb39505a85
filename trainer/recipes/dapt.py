"""``chipmate train dapt``: domain-adaptive pretraining (ChipNeMo §2.2) on the packed corpus.

The model (an alias or a directory; the output of ``chipmate train tokenizer`` when the vocabulary was extended)
continues next-token training on ``corpus``'s train shards, packed into ``train.seq_len`` windows, with a constant
LR after a short warmup (ChipNeMo: 5e-6 constant for 7–70B models; see ``Config.train`` for the small-model choice).
Full fine-tuning is the default (ChipNeMo found it better than LoRA for DAPT); ``finetune: lora`` trains a peft
adapter instead. Validation perplexity on the corpus's held-out domain and general records is measured before
the first step, every ``train.eval_interval`` iterations and after the last, into ``metrics.jsonl``,
``metrics.png`` and ``result.json``; ``out_dir/model`` receives the adapted model (``save_pretrained``).

    chipmate train dapt -c examples/recipes/dapt.yaml --alias smol-eda-dapt
    chipmate train dapt -c examples/recipes/dapt.yaml --resume          # after an interruption: bit-identical
    torchrun --standalone --nproc_per_node=2 -m chipmate train dapt -c examples/recipes/dapt.yaml
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field, model_validator

from chipmate.sections import Count, Section
from chipmate.trainer.data import corpus_texts, pack_documents, packed_batches, perplexity
from chipmate.trainer.hardware import machine_facts, peak_rss_mib
from chipmate.trainer.loop import Rate, Schedule, finish_distributed, setup_distributed, train
from chipmate.trainer.recipes import check_alias, record_trained_alias, resolve_model
from chipmate.trainer.recipes.training import (
    LoraSettings,
    RecipeTrain,
    load_model,
    save_model,
    to_fp32,
    trainable_params,
    write_result,
)


class DaptTrain(RecipeTrain):
    """DAPT's ``train`` section."""

    lr_schedule: Schedule = "constant"  # ChipNeMo: constant LR after warmup
    # 10× ChipNeMo's 5e-6 (7–70B models, 4M-token batches): a 135M model on 16K-token batches moves in fewer steps
    learning_rate: Rate = 5e-5
    grad_accum_steps: Count = 8  # 4 × 512 × 8 = 16K tokens per update


class Config(Section):
    """``chipmate train dapt`` settings; every default says why."""

    out_dir: str = "runs/dapt"  # model/, metrics.jsonl, metrics.png, ckpt.pt, result.json
    model: str = "smollm2-135m-instruct"  # alias or HF directory to adapt (the embedded generator by default)
    corpus: str = "runs/corpus"  # the out_dir of `chipmate corpus build`
    finetune: Literal["full", "lora"] = "full"  # "full" (ChipNeMo's choice for DAPT) or "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)  # used when finetune is lora
    merge: bool = True  # with LoRA also write the merged model/ (SFT and the ct2 backend start from a directory)
    eval_tokens: Count = 16384  # validation tokens per split (domain, general): a stable perplexity in minutes on CPU
    gradient_checkpointing: bool = False  # trade ~30 % more compute for far less activation memory
    train: DaptTrain = Field(default_factory=DaptTrain)  # the loop's settings; train.out_dir is set to out_dir
    alias: str | None = None  # record the result under this model alias (chipmate models list)
    replace: bool = False  # let alias overwrite an existing one
    models_config: str | None = None  # chipmate config that resolves model aliases (None: the usual one)

    @model_validator(mode="after")
    def _train_writes_to_out_dir(self) -> Config:
        if self.train.out_dir != self.out_dir:
            self.train.out_dir = self.out_dir
        return self


def run(cfg: Config) -> dict[str, Any]:
    """Adapt ``cfg.model`` to the corpus; returns what ``result.json`` holds."""
    rank, world, _ = setup_distributed(cfg.train.device)
    main = rank == 0
    check_alias(cfg.alias, cfg.replace, cfg.models_config)
    source = resolve_model(cfg.model, cfg.models_config)
    torch.manual_seed(cfg.train.seed)
    lora = cfg.lora if cfg.finetune == "lora" else None
    model, tokenizer = load_model(source.path, lora=lora, gradient_checkpointing=cfg.gradient_checkpointing)
    t = cfg.train
    train_tokens = pack_documents(tokenizer, corpus_texts(cfg.corpus, "train"), progress=main and t.progress)
    batches = packed_batches(train_tokens, batch_size=t.batch_size, seq_len=t.seq_len, seed=t.seed,
                             accum=t.grad_accum_steps, world=world)  # fmt: skip
    val = {kind: pack_documents(tokenizer, corpus_texts(cfg.corpus, "validation", kind))[: cfg.eval_tokens + 1]
           for kind in ("domain", "general")}  # fmt: skip
    val = {kind: tokens for kind, tokens in val.items() if len(tokens) > t.seq_len}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        # in training's micro-batch size: evaluation never needs more memory than a training step
        return {f"{kind}_ppl": perplexity(m, tokens, seq_len=t.seq_len, batch_size=t.batch_size)
                for kind, tokens in val.items()}  # fmt: skip

    start = time.perf_counter()
    result = train(t, model, batches, evaluate=evaluate)
    seconds = time.perf_counter() - start
    summary: dict[str, Any] = {}
    if main:
        model = to_fp32(model, result, rebuild=lambda: load_model(source.path, lora=lora)[0])
        model_dir, adapter_dir = save_model(model, tokenizer, Path(cfg.out_dir), merge=cfg.merge)
        before, after = result.evals[0], result.evals[-1]
        summary = {
            "recipe": "dapt",
            "model": cfg.model,
            "model_dir": model_dir,
            "adapter_dir": adapter_dir,
            "finetune": cfg.finetune,
            "precision": result.mode,
            "machine": machine_facts(t.device),
            "world_size": world,
            "params": trainable_params(model),
            "corpus_train_tokens": len(train_tokens),
            "tokens_trained": result.iterations * t.batch_size * t.seq_len * t.grad_accum_steps * world,
            "epochs": result.iterations * t.grad_accum_steps / batches.batches_per_epoch,  # type: ignore[attr-defined]  # packed_batches sets it on the batch function
            "iterations": result.iterations,
            "steps": result.steps,
            "skipped_steps": result.skipped_steps,
            "final_loss": result.final_loss,
            "tokens_per_s": result.tokens_per_s,
            "seconds": seconds,
            "peak_rss_mib": peak_rss_mib(),
            "before": before,
            "after": after,
            "change": {k: after[k] / before[k] - 1 for k in before if k.endswith("_ppl") and k in after},
            "config": cfg.model_dump(),
        }
        if cfg.alias:
            summary["alias"] = cfg.alias
            summary["alias_settings"] = record_trained_alias(
                cfg.alias, source=source, model_dir=model_dir, adapter_dir=adapter_dir, recipe="dapt",
                replace=cfg.replace, models_config=cfg.models_config,
            )  # fmt: skip
        write_result(Path(cfg.out_dir), summary)
    finish_distributed()
    return {k: v for k, v in summary.items() if k != "config"}
