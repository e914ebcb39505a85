"""bugtriage on the 172 labelled OpenROAD discussions: category, tool, owner, summaries and duplicates.

Classification (5-fold cross-validation, ``KFold(shuffle=True, random_state=0)`` over the files sorted by path):
in each fold the other four folds are imported as history (whole threads, with their category and tool labels)
into a temporary store, ``fit`` runs, and each held-out thread is triaged through ``Host.run_task`` from its title
and first post only. The thread is never in its own history. Same folds, same run: a majority-class baseline and
TF-IDF + logistic regression (C chosen by inner 3-fold CV from 1, 10, 100). Owner = the first person other than
the author who replied; threads without one are left out of owner scores.

Summaries (a stated subset): both summaries of the whole thread, before and after grounding (the summariser with
``grounded=False`` and ``True``, reading the same replayed model outputs); each sentence judged by
``claim_check.py`` (a separate checker) for unsupported claims and repeats; the technical summary also against the
thread's last reply (ROUGE-L F1, LCS over lower-cased words; our own implementation, see ``rouge_l``), next to the
lead-3 sentences of the first post.

Duplicates (a stated subset, every k-th thread by path): each chosen thread's title + first post is rephrased by
the default generator; the rephrasing is triaged (``parts: [duplicates]``) against a store of all 172 original
first posts. Generator outputs and rephrasings are cached under ``--cache`` so an interrupted run resumes.

One file over 400 lines on purpose: the whole protocol (folds, baselines, summaries, duplicates) reads top to
bottom in one place; the Markdown page is ``bugtriage_report.py``.

Run (the generator parts hold the shared benchmark lock so they do not compete for the two cores)::

    .venv/bin/python benchmarks/bugtriage_openroad.py --parts classification     # minutes; no generator
    flock /tmp/chipmate-bench.lock .venv/bin/python benchmarks/bugtriage_openroad.py --parts summaries,duplicates

A run of some parts keeps the other parts' results already in ``--out`` (each part records its own command and
date) and rewrites the Markdown page from all of them.
"""

from __future__ import annotations

import argparse
import hashlib
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

import numpy as np
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.config import Config, cache_dir
from chipmate.host import Host
from chipmate.plugins.bugtriage import guard, summarize
from chipmate.plugins.bugtriage.guard import copied_share
from chipmate.plugins.bugtriage.importers import parse_thread
from chipmate.plugins.bugtriage.records import BugRecord, ParseResult
from chipmate.plugins.bugtriage.service import service_for
from chipmate.plugins.bugtriage.summarize import extractive_technical, lead_sentences
from chipmate.tasks import TaskContext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "openroad_discussions"
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
REPHRASE_ROLE = "You help a chip-design team test its bug tracker by rewriting bug reports in other words."
REPHRASE = "Paraphrase this bug report in two sentences, keeping tool names and error codes:\n\n{text}"


def load(data: Path) -> list[BugRecord]:
    """Every thread; category = its folder, component = its Tool: line (the tool label)."""
    records = []
    for path in sorted(data.glob("*/*.md")):
        record = parse_thread(path.read_text(encoding="utf-8"), default_id=path.stem)
        record.category = path.parent.name
        records.append(record)
    return records


def query_of(record: BugRecord) -> dict[str, Any]:
    """What triage sees of a held-out thread: title and first post, the author; never the answers."""
    return {"title": record.title, "description": record.description, "reporter": record.reporter}


def new_host(work: Path, **settings: Any) -> Host:
    return Host(
        Config(tasks={"bugtriage": {"db": str(work / "history.sqlite3"), **settings}}, cache_dir=str(cache_dir()))
    )


def triage(host: Host, data: dict[str, Any]) -> dict[str, Any]:
    return host.run_task("bugtriage.triage", data, TaskContext(host=host))


# -- baselines ---------------------------------------------------------------------------------------------------


