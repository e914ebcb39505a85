"""Benchmark the four precision modes of chipmate.trainer.precision: speed, memory and fidelity against fp32.

Same model (random init, one seed), same data, same number of steps for every mode. Per mode it reports
tokens/s, peak training memory (params + grads + masters + optimizer state + activations, measured), the final
loss after N steps and the share of the fp16/bf16 step spent in master-weight bookkeeping.

    python benchmarks/precision.py --model small --steps 30 --seq-len 128 --device cpu \
        --out benchmarks/results/precision_cpu.json
    python benchmarks/precision.py --model smollm2-135m --steps 3 --seq-len 64 --device cpu \
        --out benchmarks/results/precision_cpu.json   # appends to the same file
    python benchmarks/precision.py --model small --steps 50 --device cuda --out benchmarks/results/precision_cuda.json

Memory. On CUDA the peak is ``torch.cuda.max_memory_allocated`` over a training step. On CPU torch has no
allocator statistics, so the peak is accounted from the tensors themselves: parameter, master, gradient and
optimizer-state storage bytes are summed, and activations are the bytes of every tensor autograd saves for
backward (``torch.autograd.graph.saved_tensors_hooks``, each storage counted once). The peak is the larger of
the two phases of a step: backward (weights + masters + optimizer state + activations + model-dtype grads) and
optimizer step (weights + masters + optimizer state + fp32 grads; activations are freed by then).
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.trainer.loop import token_batches
from chipmate.trainer.precision import MODES, MixedPrecisionOptimizer, make_precision

MODELS = {
    # ~26M params: Llama layout at a size a CPU can train for a few dozen steps
    "small": dict(
        vocab_size=8192, hidden_size=512, intermediate_size=1376, num_hidden_layers=8, num_attention_heads=8,
        num_key_value_heads=4, tie_word_embeddings=True,
    ),
    # SmolLM2-135M's architecture (random init: the real weights are not used here)
    "smollm2-135m": dict(
        vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
        num_key_value_heads=3, tie_word_embeddings=True, rope_theta=100000.0,
    ),
}  # fmt: skip


def build_model(name: str, device: torch.device, attn: str) -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(**MODELS[name], max_position_embeddings=4096, attn_implementation=attn)
    return LlamaForCausalLM(config).to(device)


def device_name(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model()


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def nbytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors if t is not None)


def forward_loss(prec, model, x, y) -> torch.Tensor:
    with prec.autocast():
        logits = model(x).logits
    return F.cross_entropy(logits.float().flatten(0, -2), y.flatten())


def measure_memory_cpu(prec, model, batch_size: int, seq_len: int, vocab: int) -> dict[str, int]:
    """Account a training step's peak from tensor storage (see the module docstring).

    Activations are what autograd saves for backward, recorded by saved-tensor hooks during a forward pass run
    under ``FakeTensorMode``: the same operators and dtypes, the same saved tensors, no arithmetic, so long
    sequences cost no CPU time (checked equal to a real forward at a short length). Storages that belong to
    parameters are not counted again.
    """
    from torch._subclasses.fake_tensor import FakeTensorMode

    param_storages = {p.untyped_storage()._cdata for p in model.parameters()}
    saved: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        if storage._cdata not in param_storages:
            saved[storage._cdata] = storage.nbytes()
        return t

    with FakeTensorMode(allow_non_fake_inputs=True):
        x = torch.randint(0, vocab, (batch_size, seq_len))
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            forward_loss(prec, model, x, x)
    activations = sum(saved.values())
    params = nbytes(model.parameters())
    model_grads = nbytes(p for p in model.parameters() if p.requires_grad)
    if isinstance(prec, MixedPrecisionOptimizer):
        masters = nbytes(prec.master_params)
        fp32_grads = masters  # the fp32 master gradients exist from the grad copy to the end of the step
    else:
        masters, fp32_grads = 0, model_grads
    opt_state = nbytes(v for s in prec.optimizer.state.values() for v in s.values() if torch.is_tensor(v))
    backward_phase = params + masters + opt_state + activations + model_grads
    step_phase = params + masters + opt_state + fp32_grads
    return {
        "params": params, "masters": masters, "grads": model_grads, "fp32_grads": fp32_grads,
        "optimizer_state": opt_state, "activations": activations, "peak": max(backward_phase, step_phase),
    }  # fmt: skip


def measure_memory_cuda(prec, model, x, y, device) -> dict[str, int]:
    loss = forward_loss(prec, model, x, y)  # one step first, so the optimizer state exists
    prec.backward(loss)
    prec.step()
    sync(device)
    torch.cuda.reset_peak_memory_stats(device)
    prec.backward(forward_loss(prec, model, x, y))
    prec.step()
    sync(device)
    return {"peak": torch.cuda.max_memory_allocated(device)}


def run_mode(args, mode: str, device: torch.device, tokens: torch.Tensor) -> dict[str, Any]:
    model = build_model(args.model, device, args.attn)
    n_params = sum(p.numel() for p in model.parameters())
    prec = make_precision(
        mode, model, lambda ps: torch.optim.AdamW(ps, lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    )
    if isinstance(prec, MixedPrecisionOptimizer):
        prec.sync_timing = True  # bookkeeping timers must not absorb the wait for the backward kernels
    batches = token_batches(tokens, args.batch_size, args.seq_len, seed=0, accum=1)
    losses, times = [], []
    for it in range(args.steps):
        x, y = (t.to(device) for t in batches(it, 0, 0))
        sync(device)
        start = time.perf_counter()
        loss = forward_loss(prec, model, x, y)
        prec.backward(loss)
        prec.step()
        losses.append(float(loss.detach()))  # a sync point, inside the timed region like in a real loop
        sync(device)
        times.append(time.perf_counter() - start)
        if it == args.warmup - 1:
            prec.bookkeeping_seconds = 0.0  # count bookkeeping over the timed steps only
    timed = times[args.warmup :] or times
    step_s = sum(timed) / len(timed)
    result: dict[str, Any] = {
        "mode": mode,
        "params": n_params,
        "final_loss": losses[-1],
        "losses": losses,
        "step_s": step_s,
        "tokens_per_s": args.batch_size * args.seq_len / step_s,
        "skipped_steps": prec.skipped_steps,
        "final_scale": prec.scale,
    }
    if isinstance(prec, MixedPrecisionOptimizer):
        result["bookkeeping_share"] = prec.bookkeeping_seconds / sum(timed)
    # memory at the (usually longer) sequence length where activations dominate
    mem_batch = args.mem_batch_size or args.batch_size
    if device.type == "cuda":
        mx, my = (t.to(device) for t in token_batches(tokens, mem_batch, args.mem_seq_len, 1, 1)(0, 0, 0))
        mem = measure_memory_cuda(prec, model, mx, my, device)
    else:
        mem = measure_memory_cpu(prec, model, mem_batch, args.mem_seq_len, MODELS[args.model]["vocab_size"])
    result["memory"] = mem
    del model, prec
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return result


def summarize(run: dict[str, Any]) -> dict[str, Any]:
    by_mode = {r["mode"]: r for r in run["modes"]}
    base = by_mode.get("fp32")
    checks: dict[str, Any] = {}
    for mode in ("fp16", "bf16"):
        r = by_mode.get(mode)
        if not (r and base):
            continue
        loss_gap = abs(r["final_loss"] - base["final_loss"]) / base["final_loss"]
        mem_ratio = r["memory"]["peak"] / base["memory"]["peak"]
        checks[mode] = {
            "loss_rel_gap_vs_fp32": loss_gap,
            "loss_within_1pct": loss_gap <= 0.01,
            "peak_memory_ratio_vs_fp32": mem_ratio,
            "memory_le_0.65": mem_ratio <= 0.65,
            "throughput_ratio_vs_fp32": r["tokens_per_s"] / base["tokens_per_s"],
            "throughput_ratio_vs_amp": r["tokens_per_s"] / by_mode["amp"]["tokens_per_s"] if "amp" in by_mode else None,
            "bookkeeping_share": r.get("bookkeeping_share"),
            "bookkeeping_le_10pct": (r.get("bookkeeping_share") or 0) <= 0.10,
        }
    return checks


def to_markdown(runs: list[dict[str, Any]]) -> str:
    lines = []
    for run in runs:
        lines += [
            f"### {run['model']} ({run['params'] / 1e6:.1f}M params, random init) on {run['device_name']}",
            "",
            f"`{run['command']}`  ",
            f"date {run['date']}, torch {run['torch']}, {run['steps']} steps, batch {run['batch_size']} × "
            f"seq {run['seq_len']} (memory at batch {run['mem_batch_size']} × seq {run['mem_seq_len']}), "
            f"attention `{run['attn']}`, {run['threads']} threads",
            "",
            "| mode | tokens/s | ×fp32 | ×amp | peak memory MiB | ×fp32 | final loss | Δloss vs fp32 | bookkeeping |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        by_mode = {r["mode"]: r for r in run["modes"]}
        base, amp = by_mode.get("fp32"), by_mode.get("amp")
        for r in run["modes"]:
            tps = r["tokens_per_s"]
            peak = r["memory"]["peak"]
            keep = r.get("bookkeeping_share")
            lines.append(
                f"| {r['mode']} | {tps:,.0f} | {tps / base['tokens_per_s']:.2f} | "
                f"{(tps / amp['tokens_per_s']) if amp else float('nan'):.2f} | {peak / 2**20:,.0f} | "
                f"{peak / base['memory']['peak']:.2f} | {r['final_loss']:.4f} | "
                f"{(r['final_loss'] - base['final_loss']) / base['final_loss']:+.2%} | "
                f"{'' if keep is None else f'{keep:.1%}'} |"
            )
        lines.append("")
        lines.append("| target | fp16 | bf16 |")
        lines.append("| --- | --- | --- |")
        c = run["checks"]

        def cell(mode: str, key: str, flag: str, fmt: str, c: dict[str, Any] = c) -> str:
            if mode not in c or c[mode][key] is None:
                return "n/a"
            return f"{format(c[mode][key], fmt)} {'PASS' if c[mode][flag] else 'FAIL'}"

        lines.append(
            f"| final loss within 1% of fp32 | {cell('fp16', 'loss_rel_gap_vs_fp32', 'loss_within_1pct', '.3%')} "
            f"| {cell('bf16', 'loss_rel_gap_vs_fp32', 'loss_within_1pct', '.3%')} |"
        )
        lines.append(
            f"| peak memory ≤ 0.65× fp32 | {cell('fp16', 'peak_memory_ratio_vs_fp32', 'memory_le_0.65', '.2f')} "
            f"| {cell('bf16', 'peak_memory_ratio_vs_fp32', 'memory_le_0.65', '.2f')} |"
        )
        lines.append(
            f"| bookkeeping ≤ 10% of step | {cell('fp16', 'bookkeeping_share', 'bookkeeping_le_10pct', '.1%')} "
            f"| {cell('bf16', 'bookkeeping_share', 'bookkeeping_le_10pct', '.1%')} |"
        )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="small")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2, help="steps left out of the timing")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--mem-seq-len", type=int, default=None, help="sequence length of the memory step")
    parser.add_argument("--mem-batch-size", type=int, default=None, help="batch size of the memory step")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--attn", default="sdpa", help="transformers attention implementation")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--out", default="benchmarks/results/precision_cpu.json")
    parser.add_argument("--append", action="store_true", help="add this run to the runs already in --out")
    args = parser.parse_args()
    args.mem_seq_len = args.mem_seq_len or args.seq_len
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    vocab = MODELS[args.model]["vocab_size"]
    # a noisy periodic sequence: learnable, so the loss falls and fidelity differences show
    noise = torch.randint(0, 3, (200_000,), generator=torch.Generator().manual_seed(0))
    tokens = (torch.arange(200_000) * 7919 % (vocab - 3) + noise) % vocab
    run: dict[str, Any] = {
        "model": args.model, "device": args.device, "device_name": device_name(device),
        "cpu": cpu_model(), "torch": torch.__version__, "steps": args.steps, "batch_size": args.batch_size,
        "seq_len": args.seq_len, "mem_seq_len": args.mem_seq_len,
        "mem_batch_size": args.mem_batch_size or args.batch_size, "attn": args.attn,
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/precision.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v not in (None, False)
        ),
        "modes": [],
    }  # fmt: skip
    for mode in args.modes.split(","):
        result = run_mode(args, mode, device, tokens)
        run["modes"].append(result)
        print(
            f"{args.model} {mode}: {result['tokens_per_s']:.0f} tok/s, peak {result['memory']['peak'] / 2**20:.0f} MiB,"
            f" final loss {result['final_loss']:.4f}, bookkeeping {result.get('bookkeeping_share')}",
            flush=True,
        )
    run["params"] = run["modes"][0]["params"]
    run["checks"] = summarize(run)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(out.read_text())["runs"] if args.append and out.exists() else []
    runs = [r for r in runs if r["model"] != args.model] + [run]
    out.write_text(json.dumps({"runs": runs}, indent=1) + "\n")
    out.with_suffix(".md").write_text(to_markdown(runs))
    print(to_markdown([run]))


if __name__ == "__main__":
    main()
