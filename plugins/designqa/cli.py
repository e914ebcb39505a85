"""``chipmate index build|add|remove|stats|search``: manage the designqa knowledge index from the shell."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click

from chipmate.cli import options
from chipmate.errors import InvalidInputError


def _service(config_path: str | None, index_dir: str | None, embedder: str | None = None) -> Any:
    from chipmate.cli.options import host_from

    from .service import service_for

    return service_for(host_from(config_path, designqa={"index_dir": index_dir, "embedder": embedder}))


def _fingerprint(path: Path, chunk_size: int, chunk_overlap: int) -> str:
    digest = hashlib.sha1(f"{chunk_size}:{chunk_overlap}:".encode())
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _documents(paths: tuple[str, ...], chunk_size: int, chunk_overlap: int) -> list[Any]:
    from tqdm import tqdm

    from .chunks import chunk_file
    from .loaders import iter_documents
    from .writer import Document

    files = list(iter_documents(paths))
    documents = []
    for path in tqdm(files, desc="reading", unit="file", disable=len(files) < 2):
        source = str(path.resolve())
        chunks = chunk_file(path, source, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        documents.append(Document(source, chunks, _fingerprint(path, chunk_size, chunk_overlap)))
    return documents


def _report(report: Any, root: Path) -> None:
    click.echo(
        f"{root}: generation {report.generation}, {report.total_chunks} chunks "
        f"(+{report.added_chunks} new, {report.embedded_chunks} embedded, {report.reused_vectors} reused, "
        f"-{report.removed_chunks} removed, {report.duplicate_chunks} duplicates dropped, "
        f"{report.skipped_sources} unchanged sources skipped)"
    )


config_option = options.config_option("tasks.designqa")
index_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False),
    help="Index directory (default: tasks.designqa.index_dir, else the Yosys-help KB).",
)
embedder_option = click.option(
    "--embedder",
    metavar="ALIAS",
    help="Embedder alias (default: tasks.designqa.embedder), e.g. one `chipmate train retriever --alias` recorded.",
)


@click.group(name="index")
def index_group() -> None:
    """
    Build and query the design Q&A knowledge index.

    \b
    Examples:
        chipmate index build --index-dir ~/kb docs/ flow/*.tcl --yosys-help
        chipmate index build --index-dir ~/kb docs/ --embedder eda-retriever
        chipmate index add --index-dir ~/kb notes/timing.md
        chipmate index remove --index-dir ~/kb notes/timing.md
        chipmate index stats --index-dir ~/kb
        chipmate index search --index-dir ~/kb "how do I flatten the design?"
    """


@index_group.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--yosys-help", is_flag=True, help="Also index Yosys's help for every command (via pyosys).")
@click.option("--chunk-size", type=int, help="Characters per passage (default 512).")
@click.option("--chunk-overlap", type=int, help="Characters carried into the next passage (default 64).")
@config_option
@index_option
@embedder_option
def build(paths, yosys_help, chunk_size, chunk_overlap, config_path, index_dir, embedder):
    """
    Build the index from scratch from PATHS (files or directories).

    Formats: markdown, reStructuredText, text, HTML, PDF, Verilog, Tcl, Python. The new index replaces the old
    one atomically; readers keep the old one until it is complete. With --embedder every passage is embedded
    by that model and the index records it: serve it with tasks.designqa.embedder set to the same alias.
    """
    from .writer import update_index

    service = _service(config_path, index_dir, embedder)
    settings = service.settings.index_settings()
    if chunk_size is not None:
        settings.chunk_size = chunk_size
    if chunk_overlap is not None:
        settings.chunk_overlap = chunk_overlap
    if not paths and not yosys_help:
        raise InvalidInputError("nothing to index", hint="give files or directories, or --yosys-help")
    documents = _documents(paths, settings.chunk_size, settings.chunk_overlap)
    if yosys_help:
        from .yosys_help import yosys_documents

        click.echo("harvesting Yosys help through pyosys ...", err=True)
        documents += yosys_documents(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    report = update_index(
        service.index_dir,
        service.embedder(),
        add=documents,
        settings=settings,
        fresh=True,
        show_progress=True,
        name=service.embedder_name(),
    )
    _report(report, service.index_dir)


@index_group.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@config_option
@index_option
def add(paths, config_path, index_dir):
    """
    Add or update PATHS in an existing index; only new or changed text is embedded.
    """
    from .index import KnowledgeIndex
    from .writer import update_index

    service = _service(config_path, index_dir)
    root = service.index_dir
    if not KnowledgeIndex.exists(root):
        raise InvalidInputError(f"no knowledge index at {root}", hint="create it with `chipmate index build`")
    settings = KnowledgeIndex.open(root).settings
    documents = _documents(paths, settings.chunk_size, settings.chunk_overlap)
    report = update_index(root, service.embedder(), add=documents, show_progress=True, name=service.embedder_name())
    _report(report, root)


@index_group.command()
@click.argument("sources", nargs=-1, required=True)
@config_option
@index_option
def remove(sources, config_path, index_dir):
    """
    Remove SOURCES (file paths as indexed, or `yosys help <cmd>`) from the index.
    """
    from .index import KnowledgeIndex
    from .writer import update_index

    service = _service(config_path, index_dir)
    root = service.index_dir
    indexed = KnowledgeIndex.open(root).sources if KnowledgeIndex.exists(root) else {}
    # A path is indexed under its absolute form; accept it as the user typed it.
    resolved = [s if s in indexed else str(Path(s).resolve()) for s in sources]
    report = update_index(root, service.embedder(), remove=resolved, name=service.embedder_name())
    _report(report, root)


@index_group.command()
@click.option("--sources", "list_sources", is_flag=True, help="Also list every indexed source.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
@index_option
def stats(list_sources, as_json, config_path, index_dir):
    """
    Show what the index holds.
    """
    from .index import KnowledgeIndex

    service = _service(config_path, index_dir)
    index = KnowledgeIndex.open(service.index_dir)
    info = index.stats()
    if list_sources:
        info["source_list"] = sorted(index.sources)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if key == "source_list":
            click.echo("sources:")
            for source in value:
                click.echo(f"  {source}")
        else:
            click.echo(f"{key}: {value}")


@index_group.command()
@click.argument("query")
@click.option("-k", "--top-k", type=int, default=None, help="Passages to show (default tasks.designqa.top_k).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), help="Retrieval mode.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
@index_option
@embedder_option
def search(query, top_k, mode, as_json, config_path, index_dir, embedder):
    """
    Show the passages QUERY retrieves, with their scores (no generation).
    """
    from .answer import citation
    from .index import KnowledgeIndex
    from .retrieve import HybridRetriever

    service = _service(config_path, index_dir, embedder)
    # Open the index before loading the embedder: a missing index is reported at once, not after a model load.
    index = KnowledgeIndex.open(service.index_dir)
    embedder = service.embedder()
    index.check_embedder(embedder, service.embedder_name())
    retriever = HybridRetriever(
        index, embedder, mode=mode or service.settings.mode, dense_weight=service.settings.dense_weight
    )
    hits = retriever.search(query, top_k or service.settings.top_k)
    if as_json:
        click.echo(json.dumps([{**citation(h), "dense": h.dense, "lexical": h.lexical} for h in hits], indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        where = f"{chunk.source}" + (f" § {chunk.section}" if chunk.section else "")
        lines = f" lines {chunk.start_line}-{chunk.end_line}" if chunk.start_line else ""
        click.echo(f"[{rank}] {hit.score:.3f} (dense {hit.dense:.3f}, bm25 {hit.lexical:.3f}) {where}{lines}")
        click.echo("    " + " ".join(chunk.text.split())[:300])
