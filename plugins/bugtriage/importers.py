"""Readers of bug history: JSON Lines (chipmate's own schema), GitHub issue exports, JIRA CSV exports and
markdown threads. Each reader turns one file into records plus problems; a malformed record becomes an
:class:`ImportProblem` naming the file, the record and the field, and reading goes on with the next record.

GitHub and JIRA exports are read in ``trackers.py``. The formats and their field mappings are documented in
docs/bugtriage.md. A folder of markdown threads may carry a *thread index* (the OpenROAD discussions' upstream
``mapping.json``: ``{"Query/5451.md": {"url": ..., "tool": ..., "author": ..., "date": ...}}``); it is no bug
record but metadata of the threads it names, which fills the fields a thread does not state itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from chipmate.errors import InvalidInputError

from .records import BugRecord, Comment, ParseResult, RecordError, severity_level
from .trackers import read_github, read_jira

FORMATS = ("auto", "jsonl", "github", "jira", "markdown")
FOLDER_LABELS = ("category", "component", "none")
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "github",
    ".csv": "jira",
    ".md": "markdown",
    ".markdown": "markdown",
}


def detect_format(path: Path) -> str | None:
    """The format of ``path`` from its suffix, else from its first characters; None when unrecognisable."""
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix is not None:
        return by_suffix
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            head = fh.read(4096).lstrip()
    except OSError:
        return None
    if head.startswith("["):
        return "github"
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("# "):
        return "markdown"
    first = head.splitlines()[0] if head else ""
    if "," in first and "summary" in first.lower():
        return "jira"
    return None


def read_paths(paths: list[str], fmt: str = "auto", *, folder_label: str = "category") -> ParseResult:
    """Read every file of ``paths`` (files, or directories walked recursively, hidden entries skipped).

    Markdown threads found in a subfolder of a given directory take the subfolder's name as their
    ``folder_label`` field (category by default), unless the thread itself names one.
    """
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown import format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if folder_label not in FOLDER_LABELS:
        raise InvalidInputError(f"unknown folder label {folder_label!r}", hint=f"use one of {', '.join(FOLDER_LABELS)}")
    result = ParseResult()
    files = _files(paths, fmt)
    indexes = _thread_indexes(files) if fmt in ("auto", "markdown") else {}
    used: set[Path] = set()
    for path, label in files:
        display = str(path)
        if path in indexes:
            result.files += 1
            continue
        kind = fmt if fmt != "auto" else detect_format(path)
        if kind is None:
            result.problem(display, "", "", "format not recognised; pass --format jsonl|github|jira|markdown")
            continue
        result.files += 1
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            result.problem(display, "", "", f"cannot be read: {exc}")
            continue
        if kind == "jsonl":
            _read_jsonl(text, display, result)
        elif kind == "github":
            read_github(text, display, result)
        elif kind == "jira":
            read_jira(text, display, result)
        else:
            index, entry = _index_entry(indexes, path)
            folder_value = label if folder_label != "none" else ""
            _read_markdown(text, display, path.stem, result, folder_value, folder_label, entry)
            if index is not None:
                used.add(index)
    for index_path in indexes.keys() - used:
        result.problem(
            str(index_path),
            "",
            "",
            "is a thread index (metadata of markdown threads) naming none of the threads imported with it; "
            "import it together with its folder",
        )
    return result


# -- thread indexes --------------------------------------------------------------------------------------------

# Fields of a thread index entry and the record field each fills; a thread's own header lines win.
_INDEX_FIELDS = {
    "url": "url",
    "html_url": "url",
    "date": "created",
    "created": "created",
    "tool": "component",
    "component": "component",
    "category": "category",
    "author": "reporter",
    "reporter": "reporter",
    "owner": "owner",
    "assignee": "owner",
}


def thread_index(text: str) -> dict[str, dict[str, Any]] | None:
    """The entries of a thread index (a JSON object whose keys are markdown thread paths and whose values are
    objects), or None when ``text`` is anything else (an export, a record list, broken JSON)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not data:
        return None
    if not all(
        isinstance(k, str) and k.lower().endswith((".md", ".markdown")) and isinstance(v, dict) for k, v in data.items()
    ):
        return None
    return {_index_key(k): v for k, v in data.items()}


def _index_key(relative: str) -> str:
    # Upstream writes "Feature Request/5420.md" for the folder Feature_Request: compare paths with spaces,
    # hyphens and underscores folded, case-insensitively.
    return re.sub(r"[\s_-]+", "_", relative.replace("\\", "/").strip("/").lower())


