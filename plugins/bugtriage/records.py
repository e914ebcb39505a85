"""The bug record every importer produces and the triage task consumes, and what an import reports.

One record is one bug: a title, the reporter's first post (``description``), the replies (``comments``, each
with its author), optional tool logs, and the labels a team's history carries (category, component, owner,
severity). The owner a record teaches the owner model is its explicit ``owner`` (the assignee) or, when the
tracker has none, the first person other than the reporter who replied (:meth:`BugRecord.history_owner`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: the four severity levels, mildest first
SEVERITY_LEVELS = ("low", "medium", "high", "critical")

# Tracker vocabularies mapped onto the four levels (JIRA priorities, P0-P4, S1-S4, sev1-sev4, plain words).
_SEVERITY_WORDS = {
    "critical": "critical",
    "blocker": "critical",
    "highest": "critical",
    "urgent": "critical",
    "showstopper": "critical",
    "p0": "critical",
    "s1": "critical",
    "sev1": "critical",
    "high": "high",
    "major": "high",
    "p1": "high",
    "s2": "high",
    "sev2": "high",
    "medium": "medium",
    "normal": "medium",
    "moderate": "medium",
    "p2": "medium",
    "s3": "medium",
    "sev3": "medium",
    "low": "low",
    "minor": "low",
    "lowest": "low",
    "trivial": "low",
    "p3": "low",
    "p4": "low",
    "s4": "low",
    "sev4": "low",
}


def severity_level(value: str) -> str | None:
    """The level (low/medium/high/critical) a tracker's severity or priority word names, or None."""
    key = "".join(value.lower().split()).replace("-", "").replace("_", "")
    return _SEVERITY_WORDS.get(key)


@dataclass
class Comment:
    """One reply in a bug thread."""

    author: str
    text: str


@dataclass
class BugRecord:
    """One bug, as stored in the history and as the triage task receives it."""

    id: str
    title: str
    description: str = ""
    reporter: str = ""
    comments: list[Comment] = field(default_factory=list)
    logs: str = ""
    category: str = ""
    component: str = ""
    #: the explicit assignee, when the tracker records one
    owner: str = ""
    #: one of SEVERITY_LEVELS, or "" when unknown
    severity: str = ""
    status: str = ""
    created: str = ""
    url: str = ""
    labels: list[str] = field(default_factory=list)

    def responder(self) -> str:
        """The first person other than the reporter who replied, or ""."""
        for comment in self.comments:
            if comment.author and comment.author != self.reporter:
                return comment.author
        return ""

    def history_owner(self) -> str:
        """The owner this record teaches: the explicit owner, else the first responder (see module docs)."""
        return self.owner or self.responder()

    def people(self) -> set[str]:
        """Everyone named on the record: reporter, commenters, owner."""
        names = {self.reporter, self.owner, *(c.author for c in self.comments)}
        return {n for n in names if n}

    def query_text(self) -> str:
        """What similarity and the classifiers read: the title and the first post (never the answers)."""
        return f"{self.title}\n{self.description}".strip()

    def full_text(self) -> str:
        """Everything written on the record, for checking what a summary may mention."""
        parts = [self.id, self.title, self.reporter, self.description, self.logs]
        parts += [f"{c.author} {c.text}" for c in self.comments]
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (the JSON Lines schema of docs/bugtriage.md)."""
        return asdict(self)

    def content_hash(self) -> str:
        """A digest of every field; an import that sees the same digest leaves the stored record alone."""
        data = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()[:32]


RECORD_FIELDS = tuple(f.name for f in fields(BugRecord))


@dataclass
class ImportProblem:
    """Something wrong with one record of one file. ``skipped``: the record was dropped (else one field was)."""

    file: str
    record: str
    field: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}" if self.record else self.file
        what = f"field {self.field!r}: " if self.field else ""
        action = "record skipped" if self.skipped else "field ignored"
        return f"{where}: {what}{self.message} ({action})"


class RecordError(ValueError):
    """A field of a record is malformed; raised by :func:`record_from_dict`, turned into an ImportProblem."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _text(value: Any, name: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(name, f"must be a string, got {type(value).__name__}")
    text = str(value).strip()
    if required and not text:
        raise RecordError(name, "is missing or empty")
    return text


