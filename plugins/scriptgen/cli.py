"""``chipmate scripts add|list|show|import|export`` and ``chipmate eval scriptgen``: the library and the harness.

Both run in-process (no server): they read the same ``tasks.scriptgen`` settings a server would (``-c``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from chipmate.cli import options
from chipmate.errors import InvalidInputError

config_option = options.config_option("tasks.scriptgen")


def _service(config_path: str | None) -> Any:
    from chipmate.cli.options import host_from

    from .service import service_for

    return service_for(host_from(config_path))


def _validate(service: Any, records: list[Any]) -> None:
    """Run every record's script on its files; InvalidInputError naming the first that fails."""
    for record in records:
        tool = service.tool(record.tool)
        run = tool.run(
            record.script,
            files={f["name"]: f["content"] for f in record.files},
            timeout=service.settings.timeout,
            limits=service.settings.limits(),
        )
        if not run.ok:
            where = f" at line {run.error_line}" if run.error_line else ""
            raise InvalidInputError(
                f"record {record.id!r} failed in {record.tool}{where}: {run.error}",
                hint="fix the script, or add it with --no-validate",
            )
        click.echo(f"validated {record.id} ({run.seconds:.1f} s)", err=True)


@click.group(name="scripts")
def scripts_group() -> None:
    """
    Manage the script library that scriptgen retrieves examples from.

    \b
    Examples:
        chipmate scripts list --source user
        chipmate scripts add --instruction "Synthesize alu.v and write alu_syn.v" --script flow.ys --file alu.v
        chipmate scripts import team_scripts.jsonl
        chipmate scripts export --format chat -o sft.jsonl
    """


@scripts_group.command(name="list")
@click.option("--tool", help="Only records for this tool.")
@click.option("--source", type=click.Choice(["all", "seed", "user"]), default="all", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per line (file names only).")
@config_option
def list_command(tool, source, as_json, config_path):
    """
    List the library's records: id, tool, level, instruction.
    """
    records = [r for r in _service(config_path).library().records(tool) if source in ("all", r.source)]
    for record in records:
        if as_json:
            click.echo(json.dumps({**record.to_json(inline=False), "source": record.source}))
        else:
            level = f" [{record.level}]" if record.level else ""
            click.echo(f"{record.id}  {record.tool}{level}  {record.instruction[:100]}")
    if not as_json:
        click.echo(f"{len(records)} record(s)", err=True)


@scripts_group.command()
@click.argument("record_id")
@config_option
def show(record_id, config_path):
    """
    Show one record: its instruction, files and script.
    """
    record = _service(config_path).library().get(record_id)
    if record is None:
        raise InvalidInputError(f"no record with id {record_id!r}", hint="see `chipmate scripts list`")
    click.echo(f"# {record.id} ({record.tool}, {record.source})\n# {record.instruction}")
    click.echo(f"# files: {', '.join(record.file_names)}")
    click.echo(record.script, nl=False)


@scripts_group.command()
@click.option("--instruction", required=True, help="What the script does, as a user would ask for it.")
@click.option("--script", "script_file", required=True, type=click.File("r"), help="The script file ('-': stdin).")
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="An input file.")
@click.option("--tool", default="yosys", show_default=True, help="Target tool.")
@click.option("--id", "record_id", help="Record id (default: derived from the content).")
@click.option("--level", type=click.Choice(["easy", "medium", "hard"]), help="Difficulty, for evaluation splits.")
@click.option("--no-validate", is_flag=True, help="Store it without running it first.")
@config_option
def add(instruction, script_file, files, tool, record_id, level, no_validate, config_path):
    """
    Add one validated example to the local store.

    The script is run on the files first (unless --no-validate) and refused when it fails.
    """
    from .library import ScriptRecord

    service = _service(config_path)
    data = {
        "id": record_id,
        "tool": tool,
        "level": level or "",
        "instruction": instruction,
        "files": [str(Path(f).resolve()) for f in files],
        "script": script_file.read(),
    }
    record = ScriptRecord.from_json(data, where="command line")
    if not no_validate:
        _validate(service, [record])
    service.library().add([record])
    click.echo(f"added {record.id}")


@scripts_group.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--no-validate", is_flag=True, help="Store the records without running them first.")
@config_option
def import_command(path, no_validate, config_path):
    """
    Add the records of a JSONL file (the format `export` writes) to the local store.

    File entries are {"name", "content"} objects or paths relative to the JSONL file. Every record is run
    first (unless --no-validate); nothing is stored when one fails.
    """
    from .library import read_jsonl

    service = _service(config_path)
    records = read_jsonl(Path(path), base_dir=Path(path).resolve().parent)
    if not no_validate:
        _validate(service, records)
    added = service.library().add(records)
    click.echo(f"imported {len(added)} record(s)")


