"""Answer quality and latency of ``designqa.ask``: the default (grounded) mode against the extractive fallback alone
and against the previous behaviour (pure generation), on EDA Corpus; and the median latency on Yosys help.

1. EDA Corpus ``qa_original.csv``: the 196 answers are the knowledge base (one text document each, default
   chunking, MiniLM, hybrid retrieval); each original question is asked, and the answer is scored against the
   reference answer with ROUGE-L F1 and token F1 (SQuAD's: lower case, punctuation and articles dropped).
   Modes: ``default`` (the shipped settings: ``answer_mode: extractive``, quotes of the cited passages),
   ``auto`` (``answer_mode: auto``: generate, check, fall back to quotes), ``extractive`` (quotes only),
   ``previous`` (the answer path before issue 13, reproduced here: top-8 passages, the old prompt, 256 tokens,
   every token shown). Answers with a loop — a word 4-gram three or more times, or a sentence twice — are
   counted. Generation on a shared 2-core CPU takes 5–60 s an answer, so the generating modes run on a fixed
   subset: the first ``--subset`` questions in file order; extractive runs on all of them too.
2. Latency: median wall time of ``designqa.ask`` through a real gRPC server on the Yosys-help knowledge base, warmed
   by one call, over the questions of ``benchmarks/data/yosys_help_questions.jsonl`` (first ``--latency`` of them),
   with the default settings and with ``answer_mode: auto``.

Run::

    .venv/bin/python benchmarks/designqa_answers.py --subset 20 --latency 10 --generator smollm2-135m-instruct
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from retrieval_eda_corpus import DEFAULT_DATA, _rows, build_index

from chipmate.config import config_from_dict
from chipmate.host import Host
from chipmate.plugins.designqa.grounding import has_loop
from chipmate.plugins.designqa.index import IndexSettings
from chipmate.plugins.designqa.service import service_for
from chipmate.tasks import TaskContext

HERE = Path(__file__).resolve().parent

# The answer path before issue 13 (plugins/designqa/answer.py at 44c6994), for the "previous" mode.
PREVIOUS_SYSTEM = (
    "You answer questions about chip-design tools using only the numbered passages. "
    "Cite the passages you use like [1]. If the passages do not answer the question, say so."
)


def previous_answer(question: str, hits: list[Any], generator: Any) -> str:
    """Generate as the previous answer path did: every relevant passage that fits, 256 tokens, nothing checked."""
    parts = []
    for i, hit in enumerate([h for h in hits if h.dense >= 0.35], start=1):
        where = hit.chunk.source + (f", {hit.chunk.section}" if hit.chunk.section else "")
        parts.append(f"[{i}] ({where}) {hit.chunk.text}")
    if not parts:
        return "The knowledge base has no answer to this question."
    user = "Passages:\n" + "\n\n".join(parts) + f"\n\nQuestion: {question}\nAnswer:"
    messages = [{"role": "system", "content": PREVIOUS_SYSTEM}, {"role": "user", "content": user}]
    return generator.generate(messages, max_tokens=256, temperature=0.0).text.strip()


def _tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [w for w in words if w not in ("a", "an", "the")]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence of word tokens)."""
    a, b = _tokens(candidate), _tokens(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def token_f1(candidate: str, reference: str) -> float:
    """SQuAD token F1."""
    a, b = _tokens(candidate), _tokens(reference)
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def ask(host: Host, question: str) -> tuple[dict[str, Any], float]:
    ctx = TaskContext(host=host, emit=lambda event: None)
    started = time.perf_counter()
    output = host.run_task("designqa.ask", {"question": question}, ctx)
    return output, time.perf_counter() - started


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "n": len(rows),
        "rouge_l": statistics.mean(r["rouge_l"] for r in rows),
        "token_f1": statistics.mean(r["token_f1"] for r in rows),
        "loops": sum(1 for r in rows if r["loop"]),
        "median_s": statistics.median(r["seconds"] for r in rows),
        "modes": dict(Counter(r.get("mode", "-") for r in rows)),
    }