def _thread_indexes(files: list[tuple[Path, str]]) -> dict[Path, dict[str, dict[str, Any]]]:
    """The thread indexes among ``files`` (JSON files only), by path."""
    found = {}
    for path, _ in files:
        if path.suffix.lower() != ".json":
            continue
        try:
            entries = thread_index(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            continue  # reported when it is read as an export
        if entries is not None:
            found[path] = entries
    return found


def _index_entry(indexes: dict[Path, dict[str, dict[str, Any]]], thread: Path) -> tuple[Path | None, dict[str, Any]]:
    """The thread index in the thread's folder or above it that names ``thread``, and its entry; else None, {}."""
    for index_path, entries in indexes.items():
        try:
            relative = thread.relative_to(index_path.parent)
        except ValueError:
            continue
        entry = entries.get(_index_key(relative.as_posix()))
        if entry is not None:
            return index_path, entry
    return None, {}


def _files(paths: list[str], fmt: str) -> list[tuple[Path, str]]:
    """(file, subfolder name or "") for every file to read, in a stable order."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            found.append((root, ""))
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).parts
            if not path.is_file() or any(part.startswith(".") for part in relative):
                continue
            if fmt == "auto" and path.suffix.lower() not in _SUFFIXES:
                continue  # README files, images and the like in an export folder
            if path.name.lower() in ("readme.md", "readme.markdown"):
                continue
            found.append((path, relative[-2] if len(relative) >= 2 else ""))
    return found


# -- JSON Lines ------------------------------------------------------------------------------------------------


def _read_jsonl(text: str, display: str, result: ParseResult) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problem(display, where, "", f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        result.add_dict(data, display, where)


# -- markdown threads ------------------------------------------------------------------------------------------

_HEADER_KEYS = {
    "tool": "component",
    "component": "component",
    "category": "category",
    "type": "category",
    "severity": "severity",
    "priority": "severity",
    "status": "status",
    "owner": "owner",
    "assignee": "owner",
    "reporter": "reporter",
    "id": "id",
    "url": "url",
    "created": "created",
    "date": "created",
}
# Header lines kept as labels ("subcategory: Routing violation"); any other "Key: value" line is body text.
_HEADER_LABELS = {"subcategory", "labels", "version", "milestone"}


_STATED_LINE = re.compile(r"^\s*(?:[-*]\s+)?\**([A-Za-z][A-Za-z ]{0,30}?)\**\s*:\**\s*(\S.{0,79}?)\s*$")


def stated_fields(text: str) -> dict[str, str]:
    """The record fields that ``text`` states on lines of their own, as a bug template or a markdown thread's
    header writes them (``Tool: Detailed Routing`` -> component, ``Type: Bug`` -> category); the first of each.
    Lines inside code fences (pasted logs) state nothing."""
    found: dict[str, str] = {}
    fenced = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else _STATED_LINE.match(line)
        if match and match.group(1).strip().lower() in _HEADER_KEYS:
            found.setdefault(_HEADER_KEYS[match.group(1).strip().lower()], match.group(2).strip())
    return found


def stated_header(record: BugRecord) -> str:
    """``Component:`` and ``Category:`` lines for what ``record`` states, to put before its description when the
    record is sent as text (``chipmate bugs triage`` of a markdown thread whose header the parser consumed)."""
    lines = [f"{name.capitalize()}: {value}" for name in ("component", "category") if (value := getattr(record, name))]
    return "\n".join(lines)


def parse_thread(text: str, *, default_id: str) -> BugRecord:
    """Parse one markdown thread: ``# title``, ``Key: value`` lines, then ``### author`` posts (first = report).

    A ``## Logs`` section becomes the record's logs. RecordError names the missing part.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not lines[start].startswith("# "):
        raise RecordError("title", "the thread must start with a '# title' line")
    values: dict[str, str] = {"id": default_id, "title": lines[start][2:].strip()}
    labels: list[str] = []
    posts: list[tuple[str, list[str]]] = []
    logs: list[str] = []
    body: list[str] = []
    target = body
    fenced = False
    in_header = True
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("### "):
            in_header = False
            posts.append((line[4:].strip(), []))
            target = posts[-1][1]
            continue
        if not fenced and line.startswith("## "):
            in_header = False
            target = logs if line[3:].strip().lower() in ("logs", "log") else body
            continue
        match = re.match(r"^([A-Za-z][A-Za-z ]{0,30}):\s*(.+)$", stripped) if in_header else None
        key = match.group(1).strip().lower() if match else ""
        if match and key in _HEADER_KEYS:
            values.setdefault(_HEADER_KEYS[key], match.group(2).strip())
            continue
        if match and key in _HEADER_LABELS:
            labels.append(f"{key}: {match.group(2).strip()}")
            continue
        if in_header and stripped:
            in_header = False
        target.append(line)
    if not values["title"]:
        raise RecordError("title", "is empty")
    description = "\n".join(body).strip()
    comments = []
    reporter = values.get("reporter", "")
    if posts:
        first_author, first_lines = posts[0]
        reporter = reporter or first_author
        description = "\n".join([description, *first_lines]).strip()
        comments = [Comment(author, "\n".join(text).strip()) for author, text in posts[1:]]
    severity = values.get("severity", "")
    return BugRecord(
        id=values["id"],
        title=values["title"],
        description=description,
        reporter=reporter,
        comments=comments,
        logs="\n".join(logs).strip(),
        category=values.get("category", ""),
        component=values.get("component", ""),
        owner=values.get("owner", ""),
        severity=(severity_level(severity) or "") if severity else "",
        status=values.get("status", ""),
        created=values.get("created", ""),
        url=values.get("url", ""),
        labels=labels,
    )


def _read_markdown(
    text: str,
    display: str,
    stem: str,
    result: ParseResult,
    folder_value: str,
    folder_label: str,
    index_entry: dict[str, Any],
) -> None:
    try:
        record = parse_thread(text, default_id=stem)
    except RecordError as exc:
        result.problem(display, "thread", exc.field, exc.message)
        return
    # What the thread states wins over its index entry, which wins over the folder's name.
    for key, name in _INDEX_FIELDS.items():
        value = index_entry.get(key)
        if isinstance(value, str) and value.strip() and not getattr(record, name):
            setattr(record, name, value.strip())
    if folder_value and folder_label in ("category", "component") and not getattr(record, folder_label):
        setattr(record, folder_label, folder_value)
    result.records.append((record, display, "thread"))
