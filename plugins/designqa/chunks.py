"""Chunking: pack a document's blocks into citable passages, the units that are embedded, indexed and cited.

The chunker packs consecutive blocks of one section into passages of at most ``chunk_size`` characters (ChipNeMo
used ~512), never across a heading and never splitting a code block unless it alone is too long (then only
between lines). A table too long for one passage is split between rows, each piece repeating the header row, so
an option's row is never cut and every piece says what its columns are. Long prose is split at sentence ends
with a little overlap.

A chunk may carry ``context``: a line that says what the passage belongs to (a Yosys command's one-line title for
every passage of its help). It is embedded and searched with the passage but not shown, so the third passage of a
command's option list still matches a question about what the command does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chipmate.errors import InvalidInputError

# One duplicate rule for the index and the trainer (re-exported: the writer and callers import it from here).
from chipmate.training_data import content_key as content_key

from .loaders import Block, detect_format, load_blocks


@dataclass
class Chunk:
    """A passage of a document as it is embedded, indexed and cited."""

    id: str
    text: str
    source: str
    section: str = ""
    start_line: int = 0
    end_line: int = 0
    format: str = ""
    #: extra texts searched on behalf of this chunk (e.g. generated questions); never shown in citations
    aliases: list[str] = field(default_factory=list)
    #: what the passage belongs to (a command's title), embedded and searched with it, never shown
    context: str = ""

    def embedding_text(self) -> str:
        """What the embedder sees: the section path (and context) first, so a passage far below its heading keeps
        its topic."""
        head = " — ".join(p for p in (self.section, self.context) if p)
        return f"{head}\n{self.text}" if head else self.text

    def to_dict(self) -> dict:
        """JSON-ready form stored in the index's metadata file."""
        data = {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "section": self.section,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "format": self.format,
        }
        if self.aliases:
            data["aliases"] = self.aliases
        if self.context:
            data["context"] = self.context
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


def chunk_id(source: str, section: str, text: str, context: str = "") -> str:
    """Stable id of a chunk: the same passage of the same file keeps its id across rebuilds and machines. The
    context is part of what is embedded, so it is part of the id (a chunk without one keeps its old id)."""
    key = f"{source}\x00{section}\x00{' '.join(text.split())}" + (f"\x00{context}" if context else "")
    return hashlib.sha1(key.encode()).hexdigest()[:16]


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def _split_prose(text: str, size: int, overlap: int) -> list[str]:
    """Split prose longer than ``size`` at sentence ends (else at spaces), carrying ``overlap`` characters of
    context, rounded to whole words, into the next piece."""
    pieces: list[str] = []
    units = [u for u in _SENTENCE_END.split(text) if u]
    words: list[str] = []
    for unit in units:
        if len(unit) <= size:
            words.append(unit)
        else:
            words.extend(unit.split())
    current = ""
    for unit in words:
        candidate = f"{current} {unit}".strip()
        if len(candidate) <= size or not current:
            current = candidate
            continue
        pieces.append(current)
        tail = current[-overlap:] if overlap else ""
        tail = tail.split(" ", 1)[1] if " " in tail and len(current) > overlap else tail
        current = f"{tail} {unit}".strip() if tail and len(tail) + len(unit) + 1 <= size else unit
    if current:
        pieces.append(current)
    # A single word longer than size is cut hard; rare (URLs, hashes) and better than an oversized passage.
    return [p[i : i + size] for p in pieces for i in range(0, len(p), size)]