def eda_answers(args: argparse.Namespace, tmp: Path, log: Any) -> dict[str, dict[str, Any]]:
    pairs = [(p.strip(), a.strip()) for p, a in _rows(args.data / "qa_original.csv") if p.strip() and a.strip()]
    from chipmate.plugins.backends.embedder import open_embedder

    build_index(tmp / "eda", open_embedder(), [a for _, a in pairs], IndexSettings())

    def host(mode: str | None) -> Host:
        designqa: dict[str, Any] = {"index_dir": str(tmp / "eda"), "build_default": False}
        if mode is not None:  # None: the shipped default
            designqa["answer_mode"] = mode
        if args.generator:
            designqa["generator"] = args.generator
        return Host(config_from_dict({"tasks": {"designqa": designqa}}))

    results: dict[str, list[dict[str, Any]]] = {
        "default (all)": [],
        "extractive (all)": [],
        "default": [],
        "extractive": [],
        "auto": [],
        "previous": [],
    }
    default, extractive, auto = host(None), host("extractive"), host("auto")
    for i, (question, _) in enumerate(pairs):
        for label, chosen in (("default (all)", default), ("extractive (all)", extractive), ("auto", auto)):
            if label == "auto" and i >= args.subset:
                continue
            output, seconds = ask(chosen, question)
            row = {"i": i, "mode": output["mode"], "seconds": seconds, "answer": output["answer"]}
            results[label].append(row)
            if label.endswith("(all)") and i < args.subset:
                results[label.split()[0]].append(row)
        if i < args.subset:
            service = service_for(auto)
            hits = service.retriever().search(question, 8)
            started = time.perf_counter()
            text = previous_answer(question, hits, auto.models.generator(args.generator))
            results["previous"].append({"i": i, "seconds": time.perf_counter() - started, "answer": text})
    for label, rows in results.items():
        for row in rows:
            reference = pairs[row["i"]][1]
            row.update(rouge_l=rouge_l(row["answer"], reference), token_f1=token_f1(row["answer"], reference))
            row["loop"] = has_loop(row["answer"])
            log.write(json.dumps({"set": label, **row}) + "\n")
    return {label: summarize(rows) for label, rows in results.items()}


