"""``chipmate corpus build``: the domain corpus the tokenizer and DAPT recipes train on."""

from __future__ import annotations

import click

from .train_commands import recipe_command


@click.group()
def corpus() -> None:
    """
    Build training corpora from your documents, sources and Yosys's own help.

    \b
    Examples:
        chipmate corpus build -c examples/recipes/corpus.yaml
        chipmate corpus build --set 'sources.dirs=[docs, rtl]' --out-dir runs/corpus
    """


corpus.add_command(
    recipe_command(
        "corpus",
        "Collect, dedupe, filter and split a domain corpus (plus a general-text share) into JSONL shards.",
        """\b
    Examples:
        chipmate corpus build -c examples/recipes/corpus.yaml
        chipmate corpus build -c examples/recipes/corpus.yaml --set general.share=0.09""",
        trains=False,
        command_name="build",
    )
)

COMMANDS = [corpus]
