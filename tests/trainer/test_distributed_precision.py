"""torch.distributed: the overflow flag is all-reduced (MAX) so every rank skips together (2 processes, gloo)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank_main(rank: int, port: int, out_dir: str) -> None:
    """One rank: DDP over a small fp16 model; rank 1 alone poisons one fp32 gradient at step 2."""
    from chipmate.trainer.precision import make_precision

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        prec = make_precision("fp16", model, lambda ps: torch.optim.AdamW(ps, lr=1e-2))
        ddp = torch.nn.parallel.DistributedDataParallel(model)
        stepped, scales = [], []
        for it in range(4):
            x = torch.randn(4, 8, generator=torch.Generator().manual_seed(10 * it + rank)).half()
            prec.backward(ddp(x).float().pow(2).mean())
            if it == 1 and rank == 1:  # after DDP's all-reduce: only this rank sees the overflow
                prec.master_params[0].grad[0, 0] = float("inf")
            stepped.append(prec.step())
            scales.append(prec.scale)
        torch.save(
            {"stepped": stepped, "scales": scales, "masters": [m.detach() for m in prec.master_params]},
            os.path.join(out_dir, f"rank{rank}.pt"),
        )
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_skip_in_lockstep(tmp_path) -> None:
    ctx = mp.get_context("spawn")
    port = free_port()
    procs = [ctx.Process(target=_rank_main, args=(rank, port, str(tmp_path))) for rank in range(2)]
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        assert [p.exitcode for p in procs] == [0, 0]
    finally:
        for p in procs:  # stop every process this test started, whatever happened
            if p.is_alive():
                p.kill()
                p.join()
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt") for r in range(2))
    assert r0["stepped"] == r1["stepped"] == [True, False, True, True]
    assert r0["scales"] == r1["scales"] == [2.0**16, 2.0**15, 2.0**15, 2.0**15]
    for a, b in zip(r0["masters"], r1["masters"], strict=True):
        assert torch.equal(a, b)


@pytest.mark.slow
def test_torchrun_two_processes_train_with_the_loop(tmp_path) -> None:
    """``torchrun --nproc_per_node=2 -m chipmate.trainer.loop`` on CPU (gloo): rank 0 alone writes outputs."""
    out = tmp_path / "ddp"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
        f"--master_port={free_port()}", "-m", "chipmate.trainer.loop", "--mode", "fp16", "--max-iters", "3",
        "--batch-size", "2", "--seq-len", "16", "--out-dir", str(out),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # its own process group, so a hang can be ended together with the workers torchrun started
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, output[-3000:]
    from chipmate.trainer.metrics import read_metrics

    records = read_metrics(out / "metrics.jsonl")
    assert records[-1]["iter"] == 3 and records[-1]["step"] == 3
    assert (out / "ckpt.pt").is_file() and (out / "metrics.png").is_file()
