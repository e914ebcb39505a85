"""FSDP (``train.parallel: fsdp``): sharded training matches DDP, resumes bit-identically, and recipes save it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_distributed_precision import free_port
from test_recipes import sets, write_chat

from chipmate.errors import ConfigError
from chipmate.trainer.loop import TrainConfig, small_llama
from chipmate.trainer.metrics import read_metrics
from chipmate.trainer.precision import PrecisionConfig
from chipmate.trainer.sharding import ShardedPrecision, shard_units


def torchrun(*args: str, timeout: float = 200) -> None:
    """Two CPU processes (gloo); the whole process group is killed if they hang."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
           f"--master_port={free_port()}", *args]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, output[-3000:]


def loop(out: Path, *args: str) -> None:
    torchrun("-m", "chipmate.trainer.loop", "--batch-size", "2", "--seq-len", "16", "--out-dir", str(out), *args)


def weights(out: Path) -> dict[str, torch.Tensor]:
    return torch.load(out / "ckpt.pt", weights_only=True)["model"]


@pytest.mark.slow
def test_fsdp_trains_like_ddp_in_fp32(tmp_path):
    loop(tmp_path / "ddp", "--mode", "fp32", "--max-iters", "4", "--parallel", "ddp")
    loop(tmp_path / "fsdp", "--mode", "fp32", "--max-iters", "4", "--parallel", "fsdp")
    ddp, fsdp = (read_metrics(tmp_path / p / "metrics.jsonl")[-1] for p in ("ddp", "fsdp"))
    assert fsdp["step"] == 4 and fsdp["loss"] == pytest.approx(ddp["loss"], rel=1e-5)
    assert fsdp["grad_norm"] == pytest.approx(ddp["grad_norm"], rel=1e-4)  # the norm is over all shards
    a, b = weights(tmp_path / "ddp"), weights(tmp_path / "fsdp")
    assert a.keys() == b.keys()  # the checkpoint holds the full, unsharded weights
    for key in a:
        assert b[key].shape == a[key].shape and b[key].dtype == torch.float32
        torch.testing.assert_close(b[key], a[key], rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_fsdp_fp16_resumes_bit_identically(tmp_path):
    loop(tmp_path / "whole", "--mode", "fp16", "--max-iters", "4", "--parallel", "fsdp")
    loop(tmp_path / "split", "--mode", "fp16", "--max-iters", "2", "--parallel", "fsdp")
    loop(tmp_path / "split", "--mode", "fp16", "--max-iters", "4", "--parallel", "fsdp", "--resume")
    whole, split = weights(tmp_path / "whole"), weights(tmp_path / "split")
    for key in whole:
        assert torch.equal(whole[key], split[key]), key
    ckpt = torch.load(tmp_path / "whole" / "ckpt.pt", weights_only=True)
    assert ckpt["precision"]["sharded"] and ckpt["precision"]["scaler"]["scale"] == 2.0**16
    first = read_metrics(tmp_path / "whole" / "metrics.jsonl")[-1]
    assert first["step"] == 4 and first["skipped"] == 0


@pytest.mark.slow
def test_sft_lora_under_fsdp_saves_an_adapter_from_the_gathered_weights(tiny_model_dir, tmp_path):
    data = write_chat(tmp_path / "chat.jsonl")
    out = tmp_path / "sft"
    values = {"model": tiny_model_dir, "data": f"[{data}]", "epochs": 2, "lora.rank": 4, "train.learning_rate": 1e-2,
              "train.batch_size": 2, "train.grad_accum_steps": 1, "train.progress": False,
              "train.parallel": "fsdp", "train.precision.mode": "bf16"}  # fmt: skip
    torchrun("-m", "chipmate", "train", "sft", "--out-dir", str(out), *sets(values), timeout=240)
    result = json.loads((out / "result.json").read_text())
    assert result["world_size"] == 2 and result["precision"] == "bf16"
    assert result["after"]["val_loss"] < result["before"]["val_loss"]
    from safetensors.torch import load_file

    adapter = load_file(out / "adapter" / "adapter_model.safetensors")
    lora_b = [t for k, t in adapter.items() if "lora_B" in k]
    # LoRA's B starts at zero: a trained adapter (saved from the gathered shards, not a fresh copy) is not
    assert lora_b and any(t.abs().sum() > 0 for t in lora_b)
    assert result["params"]["trainable"] < result["params"]["total"]


def test_fsdp_refuses_amp_and_a_run_without_processes():
    model = small_llama()
    with pytest.raises(ConfigError, match=r"mode amp cannot be used with train\.parallel: fsdp"):
        ShardedPrecision(model, torch.optim.AdamW, PrecisionConfig(mode="amp"))
    with pytest.raises(ConfigError, match=r"needs a process group.*torchrun"):
        ShardedPrecision(model, torch.optim.AdamW, PrecisionConfig(mode="bf16"))
    with pytest.raises(ConfigError, match=r"train\.parallel must be one of ddp, fsdp"):
        TrainConfig(parallel="zero")


def test_the_decoder_layers_are_the_shard_units():
    model = small_llama(layers=3)
    assert [type(m).__name__ for m in shard_units(model)] == ["LlamaDecoderLayer"] * 3
