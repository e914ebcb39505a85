"""What every loader produces: :class:`Block`, a unit of a document the chunker keeps whole when it can."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Block:
    """A unit of a document that the chunker keeps whole when it can."""

    text: str
    section: str = ""
    start_line: int = 0
    end_line: int = 0
    #: code blocks are split only between lines, and never have their whitespace reflowed
    code: bool = False
    #: tables (Markdown pipe tables) are split only between rows, each piece repeating the header
    table: bool = False


def paragraphs(lines: list[str], first_line: int, section: str) -> Iterator[Block]:
    """Blank-line separated paragraphs of ``lines`` (numbered from ``first_line``)."""
    start = None
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            if start is None:
                start = i
        elif start is not None:
            yield from _runs(lines, start, i, first_line, section)
            start = None


def _runs(lines: list[str], start: int, end: int, first_line: int, section: str) -> Iterator[Block]:
    """The paragraph ``lines[start:end]`` as blocks: a pipe table inside it (a caption line right above it, say)
    is a block of its own, so the chunker can keep its rows whole."""
    run_start = start
    for j in range(start + 1, end + 1):
        if j < end and _is_row(lines[j]) == _is_row(lines[run_start]):
            continue
        text = "\n".join(lines[run_start:j]).strip()
        yield Block(text, section, first_line + run_start, first_line + j - 1, table=is_table(text))
        run_start = j


def _is_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def is_table(text: str) -> bool:
    """True for a pipe table: two or more lines, each starting with ``|`` (Markdown, and plain-text tables
    written the same way)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 and all(line.startswith("|") for line in lines)
