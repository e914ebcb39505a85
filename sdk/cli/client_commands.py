"""Client commands: ``chipmate tasks``, ``chipmate call``, ``chipmate health``."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidInputError
from .tcl import to_tcl


def client_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that talks to a server; they build ``client`` for the command."""

    @click.option(
        "--target",
        envvar="CHIPMATE_TARGET",
        default="localhost:50051",
        show_default=True,
        help="Server address host:port (env CHIPMATE_TARGET).",
    )
    @click.option("--token", envvar="CHIPMATE_TOKEN", help="Bearer token (env CHIPMATE_TOKEN).")
    @click.option("--timeout", type=float, help="Deadline of the call in seconds.")
    @click.option("--tls", is_flag=True, help="Use TLS, verified against the system roots or --ca-file.")
    @click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="PEM root certificates.")
    @functools.wraps(func)
    def wrapper(target, token, timeout, tls, ca_file, **kwargs):
        from ..client import Client

        with Client(target, token=token, timeout=timeout, tls=tls, root_certificates=ca_file) as client:
            return func(client=client, **kwargs)

    return wrapper


def read_input(value: str) -> Any:
    """``--input`` as JSON: literal text, ``@path`` for a file, ``@-`` for standard input."""
    if value.startswith("@"):
        source = value[1:]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError(f"cannot read input file {source}: {exc.strerror}") from None
    else:
        text = value
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"--input is not valid JSON: {exc}", hint="""pass a JSON object, e.g. --input '{"text": "hi"}'"""
        ) from None


def emit(value: Any, fmt: str) -> None:
    click.echo(to_tcl(value) if fmt == "tcl" else json.dumps(value, ensure_ascii=False))


@click.command()
@click.option("--schemas", is_flag=True, help="Also print each task's input and output JSON schemas.")
@click.option("--json", "as_json", is_flag=True, help="Print the full list, schemas included, as JSON.")
@client_options
def tasks(client, schemas, as_json):
    """
    List the server's tasks: name, streaming, plugin and a one-line description.

    \b
    Examples:
        chipmate tasks
        chipmate tasks --schemas             # with input/output JSON schemas
        chipmate tasks --json | jq '.[].name'
    """
    listed = client.tasks()
    if as_json:
        click.echo(json.dumps([t.__dict__ for t in listed], indent=2))
        return
    rows = [(t.name, "yes" if t.streaming else "no", t.plugin, _first_line(t.description)) for t in listed]
    widths = [max(len(row[i]) for row in [("TASK", "STREAMING", "PLUGIN", ""), *rows]) for i in range(3)]
    for row in [("TASK", "STREAMING", "PLUGIN", "DESCRIPTION"), *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3])
        if schemas and row[0] != "TASK":
            task = next(t for t in listed if t.name == row[0])
            click.echo(f"  input:  {json.dumps(task.input_schema)}")
            click.echo(f"  output: {json.dumps(task.output_schema)}")


def _first_line(text: str, limit: int = 80) -> str:
    """The first sentence or line of ``text``, cut to ``limit`` characters."""
    line = (text.strip().splitlines() or [""])[0]
    line = line.split(". ")[0].rstrip(".")
    return line if len(line) <= limit else line[: limit - 1] + "…"


@click.command()
@click.argument("task")
@click.option(
    "-i",
    "--input",
    "input_",
    default="{}",
    show_default=True,
    help="Task input: JSON text, @file, or @- for stdin.",
)
@click.option("--stream", is_flag=True, help="Print each event (token, progress, result) as it arrives.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "tcl"]),
    default="json",
    show_default=True,
    help="Output format; tcl prints a Tcl dict for `exec` from Tcl shells.",
)
@client_options
def call(client, task, input_, stream, fmt):
    """
    Call TASK on a server and print its output.

    With --stream each event is printed on its own line as {"event": ..., ...}; the last one is the result.

    \b
    Examples:
        chipmate call echo --input '{"text": "hello"}'
        chipmate call echo -i @request.json --format tcl
        chipmate call echo -i '{"text": "a b c"}' --stream
    """
    value = read_input(input_)
    if not stream:
        emit(client.call(task, value), fmt)
        return
    for event in client.stream(task, value):
        if event.kind == "token":
            emit({"event": "token", "text": event.text}, fmt)
        elif event.kind == "progress":
            emit({"event": "progress", "fraction": event.fraction, "message": event.text}, fmt)
        elif event.kind == "result":
            emit({"event": "result", "output": event.output, "request_id": event.request_id}, fmt)


@click.command()
@click.option("--service", default="", help="Service name to check (default: the whole server).")
@client_options
def health(client, service):
    """
    Print the server's health (SERVING, NOT_SERVING); exit 1 unless SERVING.

    \b
    Example:
        chipmate health --target localhost:50051
    """
    status = client.health(service)
    click.echo(status)
    if status != "SERVING":
        sys.exit(1)


COMMANDS = [tasks, call, health]
