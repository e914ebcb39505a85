"""Training state per process under DDP vs FSDP (``train.parallel``), two CPU processes (gloo), same model and run.

Each process trains a random Llama for a few steps with :func:`chipmate.trainer.loop.train`, then counts the
bytes of the training state it holds: model parameters (half precision in fp16/bf16 mode under DDP, the local
fp32 shards under FSDP), fp32 master weights (DDP fp16/bf16 only; under FSDP the shards are the masters) and the
AdamW state. Gradients are freed by every step, so they are not counted; activations depend on the batch, not on
the sharding. The ratio FSDP / DDP is the point: 1 / processes for everything sharded.

    .venv/bin/python benchmarks/fsdp_memory.py                       # fp32 and bf16, 2 processes
    .venv/bin/python benchmarks/fsdp_memory.py --hidden 576 --layers 30 --vocab 49152   # SmolLM2-135M's size

Writes ``benchmarks/results/fsdp_memory.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

HERE = Path(__file__).resolve().parent
WORLD = 2


def local_bytes(t: torch.Tensor) -> int:
    local = t.to_local() if hasattr(t, "to_local") else t
    return local.numel() * local.element_size()


def worker(rank: int, port: int, parallel: str, mode: str, args: argparse.Namespace, out: str) -> None:
    from chipmate.trainer.loop import TrainConfig, small_llama, train
    from chipmate.trainer.precision import MixedPrecisionOptimizer, PrecisionConfig

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(WORLD), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        torch.manual_seed(0)
        model = small_llama(vocab_size=args.vocab, hidden=args.hidden, layers=args.layers, heads=args.heads)
        tokens = torch.randint(0, args.vocab, (50_000,), generator=torch.Generator().manual_seed(0))
        with tempfile.TemporaryDirectory() as tmp:
            cfg = TrainConfig(out_dir=tmp, precision=PrecisionConfig(mode=mode), max_iters=args.steps, batch_size=1,
                              seq_len=64, parallel=parallel, progress=False, plot=False, checkpoint_interval=0,
                              warmup_iters=0)  # fmt: skip
            start = time.perf_counter()
            result = train(cfg, model, tokens)
            seconds = time.perf_counter() - start
        precision = result.precision
        params = sum(local_bytes(p) for p in model.parameters())
        masters = (
            sum(local_bytes(m) for m in precision.master_params)
            if isinstance(precision, MixedPrecisionOptimizer)
            else 0
        )
        optimizer = sum(
            local_bytes(v) for state in precision.optimizer.state.values() for v in state.values() if v.ndim > 0
        )
        row = {"parallel": parallel, "mode": result.mode, "rank": rank, "params": params, "masters": masters,
               "optimizer": optimizer, "seconds": seconds, "loss": result.final_loss}  # fmt: skip
        Path(out, f"{parallel}-{mode}-{rank}.json").write_text(json.dumps(row))
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(parallel: str, mode: str, args: argparse.Namespace, out: str) -> list[dict]:
    ctx = mp.get_context("spawn")
    port = free_port()
    procs = [ctx.Process(target=worker, args=(r, port, parallel, mode, args, out)) for r in range(WORLD)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=1800)
        if p.is_alive():
            p.kill()
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit(f"{parallel}/{mode}: a process failed ({[p.exitcode for p in procs]})")
    return [json.loads(Path(out, f"{parallel}-{mode}-{r}.json").read_text()) for r in range(WORLD)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["fp32", "bf16"])
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--vocab", type=int, default=8192)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "fsdp_memory.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for mode in args.modes:
            for parallel in ("ddp", "fsdp"):
                rows.append(run(parallel, mode, args, out))
    mib = 2**20
    command = " ".join(["python", *[Path(a).name if a.endswith(".py") else a for a in sys.argv]])
    lines = [
        "# Training state per process: DDP vs FSDP",
        "",
        f"Command: `{command}`  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; {WORLD} processes (gloo), 1 thread each  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Model: random Llama, hidden {args.hidden}, {args.layers} layers, vocab {args.vocab} (tied embeddings), "
        f"{args.steps} AdamW steps of 1 × 64 tokens per process.",
        "",
        "MiB held by rank 0 after training, and rank 1's total:",
        "",
        "| mode | parallel | parameters | fp32 masters | AdamW state | total | rank 1 total | FSDP / DDP |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals: dict[str, float] = {}
    for ranks in rows:
        r = ranks[0]
        total = r["params"] + r["masters"] + r["optimizer"]
        other = ranks[1]["params"] + ranks[1]["masters"] + ranks[1]["optimizer"]
        key = r["mode"]
        ratio = f"{total / totals[key]:.2f}" if r["parallel"] == "fsdp" and key in totals else ""
        totals.setdefault(key, total)
        lines.append(
            f"| {r['mode']} | {r['parallel']} | {r['params'] / mib:.1f} | {r['masters'] / mib:.1f} | "
            f"{r['optimizer'] / mib:.1f} | {total / mib:.1f} | {other / mib:.1f} | {ratio} |"
        )
    lines += [
        "",
        "Under FSDP the sharded fp32 parameters are the master weights (all-gathered in bf16 for each layer's",
        "forward and backward), so bf16 FSDP holds no separate masters column. Speed is not measured here (two",
        "steps, and the time includes gathering the final checkpoint).",
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
