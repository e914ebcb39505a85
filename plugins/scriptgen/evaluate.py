"""The evaluation harness of ``chipmate eval scriptgen``: pass@k by execution, per level.

A task file is JSONL, one task per line::

    {"id": "updown-synth", "level": "easy", "tool": "yosys",
     "instruction": "Synthesize updown.v and write the netlist to updown_net.v.",
     "files": ["designs/updown.v"],                 # paths relative to the task file, or {"name", "content"}
     "checker": "read_verilog updown_net.v\\n...",   # optional: a script run after the generated one
     "expect": {"contains": {"stat.txt": ["cells"]}, "lacks": {"out.v": ["(*"]}}}   # optional

A sample passes when the generated script runs without error in the sandbox, the checker (run in the same
directory afterwards, so it reads what the script wrote) runs without error, every ``expect`` holds (each file
named under ``contains`` or ``lacks`` exists, holds every ``contains`` string and no ``lacks`` string), and the
pipeline found every requirement of the instruction met (:mod:`.requirements`; a script that ran but missed one is
a failure even when the checker accepts it). pass@k is the unbiased estimator of Chen et al. (2021) over n samples
per task: 1 - C(n-c, k) / C(n, k). The summary also gives the share of samples whose script ran but did the wrong
thing (the checker, an ``expect`` or a requirement failed) and the median seconds of each pipeline stage.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipmate.errors import InvalidInputError

from .sandbox import SandboxLimits
from .tool import ScriptRun, ScriptTool

LEVELS = ("easy", "medium", "hard")


@dataclass
class EvalTask:
    """One task: an instruction on input files, and how to tell a correct script."""

    id: str
    level: str
    tool: str
    instruction: str
    files: list[dict[str, str]]
    checker: str | None = None
    expect: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def load_tasks(path: Path) -> list[EvalTask]:
    """The tasks of a JSONL file; file paths are relative to the file's directory."""
    from .library import file_entry

    tasks = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read task file {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{where}: not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("instruction"), str):
            raise InvalidInputError(f"{where}: a task needs an 'instruction'")
        files = [file_entry(item, where, path.parent) for item in data.get("files", [])]
        expect = data.get("expect") or {}
        if not isinstance(expect, dict) or set(expect) - {"contains", "lacks"}:
            raise InvalidInputError(f"{where}: 'expect' may only have 'contains' and 'lacks'")
        tasks.append(
            EvalTask(
                id=str(data.get("id") or f"task-{number}"),
                level=str(data.get("level") or "unlevelled"),
                tool=str(data.get("tool") or "yosys"),
                instruction=data["instruction"],
                files=files,
                checker=data.get("checker"),
                expect=expect,
            )
        )
    return tasks


def judge(
    task: EvalTask, script: str, tool: ScriptTool, *, timeout: float, limits: SandboxLimits | None = None
) -> tuple[bool, str]:
    """Run ``script`` and the task's checker in one sandbox (under ``limits``, default the sandbox's own):
    (passed, failure category or "")."""
    files = {f["name"]: f["content"] for f in task.files}
    run = tool.run(script, files=files, timeout=timeout, limits=limits, checker=task.checker)
    if not run.ok:
        return False, failure_category(run)
    if task.checker and (run.checker is None or not run.checker.ok):
        return False, "checker: " + _first_line(run.checker.error if run.checker else "did not run")
    for name, strings in task.expect.get("contains", {}).items():
        text = run.outputs.get(name)
        if text is None:
            return False, f"missing output {name}"
        if any(s not in text for s in strings):
            return False, f"{name} lacks expected text"
    for name, strings in task.expect.get("lacks", {}).items():
        text = run.outputs.get(name)
        if text is None:
            return False, f"missing output {name}"
        if any(s in text for s in strings):
            return False, f"{name} has unwanted text"
    return True, ""


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:120]


def failure_category(run: ScriptRun) -> str:
    """A short category of why a script failed (refused, unknown command, syntax, missing file, ...)."""
    if run.refused:
        return "refused by the safety checks"
    if run.timed_out:
        return "timed out"
    error = run.error
    for pattern, category in (
        (r"No such command", "unknown command"),
        (r"syntax error|Unknown option|Extra argument", "bad option or argument"),
        (r"Can't open|not found or is a directory|No such file", "missing input file"),
        (r"Module `.*' not found|top module", "wrong module"),
        (r"invalid command name", "unknown command"),
    ):
        if re.search(pattern, error):
            return category
    return "tool error: " + _first_line(error.removeprefix("ERROR: "))[:60]


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples of which ``c`` passed."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


@dataclass
class TaskResult:
    """The samples of one task: how many passed, their failure categories, seconds per sample."""

    id: str
    level: str
    passed: list[bool]
    failures: list[str]
    seconds: list[float]
    scripts: list[str]
    #: per sample: runs in the tool, generator calls, the pipeline's notes and remaining problems, requirements
    details: list[dict[str, Any]] = field(default_factory=list)
    #: per sample: the script ran in the tool but did the wrong thing (checker, expect or a requirement failed)
    ran_wrong: list[bool] = field(default_factory=list)
    #: per sample: the script ran but a requirement the pipeline checked was unmet
    unmet: list[bool] = field(default_factory=list)
    #: per sample: seconds per pipeline stage
    stages: list[dict[str, float]] = field(default_factory=list)


