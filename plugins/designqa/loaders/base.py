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


def paragraphs(lines: list[str], first_line: int, section: str) -> Iterator[Block]:
    """Blank-line separated paragraphs of ``lines`` (numbered from ``first_line``)."""
    start = None
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            if start is None:
                start = i
        elif start is not None:
            text = "\n".join(lines[start:i]).strip()
            yield Block(text, section, first_line + start, first_line + i - 1)
            start = None