def tfidf_lr(train_texts: list[str], train_labels: list[str], test_texts: list[str]) -> list[list[tuple[str, float]]]:
    """TF-IDF + logistic regression (C by inner 3-fold CV): for each test text, labels by probability."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, KFold

    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    x = vectorizer.fit_transform(train_texts)
    search = GridSearchCV(
        LogisticRegression(max_iter=2000, solver="newton-cg"),
        {"C": [1, 10, 100]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(x, train_labels)
    proba = search.predict_proba(vectorizer.transform(test_texts))
    classes = [str(c) for c in search.classes_]
    return [sorted(zip(classes, map(float, row), strict=True), key=lambda item: -item[1]) for row in proba]


# -- metrics -----------------------------------------------------------------------------------------------------


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (Lin, 2004) over lower-cased word tokens: LCS-based precision and recall, beta = 1."""
    a, b = re.findall(r"\w+", candidate.lower()), re.findall(r"\w+", reference.lower())
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            current[j] = previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1])
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def curve(correct: list[bool], confidence: list[float]) -> list[dict[str, float]]:
    """Accuracy of what is assigned and the share assigned, per threshold."""
    rows = []
    for threshold in THRESHOLDS:
        assigned = [c for c, p in zip(correct, confidence, strict=True) if p >= threshold]
        accuracy = sum(assigned) / len(assigned) if assigned else float("nan")
        rows.append({"threshold": threshold, "coverage": len(assigned) / len(correct), "accuracy": accuracy})
    return rows


# -- the classification run --------------------------------------------------------------------------------------


def classification(records: list[BugRecord], folds: int, seed: int, work: Path) -> dict[str, Any]:
    from sklearn.model_selection import KFold

    n = len(records)
    ours_cat, ours_tool, ours_owner = [""] * n, [""] * n, [[] for _ in range(n)]
    conf_cat = [0.0] * n
    base = {k: [""] * n for k in ("maj_cat", "lr_cat", "maj_tool", "lr_tool")}
    base_owner = {k: [[] for _ in range(n)] for k in ("maj_owner", "lr_owner")}
    fit_seconds, triage_seconds = [], []
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(records)):
        fold_dir = work / f"fold{fold}"
        fold_dir.mkdir()
        host = new_host(fold_dir)
        service = service_for(host)
        history = ParseResult(records=[(records[i], "openroad", "thread") for i in train])
        service.store.import_parsed(history)
        started = time.perf_counter()
        service.fit()
        fit_seconds.append(time.perf_counter() - started)
        for i in test:
            started = time.perf_counter()
            out = triage(host, {**query_of(records[i]), "parts": ["category", "component", "owners"]})
            triage_seconds.append(time.perf_counter() - started)
            ours_cat[i] = out["category"]["candidates"][0]["label"]
            conf_cat[i] = out["category"]["confidence"]
            ours_tool[i] = out["component"]["candidates"][0]["label"] if out["component"]["candidates"] else ""
            ours_owner[i] = [o["name"] for o in out["owners"]]
        test_texts = [records[i].query_text() for i in test]
        # Baselines: majority class, and TF-IDF + logistic regression, on the same fold.
        for name, get in (("cat", lambda r: r.category), ("tool", lambda r: r.component)):
            labelled = [i for i in train if get(records[i])]
            majority = Counter(get(records[i]) for i in labelled).most_common(1)[0][0]
            ranked = tfidf_lr(
                [records[i].query_text() for i in labelled], [get(records[i]) for i in labelled], test_texts
            )
            for row, i in enumerate(test):
                base[f"maj_{name}"][i] = majority
                base[f"lr_{name}"][i] = ranked[row][0][0]
        owned = [i for i in train if records[i].responder()]
        owner_counts = Counter(records[i].responder() for i in owned)
        ranked = tfidf_lr([records[i].query_text() for i in owned], [records[i].responder() for i in owned], test_texts)
        for row, i in enumerate(test):
            reporter = records[i].reporter
            base_owner["maj_owner"][i] = [o for o, _ in owner_counts.most_common() if o != reporter][:3]
            base_owner["lr_owner"][i] = [o for o, _ in ranked[row] if o != reporter][:3]
        print(f"fold {fold}: {len(train)} history, {len(test)} triaged", file=sys.stderr)

    truth_cat = [r.category for r in records]
    tool_rows = [i for i, r in enumerate(records) if r.component]
    owner_rows = [i for i, r in enumerate(records) if r.responder()]

    def accuracy(predicted: list[str], truth: list[str], rows: list[int]) -> float:
        return sum(predicted[i] == truth[i] for i in rows) / len(rows)

    def hit(ranked: list[list[str]], at: int) -> float:
        return sum(records[i].responder() in ranked[i][:at] for i in owner_rows) / len(owner_rows)

    all_rows = list(range(n))
    truth_tool = [r.component for r in records]
    systems = {
        "chipmate (embeddings + TF-IDF, logistic regression)": (ours_cat, ours_tool, ours_owner),
        "majority class": (base["maj_cat"], base["maj_tool"], base_owner["maj_owner"]),
        "TF-IDF + logistic regression": (base["lr_cat"], base["lr_tool"], base_owner["lr_owner"]),
    }
    table = {
        name: {
            "category_accuracy": accuracy(cat, truth_cat, all_rows),
            "category_macro_f1": macro_f1(truth_cat, cat),
            "tool_accuracy": accuracy(tool, truth_tool, tool_rows),
            "owner_hit_at_1": hit(owner, 1),
            "owner_hit_at_3": hit(owner, 3),
        }
        for name, (cat, tool, owner) in systems.items()
    }
    correct = [ours_cat[i] == truth_cat[i] for i in all_rows]
    return {
        "table": table,
        "curve": curve(correct, conf_cat),
        "threads": n,
        "tool_threads": len(tool_rows),
        "owner_threads": len(owner_rows),
        "fit_seconds_median": statistics.median(fit_seconds),
        "triage_ms_median": 1000 * statistics.median(triage_seconds),
    }


