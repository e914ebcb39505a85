"""What designqa offers the recipes (``chipmate_register_training_data``): its documents and passages.

- documents ``yosys-help``: one text per Yosys command (usage, description, options), for the corpus;
- documents ``files``: documents (HTML, PDF, Markdown, ...) converted to text, for the corpus;
- passages ``yosys-help``, ``files``, ``index``: the passages designqa searches, chunked as ``chipmate index``
  chunks them (or read from a built index), for the retriever recipe. After a retriever is trained on an index's
  passages, ``index`` re-embeds that index with it when the recipe asks (``reindex: true``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from chipmate.training_data import DOCUMENTS, PASSAGES, TextDocument, TrainingData

logger = logging.getLogger("chipmate.designqa")

CHUNKING_OPTIONS = {
    "chunk_size": "characters per passage (ChipNeMo used ~512)",
    "chunk_overlap": "characters carried over between prose passages",
}


def yosys_help_texts() -> Iterator[TextDocument]:
    """One document per Yosys command: its title, usage, description and options."""
    from .yosys_help import command_blocks, dump_command_reference

    reference = dump_command_reference()
    for name, entry in sorted(reference.get("cmds", {}).items()):
        text = "\n\n".join(block.text for block in command_blocks(name, entry))
        yield TextDocument(f"yosys help {name}", text, "yosys-help")


def file_texts(paths: Sequence[str]) -> Iterator[TextDocument]:
    """Each supported document under ``paths`` as its text (HTML and PDF converted)."""
    from .loaders import iter_documents, load_blocks

    for path in iter_documents(paths):
        yield TextDocument(str(path), "\n\n".join(block.text for block in load_blocks(path)), "docs")


def yosys_help_passages(chunk_size: int = 512, chunk_overlap: int = 64) -> Iterator[Any]:
    """The passages of Yosys's command help, as the default knowledge base holds them."""
    from .yosys_help import yosys_documents

    for document in yosys_documents(chunk_size=chunk_size, chunk_overlap=chunk_overlap):
        yield from document.chunks


def file_passages(paths: Sequence[str], chunk_size: int = 512, chunk_overlap: int = 64) -> Iterator[Any]:
    """The passages of the documents under ``paths``, chunked as ``chipmate index build`` chunks them."""
    from .chunks import chunk_file
    from .loaders import iter_documents

    for path in iter_documents(paths):
        yield from chunk_file(path, str(path.resolve()), chunk_size=chunk_size, chunk_overlap=chunk_overlap)


def index_passages(index_dir: str) -> list[Any]:
    """The passages of a built knowledge base, exactly what designqa searches."""
    from .index import KnowledgeIndex

    return list(KnowledgeIndex.open(index_dir).chunks)


def reindex(*, model_dir: str | Path, alias: str, index_dir: str, embedder: Any) -> str:
    """Re-embed every passage of ``index_dir`` with ``embedder`` (the trained model in ``model_dir``, loaded by the
    trainer through the model registry), recorded as ``alias``: the knowledge base then uses the adapted retriever
    (with ``tasks.designqa.embedder: alias``)."""
    from .index import KnowledgeIndex
    from .writer import Document, update_index

    folder = Path(index_dir).expanduser()
    current = KnowledgeIndex.open(folder)
    by_source: dict[str, list[Any]] = {}
    for chunk in current.chunks:
        by_source.setdefault(chunk.source, []).append(chunk)
    documents = [Document(s, c, fingerprint=current.sources.get(s, "")) for s, c in by_source.items()]
    update_index(folder, embedder, add=documents, settings=current.settings, fresh=True, name=alias)
    logger.info("re-embedded %s with %s; set tasks.designqa.embedder: %s", folder, alias, alias)
    return str(folder)


def offers() -> list[TrainingData]:
    """Everything designqa offers, for its ``chipmate_register_training_data``."""
    paths = {"paths": "documents and folders (searched recursively)"}
    return [
        TrainingData("yosys-help", DOCUMENTS, yosys_help_texts, "Yosys's help, one document per command"),
        TrainingData("files", DOCUMENTS, file_texts, "documents converted to text (HTML, PDF, ...)", paths),
        TrainingData("yosys-help", PASSAGES, yosys_help_passages, "Yosys's help as passages", CHUNKING_OPTIONS),
        TrainingData("files", PASSAGES, file_passages, "documents as passages", {**paths, **CHUNKING_OPTIONS}),
        TrainingData(
            "index",
            PASSAGES,
            index_passages,
            "a designqa knowledge base's passages",
            {"index_dir": "the index folder (chipmate index build --index-dir)"},
            trained=reindex,
        ),
    ]
