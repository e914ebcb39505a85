"""``chipmate train sft``: supervised fine-tuning on chat records, the loss on the assistant's tokens only.

Records come from JSONL files (``data``), one conversation per line, in any of these shapes:

- ``{"messages": [{"role": "system"|"user"|"assistant", "content": ...}, ...]}`` — what
  ``chipmate scripts export --format chat`` writes (built with the prompt builder scriptgen uses at inference);
- ``{"question": ..., "answer": ...}`` (Q&A pairs) or ``{"prompt": ..., "response": ...}``;
- ``{"instruction": ..., "script": ...}`` (a script library) or ``{"instruction": ..., "output": ...}``;
  ``system`` (the recipe's) is put first for the three pair shapes.

and from plugins' offers of chat records (``chat_offers``, read through the host; scriptgen offers
``scriptgen-library``, the same records as ``chipmate scripts export --format chat``).

Each conversation is rendered with the model's own chat template (``chat_template`` replaces it), and only the
assistant turns' tokens carry labels (:func:`chipmate.trainer.data.chat_example`). LoRA (peft) is the default:
``out_dir/adapter`` is a peft adapter (19.5 MB at r=16 on SmolLM2-135M) that the ``hf``/``ct2`` backends apply
to the base alias; ``finetune: full`` (or ``merge: true``) writes ``out_dir/model``. The validation loss per
assistant token is measured before and after, into ``metrics.jsonl`` and ``result.json``.

    chipmate train sft -c examples/recipes/sft.yaml --alias smol-eda
    chipmate train sft -c examples/recipes/sft.yaml --set finetune=full --out-dir runs/sft-full
    torchrun --standalone --nproc_per_node=2 -m chipmate train sft -c examples/recipes/sft.yaml
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import torch
from pydantic import Field, model_validator

from chipmate.errors import ConfigError, InvalidInputError
from chipmate.sections import Count, ExistingFile, Section, invalid
from chipmate.trainer.data import IGNORE, chat_batches, chat_example, chat_loss, check_messages, read_jsonl
from chipmate.trainer.hardware import machine_facts, peak_rss_mib
from chipmate.trainer.loop import Interval, Rate, Schedule, finish_distributed, setup_distributed, train
from chipmate.trainer.progress import say
from chipmate.trainer.recipes import check_alias, host_config, record_trained_alias, resolve_model
from chipmate.trainer.recipes.training import (
    LoraSettings,
    RecipeTrain,
    load_model,
    save_model,
    to_fp32,
    trainable_params,
    write_result,
)

PAIRS = (("question", "answer"), ("prompt", "response"), ("instruction", "script"), ("instruction", "output"))


class SftTrain(RecipeTrain):
    """SFT's ``train`` section."""

    learning_rate: Rate = 2e-4  # LoRA's usual LR (adapters start at zero and need larger steps); use 1e-5 for full
    min_lr: float = Field(default=2e-5, ge=0)  # cosine floor, max/10
    lr_schedule: Schedule = "cosine"  # a short, finite run: decaying helps the last epoch settle
    warmup_iters: Interval = 5  # a few steps: SFT sets are small
    batch_size: Count = 4
    grad_accum_steps: Count = 2  # 8 conversations per update
    log_interval: Count = 2


class Config(Section):
    """``chipmate train sft`` settings; every default says why."""

    # either key decides the run's length, never both (chipmate.trainer.recipes, "How long a run is")
    RUN_LENGTH: ClassVar[tuple[str, str]] = ("epochs", "train.max_iters")
    out_dir: str = "runs/sft"  # adapter/ (LoRA) or model/ (full), metrics, checkpoint, result.json
    model: str = "smollm2-135m-instruct"  # alias or HF directory; an instruct model already speaks the template
    # JSONL files of conversations (shapes in the module docstring); with no chat_offers at least one
    data: list[ExistingFile] = Field(default_factory=list)
    # plugins' offers of chat records, read through the host (e.g. scriptgen-library: the library as the prompts
    # scriptgen builds); names in `chipmate plugins`' docs, see docs/plugins.md
    chat_offers: list[str] = Field(default_factory=list)
    validation: list[ExistingFile] = Field(default_factory=list)  # held-out JSONL; empty: validation_fraction of data
    validation_fraction: float = Field(default=0.1, ge=0, lt=1)  # of records, when no validation files are given
    # held-out conversations scored before and after (None: all). Scoring is a forward pass per conversation:
    # on a CPU, 20 conversations of ~800 tokens take minutes, so CPU-sized recipes score a few
    eval_records: Count | None = None
    system: str | None = None  # system message put first for pair-shaped records (None: the template's default)
    chat_template: str | None = None  # a Jinja template (or a .jinja file) replacing the tokenizer's
    max_len: int = 1024  # tokens per conversation; longer ones are cut (their assistant tail may be lost)
    epochs: Rate | None = 3.0  # passes over the data; computes train.max_iters (null, or max_iters given: that)
    finetune: Literal["lora", "full"] = "lora"  # "lora" (a small adapter, the base stays shared) or "full"
    lora: LoraSettings = Field(default_factory=LoraSettings)
    merge: bool = False  # with LoRA also write the merged model/ (for backends that cannot apply adapters)
    train: SftTrain = Field(default_factory=SftTrain)  # the loop's settings; train.out_dir is set to out_dir
    alias: str | None = None  # record the result under this model alias (adapter on the base alias for LoRA)
    replace: bool = False  # let alias overwrite an existing one
    models_config: str | None = None  # chipmate config that resolves model aliases (None: the usual one)

    @model_validator(mode="after")
    def _data_and_out_dir(self) -> Config:
        if not self.data and not self.chat_offers:
            raise invalid("data", "must list at least one JSONL file of conversations (or chat_offers an offer)")
        if self.train.out_dir != self.out_dir:
            self.train.out_dir = self.out_dir
        return self


