"""What the DAPT and SFT recipes share around :func:`chipmate.trainer.loop.train`: loading the model and
tokenizer, LoRA, the trained weights back into fp32, saving and the result file
(the process group is :func:`chipmate.trainer.loop.setup_distributed`'s).

LoRA is peft's (``LoraConfig`` + ``get_peft_model``); the precision core gives frozen base weights no fp32 master
and no optimizer state, so a LoRA run's extra memory is the adapter's alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from pydantic import Field
from torch import nn

from chipmate.errors import ConfigError, TrainingError
from chipmate.sections import Count, Section
from chipmate.trainer.loop import Interval, Rate, TrainConfig, TrainResult
from chipmate.trainer.precision import ModeOrAuto, PrecisionConfig, iter_master_pairs

# Attention and MLP projections of the Llama/Qwen/Mistral family (SmolLM2, Qwen2.5): LoRA on all of them is what
# the QLoRA paper found to match full fine-tuning best; GPT-2-style models name theirs differently.
LORA_TARGETS = {
    "llama": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "qwen2": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "mistral": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "gpt2": ["c_attn", "c_proj", "c_fc"],
}


class LoraSettings(Section):
    """peft LoRA settings; the YAML key is ``lora``."""

    KEY = "lora"

    # r=16 holds a few thousand examples' worth of skill. Size on all projections: 4.9M params for SmolLM2-135M
    # (19.5 MB in fp32), 8.8M for Qwen2.5-0.5B; an adapter shipped as package data (< 5 MB) needs r=4 on SmolLM2
    rank: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)  # alpha = 2·rank: the scaling most LoRA recipes use, so the LR transfers
    dropout: float = Field(default=0.05, ge=0, lt=1)  # light regularisation for small SFT sets
    target_modules: list[str] | None = None  # None: every attention and MLP projection of the architecture


class RecipePrecision(PrecisionConfig):
    """The recipes' ``train.precision``: the core's settings with the mode picked by hardware."""

    # bf16 where the CPU/GPU computes in it natively, fp16 + masters + loss scaling on other GPUs, else fp32
    # (half precision is 4–6× slower than fp32 on CPUs without AVX-512 BF16 / AMX)
    mode: ModeOrAuto = "auto"


class RecipeTrain(TrainConfig):
    """The recipes' ``train`` section: :class:`TrainConfig` with defaults for adapting a pretrained model."""

    precision: PrecisionConfig = Field(default_factory=RecipePrecision)
    learning_rate: Rate = 5e-5  # a pretrained model needs small steps; see each recipe's example YAML
    min_lr: float = Field(default=5e-6, ge=0)  # only used by the cosine schedule
    warmup_iters: Interval = 10  # Adam's moments settle in a few steps; a long warmup wastes a short run
    weight_decay: float = 0.01  # light: the weights are pretrained, not random
    max_iters: Count = 200
    batch_size: Count = 4
    seq_len: Count = 512  # SmolLM2 trained at 2K, Qwen2.5 at 32K; 512 keeps CPU steps short
    log_interval: Count = 5
    checkpoint_interval: Interval = 50


def load_model(path: Path, *, lora: LoraSettings | None, gradient_checkpointing: bool = False) -> tuple[nn.Module, Any]:
    """(model in fp32 on CPU, tokenizer) from ``path``; with ``lora`` the model is wrapped by peft."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32, local_files_only=True)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    if lora is not None:
        model = apply_lora(model, lora, gradient_checkpointing=gradient_checkpointing)
    model.train()
    return model, tokenizer


def apply_lora(model: nn.Module, lora: LoraSettings, *, gradient_checkpointing: bool = False) -> nn.Module:
    """``model`` wrapped with a peft LoRA adapter on the architecture's projections."""
    from peft import LoraConfig, get_peft_model

    model_type = getattr(getattr(model, "config", None), "model_type", "")
    targets = lora.target_modules or LORA_TARGETS.get(model_type)
    if not targets:
        raise ConfigError(
            f"lora.target_modules: no default for model type {model_type!r}",
            hint="list the names of its linear layers, e.g. [q_proj, v_proj]",
        )
    config = LoraConfig(r=lora.rank, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=targets,
                        task_type="CAUSAL_LM")  # fmt: skip
    if gradient_checkpointing:
        model.enable_input_require_grads()  # frozen embeddings would cut the graph under checkpointing
    return get_peft_model(model, config)


def to_fp32(model: nn.Module, result: TrainResult, rebuild: Callable[[], nn.Module] | None = None) -> nn.Module:
    """``model`` in fp32 with its fp32 master weights (not the rounded fp16/bf16 copies), on the main process.

    After FSDP the trained model is sharded across processes: ``rebuild()`` makes an unsharded copy of it (the same
    architecture, LoRA included), which receives the weights gathered from the shards (``result.state``).
    """
    if result.state is not None:
        if rebuild is None:
            raise TrainingError("the model was trained with FSDP: to_fp32 needs rebuild() to hold the gathered weights")
        fresh = rebuild()
        fresh.load_state_dict(result.state)
        return fresh.float()
    model.float()
    if result.precision is not None:
        with torch.no_grad():
            for param, master in iter_master_pairs(result.precision):
                if param is not master:
                    param.copy_(master)
    return model


def save_model(model: nn.Module, tokenizer: Any, out: Path, *, merge: bool) -> tuple[Path | None, Path | None]:
    """Write ``out/adapter`` (peft models) and/or ``out/model`` (full weights, LoRA merged when ``merge``)."""
    adapter_dir = model_dir = None
    if hasattr(model, "peft_config"):
        adapter_dir = out / "adapter"
        model.save_pretrained(str(adapter_dir))  # type: ignore[operator]  # a peft model: save_pretrained is peft's
        if merge:
            model = model.merge_and_unload()  # type: ignore[operator]  # a peft model: merge_and_unload is peft's
    if merge or not hasattr(model, "peft_config"):
        model_dir = out / "model"
        model.save_pretrained(str(model_dir), safe_serialization=True)  # type: ignore[operator]  # a transformers model: save_pretrained is its own
        tokenizer.save_pretrained(str(model_dir))
    return model_dir, adapter_dir


def trainable_params(model: nn.Module) -> dict[str, int]:
    """Counts of trainable and total parameters."""
    params = list(model.parameters())
    return {"trainable": sum(p.numel() for p in params if p.requires_grad), "total": sum(p.numel() for p in params)}


def write_result(out: Path, result: dict[str, Any]) -> Path:
    """``out/result.json``: what the run did and measured (read by benchmarks and ``chipmate models info``)."""
    path = out / "result.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return path
