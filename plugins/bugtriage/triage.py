"""The ``bugtriage.triage`` handler: one bug record in, the requested parts out.

Parts: ``technical_summary``, ``managerial_summary`` (the generator, hierarchical for long records),
``category``, ``component`` and ``owners`` (the fitted classifiers, else the votes of the nearest labelled or
owned bugs), ``duplicates`` (cosine similarity of title + first post) and ``severity``
(learned labels when confident, else the keyword rule). A component or category the record states on a line of
its own (``Tool: Detailed Routing``, ``Category: Bug``) is the answer when it names a label of the history
(``source: record``); the models answer only what the record leaves open. ``notes`` says what the answer rests
on: a missing or stale model, an empty history, a stated label the history does not know, a summary that fell
back to extraction or had invented references or unsupported claims removed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from chipmate.errors import InvalidInputError

from . import PARTS
from .guard import References
from .importers import stated_fields
from .records import BugRecord, RecordError, record_from_dict
from .service import BugTriageService, History
from .severity import rule_severity
from .store import embedding_text
from .summarize import Summarizer

_HISTORY_PARTS = {"category", "component", "owners", "duplicates"}
FIT_HINT = "run `chipmate bugs fit`"


def record_from_input(data: dict[str, Any]) -> BugRecord:
    """The bug of a triage call's (schema-validated) input; a bug not yet filed may come without an id."""
    payload = {k: v for k, v in data.items() if k != "parts"}
    bug_id = str(payload.get("id") or "").strip()
    try:
        record = record_from_dict({**payload, "id": bug_id or "unfiled"})
    except RecordError as exc:
        # The schema cannot say everything a record needs (a title of only white space is empty): the caller's
        # input, so INVALID_ARGUMENT naming the field.
        raise InvalidInputError(
            f"input.{exc.field} {exc.message}", hint=f"fix the field {exc.field!r} of the bug record"
        ) from None
    record.id = bug_id
    return record


def _note_if_stale(name: str, model: Any, history: History, notes: list[str]) -> None:
    # A model of an older history is still a good model of most of it: use it, and say so.
    if model.history_version != history.version:
        notes.append(
            f"the {name} classifier was fit on history version {model.history_version}; the history is at "
            f"version {history.version}: {FIT_HINT} to refit it"
        )


def _normalised(label: str) -> str:
    # "Feature Request", "feature_request" and "Feature-Request" are one label.
    return " ".join(re.sub(r"[\W_]+", " ", label.lower()).split())


def _stated_label(
    service: BugTriageService, history: History, name: str, stated: str, notes: list[str]
) -> dict[str, Any] | None:
    """The label the record states for ``name`` when it is one the history knows (the fitted model's classes, else
    the labels of the history's bugs), with full confidence; else None and a note."""
    model = service.label_model(name)
    known = model.classes if model is not None else sorted({getattr(r, name) for r in history.records} - {""})
    match = next((label for label in known if _normalised(label) == _normalised(stated)), None)
    if match is None:
        notes.append(f"the record states {name} {stated!r}, which is no {name} of the history; the models answer")
        return None
    notes.append(f"{name} {match!r}: stated in the record")
    return {
        "label": match,
        "confidence": 1.0,
        "unsure": False,
        "source": "record",
        "candidates": [{"label": match, "score": 1.0}],
    }


def _label(
    service: BugTriageService,
    history: History,
    name: str,
    query: np.ndarray,
    sims: np.ndarray,
    text: str,
    notes: list[str],
) -> dict[str, Any]:
    from .classify import neighbour_votes

    threshold = service.settings.threshold
    model = service.label_model(name)
    if model is not None and model.embedder == history.embedder:
        proba = model.proba(query[None, :], [text])[0]
        order = np.argsort(-proba)[:3]
        candidates = [(model.classes[i], float(proba[i])) for i in order]
        source = "classifier"
        _note_if_stale(name, model, history, notes)
    else:
        votes = neighbour_votes(sims, [getattr(r, name) for r in history.records], service.settings.neighbours)
        if not votes:
            notes.append(f"no bug in the history has a {name}: import a history with {name} labels")
            return {"label": "", "confidence": 0.0, "unsure": True, "source": "none", "candidates": []}
        candidates = list(votes.items())[:3]
        source = "neighbours"
        notes.append(f"no {name} classifier is fit for this history: the nearest labelled bugs voted; {FIT_HINT}")
    label, confidence = candidates[0]
    unsure = confidence < threshold
    return {
        "label": "" if unsure else label,
        "confidence": round(confidence, 4),
        "unsure": unsure,
        "source": source,
        "candidates": [{"label": c, "score": round(s, 4)} for c, s in candidates],
    }


