"""``chipmate train tokenizer|dapt|sft|retriever|reranker|query-adapter``: the domain-adaptation recipes.

Every recipe lives in ``chipmate.trainer.recipes.<name>`` and is imported only when its command runs (torch and
transformers load then, not for ``chipmate --help``). A recipe module provides ``Config`` (a
:class:`chipmate.sections.Section` read with :func:`chipmate.trainer.recipes.load_recipe_config`) and
``run(config) -> dict``. Another recipe plugs in with :func:`recipe_command`::

    train.add_command(recipe_command("retriever", "Fine-tune the designqa embedder ...", examples))
"""

from __future__ import annotations

import importlib
import json
import textwrap
from typing import Any

import click

RECIPE_HELP_TAIL = (
    "The options below override the file: --out-dir{extra}, and any field with --set key=value "
    "(dotted keys reach nested sections, e.g. --set {example})."
)


def _parse_sets(values: tuple[str, ...]) -> dict[str, Any]:
    from chipmate.errors import ConfigError
    from chipmate.trainer.recipes import parse_sets

    try:
        return parse_sets(values)
    except ConfigError as exc:
        raise click.BadParameter(exc.message, param_hint="--set") from None


def run_recipe(name: str, config_file: str | None, **cli: Any) -> dict[str, Any]:
    """Import ``chipmate.trainer.recipes.<name>``, read its config (file + CLI overrides), run it."""
    from chipmate.trainer.recipes import load_recipe_config

    module = importlib.import_module(f"chipmate.trainer.recipes.{name}")
    overrides = _parse_sets(cli.pop("sets", ()))
    for key in ("out_dir", "alias", "models_config"):
        if cli.get(key) is not None:
            overrides[key] = cli[key]
    if cli.get("resume"):
        overrides["train.resume"] = True
    if cli.get("replace"):
        overrides["replace"] = True
    config = load_recipe_config(module.Config, config_file, overrides, name)
    return module.run(config)  # type: ignore[no-any-return]  # recipe modules are imported by name: their run() is untyped here


def recipe_command(
    name: str, summary: str, examples: str, *, trains: bool = True, command_name: str | None = None
) -> click.Command:
    """The click command of recipe ``name`` (``chipmate.trainer.recipes.<name>``): ``-c FILE`` plus the common
    overrides, calling :func:`run_recipe`; ``trains`` adds ``--resume``, ``--alias`` and ``--replace``."""

    def callback(config_file: str | None, **cli: Any) -> None:
        from chipmate.errors import ChipmateError, TrainingInterrupted

        try:
            result = run_recipe(name, config_file, **cli)
        except TrainingInterrupted as exc:
            click.echo(f"Error: {exc}", err=True)
            # the shell's code for "stopped by Ctrl-C", although the checkpoint was saved first
            click.get_current_context().exit(130)
        except ChipmateError as exc:
            # here too, not only in the chipmate group's main, so the command behaves the same when a test or a
            # script invokes it directly
            raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(result, indent=2, default=str))

    params: list[click.Parameter] = [
        click.Option(["-c", "--config", "config_file"], type=click.Path(exists=True, dir_okay=False),
                     help="Recipe YAML (see examples/recipes/); defaults apply without one."),
        click.Option(["--out-dir"], help="Where the run writes its outputs (overrides out_dir)."),
        click.Option(["--set", "sets"], multiple=True, metavar="KEY=VALUE", help="Override a field of the file."),
        click.Option(["--models-config"], type=click.Path(dir_okay=False),
                     help="chipmate config whose models:/cache_dir resolve aliases (default: the usual one)."),
    ]  # fmt: skip
    if trains:
        params += [
            click.Option(["--resume"], is_flag=True, help="Continue from out_dir's checkpoint."),
            click.Option(["--alias"], help="Record the trained model under this alias (chipmate models list)."),
            click.Option(["--replace"], is_flag=True, help="Let --alias overwrite an alias of the same name."),
        ]
    tail = RECIPE_HELP_TAIL.format(
        extra=", --resume, --alias" if trains else "", example="train.max_iters=20" if trains else "general.share=0.05"
    )
    return click.Command(
        command_name or name,
        callback=callback,
        params=params,
        help=f"{summary}\n\n{tail}\n\n{_dedent(examples)}",
    )