def yosys_latency(args: argparse.Namespace, tmp: Path, mode: str | None = None) -> dict[str, Any]:
    """Median ``designqa.ask`` seconds through a real server on the Yosys-help KB (built once, warmed by a call),
    with ``answer_mode`` ``mode`` (None: the default)."""
    from chipmate.client import Client
    from chipmate.config import ServerConfig
    from chipmate.server import ChipmateServer

    designqa: dict[str, Any] = {"index_dir": str(args.yosys_kb or tmp / "yosys")}
    if args.generator:
        designqa["generator"] = args.generator
    if mode is not None:
        designqa["answer_mode"] = mode
    host = Host(config_from_dict({"tasks": {"designqa": designqa}}))
    service = service_for(host)
    if not (Path(designqa["index_dir"]) / "manifest.json").is_file():
        from chipmate.plugins.designqa.writer import update_index
        from chipmate.plugins.designqa.yosys_help import yosys_documents

        update_index(service.index_dir, service.embedder(), add=yosys_documents(), name=service.embedder_name())
    questions = [json.loads(line)["question"] for line in (HERE / "data" / "yosys_help_questions.jsonl").open()]
    server = ChipmateServer(host, ServerConfig(port=0, log_format="text"))
    server.start()
    seconds, modes = [], Counter()
    try:
        with Client(f"127.0.0.1:{server.port}", timeout=600) as client:
            client.call("designqa.ask", {"question": "How do I remove unused cells?"})  # warm: models loaded
            for question in questions[: args.latency]:
                started = time.perf_counter()
                output = client.call("designqa.ask", {"question": question})
                seconds.append(time.perf_counter() - started)
                modes[output["mode"]] += 1
    finally:
        server.stop(0)
    return {"n": len(seconds), "median_s": statistics.median(seconds), "max_s": max(seconds), "modes": dict(modes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "designqa_answers.md")
    parser.add_argument("--subset", type=int, default=20, help="questions answered by the generating modes")
    parser.add_argument("--latency", type=int, default=10, help="Yosys questions timed through the server")
    parser.add_argument("--generator", help="generator alias (default: the registry's default)")
    parser.add_argument("--yosys-kb", type=Path, help="an existing Yosys-help index to time on (default: build one)")
    parser.add_argument("--answers", type=Path, default=Path("benchmarks/out/designqa_answers.jsonl"))
    args = parser.parse_args()
    args.answers.parent.mkdir(parents=True, exist_ok=True)
    generator = args.generator or Host().models.default_alias("generator")
    no_latency = {"n": 0, "median_s": 0.0, "max_s": 0.0, "modes": {}}
    with tempfile.TemporaryDirectory() as tmp, open(args.answers, "w", encoding="utf-8") as log:
        eda = eda_answers(args, Path(tmp), log)
        latency = {"default": no_latency, "auto": no_latency}
        write_report(args, generator, eda, latency)  # partial results survive a long latency run
        if args.latency:
            latency["default"] = yosys_latency(args, Path(tmp))
            write_report(args, generator, eda, latency)
            latency["auto"] = yosys_latency(args, Path(tmp), "auto")
            write_report(args, generator, eda, latency)
    return 0


def write_report(args: argparse.Namespace, generator: str, eda: dict[str, Any], latency: dict[str, Any]) -> None:
    """Write (and print) the results file."""
    default, extractive, auto = eda["default"], eda["extractive"], eda["auto"]
    lines = [
        "# designqa answers: the default (quotes) vs generated answers (auto) vs the previous behaviour",
        "",
        f"Command: `.venv/bin/python {' '.join(sys.argv)}`  ",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, CPU only, shared with other jobs  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Generator: `{generator}`; embedder all-MiniLM-L6-v2, hybrid retrieval, default settings.  ",
        f"Data: EDA Corpus `qa_original.csv` (CC BY 4.0), 196 question/answer pairs, the answers indexed; generating "
        f"modes (auto, previous) on the first {args.subset} questions (file order), the others on all 196 too. "
        f"Answers in `{args.answers}` (not committed).",
        "",
        "| mode | questions | ROUGE-L F1 | token F1 | answers with a loop | median s/answer | who answered |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, s in eda.items():
        lines.append(
            f"| {label} | {s['n']} | {s['rouge_l']:.3f} | {s['token_f1']:.3f} | {s['loops']} | {s['median_s']:.2f} "
            f"| {', '.join(f'{k} {v}' for k, v in sorted(s['modes'].items()))} |"
        )

    def verdict(mode: dict[str, Any]) -> str:
        met = mode["rouge_l"] >= extractive["rouge_l"] and mode["token_f1"] >= extractive["token_f1"]
        return "met" if met else "missed"

    def timed(run: dict[str, Any]) -> str:
        if not run["n"]:
            return "not run"
        answered = ", ".join(f"{k} {v}" for k, v in sorted(run["modes"].items()))
        met = "met" if run["median_s"] <= 5 else "missed"
        return f"median **{run['median_s']:.2f} s**, max {run['max_s']:.2f} s, answered {answered}; ≤ 5 s **{met}**"

    all_loops = eda["default (all)"]["loops"]
    lines += [
        "",
        f"Targets: no answer of the default mode with a loop → **{'met' if all_loops == 0 else 'missed'}** "
        f"({all_loops} of {eda['default (all)']['n']}); default ≥ extractive on both metrics (same {args.subset} "
        f"questions) → **{verdict(default)}**. Generated answers (`answer_mode: auto`) ≥ extractive → "
        f"**{verdict(auto)}** ({auto['rouge_l']:.3f} / {auto['token_f1']:.3f} vs {extractive['rouge_l']:.3f} / "
        f"{extractive['token_f1']:.3f}), loops {auto['loops']}.",
        "",
        "## Latency on the Yosys-help knowledge base",
        "",
        f"`designqa.ask` through a real gRPC server (warmed by one call), the first {args.latency} questions of "
        "`benchmarks/data/yosys_help_questions.jsonl`:",
        "",
        f"- default settings (quotes): {timed(latency['default'])}",
        f"- `answer_mode: auto` (generated, checked): {timed(latency['auto'])}",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
