"""Latency of scriptgen's documentation grounding per request, and what it picks.

For every instruction of both development sets: the time to choose the commands (explicit mentions + hybrid
retrieval over the tool's help plus the library's usage prior, one query embedding with the default embedder) and
render their usage lines, plus the one-off cost of building a tool's help index (embedding every command's help;
cached in the user cache afterwards). And how often a command shown is one the task's reference script runs, for
the explicit mentions and the retrieved commands apart (a proxy: another command may do as well). Run::

    nice .venv/bin/python benchmarks/scriptgen_grounding.py      # writes benchmarks/results/scriptgen_grounding.md
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.config import Config
from chipmate.host import Host
from chipmate.plugins.scriptgen.evaluate import load_tasks
from chipmate.plugins.scriptgen.helpdocs import ToolDocs, library_prior, opensta_commands, yosys_commands
from chipmate.plugins.scriptgen.library import ScriptLibrary
from chipmate.plugins.scriptgen.opensta import OpenStaTool
from chipmate.plugins.scriptgen.yosys import YosysTool

HERE = Path(__file__).resolve().parent
SETS = [HERE / "data" / "scriptgen_dev.jsonl", HERE / "data" / "scriptgen_dev2.jsonl"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scriptgen_grounding.md")
    args = parser.parse_args()
    host = Host(Config())
    alias = host.models.default_alias("embedder")
    embedder = host.models.embedder(alias)
    embedder.embed(["warm up"])
    rows, lines, shown = [], [], []
    references: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, tool, parse in (("yosys", YosysTool(), yosys_commands), ("opensta", OpenStaTool(), opensta_commands)):
            if tool.unavailable():
                continue
            prior = library_prior(tool, ScriptLibrary(None).records(name))
            docs = ToolDocs(
                name, parse(tool.reference()), embedder, cache_dir=Path(cache), embedder_name=alias, prior=prior
            )
            started = time.perf_counter()
            docs.search("warm up", 1)
            build = time.perf_counter() - started
            times, cpu, picks = [], [], []
            for path in SETS:
                rows_of_set = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                references[path.stem] = {row["id"]: row.get("reference", "") for row in rows_of_set}
                for task in load_tasks(path):
                    if task.tool != name:
                        continue
                    started, started_cpu = time.perf_counter(), time.process_time()
                    chosen = docs.lookup(task.instruction, task.files)
                    usage = docs.usage(task.instruction, chosen)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
                    mentioned = len(docs.mentioned(task.instruction, task.files))
                    reference = {command.name for command in tool.split(references[path.stem][task.id])[0]}
                    used = [c in reference for c in chosen]
                    picks.append((path.stem, task.id, chosen, len(usage), used[:mentioned], used[mentioned:]))
            rows.append((name, len(docs.commands), build, times, cpu, picks))
    for name, commands, build, times, cpu, picks in rows:
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        chars = statistics.median(p[3] for p in picks)
        lines.append(
            f"| {name} | {commands} | {build:.1f} s | {len(ms)} | {statistics.median(ms):.0f} ms | {p95:.0f} ms | "
            f"{statistics.median(cpu) * 1000:.0f} ms | {chars:.0f} |"
        )
        for stem in dict.fromkeys(p[0] for p in picks):
            of_set = [p for p in picks if p[0] == stem]
            cells = []
            for part in (4, 5):
                flags = [flag for p in of_set for flag in p[part]]
                cells.append(f"{sum(flags)} / {len(flags)}" + (f" ({sum(flags) / len(flags):.0%})" if flags else ""))
            shown.append(f"| {name} | {stem} | {len(of_set)} | {cells[0]} | {cells[1]} |")
    out = [
        "# scriptgen documentation grounding: latency per request",
        "",
        "Command: `nice .venv/bin/python benchmarks/scriptgen_grounding.py`  ",
        f"Machine: {cpu_model()}, shared (load average {os.getloadavg()[0]:.0f} on 2 cores at the end: wall times "
        f"are mostly waiting; CPU time is the cost); {date.today().isoformat()}; embedder `{alias}`.",
        "",
        "Per request: choose the commands (explicit mentions + hybrid retrieval: one query embedding, BM25, fusion,",
        "the library's usage prior and the title match)",
        "and render their usage lines. Index build: embedding every command's help once (then cached).",
        "",
        "| tool | commands | index build (once, wall) | requests | median (wall) | p95 (wall) | median CPU time | "
        "usage chars (median) |",
        "|---|---|---|---|---|---|---|---|",
        *lines,
        "",
        "Commands shown that the task's reference script runs (a proxy for relevance: another command may do as",
        "well; the second set's references are read only in aggregate, never tuned on):",
        "",
        "| tool | set | requests | explicit mentions | retrieved |",
        "|---|---|---|---|---|",
        *shown,
        "",
        "Commands chosen per request (first 12 of each set):",
        "",
    ]
    for name, _, _, _, _, picks in rows:
        for stem in dict.fromkeys(p[0] for p in picks):
            for _, tid, chosen, *_ in [p for p in picks if p[0] == stem][:12]:
                out.append(f"- {name} {stem} `{tid}`: {', '.join(chosen) or '(none)'}")
    args.out.write_text("\n".join(out) + "\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