def _dedent(block: str) -> str:
    """``block`` without its common indentation, ignoring a first line of its own (click's ``\\b`` marker)."""
    first, _, rest = block.partition("\n")
    return f"{first}\n{textwrap.dedent(rest)}".strip()


@click.group()
def train() -> None:
    """
    Adapt models to your designs: tokenizer, continued pretraining, SFT, retriever, reranker, query adapter.

    Each recipe reads one YAML file (commented examples in examples/recipes/), trains on the precision core
    (bf16 where the hardware has it, fp16 with loss scaling on other GPUs, fp32 on plain CPUs), writes
    metrics.jsonl, metrics.png and atomic checkpoints to its out_dir, and runs under torchrun for several
    processes (torchrun --nproc_per_node=N -m chipmate train NAME -c FILE).

    \b
    Examples:
        chipmate corpus build -c examples/recipes/corpus.yaml
        chipmate train tokenizer -c examples/recipes/tokenizer.yaml
        chipmate train dapt -c examples/recipes/dapt.yaml --alias smol-eda-dapt
        chipmate train sft -c examples/recipes/sft.yaml --alias smol-eda
        chipmate train retriever -c examples/recipes/retriever.yaml --alias eda-retriever
        chipmate train reranker -c examples/recipes/reranker.yaml
    """


train.add_command(
    recipe_command(
        "tokenizer",
        "Extend a base tokenizer with frequent domain tokens and resize the model.",
        """\b
    Examples:
        chipmate train tokenizer -c examples/recipes/tokenizer.yaml
        chipmate train tokenizer -c examples/recipes/tokenizer.yaml --set output_init=zero""",
    )
)
train.add_command(
    recipe_command(
        "dapt",
        "Domain-adaptive pretraining: continue training a causal LM on the built corpus.",
        """\b
    Examples:
        chipmate train dapt -c examples/recipes/dapt.yaml --alias smol-eda-dapt
        chipmate train dapt -c examples/recipes/dapt.yaml --resume
        torchrun --nproc_per_node=2 -m chipmate train dapt -c examples/recipes/dapt.yaml""",
    )
)
train.add_command(
    recipe_command(
        "sft",
        "Supervised fine-tuning on chat records, loss on the assistant's tokens only (LoRA or full).",
        """\b
    Examples:
        chipmate train sft -c examples/recipes/sft.yaml --alias smol-eda
        chipmate train sft -c examples/recipes/sft.yaml --set lora.rank=16 --resume""",
    )
)
train.add_command(
    recipe_command(
        "retriever",
        "Fine-tune the designqa embedder on synthetic questions from your passages (ChipNeMo's retriever).",
        """
    \b
    Examples:
        chipmate train retriever -c examples/recipes/retriever.yaml --alias eda-retriever
        chipmate train retriever --set index_dir=~/kb --set train.epochs=1 --out-dir runs/kb-retriever
        chipmate index build --index-dir ~/kb --embedder eda-retriever docs/
""",
    )
)

train.add_command(
    recipe_command(
        "reranker",
        "Train designqa's cross-encoder reranker (from the embedded MiniLM) on synthetic questions with mined "
        "hard negatives.",
        """
    \b
    Examples:
        chipmate train reranker -c examples/recipes/reranker.yaml
        chipmate train reranker --set index_dir=~/kb --out-dir runs/kb-reranker
        (then set tasks.designqa.reranker: runs/kb-reranker/final)
""",
    )
)

train.add_command(
    recipe_command(
        "query_adapter",
        "Train a linear query adapter for a designqa KB's embedder on synthetic questions (no re-embedding).",
        """
    \b
    Examples:
        chipmate train query-adapter -c examples/recipes/query-adapter.yaml
        chipmate train query-adapter --set index_dir=~/kb --out-dir runs/kb-query-adapter
        (then set tasks.designqa.query_adapter: runs/kb-query-adapter/query_adapter.npz)
""",
        command_name="query-adapter",
    )
)

COMMANDS = [train]