def _owners(
    service: BugTriageService,
    history: History,
    record: BugRecord,
    query: np.ndarray,
    sims: np.ndarray,
    text: str,
    notes: list[str],
) -> dict[str, Any]:
    from .classify import rank_labels

    model = service.label_model("owner")
    if model is not None and model.embedder == history.embedder:
        ranked = rank_labels(model.classes, model.proba(query[None, :], [text])[0], exclude=record.reporter)
        _note_if_stale("owner", model, history, notes)
    else:
        scores = history.owners.scores(sims, record.reporter, service.settings.neighbours, prior_weight=0.25)
        ranked = list(scores.items())
        if ranked:
            notes.append(f"no owner classifier is fit for this history: the nearest owned bugs voted; {FIT_HINT}")
    owners = []
    for name, score in ranked[: service.settings.owners]:
        rows = history.owners.rows_of(name)
        rows = rows[np.argsort(-sims[rows], kind="stable")][:3]
        supporting = [history.records[i].id for i in rows]
        owners.append({"name": name, "score": round(score, 4), "supporting_bug_ids": supporting})
    unsure = not ranked or ranked[0][1] < service.settings.threshold
    return {"owners": owners, "owners_unsure": unsure}


def _severity(service: BugTriageService, record: BugRecord, query: np.ndarray | None, text: str) -> dict[str, Any]:
    rule = rule_severity(record)
    model = service.label_model("severity") if query is not None else None
    if model is None or query is None:
        return rule
    proba = model.proba(query[None, :], [text])[0]
    best = int(np.argmax(proba))
    if float(proba[best]) < service.settings.threshold:
        return {**rule, "reason": f"{rule['reason']} (the learned severity was unsure: {float(proba[best]):.2f})"}
    return {
        "level": model.classes[best],
        "source": "history",
        "confidence": round(float(proba[best]), 4),
        "reason": f"learned from {model.metrics.get('labelled', '?')} labelled bugs; the rule says {rule['level']}",
    }


def triage(service: BugTriageService, data: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Triage one bug (the handler of ``bugtriage.triage``); see the module docstring."""
    record = record_from_input(data)
    parts = set(data.get("parts") or PARTS)
    notes: list[str] = []
    out: dict[str, Any] = {"notes": notes}
    needs_vectors = bool(parts & _HISTORY_PARTS) or (
        "severity" in parts and service.label_model("severity") is not None
    )
    ctx.progress(0.05, "reading the history")
    history = service.history(ctx=ctx) if needs_vectors else None
    out["history_version"] = history.version if history is not None else service.store.version
    query: np.ndarray | None = None
    text = embedding_text(record)
    if history is not None and history.records:
        query = np.asarray(service.embedder().embed([text], ctx=ctx), dtype=np.float32)[0]
        sims = history.vectors @ query
        if record.id in history.rows:  # a bug already in the history is not its own duplicate or precedent
            sims[history.rows[record.id]] = -np.inf
        stated = stated_fields(f"{record.title}\n{record.description}")
        for name in ("category", "component"):
            if name in parts:
                given = _stated_label(service, history, name, stated[name], notes) if name in stated else None
                out[name] = given or _label(service, history, name, query, sims, text, notes)
        if "owners" in parts:
            out |= _owners(service, history, record, query, sims, text, notes)
        if "duplicates" in parts:
            order = np.argsort(-sims, kind="stable")[: service.settings.duplicates]
            out["duplicates"] = [
                {"id": history.records[i].id, "title": history.records[i].title, "score": round(float(sims[i]), 4)}
                for i in order
                if sims[i] >= service.settings.duplicate_min_score
            ]
    elif parts & _HISTORY_PARTS:
        notes.append("the bug history is empty: import one with `chipmate bugs import`")
        empty = {"label": "", "confidence": 0.0, "unsure": True, "source": "none", "candidates": []}
        out |= {name: dict(empty) for name in ("category", "component") if name in parts}
        out |= {"owners": [], "owners_unsure": True} if "owners" in parts else {}
        out |= {"duplicates": []} if "duplicates" in parts else {}
    if "severity" in parts:
        out["severity"] = _severity(service, record, query, text)
    wanted = {name: f"{name}_summary" in parts for name in ("technical", "managerial")}
    if any(wanted.values()):
        ctx.progress(0.2, "summarising")
        ids, people = _known_references(service, history)
        summarizer = Summarizer(
            service.generator(),
            References(record.full_text(), ids, people),
            max_tokens=service.settings.summary_max_tokens,
            max_calls=service.settings.max_summary_calls,
            max_input_tokens=service.settings.max_input_tokens,
            ctx=ctx,
            progress=lambda message: ctx.progress(0.5, message),
        )
        summaries = summarizer.summarize(record, **wanted)
        notes.extend(summaries.notes)
        for name, on in wanted.items():
            if on:
                out[f"{name}_summary"] = getattr(summaries, name)
    ctx.progress(1.0, "done")
    return out


def _known_references(service: BugTriageService, history: History | None) -> tuple[set[str], set[str]]:
    """Bug ids and people of the history, which a summary may name (read without embedding anything)."""
    records = history.records if history is not None else service.store.records()
    return {r.id for r in records}, {p for r in records for p in r.people()}
