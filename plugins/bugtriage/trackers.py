"""Readers of issue-tracker exports: GitHub (``gh api repos/O/R/issues`` and ``.../issues/comments``, or
``gh issue list --json``) and JIRA CSV. Field mappings are documented in docs/bugtriage.md.
"""

from __future__ import annotations

import csv
import json
import re
from typing import Any

from .records import BugRecord, Comment, ParseResult, RecordError, severity_level

# GitHub labels "prefix: value" or "prefix/value" that set a field; unprefixed well-known labels set the category.
_COMPONENT_PREFIXES = {"component", "comp", "area", "module", "tool", "subsystem"}
_CATEGORY_PREFIXES = {"type", "kind", "category"}
_SEVERITY_PREFIXES = {"severity", "sev", "priority", "prio"}
_CATEGORY_LABELS = {"bug", "enhancement", "feature", "documentation", "question", "regression", "performance"}


# -- GitHub issues export --------------------------------------------------------------------------------------


def _json_values(text: str) -> list[Any]:
    """Every top-level JSON value in ``text``: ``gh api --paginate`` writes one array per page, back to back."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return values
        value, pos = decoder.raw_decode(text, pos)
        values.append(value)


def _login(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("login") or value.get("name") or "")
    return str(value or "")


def _repo(item: dict[str, Any]) -> str:
    for key in ("repository_url", "html_url", "url", "issue_url"):
        value = str(item.get(key) or "")
        match = re.search(r"(?:api\.github\.com/repos|github\.com)/([^/]+/[^/]+?)(?:/issues|/pull|$)", value)
        if match:
            return match.group(1)
    return ""


def read_github(text: str, display: str, result: ParseResult) -> None:
    """Read a GitHub issues export (or a comments export, or a JSON array of chipmate records) into ``result``."""
    try:
        values = _json_values(text)
    except json.JSONDecodeError as exc:
        result.problem(display, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg} at column {exc.colno}")
        return
    items: list[Any] = []
    for value in values:
        items.extend(value if isinstance(value, list) else [value])
    if len(values) == 1 and isinstance(values[0], dict) and not {"number", "title", "issue_url"} & set(values[0]):
        result.problem(display, "", "", "not a GitHub issues export, a comments export or a list of bug records")
        return
    if items and all(isinstance(i, dict) and "id" in i and "title" in i and "number" not in i for i in items):
        # A JSON array of records in chipmate's own schema rather than a GitHub export.
        for index, item in enumerate(items):
            result.add_dict(item, display, f"record {index}")
        return
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            result.problem(display, where, "", f"must be a JSON object, got {type(item).__name__}")
        elif "issue_url" in item and "title" not in item:
            _github_comment(item, display, where, result)
        elif "pull_request" in item:
            result.ignored["pull requests"] += 1
        else:
            try:
                record = _github_issue(item)
            except RecordError as exc:
                number = item.get("number")
                result.problem(display, f"{where} (number {number})" if number else where, exc.field, exc.message)
                continue
            result.records.append((record, display, f"{where} (number {item.get('number')})"))


def _github_issue(item: dict[str, Any]) -> BugRecord:
    number = item.get("number")
    if isinstance(number, bool) or not isinstance(number, int):
        raise RecordError("number", "is missing or not an integer")
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("title", "is missing or empty")
    body = item.get("body") or ""
    if not isinstance(body, str):
        raise RecordError("body", f"must be a string, got {type(body).__name__}")
    repo = _repo(item)
    labels = [_login(x) if isinstance(x, dict) else str(x) for x in item.get("labels") or []]
    assignees = item.get("assignees") or ([item["assignee"]] if item.get("assignee") else [])
    comments: list[Comment] = []
    raw_comments = item.get("comments")
    if isinstance(raw_comments, list):  # `gh issue list --json comments`, or an export merged with its comments
        for i, c in enumerate(raw_comments):
            if not isinstance(c, dict) or not isinstance(c.get("body"), str):
                raise RecordError(f"comments[{i}].body", "must be an object with a string body")
            comments.append(Comment(_login(c.get("user") or c.get("author")), c["body"].strip()))
    record = BugRecord(
        id=f"{repo}#{number}" if repo else str(number),
        title=title.strip(),
        description=body.strip(),
        reporter=_login(item.get("user") or item.get("author")),
        comments=comments,
        owner=_login(assignees[0]) if assignees else "",
        status=str(item.get("state") or ""),
        created=str(item.get("created_at") or item.get("createdAt") or ""),
        url=str(item.get("html_url") or item.get("url") or ""),
        labels=[x for x in labels if x],
    )
    _apply_labels(record)
    return record


def _apply_labels(record: BugRecord) -> None:
    """Fill category, component and severity from labels such as ``component: CTS`` or ``P1``."""
    for label in record.labels:
        prefix, sep, value = re.split(r"([:/])", label, maxsplit=1) if re.search(r"[:/]", label) else (label, "", "")
        prefix, value = prefix.strip().lower(), value.strip()
        if sep and value:
            if prefix in _COMPONENT_PREFIXES and not record.component:
                record.component = value
            elif prefix in _CATEGORY_PREFIXES and not record.category:
                record.category = value
            elif prefix in _SEVERITY_PREFIXES and not record.severity:
                record.severity = severity_level(value) or ""
        elif not sep:
            if prefix in _CATEGORY_LABELS and not record.category:
                record.category = label.strip()
            elif not record.severity and re.fullmatch(r"p[0-4]|sev[1-4]|s[1-4]", prefix):
                record.severity = severity_level(prefix) or ""


def _github_comment(item: dict[str, Any], display: str, where: str, result: ParseResult) -> None:
    match = re.search(r"repos/([^/]+/[^/]+)/issues/(\d+)", str(item.get("issue_url")))
    body = item.get("body")
    if match is None:
        result.problem(display, where, "issue_url", "does not name an issue (…/repos/OWNER/REPO/issues/N)")
        return
    if not isinstance(body, str):
        result.problem(display, where, "body", "is missing or not a string")
        return
    key = f"{match.group(1)}#{match.group(2)}"
    comment = Comment(_login(item.get("user")), body.strip())
    result.comments.setdefault(key, []).append((str(item.get("created_at") or ""), comment))


# -- JIRA CSV export -------------------------------------------------------------------------------------------


def read_jira(text: str, display: str, result: ParseResult) -> None:
    """Read a JIRA CSV export (repeated Comment, Component/s and Labels columns allowed) into ``result``."""
    csv.field_size_limit(1 << 26)  # JIRA puts whole descriptions and logs in one cell
    rows = list(csv.reader(text.splitlines(keepends=True)))
    if not rows:
        result.problem(display, "", "", "is empty")
        return
    header = [h.strip().lower() for h in rows[0]]

    def columns(*names: str) -> list[int]:
        return [i for i, h in enumerate(header) if h in names]

    summary = columns("summary")
    if not summary:
        result.problem(display, "row 1", "Summary", "the header has no Summary column; is this a JIRA CSV export?")
        return
    key_cols = columns("issue key") or columns("issue id", "key", "id")
    single = {
        "description": columns("description"),
        "reporter": columns("reporter"),
        "owner": columns("assignee"),
        "category": columns("issue type"),
        "status": columns("status"),
        "created": columns("created"),
        "severity": columns("severity", "custom field (severity)") + columns("priority"),
    }
    components, labels, comments = columns("component/s", "components"), columns("labels"), columns("comment")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(i: int, row: list[str] = row) -> str:
            return row[i].strip() if i < len(row) else ""

        key = next((cell(i) for i in key_cols if cell(i)), "")
        where = f"row {number}" + (f" (key {key!r})" if key else "")
        title = next((cell(i) for i in summary if cell(i)), "")
        if not key:
            result.problem(display, where, "Issue key", "is empty")
            continue
        if not title:
            result.problem(display, where, "Summary", "is empty")
            continue
        values = {name: next((cell(i) for i in cols if cell(i)), "") for name, cols in single.items()}
        record = BugRecord(
            id=key,
            title=title,
            description=values["description"],
            reporter=values["reporter"],
            comments=[_jira_comment(cell(i)) for i in comments if cell(i)],
            owner=values["owner"],
            category=values["category"],
            component=next((cell(i) for i in components if cell(i)), ""),
            status=values["status"],
            created=values["created"],
            labels=[cell(i) for i in labels if cell(i)],
        )
        if values["severity"]:
            level = severity_level(values["severity"])
            if level is None:
                result.problem(
                    display, where, "Priority", f"{values['severity']!r} is not a known level", skipped=False
                )
            record.severity = level or ""
        result.records.append((record, display, where))


def _jira_comment(value: str) -> Comment:
    # JIRA writes "12/Mar/24 9:15 AM;jdoe;the comment text"; older exports have the text alone.
    parts = value.split(";", 2)
    if len(parts) == 3 and re.match(r"^\s*\d", parts[0]) and parts[1].strip() and " " not in parts[1].strip():
        return Comment(parts[1].strip(), parts[2].strip())
    return Comment("", value.strip())
