"""The ``bugtriage`` plugin: summaries, owner, component and duplicates for chip-design bug reports.

ChipNeMo's bug summarisation and assignment (technical summary, managerial summary, owner), plus what triage
teams ask of tools like Mozilla's bugbug: category/component, likely duplicates and severity, learned from the
team's own history. The history (JSON Lines, GitHub issue exports, JIRA CSV, markdown threads) is imported into a
SQLite file with an embedding per bug; ``chipmate bugs fit`` learns the classifiers; answers below a confidence
threshold say "unsure" instead of guessing.

Hooks: ``bugtriage.triage`` (task), the typed ``chipmate.v1.BugTriageService`` (services), ``chipmate bugs ...``
(commands), the bug history as ``bugs`` training data. See docs/bugtriage.md.
Importing this package stays cheap: numpy, scikit-learn and the models load on first use.
"""

from __future__ import annotations

from typing import Any

from chipmate import Task, TaskContext, hookimpl

PARTS = ["technical_summary", "managerial_summary", "category", "component", "owners", "duplicates", "severity"]
SEVERITIES = ["low", "medium", "high", "critical"]

# Mirrors chipmate.v1.TriageBugRequest field for field (a test on the typed service checks).
INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "maxLength": 200, "description": "The bug's id, if it is filed already."},
        "title": {"type": "string", "minLength": 1, "maxLength": 1000},
        "description": {"type": "string", "maxLength": 200_000, "description": "The report: the first post."},
        "reporter": {"type": "string", "maxLength": 200, "description": "Who filed it (never suggested as owner)."},
        "comments": {
            "type": "array",
            "maxItems": 2000,
            "description": "The replies, oldest first.",
            "items": {
                "type": "object",
                "properties": {
                    "author": {"type": "string", "maxLength": 200},
                    "text": {"type": "string", "maxLength": 100_000},
                },
                "required": ["text"],
                "additionalProperties": False,
            },
        },
        "logs": {"type": "string", "maxLength": 1_000_000, "description": "Tool logs; shortened before reading."},
        "parts": {
            "type": "array",
            "items": {"enum": PARTS},
            "uniqueItems": True,
            "description": "The parts to compute; empty or absent = all.",
        },
    },
    "required": ["title"],
    "additionalProperties": False,
}

_LABEL = {
    "type": "object",
    "properties": {
        "label": {"type": "string", "description": "Empty when unsure."},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "unsure": {"type": "boolean"},
        "source": {"enum": ["record", "classifier", "neighbours", "none"]},
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "score": {"type": "number"}},
                "required": ["label", "score"],
            },
        },
    },
    "required": ["label", "confidence", "unsure", "source", "candidates"],
}

# Mirrors chipmate.v1.TriageBugResponse; a part that was not requested is absent.
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "technical_summary": {"type": "string"},
        "managerial_summary": {"type": "string"},
        "category": _LABEL,
        "component": _LABEL,
        "owners": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "score": {"type": "number"},
                    "supporting_bug_ids": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "score", "supporting_bug_ids"],
            },
        },
        "owners_unsure": {"type": "boolean"},
        "duplicates": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "score": {"type": "number"}},
                "required": ["id", "title", "score"],
            },
        },
        "severity": {
            "type": "object",
            "properties": {
                "level": {"enum": SEVERITIES},
                "source": {"enum": ["rule", "history"]},
                "reason": {"type": "string"},
                "confidence": {"type": "number"},
            },
            "required": ["level", "source", "reason"],
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "history_version": {"type": "integer", "minimum": 0},
    },
    "required": ["notes", "history_version"],
}


def triage_bug(input: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    """Handler of ``bugtriage.triage``: summaries, labels, owners, duplicates and severity of one bug."""
    from .service import service_for
    from .triage import triage as run

    return run(service_for(ctx.host), input, ctx)


@hookimpl(trylast=True)
def chipmate_register_tasks(register):
    register(
        Task(
            name="bugtriage.triage",
            handler=triage_bug,
            description=(
                "Triage a bug report: technical and managerial summaries, category and component with confidence, "
                "ranked owners with the past bugs behind them, likely duplicates and severity, learned from the "
                "imported bug history; answers below the confidence threshold say unsure."
            ),
            input_schema=INPUT_SCHEMA,
            output_schema=OUTPUT_SCHEMA,
            streaming=True,
        )
    )


@hookimpl(trylast=True)
def chipmate_register_services(register):
    from .servicer import service

    register(service())


@hookimpl(trylast=True)
def chipmate_register_commands(cli):
    from .cli import bugs_group

    cli.add_command(bugs_group)


@hookimpl(trylast=True)
def chipmate_register_training_data(register, host):
    # The imported bug history (the store of this host's config), one dict per bug.
    from chipmate.training_data import BUGS, TrainingData

    def bug_records() -> list[dict[str, Any]]:
        from .service import service_for

        return [record.to_dict() for record in service_for(host).store.records()]

    register(TrainingData("bug-history", BUGS, bug_records, "the bugs imported with `chipmate bugs import`"))