@scripts_group.command()
@click.option("-o", "--output", type=click.File("w"), default="-", help="Output file (default: stdout).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "chat"]), default="jsonl", show_default=True)
@click.option("--source", type=click.Choice(["all", "seed", "user"]), default="all", show_default=True)
@click.option("--tool", help="Only records for this tool.")
@click.option("--examples", type=int, help="Few-shot examples in each chat prompt (default tasks.scriptgen.examples).")
@config_option
def export(output, fmt, source, tool, examples, config_path):
    """
    Export the library as JSONL records, or as chat-style SFT data.

    `--format chat` writes {"id", "messages"} per record: the exact prompt scriptgen builds at inference
    (system rules, retrieved examples as earlier turns, the request) followed by the record's script as the
    assistant's answer. Examples are retrieved as for a request, leaving out records that share a Verilog file
    with the record, so the model learns to adapt examples from other designs.
    """
    service = _service(config_path)
    records = [r for r in service.library().records(tool) if source in ("all", r.source)]
    if fmt == "jsonl":
        for record in records:
            output.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
    else:
        from .export import chat_records

        k = service.settings.examples if examples is None else examples
        for item in chat_records(service, records, k):
            output.write(json.dumps(item, ensure_ascii=False) + "\n")
    click.echo(f"exported {len(records)} record(s)", err=True)


@click.command(name="scriptgen")
@click.argument("tasks_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", help="Generator alias (default: tasks.scriptgen.generator, else the default).")
@click.option(
    "--ablation",
    type=click.Choice(["base", "retrieval", "constraints", "repair"]),
    default="repair",
    show_default=True,
    help="Pipeline stages: the generator alone, +examples, +constraints, +repair.",
)
@click.option("--samples", type=int, default=1, show_default=True, help="Samples per task (pass@k).")
@click.option(
    "--temperature", type=float, default=0.8, show_default=True, help="Sampling temperature when --samples > 1."
)
@click.option("--ids", help="Comma-separated task ids to run (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary and per-task results as JSON.")
@config_option
def eval_scriptgen(tasks_file, model, ablation, samples, temperature, ids, as_json, config_path):
    """
    Score scriptgen on TASKS_FILE (JSONL) by executing what it generates: pass@1 (pass@k) per level.

    \b
    Examples:
        chipmate eval scriptgen benchmarks/data/scriptgen_dev.jsonl
        chipmate eval scriptgen tasks.jsonl --ablation base --model smollm2-135m-instruct
        chipmate eval scriptgen tasks.jsonl --samples 5 --temperature 0.8 --json
    """
    from .evaluate import evaluate, format_summary, load_tasks, summarize

    if samples < 1:
        raise InvalidInputError("--samples must be at least 1")
    service = _service(config_path)
    tasks = load_tasks(Path(tasks_file))
    if ids:
        wanted = set(ids.split(","))
        tasks = [t for t in tasks if t.id in wanted]

    def generate(task: Any, temp: float) -> Any:
        request = {"instruction": task.instruction, "tool": task.tool, "files": task.files, "model": model}
        return service.outcome(request, None, ablation=ablation, temperature=temp if samples > 1 else 0.0)

    def progress(result: Any) -> None:
        mark = "".join("✓" if p else "✗" for p in result.passed)
        why = next((f for f in result.failures if f), "")
        click.echo(f"{result.id:<28} {result.level:<7} {mark} {sum(result.seconds):6.1f} s  {why}", err=True)

    results = evaluate(
        tasks,
        generate,
        service.tool,
        samples=samples,
        temperature=temperature,
        timeout=service.settings.timeout,
        limits=service.settings.limits(),
        progress=progress,
    )
    summary = summarize(results, samples)
    if as_json:
        per_task = [r.__dict__ for r in results]
        click.echo(json.dumps({"summary": summary, "tasks": per_task}, indent=2))
    else:
        click.echo(format_summary(summary))


@click.group(name="eval")
def eval_group() -> None:
    """
    Evaluate task plugins on task files.

    \b
    Examples:
        chipmate eval scriptgen benchmarks/data/scriptgen_dev.jsonl
    """


def add_commands(cli: click.Group) -> None:
    """Add ``scripts`` and ``eval scriptgen`` to the CLI (joining an ``eval`` group another plugin made)."""
    cli.add_command(scripts_group)
    group = cli.commands.get("eval")
    if not isinstance(group, click.Group):
        group = eval_group
        cli.add_command(group)
    group.add_command(eval_scriptgen)