def conversation(record: dict[str, Any], where: str, system: str | None) -> list[dict[str, str]]:
    """The messages of one record in any supported shape; InvalidInputError naming file and line otherwise."""
    if "messages" in record:
        return check_messages(record["messages"], where)
    for user, assistant in PAIRS:
        if isinstance(record.get(user), str) and isinstance(record.get(assistant), str):
            messages = [{"role": "system", "content": system}] if system else []
            return [
                *messages,
                {"role": "user", "content": record[user]},
                {"role": "assistant", "content": record[assistant]},
            ]
    shapes = ", ".join(f"{u}/{a}" for u, a in PAIRS)
    raise InvalidInputError(f"{where}: a record needs 'messages' or one of the pairs {shapes}")


def read_conversations(
    files: list[str], system: str | None, offers: Sequence[str] = (), models_config: str | None = None
) -> list[list[dict[str, str]]]:
    """Every conversation of ``files``, then of the plugins' chat ``offers`` (through the host), in order."""
    out = []
    for file in files:
        for number, record in read_jsonl(Path(file).expanduser()):
            out.append(conversation(record, f"{file}:{number}", system))
    if offers:
        from chipmate.host import Host
        from chipmate.training_data import CHAT

        training_data = Host(host_config(models_config)).training_data
        for name in offers:
            for number, record in enumerate(training_data.read(CHAT, name), 1):
                out.append(conversation(record, f"chat offer {name!r} record {number}", system))
    return out


def run(cfg: Config) -> dict[str, Any]:
    """Fine-tune ``cfg.model`` on the conversations; returns what ``result.json`` holds."""
    rank, world, _ = setup_distributed(cfg.train.device)
    main = rank == 0
    check_alias(cfg.alias, cfg.replace, cfg.models_config)
    records = read_conversations(cfg.data, cfg.system, cfg.chat_offers, cfg.models_config)
    if cfg.validation:
        held_out = read_conversations(cfg.validation, cfg.system)
    else:
        order = list(range(len(records)))
        random.Random(cfg.train.seed).shuffle(order)
        n_val = int(len(records) * cfg.validation_fraction)
        held_out = [records[i] for i in order[:n_val]]
        records = [records[i] for i in order[n_val:]]
    source = resolve_model(cfg.model, cfg.models_config)
    torch.manual_seed(cfg.train.seed)
    lora = cfg.lora if cfg.finetune == "lora" else None
    model, tokenizer = load_model(source.path, lora=lora)
    if cfg.chat_template:
        template = Path(cfg.chat_template).expanduser()
        tokenizer.chat_template = template.read_text(encoding="utf-8") if template.is_file() else cfg.chat_template
    if not tokenizer.chat_template:
        raise ConfigError(f"model: {cfg.model} has no chat template", hint="set chat_template in the recipe")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    examples = [chat_example(tokenizer, m, cfg.max_len) for m in records]
    val_examples = [chat_example(tokenizer, m, cfg.max_len) for m in held_out[: cfg.eval_records]]
    t = cfg.train
    cut = sum(1 for _, labels in examples if all(label == IGNORE for label in labels[1:]))
    if cut and main:  # chat_batches skips them: say so, they may be a good share of the data
        say(f"sft: {cut} of {len(examples)} training conversations have no assistant token within "
            f"max_len={cfg.max_len} and are skipped (raise max_len to train on them)")  # fmt: skip
    batches = chat_batches(examples, batch_size=t.batch_size, pad_id=pad_id, seed=t.seed, accum=t.grad_accum_steps,
                           world=world)  # fmt: skip
    if cfg.epochs is not None:
        t.max_iters = max(1, math.ceil(cfg.epochs * batches.batches_per_epoch / (t.grad_accum_steps * world)))

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        # scored in training's micro-batch size: evaluation never needs more memory than a training step
        return {"val_loss": chat_loss(m, val_examples, pad_id, batch_size=t.batch_size)} if val_examples else {}

    start = time.perf_counter()
    result = train(t, model, batches, evaluate=evaluate)
    seconds = time.perf_counter() - start
    summary: dict[str, Any] = {}
    if main:
        model = to_fp32(model, result, rebuild=lambda: load_model(source.path, lora=lora)[0])
        model_dir, adapter_dir = save_model(model, tokenizer, Path(cfg.out_dir), merge=cfg.merge)
        summary = {
            "recipe": "sft",
            "model": cfg.model,
            "model_dir": model_dir,
            "adapter_dir": adapter_dir,
            "adapter_bytes": sum(f.stat().st_size for f in adapter_dir.iterdir()) if adapter_dir else None,
            "finetune": cfg.finetune,
            "precision": result.mode,
            "machine": machine_facts(t.device),
            "world_size": world,
            "params": trainable_params(model),
            "records": {"train": len(examples), "validation": len(val_examples)},
            "iterations": result.iterations,
            "steps": result.steps,
            "final_loss": result.final_loss,
            "tokens_per_s": result.tokens_per_s,
            "seconds": seconds,
            "peak_rss_mib": peak_rss_mib(),
            "before": result.evals[0] if result.evals else None,
            "after": result.evals[-1] if result.evals else None,
            "config": cfg.model_dump(),
        }
        if cfg.alias:
            summary["alias"] = cfg.alias
            summary["alias_settings"] = record_trained_alias(
                cfg.alias, source=source, model_dir=model_dir if adapter_dir is None else None,
                adapter_dir=adapter_dir, recipe="sft", replace=cfg.replace, models_config=cfg.models_config,
            )  # fmt: skip
        write_result(Path(cfg.out_dir), summary)
    finish_distributed()
    return {k: v for k, v in summary.items() if k != "config"}
