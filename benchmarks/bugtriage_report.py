"""The Markdown results page of ``bugtriage_openroad.py`` (kept apart so the measuring script stays readable)."""

from __future__ import annotations

import statistics
from typing import Any

TARGETS = {"category_accuracy": ("category accuracy", 0.55), "owner_hit_at_3": ("owner hit@3", 0.60)}


def _f(value: Any) -> str:
    return "–" if value is None or value != value else f"{value:.3f}"


def _quote(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _run(section: dict[str, Any]) -> str:
    return f"Command: `{section['command']}`; run {section['date']}, {section['seconds']} s wall time."


def markdown(r: dict[str, Any]) -> str:
    """The results page for one run."""
    lines = [
        "# bugtriage on the labelled OpenROAD discussions",
        "",
        f"Machine: {r['machine']}, CPU only (shared with another benchmark).  ",
        "Data: 172 OpenROAD GitHub Discussions labelled by the ORAssistant project (GPL-3.0 community content, "
        "`../shared/benchmarks/openroad_discussions`); excerpts below are quoted for evaluation only.",
        "",
    ]
    c = r.get("classification")
    if c:
        lines += [
            "## Category, tool and owner (5-fold cross-validation)",
            "",
            _run(c),
            "",
            f"`KFold(n_splits={r['folds']}, shuffle=True, random_state={r['seed']})` over the files sorted by path. In each "
            "fold the other folds are the history (whole threads with their labels); each held-out thread is triaged "
            "from its **title and first post only** and is never in its own history. Accuracy is of the top label "
            "(forced choice, as the baselines); the threshold only decides what is *assigned* (curve below). "
            f"Category: {c['threads']} threads, 8 classes. Tool: the {c['tool_threads']} threads with a `Tool:` line. "
            f"Owner = the first person other than the author who replied ({c['owner_threads']} threads have one); the "
            "author is never suggested, by any system.",
            "",
            "| system | category accuracy | category macro-F1 | tool accuracy | owner hit@1 | owner hit@3 |",
            "|---|---|---|---|---|---|",
        ]
        for name, row in c["table"].items():
            lines.append(
                f"| {name} | {_f(row['category_accuracy'])} | {_f(row['category_macro_f1'])} | "
                f"{_f(row['tool_accuracy'])} | {_f(row['owner_hit_at_1'])} | {_f(row['owner_hit_at_3'])} |"
            )
        ours, *baselines = c["table"].values()
        lines += ["", "| target | result | met |", "|---|---|---|"]
        for key, (label, target) in TARGETS.items():
            best_base = max(b[key] for b in baselines)
            met = ours[key] >= target and ours[key] > best_base
            lines.append(
                f"| {label} ≥ {target} and above both baselines | {_f(ours[key])} "
                f"(best baseline {_f(best_base)}) | {'yes' if met else 'no'} |"
            )
        lines += [
            "",
            f"Median fit per fold: {c['fit_seconds_median']:.1f} s (cross-validation of each label model included); "
            f"median triage call (embedding the query, 3 parts): {c['triage_ms_median']:.0f} ms.",
            "",
            "### Accuracy / coverage of the category over the confidence threshold",
            "",
            "| threshold | share assigned | accuracy of what is assigned |",
            "|---|---|---|",
        ]
        lines += [f"| {row['threshold']:.1f} | {_f(row['coverage'])} | {_f(row['accuracy'])} |" for row in c["curve"]]
    missing = [part for part in ("summaries", "duplicates") if not r.get(part)]
    if missing:
        lines += [
            "",
            f"## {' and '.join(missing).capitalize()}: not measured yet",
            "",
            "They need the generator, which shares the machine's two cores with other benchmarks: run "
            f"`flock /tmp/chipmate-bench.lock .venv/bin/python benchmarks/bugtriage_openroad.py --parts "
            f"{','.join(missing)}` (it keeps the results above and adds its own).",
        ]
    s = r.get("summaries")
    if s:
        rows = s["rows"]
        mean = {k: statistics.mean(x[k] for x in rows) for k in ("rouge_l", "rouge_l_lead3", "rouge_l_extractive")}
        fell_back = sum(x["fell_back"] for x in rows)
        lines += [
            "",
            f"## Summaries ({len(rows)} threads, generator `{s['generator']}`)",
            "",
            _run(s),
            "",
            "A stated subset (summaries are slow on two CPU cores): every k-th thread, by path, among those whose "
            "last reply is not by the author. Input: the whole thread. Reference: its last reply (a rough proxy of "
            "the outcome a summary should carry). ROUGE-L F1 over lower-cased words (LCS; our implementation).",
            "",
            "| summary | mean ROUGE-L F1 |",
            "|---|---|",
            f"| chipmate technical summary | {_f(mean['rouge_l'])} |",
            f"| lead-3 sentences of the first post | {_f(mean['rouge_l_lead3'])} |",
            f"| chipmate's extractive fallback alone | {_f(mean['rouge_l_extractive'])} |",
            "",
            f"The model's output was rejected (empty, repetitive or copied) and the extractive fallback given for "
            f"{fell_back} of {len(rows)} technical summaries. Median time per thread: "
            f"{statistics.median(x['seconds'] for x in rows):.0f} s.",
            "",
            "### Five examples",
        ]
        for x in [x for x in rows if x["managerial_summary"] is not None][:5]:
            lines += [
                "",
                f"**{x['id']}** ({x['category']}) — {_quote(x['title'])}  ",
                f"Input excerpt: {_quote(x['excerpt'])}…  ",
                f"Technical summary: {_quote(x['technical_summary'])}  ",
                f"Managerial summary: {_quote(x['managerial_summary'])}  ",
                f"Notes: {_quote('; '.join(x['notes'])) or 'none'}",
            ]
    d = r.get("duplicates")
    if d:
        lines += [
            "",
            f"## Duplicates ({d['queries']} rephrasings by `{d['generator']}`)",
            "",
            _run(d),
            "",
            "A stated subset (generation is slow on two CPU cores): every k-th thread by path. Query: the generated "
            "rephrasing of a thread's title and first post. Corpus: all 172 original first posts. A hit is the "
            "original thread among the top k.",
            "",
            "| system | hit@1 | hit@5 |",
            "|---|---|---|",
            f"| chipmate (`bugtriage.triage`, parts: duplicates) | {_f(d['hit_at_1'])} | {_f(d['hit_at_5'])} |",
            f"| TF-IDF cosine | {_f(d['tfidf_hit_at_1'])} | {_f(d['tfidf_hit_at_5'])} |",
            f"| chipmate, rephrasings that are no near-copy | {_f(d['hit_at_1_without_copies'])} | "
            f"{_f(d['hit_at_5_without_copies'])} |",
            f"| TF-IDF cosine, rephrasings that are no near-copy | {_f(d['tfidf_hit_at_1_without_copies'])} | "
            f"{_f(d['tfidf_hit_at_5_without_copies'])} |",
            "",
            f"{d['near_copies']} of {d['queries']} rephrasings copy most of the original (70 %+ of their 8-word "
            f"sequences), which makes them easy; median cosine of the original when found: "
            f"{_f(d['median_target_score'])}.",
        ]
        for x in d["examples"]:
            lines += ["", f"- {x['id']}: {_quote(x['original'])} → {_quote(x['rephrased'])}"]
    return "\n".join(lines) + "\n"
