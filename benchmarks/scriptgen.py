"""scriptgen pass@1 by execution: the ablation table (generator alone, + retrieved examples, + constraints,
+ repair) for each embedded generator (and the SFT-adapted one when given), per level, with median seconds.

Every configuration runs the tasks through the same code as ``chipmate eval scriptgen`` (in process, default
settings except the model and the ablation): a sample passes when its script runs in Yosys and the task's checker
accepts what it wrote. Greedy decoding, one sample per task (pass@1). Each configuration's results are kept in
``benchmarks/out/scriptgen/`` so an interrupted run resumes where it stopped (``--fresh`` starts over).

Run (model evaluations take hours on two shared cores; run them in the background with a log)::

    flock /tmp/chipmate-bench.lock .venv/bin/python benchmarks/scriptgen.py          # both embedded generators
    .venv/bin/python benchmarks/scriptgen.py --models smollm2-135m-instruct --ablations base repair
    .venv/bin/python benchmarks/scriptgen.py --adapted my-sft-alias                  # adds the adapted column
    .venv/bin/python benchmarks/scriptgen.py --adapted sft-a sft-b --adapted-ablations repair   # two of them
    .venv/bin/python benchmarks/scriptgen.py --adapted my-sft-alias --adapted-ablations base repair

Writes ``benchmarks/results/scriptgen.md`` and ``scriptgen.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.config import load_config
from chipmate.host import Host
from chipmate.plugins.scriptgen.evaluate import LEVELS, evaluate, load_tasks, summarize
from chipmate.plugins.scriptgen.pipeline import ABLATIONS
from chipmate.plugins.scriptgen.service import ScriptGenService

HERE = Path(__file__).resolve().parent
DEFAULT_TASKS = HERE / "data" / "scriptgen_dev.jsonl"
MODELS = ["qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct"]
TARGET = {"easy": 0.60, "medium": 0.30}
LABELS = {
    "base": "generator alone (zero-shot)",
    "retrieval": "+ retrieved examples",
    "constraints": "+ constraints",
    "repair": "+ repair (full pipeline)",
}


def base_of(alias: str, host: Host) -> str | None:
    """The embedded model an adapted alias sits on (its ``embedded`` setting), for the comparison."""
    embedded = host.models.spec(alias).options.get("embedded")
    return str(embedded) if embedded else None


def versus_base(summaries: dict[str, dict[str, dict[str, Any]]], adapted: str, host: Host) -> str | None:
    """One line: the adapted model's full-pipeline pass@1 per level against its base's, same harness and tasks."""
    base = base_of(adapted, host)
    ours, theirs = (summaries.get(m, {}).get("repair") for m in (adapted, base))
    if base is None or ours is None or theirs is None:
        return None
    cells = []
    for lv in (*LEVELS, "all"):
        a, b = ours["levels"].get(lv, {}).get("pass@1"), theirs["levels"].get(lv, {}).get("pass@1")
        if a is not None and b is not None:
            cells.append(f"{lv} {a:.0%} vs {b:.0%}")
    a, b = ours["levels"]["all"]["pass@1"], theirs["levels"]["all"]["pass@1"]
    verdict = "beats" if a > b else "ties" if a == b else "is below"
    return f"- {adapted} vs its base {base}, full pipeline: {', '.join(cells)} — the adapted model {verdict} its base"


def run_config(service: ScriptGenService, tasks: list[Any], model: str, ablation: str, out: Path) -> dict[str, Any]:
    """Evaluate one (model, ablation), resuming from ``out`` (per-task results) when it holds some."""
    done: dict[str, dict[str, Any]] = {}
    if out.is_file():
        done = {row["id"]: row for row in json.loads(out.read_text())["tasks"]}
    todo = [t for t in tasks if t.id not in done]
    loads = []

    def generate(task: Any, temperature: float) -> Any:
        request = {"instruction": task.instruction, "tool": task.tool, "files": task.files, "model": model}
        return service.outcome(request, None, ablation=ablation)

    def progress(result: Any) -> None:
        loads.append(os.getloadavg()[0])
        done[result.id] = result.__dict__
        out.write_text(json.dumps({"model": model, "ablation": ablation, "tasks": list(done.values())}, indent=1))
        mark = "pass" if result.passed[0] else f"fail ({result.failures[0]})"
        print(f"  {model} {ablation:<11} {result.id:<22} {result.seconds[0]:6.1f} s  {mark}", flush=True)

    evaluate(
        todo,
        generate,
        service.tool,
        timeout=service.settings.timeout,
        limits=service.settings.limits(),
        progress=progress,
    )
    from chipmate.plugins.scriptgen.evaluate import TaskResult

    results = [TaskResult(**done[t.id]) for t in tasks]
    summary = summarize(results, 1)
    summary["load_average"] = round(statistics.mean(loads), 1) if loads else None
    return summary


def table(summaries: dict[str, dict[str, dict[str, Any]]], models: list[str], adapted: list[str]) -> list[str]:
    """Markdown rows: one per ablation, pass@1 per level for each model, and its median seconds per task."""
    columns = [*models, *(adapted or ["adapted (SFT)"])]
    header = "| pipeline | " + " | ".join(f"{m}: easy / medium / hard / all | s/task" for m in columns) + " |"
    lines = [header, "|---|" + "---|---|" * len(columns)]
    for ablation in ABLATIONS:
        cells = []
        for model in columns:
            summary = summaries.get(model, {}).get(ablation)
            if summary is None:
                pending = "pending the training issue" if model == columns[-1] and not adapted else "not run"
                cells += [pending, ""]
                continue
            levels = summary["levels"]
            rates = " / ".join(f"{levels[lv]['pass@1']:.0%}" if lv in levels else "–" for lv in (*LEVELS, "all"))
            cells += [rates, f"{levels['all']['median_seconds']:.1f}"]
        lines.append(f"| {LABELS[ablation]} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=DEFAULT_TASKS)
    parser.add_argument("--models", nargs="+", default=MODELS, help="generator aliases (embedded ones by default)")
    parser.add_argument(
        "--adapted", nargs="+", default=[], help="aliases of SFT-adapted generators, one column each after the models"
    )
    parser.add_argument("--ablations", nargs="+", default=list(ABLATIONS), choices=list(ABLATIONS))
    parser.add_argument(
        "--adapted-ablations",
        nargs="+",
        choices=list(ABLATIONS),
        help="the ablations run for --adapted (default: --ablations); the others show as not run",
    )
    parser.add_argument("--config", help="chipmate config (default: none; the defaults are what is measured)")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "scriptgen", help="per-configuration results")
    parser.add_argument("--fresh", action="store_true", help="ignore results of an earlier, interrupted run")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scriptgen.md")
    args = parser.parse_args()

    tasks = load_tasks(args.tasks)
    host = Host(load_config(args.config))
    service = ScriptGenService(host)
    args.work.mkdir(parents=True, exist_ok=True)
    models = [*args.models, *args.adapted]
    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    started = time.time()
    for model in models:
        ablations = args.adapted_ablations or args.ablations if model in args.adapted else args.ablations
        for ablation in ablations:
            out = args.work / f"{model}-{ablation}.json"
            if args.fresh and out.exists():
                out.unlink()
            print(f"{model} / {ablation}: {len(tasks)} tasks", flush=True)
            summaries.setdefault(model, {})[ablation] = run_config(service, tasks, model, ablation, out)
    hours = (time.time() - started) / 3600

    full = {m: summaries[m].get("repair") for m in args.models if "repair" in summaries.get(m, {})}
    verdicts = []
    for model, summary in full.items():
        if summary is None:
            continue
        levels = summary["levels"]
        met = all(levels.get(lv, {}).get("pass@1", 0.0) >= goal for lv, goal in TARGET.items())
        rates = ", ".join(f"{lv} {levels[lv]['pass@1']:.0%}" for lv in TARGET if lv in levels)
        verdicts.append(
            f"- {model}, full pipeline: {rates} — target (easy ≥ 60 %, medium ≥ 30 %) {'met' if met else 'missed'}"
        )
    command = " ".join(["python", *[Path(a).name if a.endswith(".py") else a for a in sys.argv]])
    lines = [
        "# scriptgen: pass@1 by execution on the development set",
        "",
        f"Command: `{command}`  ",
        f"Tasks: `{args.tasks.relative_to(HERE.parent) if args.tasks.is_relative_to(HERE.parent) else args.tasks}`"
        f" ({len(tasks)}: " + ", ".join(f"{sum(t.level == lv for t in tasks)} {lv}" for lv in LEVELS) + ")  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores shared with other jobs (mean 1-minute load average "
        + ", ".join(
            f"{m}/{a} {s['load_average']}" for m in summaries for a, s in summaries[m].items() if s["load_average"]
        )
        + ")  ",
        f"Date: {time.strftime('%Y-%m-%d')}; wall time {hours:.1f} h. Greedy decoding, one sample per task, default "
        "settings (4 examples, 2 resamples, 3 repairs).",
        "",
        "pass@1 per level (easy / medium / hard / all) and median seconds per task:",
        "",
        *table(summaries, args.models, args.adapted),
        "",
        *verdicts,
        *[line for name in args.adapted if (line := versus_base(summaries, name, host))],
        "",
        "Failure categories of the full pipeline:",
        "",
    ]
    for model, summary in full.items():
        if summary:
            failures = "; ".join(f"{name} ×{count}" for name, count in summary["failures"].items()) or "none"
            lines.append(f"- {model}: {failures}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