class ReplayGenerator:
    """The generator, with each call's output kept in a JSON file by its prompt and settings.

    Both summary conditions (the guard before claim checking, and with it) read the same model outputs: the first
    run generates, the second replays, so the comparison is of the checks alone and an interrupted run resumes.
    """

    def __init__(self, inner: Any, path: Path) -> None:
        self.inner = inner
        self.path = path
        self.done: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        self.generated = 0

    def __getattr__(self, name: str) -> Any:  # count_tokens, context_length, ...
        return getattr(self.inner, name)

    def generate(self, messages: list[dict[str, Any]], **settings: Any) -> Any:
        from chipmate.models.base import Generation

        settings.pop("ctx", None)
        key = hashlib.sha256(json.dumps([messages, settings], sort_keys=True).encode()).hexdigest()
        if key not in self.done:
            out = self.inner.generate(messages, **settings)
            self.done[key] = {"text": out.text, "finish_reason": out.finish_reason}
            self.generated += 1
            self.path.write_text(json.dumps(self.done, indent=1))
        hit = self.done[key]
        return Generation(hit["text"], 0, 0, hit["finish_reason"])


# -- summaries and duplicates ---------------------------------------------------------------------------------------


def every_kth(items: list[Any], count: int) -> list[Any]:
    """``count`` items spread evenly over ``items`` (the stated, fixed subsets)."""
    step = max(1, len(items) // max(1, count))
    return items[::step][:count]


def summaries(records: list[BugRecord], count: int, work: Path, cache: Path) -> dict[str, Any]:
    """Both summaries of ``count`` threads (every k-th thread with a reply, by path), before and after grounding.

    "before": the summariser with its older guards only (repeated sentences, invented ids and people, degenerate
    output); "after": the same with grounding (``Summarizer(grounded=True)``, the default). Both read the same
    model outputs (:class:`ReplayGenerator`), so the difference is the check's alone. Each sentence is judged by
    ``claim_check`` (a separate, stricter checker) for unsupported claims and repeats. The technical summary is
    also scored against the thread's last reply (ROUGE-L), next to the lead-3 sentences of the first post.
    """
    import claim_check  # benchmarks/claim_check.py

    candidates = [r for r in records if r.comments and r.comments[-1].author != r.reporter]
    chosen = every_kth(candidates, count)
    host = new_host(work)
    alias = host.models.default_alias("generator")
    settings = service_for(host).settings
    cache.mkdir(parents=True, exist_ok=True)
    generator = ReplayGenerator(host.models.generator(None), cache / f"generations-{alias}.json")
    rows = []
    for number, thread in enumerate(chosen):
        # What bugtriage.triage builds from the call's input: no id, the whole thread.
        record = BugRecord(
            id="",
            title=thread.title,
            description=thread.description,
            reporter=thread.reporter,
            comments=thread.comments,
        )
        shown = claim_check.Record.of("\n".join([record.full_text(), *summarize.render_posts(record)]))
        row: dict[str, Any] = {"id": thread.id, "category": thread.category, "title": thread.title}
        for condition, grounded in (("before", False), ("after", True)):
            started = time.perf_counter()
            made = summarize.Summarizer(
                generator,
                guard.References(record.full_text()),
                max_tokens=settings.summary_max_tokens,
                max_calls=settings.max_summary_calls,
                max_input_tokens=settings.max_input_tokens,
                grounded=grounded,
            ).summarize(record)
            seconds = time.perf_counter() - started
            row[condition] = {
                "seconds": seconds,
                "notes": made.notes,
                **{
                    name: {
                        "text": text,
                        "sentences": [
                            {"text": s, "claims": claim_check.claims(s, shown)} for s in claim_check.sentences(text)
                        ],
                        "repeats": claim_check.repeats(text),
                    }
                    for name, text in (("technical", made.technical or ""), ("managerial", made.managerial or ""))
                },
            }
        reference = thread.comments[-1].text
        row |= {
            "rouge_l_before": rouge_l(row["before"]["technical"]["text"], reference),
            "rouge_l": rouge_l(row["after"]["technical"]["text"], reference),
            "rouge_l_lead3": rouge_l(lead_sentences(thread.description, 3), reference),
            "rouge_l_extractive": rouge_l(extractive_technical(record), reference),
            "excerpt": " ".join(thread.description.split())[:300],
        }
        rows.append(row)
        print(
            f"summaries {number + 1}/{len(chosen)} ({thread.id}): {row['before']['seconds']:.0f} s, "
            f"{generator.generated} generator calls so far",
            file=sys.stderr,
        )
    return {"rows": rows, "generator": alias, "generated": generator.generated}


def duplicates(records: list[BugRecord], count: int, work: Path, cache: Path) -> dict[str, Any]:
    """hit@1/hit@5 of finding each thread's first post from a generated rephrasing of it."""
    host = new_host(work, duplicates=5, duplicate_min_score=-1.0)
    service = service_for(host)
    corpus = [BugRecord(id=r.id, title=r.title, description=r.description, reporter=r.reporter) for r in records]
    service.store.import_parsed(ParseResult(records=[(r, "openroad", "thread") for r in corpus]))
    cache.mkdir(parents=True, exist_ok=True)
    cache_file = cache / "rephrasings.json"
    rephrased: dict[str, str] = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    generator = host.models.generator(None)
    alias = host.models.default_alias("generator")
    chosen = every_kth(records, count)
    prompt_id = hashlib.sha256((REPHRASE_ROLE + REPHRASE).encode()).hexdigest()[:8]  # a new prompt is a new check set
    for number, record in enumerate(chosen):
        key = f"{alias}:{prompt_id}:{record.id}"
        if key not in rephrased:
            text = lead_sentences(f"{record.title}. {record.description}", 8)[:1500]
            messages = [
                {"role": "system", "content": REPHRASE_ROLE},
                {"role": "user", "content": REPHRASE.format(text=text)},
            ]
            reply = generator.generate(messages, max_tokens=160)
            rephrased[key] = reply.text.strip()
            cache_file.write_text(json.dumps(rephrased, indent=1))
            print(f"rephrased {number + 1}/{len(chosen)}", file=sys.stderr)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True)
    docs = vectorizer.fit_transform([r.query_text() for r in records])
    ids = [r.id for r in records]
    ranks, baseline_ranks, copies, target_scores = [], [], [], []
    for record in chosen:
        query = rephrased[f"{alias}:{prompt_id}:{record.id}"] or record.title
        copies.append(copied_share(query, record.query_text()) >= 0.7)
        out = triage(host, {"title": query.splitlines()[0][:1000], "description": query, "parts": ["duplicates"]})
        found = [d["id"] for d in out["duplicates"]]
        ranks.append(found.index(record.id) + 1 if record.id in found else 0)
        target_scores += [d["score"] for d in out["duplicates"] if d["id"] == record.id]
        scores = (docs @ vectorizer.transform([query]).T).toarray().ravel()
        order = [ids[i] for i in np.argsort(-scores)[:5]]
        baseline_ranks.append(order.index(record.id) + 1 if record.id in order else 0)

    def hit(values: list[int], at: int, skip_copies: bool = False) -> float | None:
        kept = [r for r, copy in zip(values, copies, strict=True) if not (skip_copies and copy)]
        return sum(1 for r in kept if 0 < r <= at) / len(kept) if kept else None

    return {
        "queries": len(chosen),
        "generator": alias,
        "near_copies": sum(copies),
        "hit_at_1": hit(ranks, 1),
        "hit_at_5": hit(ranks, 5),
        "hit_at_1_without_copies": hit(ranks, 1, skip_copies=True),
        "hit_at_5_without_copies": hit(ranks, 5, skip_copies=True),
        "tfidf_hit_at_1_without_copies": hit(baseline_ranks, 1, skip_copies=True),
        "tfidf_hit_at_5_without_copies": hit(baseline_ranks, 5, skip_copies=True),
        "tfidf_hit_at_1": hit(baseline_ranks, 1),
        "tfidf_hit_at_5": hit(baseline_ranks, 5),
        "median_target_score": statistics.median(target_scores) if target_scores else None,
        "examples": [
            {"id": r.id, "original": r.query_text()[:200], "rephrased": rephrased[f"{alias}:{prompt_id}:{r.id}"][:200]}
            for r in chosen[:3]
        ],
    }