def _split_table(block: Block, size: int) -> list[Block]:
    """Split an oversized table between rows; every piece starts with the header (its first row and, in
    Markdown, the ``|---|`` rule under it), so each piece is a table of its own."""
    lines = block.text.split("\n")
    header_len = 2 if len(lines) > 1 and _TABLE_RULE.match(lines[1]) else 1
    header, rows = lines[:header_len], lines[header_len:]
    pieces: list[Block] = []
    current: list[str] = []
    first = header_len
    for i, row in enumerate(rows, start=header_len):
        if current and len("\n".join([*header, *current, row])) > size:
            pieces.append(
                Block(
                    "\n".join([*header, *current]),
                    block.section,
                    block.start_line + first,
                    block.start_line + i - 1,
                    table=True,
                )
            )
            current, first = [], i
        current.append(row)
    if current or not pieces:
        text = "\n".join([*header, *current])
        pieces.append(
            Block(text, block.section, block.start_line + first, block.start_line + len(lines) - 1, table=True)
        )
    # A single row longer than a passage is cut between lines of its own (rare: a cell holding a paragraph).
    out: list[Block] = []
    for piece in pieces:
        out.extend([piece] if len(piece.text) <= size else _split_code(piece, size))
    return out


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def _split_code(block: Block, size: int) -> list[Block]:
    """Split an oversized code block between lines, each piece keeping its own line range."""
    lines = block.text.split("\n")
    pieces: list[Block] = []
    start = 0
    current: list[str] = []
    for i, line in enumerate(lines):
        if current and len("\n".join([*current, line])) > size:
            pieces.append(
                Block(
                    "\n".join(current),
                    block.section,
                    block.start_line + start,
                    block.start_line + i - 1,
                    code=True,
                )
            )
            current, start = [], i
        current.append(line[:size])
    if current:
        pieces.append(
            Block(
                "\n".join(current),
                block.section,
                block.start_line + start,
                block.start_line + len(lines) - 1,
                code=True,
            )
        )
    return pieces


def chunk_blocks(
    blocks: Iterable[Block],
    source: str,
    *,
    chunk_size: int = 512,
    chunk_overlap: int = 64,
    fmt: str = "",
    context: str = "",
) -> list[Chunk]:
    """Pack ``blocks`` into chunks of at most ``chunk_size`` characters that never span two sections; every
    chunk carries ``context`` (see the module docstring)."""
    if chunk_size < 64:
        raise InvalidInputError(f"chunk_size must be at least 64 characters, got {chunk_size}")
    if not 0 <= chunk_overlap < chunk_size // 2:
        raise InvalidInputError(f"chunk_overlap must be in [0, chunk_size/2), got {chunk_overlap}")
    pieces: list[Block] = []
    for block in blocks:
        if not block.text.strip():
            continue
        if len(block.text) <= chunk_size:
            pieces.append(block)
        elif block.table:
            pieces.extend(_split_table(block, chunk_size))
        elif block.code:
            pieces.extend(_split_code(block, chunk_size))
        else:
            pieces.extend(
                Block(text, block.section, block.start_line, block.end_line)
                for text in _split_prose(" ".join(block.text.split()), chunk_size, chunk_overlap)
            )
    chunks: list[Chunk] = []
    group: list[Block] = []

    def emit() -> None:
        if group:
            text = "\n\n".join(b.text for b in group)
            section = group[0].section
            chunks.append(
                Chunk(
                    id=chunk_id(source, section, text, context),
                    text=text,
                    source=source,
                    section=section,
                    start_line=group[0].start_line,
                    end_line=max(b.end_line for b in group),
                    format=fmt,
                    context=context,
                )
            )
            group.clear()

    for piece in pieces:
        size = sum(len(b.text) + 2 for b in group) + len(piece.text)
        if group and (piece.section != group[0].section or size > chunk_size):
            emit()
        group.append(piece)
    emit()
    return chunks


def chunk_file(path: Path, source: str, *, chunk_size: int = 512, chunk_overlap: int = 64) -> list[Chunk]:
    """Load and chunk one file; ``source`` is the name citations show (usually the path as given)."""
    fmt = detect_format(path)
    return chunk_blocks(
        load_blocks(path, fmt), source, chunk_size=chunk_size, chunk_overlap=chunk_overlap, fmt=fmt or ""
    )
