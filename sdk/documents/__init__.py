"""Documents shared by every plugin and the trainer: loading, chunking, and the tools' own help.

- :mod:`.loaders` read Markdown, reST, text, HTML, PDF, Verilog, Tcl and Python into :class:`Block` objects;
- :mod:`.chunks` packs blocks into citable :class:`Chunk` passages (a source's passages: :class:`Document`);
- :mod:`.yosys_help` harvests Yosys's command reference (``help -dump-cmds-json`` through pyosys);
- :mod:`.opensta_help` harvests OpenSTA's command list and usages (the ``sta`` binary);
- :mod:`.search` is the hybrid (dense + BM25) score fusion designqa's retriever and scriptgen's grounding share;
- :mod:`.prior` holds the topic signals both add to it: a prior (how often a topic is referred to, or used) and
  the title match (how much of a topic's name a request says).

It lives in the core because designqa indexes these documents, scriptgen grounds its prompts in them and the
trainer builds corpora from them: none of them may import another's internals (docs/architecture.md).
"""

from __future__ import annotations

from .chunks import Chunk, Document, chunk_blocks, chunk_file, chunk_id, content_key
from .loaders import FORMATS, Block, detect_format, iter_documents, load_blocks

__all__ = [
    "FORMATS",
    "Block",
    "Chunk",
    "Document",
    "chunk_blocks",
    "chunk_file",
    "chunk_id",
    "content_key",
    "detect_format",
    "iter_documents",
    "load_blocks",
]
