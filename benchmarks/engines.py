"""CTranslate2 (``ct2`` backend) against transformers ``generate`` on the same embedded models, in one run.

    flock /tmp/chipmate-bench.lock python benchmarks/engines.py                  # both models, writes results
    python benchmarks/engines.py --models smollm2-135m-instruct --tokens 32     # quick look

Run it through ``python benchmarks/generation.py --engines [options]`` or directly; it writes
``benchmarks/results/generation_engines.md``.

1. Fidelity: for each prompt, the greedy continuation of transformers (``model.generate``, float32) is scored
   token by token under transformers and under CTranslate2 (``Generator.score_batch``) for each compute type:
   max and mean |Δ log-prob| in nats, and where CTranslate2's own greedy text first differs (``generate_tokens``).
2. Speed: tokens/s of 128 new greedy tokens and time to first token, chipmate's ``ct2`` generator (float32, int8)
   vs ``model.generate`` on the same converted checkpoint, same prompt ids (a short chat prompt and a ~600-token
   few-shot prompt), alternating, best of ``--rounds``.
3. Second start of the default generator in a fresh process (cache warm): seconds to a loaded generator and to a
   first token, and the process's RSS with it loaded; median of ``--starts``.
4. Loops: on a fixed prompt set, with and without the repetition settings, how many generations fall into a loop
   (the LoopGuard fires on their text) and seq-rep-4 (1 - distinct word 4-grams / word 4-grams, Welleck et al.
   2019), greedy, 128 tokens, through the ``ct2`` backend.

The machine is shared, so every comparison interleaves the engines within one run and reports ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SHOTS = [
    (
        "Synthesize counter.v (top counter) and write the netlist to counter_syn.v.",
        "read_verilog counter.v\nhierarchy -check -top counter\nproc; opt; fsm; opt; memory; opt\ntechmap; opt\nabc\nclean\nwrite_verilog -noattr counter_syn.v",
    ),
    (
        "Read alu.v and uart.v, top module soc, flatten, and print statistics.",
        "read_verilog alu.v\nread_verilog uart.v\nhierarchy -check -top soc\nproc\nflatten\nopt\nstat",
    ),
    (
        "Synthesize fifo.v for the Liberty file cells.lib and write fifo_net.v.",
        "read_verilog fifo.v\nsynth -top fifo\ndfflibmap -liberty cells.lib\nabc -liberty cells.lib\nclean\nwrite_verilog fifo_net.v",
    ),
    (
        "Read the SystemVerilog file dma.sv, top dma, and write a JSON netlist dma.json.",
        "read_verilog -sv dma.sv\nsynth -top dma\nwrite_json dma.json",
    ),
]
FEW_SHOT = [
    {
        "role": "system",
        "content": "You write Yosys scripts. Answer with the script only, one command per line, "
        "using only commands and files named in the task. Examples of solved tasks follow.",
    },
    *[
        m
        for task, script in SHOTS * 3
        for m in ({"role": "user", "content": task}, {"role": "assistant", "content": script})
    ],
    {"role": "user", "content": "Synthesize cpu.v and regs.v (top module cpu) with ABC and write cpu_syn.v."},
]
PROMPTS = {
    "flip-flop": [{"role": "user", "content": "What is a flip-flop?"}],
    "yosys": [{"role": "user", "content": "Write a Yosys script that reads top.v and synthesizes it."}],
    "setup-hold": [{"role": "user", "content": "Explain setup and hold time."}],
    "mux": [{"role": "user", "content": "List three uses of a multiplexer."}],
    "few-shot": FEW_SHOT,
}
LOOP_PROMPTS = [
    *PROMPTS.values(),
    [{"role": "user", "content": "List all Yosys commands you know, one per line."}],
    [{"role": "user", "content": "Write a Tcl script that creates ten clocks with different periods."}],
    [{"role": "user", "content": "Write a Verilog module for an 8-bit shift register and its testbench."}],
]
SECOND_START = """
import json, resource, sys, time
t0 = time.perf_counter()
from chipmate.config import Config
from chipmate.host import Host
generator = Host(Config()).models.generator()
t1 = time.perf_counter()
stream = generator.stream([{"role": "user", "content": "What is a netlist?"}], max_tokens=8)
next(stream)
t2 = time.perf_counter()
for _ in stream:
    pass
