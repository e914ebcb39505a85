"""The one process-group setup of the trainer: the backend follows the configured device, not the hardware."""

from __future__ import annotations

import torch
import torch.distributed as dist

from chipmate.trainer import loop


def _fake_group(monkeypatch) -> list[str]:
    started: list[str] = []
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend: started.append(backend))
    return started


def test_a_cpu_run_on_a_cuda_machine_joins_with_gloo(monkeypatch):
    started = _fake_group(monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    rank, _, device = loop.setup_distributed("cpu")
    assert started == ["gloo"]
    assert (rank, device) == (0, torch.device("cpu"))


def test_a_cuda_run_joins_with_nccl_on_its_local_rank(monkeypatch):
    started = _fake_group(monkeypatch)
    monkeypatch.setenv("LOCAL_RANK", "1")
    chosen: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    *_, device = loop.setup_distributed("cuda")
    assert started == ["nccl"]
    assert device == chosen[0] == torch.device("cuda:1")


def test_one_process_starts_no_group(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.setattr(dist, "init_process_group", lambda **_: (_ for _ in ()).throw(AssertionError("no group")))
    assert loop.setup_distributed("cpu") == (0, 1, torch.device("cpu"))
    loop.finish_distributed()  # nothing to leave: must not raise
