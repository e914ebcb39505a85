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


def claim_counts(rows: list[dict[str, Any]], condition: str, kind: str) -> dict[str, int]:
    """Sentences, sentences with an unsupported claim, repeated sentences of one condition and summary kind."""
    parts = [row[condition][kind] for row in rows]
    return {
        "sentences": sum(len(p["sentences"]) for p in parts),
        "unsupported": sum(1 for p in parts for x in p["sentences"] if x["claims"]),
        "repeated": sum(len(p["repeats"]) for p in parts),
        "summaries_with_repeats": sum(1 for p in parts if p["repeats"]),
    }


def _summaries(s: dict[str, Any]) -> list[str]:
    rows = s["rows"]
    mean = {k: statistics.mean(x[k] for x in rows) for k in ("rouge_l", "rouge_l_before", "rouge_l_lead3")}
    lines = [
        "",
        f"## Summaries ({len(rows)} threads, generator `{s['generator']}`)",
        "",
        _run(s),
        "",
        "A stated subset (generation is slow on two shared CPU cores): every k-th thread, by path, among those whose "
        "last reply is not by the author; input the whole thread; both summaries. **before**: the summariser "
        "with the guards it had before grounding (exact repeated sentences, invented bug ids and people, degenerate "
        "output); **after**: the same with grounding (`grounding.py`: unsupported and reworded-repeat sentences "
        "dropped). Both conditions read the *same* model outputs (replayed), so the difference is the check alone.",
        "",
        "**Unsupported claim** is judged per sentence by `benchmarks/claim_check.py`, a separate checker that "
        "imports nothing from the filter and defines its rules its own way (stricter on names, numbers, quotes and "
        "causes: no inflection folding, any capitalised word inside a sentence is a name, one new word in a cause "
        "is enough): a quoted string, number/version/code, name, or word of a cause that the record (as the model "
        "saw it) does not contain, or two or more rare words (no whole word of the embedder's English vocabulary) "
        "absent from it. It cannot see a false statement made of common words; the **manual audit** "
        "([bugtriage_summary_audit.md](bugtriage_summary_audit.md): 20 sentences per condition, judged blind to "
        "the condition) measures that. **Repeated**: a sentence whose words match an earlier one of the same "
        "summary with difflib ratio ≥ 0.8.",
        "",
        "| summary | condition | sentences | with an unsupported claim | share | repeated sentences |",
        "|---|---|---|---|---|---|",
    ]
    for kind in ("technical", "managerial"):
        for condition in ("before", "after"):
            c = claim_counts(rows, condition, kind)
            share = c["unsupported"] / c["sentences"] if c["sentences"] else float("nan")
            lines.append(
                f"| {kind} | {condition} | {c['sentences']} | {c['unsupported']} | {_f(share)} | {c['repeated']} |"
            )
    totals = {
        condition: [claim_counts(rows, condition, k) for k in ("technical", "managerial")]
        for condition in ("before", "after")
    }
    shares = {
        condition: sum(c["unsupported"] for c in cs) / max(1, sum(c["sentences"] for c in cs))
        for condition, cs in totals.items()
    }
    ratio = shares["after"] / shares["before"] if shares["before"] else float("nan")
    fell_back = sum(1 for x in rows if any("extractive summary is given" in n for n in x["after"]["notes"]))
    lines += [
        "",
        f"Both summaries together: {_f(shares['before'])} of sentences with an unsupported claim before, "
        f"{_f(shares['after'])} after (ratio {_f(ratio)}); repeated sentences "
        f"{sum(c['repeated'] for c in totals['before'])} before, {sum(c['repeated'] for c in totals['after'])} after. "
        f"{fell_back} of {len(rows)} threads had a summary replaced by the extractive one after grounding.",
        "",
        "| technical summary vs the last reply | mean ROUGE-L F1 |",
        "|---|---|",
        f"| before grounding | {_f(mean['rouge_l_before'])} |",
        f"| after grounding | {_f(mean['rouge_l'])} |",
        f"| lead-3 sentences of the first post | {_f(mean['rouge_l_lead3'])} |",
        "",
        "### Five examples, before and after",
    ]
    for x in rows[:5]:
        lines += [
            "",
            f"**{x['id']}** ({x['category']}) — {_quote(x['title'])}  ",
            f"Input excerpt: {_quote(x['excerpt'])}…  ",
        ]
        for condition in ("before", "after"):
            for kind in ("technical", "managerial"):
                part = x[condition][kind]
                flagged = [y["text"] for y in part["sentences"] if y["claims"]]
                lines.append(
                    f"{kind.capitalize()} ({condition}): {_quote(part['text'])}  "
                    + (f"\n*checker flags:* {_quote(' / '.join(flagged))}  " if flagged else "")
                )
        lines.append(f"Notes (after): {_quote('; '.join(x['after']['notes'])) or 'none'}")
    return lines


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
    if s and "before" in s["rows"][0]:
        lines += _summaries(s)
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