# Peak RSS of this process image: VmHWM, which exec resets. ru_maxrss is not reset by exec on Linux, so in a child
# of this benchmark (which has hf and ct2 engines loaded by then) it reported the parent's peak: 7.2 GB, not ~0.8.
try:
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    rss = int(status["VmHWM"].split()[0]) / 1024
except (OSError, KeyError, ValueError):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": t1 - t0, "first_token_s": t2 - t0, "rss_mb": rss,
                  "torch": "torch" in sys.modules, "alias": Host(Config()).models.default_alias("generator")}))
"""


def load_engines(alias: str, compute_types: list[str]):
    """The hf generator of ``alias`` and a ct2 generator per compute type, on the same converted checkpoint."""
    from chipmate.config import Config
    from chipmate.host import Host

    models = {f"ct2-{c}": {"backend": "ct2", "embedded": alias, "compute_type": c} for c in compute_types}
    models["hf"] = {"backend": "hf", "embedded": alias}
    host = Host(Config(models=models))
    return host.models.generator("hf"), {c: host.models.generator(f"ct2-{c}") for c in compute_types}


def fidelity(hf, ct2s, tokens: int) -> dict[str, list[dict]]:
    """Per compute type and prompt: max/mean |Δ nats| of the hf greedy continuation and the first divergence."""
    import numpy as np
    import torch

    rows: dict[str, list[dict]] = {c: [] for c in ct2s}
    for name, messages in PROMPTS.items():
        ids, _ = hf.prompt_ids(messages, tokens)
        with torch.no_grad():
            out = hf.model.generate(**hf.generation_kwargs(ids, tokens, 0.0))[0].tolist()
            logp = torch.log_softmax(hf.model(torch.tensor([out])).logits[0].float(), -1)
        new = out[len(ids) :]
        hf_lp = np.array([logp[len(ids) + i - 1, t].item() for i, t in enumerate(new)])
        for compute, gen in ct2s.items():
            toks = gen._tokens(out)
            ct_lp = np.array(gen.generator.score_batch([toks])[0].log_probs[len(ids) - 1 :])
            delta = np.abs(hf_lp - ct_lp[: len(hf_lp)])
            greedy = [
                s.token_id
                for s in gen.generator.generate_tokens(gen._tokens(ids), **gen.generation_kwargs(tokens, 0.0))
            ]
            first = next((i for i, (a, b) in enumerate(zip(new, greedy, strict=False)) if a != b), None)
            rows[compute].append(
                {
                    "prompt": name,
                    "prompt_tokens": len(ids),
                    "tokens": len(new),
                    "max": float(delta.max()),
                    "mean": float(delta.mean()),
                    "diverges_at": first,
                }
            )
            print(
                f"  {compute:>8} {name:>10}: max {delta.max():.2e} mean {delta.mean():.2e} nats, "
                f"greedy differs at {first}",
                flush=True,
            )
    return rows


def speed(hf, ct2s, tokens: int, rounds: int) -> dict[str, dict]:
    """tokens/s and TTFT per prompt: model.generate (worker thread, as hf.py runs it) vs each ct2 generator."""
    results: dict[str, dict] = {}
    for name in ("yosys", "few-shot"):
        messages = PROMPTS[name]
        ids, _ = hf.prompt_ids(messages, tokens)

        def direct(n: int, ids: list[int] = ids) -> tuple[float, int]:
            box = []

            def call() -> None:
                start = time.perf_counter()
                out = hf.model.generate(**hf.generation_kwargs(ids, n, 0.0))
                box.append((time.perf_counter() - start, int(out.shape[1] - len(ids))))

            worker = threading.Thread(target=call)
            worker.start()
            worker.join()
            return box[0]

        def fast(gen, n: int, messages: list = messages) -> tuple[float, float, int]:
            start = time.perf_counter()
            stream = gen.stream(messages, max_tokens=n)
            first = None
            for _ in stream:
                first = first or time.perf_counter() - start
            return first or 0.0, time.perf_counter() - start, stream.generation.completion_tokens

        direct(2)
        for gen in ct2s.values():
            fast(gen, 2)
        best: dict[str, dict[str, float]] = {}
        for r in range(rounds):
            order = ["hf", *ct2s] if r % 2 == 0 else [*ct2s, "hf"]
            for which in order:
                if which == "hf":
                    seconds, n = direct(tokens)
                    ttft = direct(1)[0]
                else:
                    _, seconds, n = fast(ct2s[which], tokens)
                    ttft = fast(ct2s[which], 1)[0]
                row = best.setdefault(which, {"tps": 0.0, "ttft": float("inf"), "tokens": n})
                row["tps"] = max(row["tps"], n / seconds)
                row["ttft"] = min(row["ttft"], ttft)
                print(
                    f"  {name:>8} round {r + 1} {which:>8}: {n / seconds:.1f} tok/s ({n} tokens), ttft {ttft * 1000:.0f} ms",
                    flush=True,
                )
        results[name] = {"prompt_tokens": len(ids), **best}
    return results


def loops(alias: str, variants: dict[str, dict], tokens: int) -> dict[str, dict]:
    """Looping generations and seq-rep-4 per repetition setting, through the ct2 backend (greedy)."""
    from chipmate.config import Config
    from chipmate.host import Host
    from chipmate.models import LoopGuard

    out: dict[str, dict] = {}
    for label, settings in variants.items():
        spec = {"backend": "ct2", "embedded": alias, "compute_type": "int8", "loop_guard": False, **settings}
        gen = Host(Config(models={"m": spec})).models.generator("m")
        looped, reps, texts = 0, [], []
        for messages in LOOP_PROMPTS:
            text = gen.generate(messages, max_tokens=tokens).text
            guard = LoopGuard()
            looped += any(guard.feed(text[i : i + 4]) for i in range(0, len(text), 4))
            words = text.split()
            grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
            reps.append(1 - len(set(grams)) / len(grams) if grams else 0.0)
            texts.append(text)
        out[label] = {"looped": looped, "n": len(LOOP_PROMPTS), "rep4": statistics.mean(reps)}
        print(
            f"  {alias} {label}: {looped}/{len(LOOP_PROMPTS)} loop, seq-rep-4 {statistics.mean(reps):.3f}", flush=True
        )
        gen.close()
    return out


def second_start(runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", SECOND_START], capture_output=True, text=True, check=True)
        sample = json.loads(proc.stdout.strip().splitlines()[-1])
        samples.append(sample)
        print(
            f"  second start: load {sample['load_s']:.2f} s, first token {sample['first_token_s']:.2f} s, "
            f"RSS {sample['rss_mb']:.0f} MB, torch imported: {sample['torch']}",
            flush=True,
        )
    return {k: statistics.median(s[k] for s in samples) for k in ("load_s", "first_token_s", "rss_mb")} | {
        "torch": any(s["torch"] for s in samples),
        "alias": samples[0]["alias"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct"])
    parser.add_argument("--tokens", type=int, default=128, help="new tokens per speed run")
    parser.add_argument("--fidelity-tokens", type=int, default=64)
    parser.add_argument("--loop-tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["fidelity", "speed", "loops", "start"])
    parser.add_argument("--out", type=Path, default=RESULTS / "generation_engines.md")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    report: dict[str, dict] = {}
    for alias in args.models:
        print(f"{alias}: loading hf and ct2 (float32, int8)...", flush=True)
        hf, ct2s = load_engines(alias, ["float32", "int8"])
        report[alias] = {}
        if "fidelity" not in args.skip:
            report[alias]["fidelity"] = fidelity(hf, ct2s, args.fidelity_tokens)
        if "speed" not in args.skip:
            report[alias]["speed"] = speed(hf, ct2s, args.tokens, args.rounds)
        for gen in ct2s.values():
            gen.close()
        del hf, ct2s
        if "loops" not in args.skip:
            variants = {"none": {}, "repetition_penalty 1.1": {"repetition_penalty": 1.1}}
            report[alias]["loops"] = loops(alias, variants, args.loop_tokens)
        write(args, argv, report, None)
    start = second_start(args.starts) if "start" not in args.skip else None
    write(args, argv, report, start)


def write(args, argv, report, start) -> None:
    """Write the results file (after each model, so a long run leaves what it measured)."""
    import ctranslate2
    import torch
    import transformers

    command = "python benchmarks/engines.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    lines = [
        "## Engines: CTranslate2 (`ct2` backend) vs transformers `generate`, same model, same prompts",
        "",
        f"Command: `{command}`",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (shared with other jobs), torch {torch.__version__}, "
        f"transformers {transformers.__version__}, ctranslate2 {ctranslate2.__version__}, Python "
        f"{platform.python_version()}. Date: {date.today().isoformat()}.",
        "",
    ]
    for alias, parts in report.items():
        if "fidelity" in parts:
            lines += [
                f"### Fidelity, {alias}: log-probs of the hf float32 greedy continuation ({args.fidelity_tokens} tokens)",
                "",
                "| compute type | prompt (tokens) | max \\|Δ\\| nats | mean \\|Δ\\| nats | ct2 greedy first differs at |",
                "|---|---|---|---|---|",
            ]
            for compute, rows in parts["fidelity"].items():
                lines += [
                    f"| {compute} | {r['prompt']} ({r['prompt_tokens']}) | {r['max']:.2e} | {r['mean']:.2e} | "
                    f"{'never' if r['diverges_at'] is None else r['diverges_at']} |"
                    for r in rows
                ]
            lines.append("")
        if "speed" in parts:
            lines += [
                f"### Speed, {alias}: {args.tokens} new tokens, greedy, best of {args.rounds} alternating rounds",
                "",
                "| prompt (tokens) | engine | tokens/s | × hf | time to first token | ÷ hf |",
                "|---|---|---|---|---|---|",
            ]
            for name, row in parts["speed"].items():
                for which in ("hf", "float32", "int8"):
                    r = row[which]
                    label = "transformers `generate` fp32" if which == "hf" else f"chipmate ct2 {which}"
                    lines.append(
                        f"| {name} ({row['prompt_tokens']}) | {label} | {r['tps']:.1f} | **{r['tps'] / row['hf']['tps']:.2f}** | "
                        f"{r['ttft'] * 1000:.0f} ms | **{r['ttft'] / row['hf']['ttft']:.2f}** |"
                    )
            lines.append("")
        if "loops" in parts:
            lines += [
                f"### Loops, {alias} (ct2 int8, greedy, {args.loop_tokens} tokens, {len(LOOP_PROMPTS)} prompts)",
                "",
                "| setting | generations the loop guard would stop | seq-rep-4 |",
                "|---|---|---|",
            ]
            lines += [f"| {label} | {r['looped']}/{r['n']} | {r['rep4']:.3f} |" for label, r in parts["loops"].items()]
            lines.append("")
    if start:
        lines += [
            f"### Second start of the default generator ({start['alias']}), fresh process, cache warm, median of {args.starts}",
            "",
            "| to a loaded generator | to the first token | RSS with it loaded | torch imported |",
            "|---|---|---|---|",
            f"| **{start['load_s']:.2f} s** (target ≤ 3 s) | {start['first_token_s']:.2f} s | {start['rss_mb']:.0f} MB | {start['torch']} |",
            "",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