def evaluate(
    tasks: list[EvalTask],
    generate: Callable[[EvalTask, float], Any],
    tool_for: Callable[[str], ScriptTool],
    *,
    samples: int = 1,
    temperature: float = 0.0,
    timeout: float = 60.0,
    limits: SandboxLimits | None = None,
    progress: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    """Generate ``samples`` scripts per task with ``generate(task, temperature)`` (an Outcome) and judge each."""
    results = []
    for task in tasks:
        result = TaskResult(task.id, task.level, [], [], [], [], [])
        for _ in range(samples):
            started = time.monotonic()
            try:
                outcome = generate(task, temperature)
                script = outcome.script
            except Exception as exc:  # a failing sample is a result, not the end of the evaluation
                script, outcome = "", None
                result.failures.append(f"error: {type(exc).__name__}: {_first_line(str(exc))}")
            seconds = time.monotonic() - started
            ran = unmet = False
            if outcome is not None:
                ok, why = (
                    judge(task, script, tool_for(task.tool), timeout=timeout, limits=limits)
                    if script.strip()
                    else (False, "empty")
                )
                last = getattr(outcome, "run", None)
                ran = bool(script.strip()) and last is not None and bool(last.ok)
                missed = list(getattr(outcome, "unmet", []))
                unmet = ran and bool(missed)
                if ok and missed:
                    # The checker accepted it, but the instruction asked for more than the checker looks at.
                    ok, why = False, f"requirement: {missed[0].requirement}"
                result.failures.append(why)
            else:
                ok = False
            result.passed.append(ok)
            result.ran_wrong.append(ran and not ok)
            result.unmet.append(unmet)
            result.seconds.append(seconds)
            result.scripts.append(script)
            if outcome is not None:
                keys = ("rounds", "generations", "candidates", "notes", "problems")
                detail = {key: getattr(outcome, key, None) for key in keys}
                detail["requirements"] = [c.output() for c in getattr(outcome, "requirements", [])]
                result.details.append(detail)
                result.stages.append(dict(getattr(outcome, "seconds", {}) or {}))
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def summarize(results: list[TaskResult], samples: int) -> dict[str, Any]:
    """pass@1 (and pass@k) per level and overall, median seconds per sample, failure categories."""
    ks = sorted({1, samples})
    levels = [lv for lv in LEVELS if any(r.level == lv for r in results)]
    levels += sorted({r.level for r in results} - set(LEVELS))
    summary: dict[str, Any] = {"samples": samples, "levels": {}}
    for level in [*levels, "all"]:
        chosen = [r for r in results if level in ("all", r.level)]
        if not chosen:
            continue
        row: dict[str, Any] = {"tasks": len(chosen)}
        for k in ks:
            row[f"pass@{k}"] = sum(pass_at_k(len(r.passed), sum(r.passed), k) for r in chosen) / len(chosen)
        row["median_seconds"] = statistics.median(s for r in chosen for s in r.seconds)
        samples_ran_wrong = [x for r in chosen for x in r.ran_wrong]
        row["ran_wrong"] = sum(samples_ran_wrong) / len(samples_ran_wrong) if samples_ran_wrong else 0.0
        samples_unmet = [x for r in chosen for x in r.unmet]
        row["ran_unmet"] = sum(samples_unmet) / len(samples_unmet) if samples_unmet else 0.0
        summary["levels"][level] = row
    failures = Counter(f for r in results for f in r.failures if f)
    summary["failures"] = dict(failures.most_common())
    stages = sorted({stage for r in results for sample in r.stages for stage in sample})
    summary["stage_seconds"] = {
        stage: statistics.median(sample.get(stage, 0.0) for r in results for sample in r.stages) for stage in stages
    }
    return summary


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table."""
    ks = [key for key in next(iter(summary["levels"].values())) if key.startswith("pass@")]
    header = (
        f"{'level':<8} {'tasks':>5} "
        + " ".join(f"{k:>7}" for k in ks)
        + f" {'ran,wrong':>9} {'unmet':>6} {'median s':>9}"
    )
    lines = [header]
    for level, row in summary["levels"].items():
        values = " ".join(f"{row[k]:>7.1%}" for k in ks)
        wrong = f"{row.get('ran_wrong', 0.0):>9.1%} {row.get('ran_unmet', 0.0):>6.1%}"
        lines.append(f"{level:<8} {row['tasks']:>5} {values} {wrong} {row['median_seconds']:>9.1f}")
    if summary.get("stage_seconds"):
        stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in summary["stage_seconds"].items())
        lines.append(f"median seconds per stage: {stages}")
    lines.append("ran,wrong: the script ran but failed the checker or a requirement; unmet: of those, a requirement")
    if summary["failures"]:
        lines.append("failures: " + "; ".join(f"{name} ×{count}" for name, count in summary["failures"].items()))
    return "\n".join(lines)