# -- report --------------------------------------------------------------------------------------------------------


PARTS = ("classification", "summaries", "duplicates")


def measuring_args(argv: list[str]) -> list[str]:
    """The arguments that decide what is measured: ``--out``, ``--cache`` and ``--data`` (where files are) left out."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg.split("=", 1)[0] in ("--out", "--cache", "--data"):
            skip = not skip and "=" not in arg
            continue
        kept.append(arg)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--summaries", type=int, default=20, help="threads to summarise (every k-th)")
    parser.add_argument("--duplicates", type=int, default=20, help="threads to rephrase (every k-th)")
    parser.add_argument("--cache", type=Path, default=cache_dir() / "bench" / "bugtriage_openroad")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bugtriage_openroad")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if not args.data.is_dir() or not set(parts) <= set(PARTS):
        print(f"no data at {args.data}" if not args.data.is_dir() else f"--parts: choose from {PARTS}", file=sys.stderr)
        return 1
    records = load(args.data)
    out_json = args.out.with_suffix(".json")
    results: dict[str, Any] = json.loads(out_json.read_text()) if out_json.exists() else {}
    results |= {"machine": f"{cpu_model()}, {os.cpu_count()} cores", "folds": args.folds, "seed": args.seed}
    command = "python benchmarks/bugtriage_openroad.py " + " ".join(measuring_args(argv or sys.argv[1:]))
    with tempfile.TemporaryDirectory() as tmp:
        for part in parts:
            started, work = time.time(), Path(tmp) / part
            work.mkdir()
            if part == "classification":
                section = classification(records, args.folds, args.seed, work)
            elif part == "summaries":
                section = summaries(records, args.summaries, work, args.cache)
            else:
                section = duplicates(records, args.duplicates, work, args.cache)
            section |= {"command": command.strip(), "date": time.strftime("%Y-%m-%d"), "seconds": 0}
            section["seconds"] = round(time.time() - started)
            results[part] = section
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=1, default=float) + "\n")
    from bugtriage_report import markdown  # benchmarks/bugtriage_report.py

    args.out.with_suffix(".md").write_text(markdown(results))
    print(args.out.with_suffix(".md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