def record_from_dict(data: Any, *, warnings: list[tuple[str, str]] | None = None) -> BugRecord:
    """Build a record from one object of the JSON Lines schema; RecordError names the offending field.

    Unknown keys and unknown severity words do not reject the record: they are appended to ``warnings`` as
    ``(field, message)`` and ignored.
    """
    if not isinstance(data, dict):
        raise RecordError("", f"must be a JSON object, got {type(data).__name__}")
    warn = warnings if warnings is not None else []
    for key in data:
        if key not in RECORD_FIELDS:
            close = difflib.get_close_matches(str(key), RECORD_FIELDS, n=1)
            warn.append((str(key), f"unknown field{f' (did you mean {close[0]!r}?)' if close else ''}"))
    comments_raw = data.get("comments") or []
    if not isinstance(comments_raw, list):
        raise RecordError("comments", f"must be a list of {{author, text}} objects, got {type(comments_raw).__name__}")
    comments = []
    for i, item in enumerate(comments_raw):
        if isinstance(item, str):
            comments.append(Comment("", item))
            continue
        if not isinstance(item, dict):
            raise RecordError(f"comments[{i}]", f"must be an object with author and text, got {type(item).__name__}")
        comments.append(
            Comment(_text(item.get("author"), f"comments[{i}].author"), _text(item.get("text"), f"comments[{i}].text"))
        )
    labels = data.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise RecordError("labels", "must be a list of strings")
    severity = _text(data.get("severity"), "severity")
    level = severity_level(severity) if severity else ""
    if severity and level is None:
        warn.append(
            ("severity", f"{severity!r} is not a known severity or priority (use {', '.join(SEVERITY_LEVELS)})")
        )
    return BugRecord(
        id=_text(data.get("id"), "id", required=True),
        title=_text(data.get("title"), "title", required=True),
        description=_text(data.get("description"), "description"),
        reporter=_text(data.get("reporter"), "reporter"),
        comments=comments,
        logs=_text(data.get("logs"), "logs"),
        category=_text(data.get("category"), "category"),
        component=_text(data.get("component"), "component"),
        owner=_text(data.get("owner"), "owner"),
        severity=level or "",
        status=_text(data.get("status"), "status"),
        created=_text(data.get("created"), "created"),
        url=_text(data.get("url"), "url"),
        labels=[x.strip() for x in labels if x.strip()],
    )


@dataclass
class ParseResult:
    """What reading some files produced: records with where they came from, problems, ignored items."""

    #: (record, file, where in the file) in reading order
    records: list[tuple[BugRecord, str, str]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    #: items that are not bugs (pull requests), by reason
    ignored: Counter[str] = field(default_factory=Counter)
    #: GitHub comments read from separate comment exports, by record id, as (created, comment)
    comments: dict[str, list[tuple[str, Comment]]] = field(default_factory=dict)
    files: int = 0

    def problem(self, file: str, record: str, field: str, message: str, *, skipped: bool = True) -> None:
        """Note a problem with one record (``skipped``) or one of its fields (not skipped)."""
        self.problems.append(ImportProblem(file, record, field, message, skipped))

    def add_dict(self, data: Any, display: str, where: str) -> None:
        """Add one object of the JSON Lines schema read at ``display: where``, or the problems it has."""
        if isinstance(data, dict) and data.get("id") not in (None, ""):
            where = f"{where} (id {str(data['id'])!r})"
        warnings: list[tuple[str, str]] = []
        try:
            record = record_from_dict(data, warnings=warnings)
        except RecordError as exc:
            self.problem(display, where, exc.field, exc.message)
            return
        for name, message in warnings:
            self.problem(display, where, name, message, skipped=False)
        self.records.append((record, display, where))
