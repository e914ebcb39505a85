"""``chipmate bugs import|fit|stats|similar|triage``: the bug history and triage without a server."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from chipmate.cli import options
from chipmate.errors import InvalidInputError

from . import PARTS
from .importers import FOLDER_LABELS, FORMATS, stated_header


def _service(config_path: str | None, db: str | None) -> Any:
    from chipmate.cli.options import host_from

    from .service import service_for

    return service_for(host_from(config_path, bugtriage={"db": db}))


config_option = options.config_option("tasks.bugtriage")
db_option = click.option(
    "--db", type=click.Path(dir_okay=False), help="History file (default: tasks.bugtriage.db, else the user cache)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group(name="bugs")
def bugs_group() -> None:
    """
    Import bug history, fit the triage models, and triage bugs without a server.

    \b
    Examples:
        chipmate bugs import issues.jsonl jira-export.csv threads/
        chipmate bugs import gh-issues.json gh-comments.json --format github
        chipmate bugs fit
        chipmate bugs stats
        chipmate bugs similar --text "detailed_route crashes with SIGSEGV"
        chipmate bugs triage new-bug.md --parts owners,duplicates
    """


@bugs_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True, help="Input format.")
@click.option(
    "--folder-label",
    type=click.Choice(FOLDER_LABELS),
    default="category",
    show_default=True,
    help="What a markdown thread's subfolder name is (threads/Bug/12.md: category Bug).",
)
@config_option
@db_option
def import_command(paths, fmt, folder_label, config_path, db):
    """
    Import bug history from PATHS (files or folders); re-importing updates changed bugs only.

    Formats: JSON Lines (chipmate's schema), a GitHub issues export (`gh api repos/O/R/issues`, with
    `gh api repos/O/R/issues/comments` for the comments), a JIRA CSV export, markdown threads. A malformed
    record is reported with its file, record and field, and skipped; the rest is imported. Exits 1 only when
    nothing could be imported.

    \b
    Examples:
        chipmate bugs import history.jsonl
        chipmate bugs import export/ --folder-label component
        chipmate bugs import --db team.sqlite3 JIRA.csv
    """
    service = _service(config_path, db)
    report = service.import_paths(list(paths), fmt=fmt, folder_label=folder_label, show_progress=True)
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    ignored = "".join(f", ignored {n} {reason}" for reason, n in report.ignored.items())
    click.echo(
        f"{service.db_path}: imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
        f"skipped {report.skipped} malformed{ignored}; history version {report.version}"
    )
    if report.usable == 0 and (report.problems or not report.files):
        raise InvalidInputError(
            f"nothing could be imported from {', '.join(paths)}",
            hint="fix the records named above, or pass --format if the format was not recognised",
        )


@bugs_group.command()
@config_option
@db_option
@json_option
def fit(config_path, db, as_json):
    """
    Fit the category, component, severity and owner models on the whole history.

    Each label model is cross-validated (5 folds) first; `chipmate bugs stats` shows the results later.
    """
    report = _service(config_path, db).fit(show_progress=True)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"history version {report['history_version']}, {report['records']} bugs")
    for name, info in report["models"].items():
        click.echo(f"  {name}: {_describe_model(info)}")


def _describe_model(info: dict[str, Any]) -> str:
    if not info.get("fitted", True):
        return f"not fitted ({info['reason']})"
    text = f"{info['labelled']} labelled, {len(info['classes'])} classes"
    if "cv_accuracy" in info:
        text += (
            f"; cross-validated accuracy {info['cv_accuracy']:.2f}, hit@3 {info['cv_hit_at_3']:.2f}, "
            f"macro-F1 {info['cv_macro_f1']:.2f}"
        )
        at = info.get("cv_accuracy_at_threshold")
        coverage = info["cv_coverage_at_threshold"]
        text += f"; at threshold {info['threshold']}: {coverage:.0%} assigned" + (f", {at:.0%} right" if at else "")
    return text


@bugs_group.command()
@config_option
@db_option
@json_option
def stats(config_path, db, as_json):
    """
    Show what the history holds and how well the fitted models did.
    """
    info = _service(config_path, db).stats()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"{info['db']}: {info['records']} bugs, history version {info['history_version']}")
    for name in ("category", "component", "owner", "severity"):
        counts = info[name]
        top = ", ".join(f"{label} {n}" for label, n in counts["top"])
        click.echo(
            f"  {name}: {counts['labelled']} labelled, {counts['classes']} distinct" + (f" ({top})" if top else "")
        )
    if not info["models"]:
        click.echo("models: none fitted (run `chipmate bugs fit`)")
    for name, model in info["models"].items():
        stale = f" STALE: fit on version {model['history_version']}" if model["stale"] else ""
        click.echo(f"model {name}: {_describe_model(model)}{stale}")


def _records(file: str) -> list[Any]:
    from .importers import read_paths

    parsed = read_paths([file])
    for problem in parsed.problems:
        click.echo(f"warning: {problem}", err=True)
    if not parsed.records:
        raise InvalidInputError(f"no bug record could be read from {file}", hint="see docs/bugtriage.md for formats")
    return [record for record, _, _ in parsed.records]


@bugs_group.command()
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--text", help="Search for this text instead of a file's bug.")
@click.option("-k", "--top-k", type=click.IntRange(1, 100), default=5, show_default=True, help="Bugs to show.")
@config_option
@db_option
@json_option
def similar(file, text, top_k, config_path, db, as_json):
    """
    Show the past bugs most similar to FILE's bug (or to --text), with their cosine similarity.

    \b
    Examples:
        chipmate bugs similar new-bug.md
        chipmate bugs similar --text "global_route congestion overflow" -k 10
    """
    import numpy as np

    from .records import BugRecord
    from .store import embedding_text

    if bool(file) == bool(text):
        raise InvalidInputError("give a FILE or --text, not both or neither", hint="chipmate bugs similar bug.md")
    record = _records(file)[0] if file else BugRecord(id="", title=text)
    service = _service(config_path, db)
    history = service.history(show_progress=True)
    if not history.records:
        raise InvalidInputError("the bug history is empty", hint="import one with `chipmate bugs import`")
    query = service.embedder().embed([embedding_text(record)])[0]
    sims = history.vectors @ query
    order = [i for i in np.argsort(-sims, kind="stable") if history.records[i].id != record.id][:top_k]
    rows = [{"id": history.records[i].id, "title": history.records[i].title, "score": float(sims[i])} for i in order]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['score']:.3f}  {row['id']}  {row['title']}")


@bugs_group.command("triage")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--parts", help="Comma-separated parts (default all): " + ", ".join(PARTS))
@config_option
@db_option
@json_option
def triage_command(file, parts, config_path, db, as_json):
    """
    Triage each bug in FILE (any import format, or one JSON object) with the local history and models.

    \b
    Examples:
        chipmate bugs triage new-bug.md
        chipmate bugs triage bug.json --parts technical_summary,owners --json
    """
    from chipmate.tasks import Event, TaskContext

    service = _service(config_path, db)
    wanted = [p.strip() for p in parts.split(",") if p.strip()] if parts else []

    def progress(event: Event) -> None:
        if event.kind == "progress" and event.text and sys.stderr.isatty():
            click.echo(f"  {event.text} ...", err=True)

    for record in _records(file):
        data = {k: v for k, v in record.to_dict().items() if k in ("id", "title", "description", "reporter", "logs")}
        # A thread's header lines (Tool: ...) were parsed into fields the task input does not carry: state them
        # in the report again, where the task reads them.
        header = stated_header(record)
        if header:
            data["description"] = f"{header}\n\n{record.description}".strip()
        data["comments"] = [{"author": c.author, "text": c.text} for c in record.comments]
        if wanted:
            data["parts"] = wanted
        ctx = TaskContext(host=service.host, emit=progress)
        output = service.host.run_task("bugtriage.triage", data, ctx)
        if as_json:
            click.echo(json.dumps({"id": record.id, **output}, indent=None if len(wanted) else 2))
        else:
            _print_triage(record, output)


def _print_triage(record: Any, out: dict[str, Any]) -> None:
    click.echo(f"{record.id}  {record.title}")
    for name in ("technical_summary", "managerial_summary"):
        if name in out:
            click.echo(f"{name.replace('_', ' ')}:")
            for line in out[name].splitlines():
                click.echo(f"  {line}")
    for name in ("category", "component"):
        if name in out:
            label = out[name]
            best = ", ".join(f"{c['label']} {c['score']:.2f}" for c in label["candidates"])
            verdict = "unsure" if label["unsure"] else label["label"]
            click.echo(f"{name}: {verdict} ({label['source']}; {best or 'no candidates'})")
    if "owners" in out:
        names = [f"{o['name']} {o['score']:.2f} (like {', '.join(o['supporting_bug_ids'])})" for o in out["owners"]]
        click.echo(f"owners{' (unsure)' if out.get('owners_unsure') else ''}: {'; '.join(names) or 'none'}")
    if "duplicates" in out:
        click.echo("duplicates: " + ("none above the threshold" if not out["duplicates"] else ""))
        for dup in out["duplicates"]:
            click.echo(f"  {dup['score']:.3f}  {dup['id']}  {dup['title']}")
    if "severity" in out:
        sev = out["severity"]
        click.echo(f"severity: {sev['level']} ({sev['source']}: {sev['reason']})")
    for note in out["notes"]:
        click.echo(f"note: {note}")
