"""Example chipmate plugin: structural statistics of Verilog source (modules, ports, instances).

It shows the whole plugin contract: a task with JSON schemas, progress and cancellation (``verilog.stats``), a typed
gRPC service of its own in front of that task (``verilogstats.v1.VerilogStatsService``, see ``servicer.py`` and
``proto/``), and a CLI command.
"""

from __future__ import annotations

import json
import re

import click

from chipmate import Task, hookimpl
from chipmate.errors import InvalidInputError

MODULE = re.compile(r"\bmodule\s+([A-Za-z_][\w$]*)\s*(?:#\s*\(.*?\)\s*)?\((.*?)\)\s*;(.*?)\bendmodule\b", re.S)
# An instance: `cell_type [#(...)] instance_name (` at the start of a statement.
INSTANCE = re.compile(r"(?:^|;)\s*([A-Za-z_][\w$]*)\s*(?:#\s*\(.*?\)\s*)?([A-Za-z_][\w$]*)\s*\(", re.S)
KEYWORDS = {
    "module",
    "input",
    "output",
    "inout",
    "wire",
    "reg",
    "assign",
    "always",
    "initial",
    "if",
    "for",
    "case",
}
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def verilog_stats(source: str, ctx=None) -> dict:
    """Modules of ``source`` with their port and instance counts."""
    text = COMMENTS.sub(" ", source)
    modules = []
    matches = list(MODULE.finditer(text))
    if not matches and "module" in text:
        raise InvalidInputError("no complete `module ... endmodule` found", hint="pass whole module definitions")
    for i, match in enumerate(matches):
        if ctx is not None:
            ctx.check()
            ctx.progress((i + 1) / len(matches), match.group(1))
        ports = [p for p in re.split(r"\s*,\s*", match.group(2).strip()) if p]
        cells = [m.group(1) for m in INSTANCE.finditer(match.group(3)) if m.group(1) not in KEYWORDS]
        modules.append({"name": match.group(1), "ports": len(ports), "instances": len(cells)})
    return {"modules": modules, "count": len(modules)}


@hookimpl
def chipmate_register_tasks(register):
    register(
        Task(
            name="verilog.stats",
            handler=lambda input, ctx: verilog_stats(input["source"], ctx),
            description="Module names with port and instance counts of a Verilog source.",
            input_schema={
                "type": "object",
                "properties": {"source": {"type": "string", "minLength": 1}},
                "required": ["source"],
                "additionalProperties": False,
            },
            output_schema={
                "type": "object",
                "properties": {
                    "count": {"type": "integer"},
                    "modules": {
                        "type": "array",
                        "items": {"type": "object", "required": ["name", "ports", "instances"]},
                    },
                },
                "required": ["modules", "count"],
            },
        )
    )


@hookimpl
def chipmate_register_services(register):
    # Imported here: the stubs need grpc, which only a server has to load.
    from .servicer import service

    register(service())


@hookimpl
def chipmate_register_commands(cli):
    @cli.command(name="verilog-stats")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def verilog_stats_command(path):
        """Print module statistics of a Verilog file (no server needed)."""
        with open(path, encoding="utf-8") as fh:
            click.echo(json.dumps(verilog_stats(fh.read()), indent=2))
