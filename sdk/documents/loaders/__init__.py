"""Loaders: read documents of each supported format into :class:`Block` objects.

A block is a paragraph, a code block, a list item or a page, carrying its section path (the headings above it)
and its line range, so every chunk made from it can be cited back to ``source``, ``section`` and lines.
One module per family of formats: ``markup`` (Markdown, reST, text, HTML), ``pdf``, ``code`` (Verilog, Tcl,
Python).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from chipmate.errors import InvalidInputError

from .base import Block
from .code import python_blocks, tcl_blocks, verilog_blocks
from .markup import html_blocks, markdown_blocks, rst_blocks, text_blocks
from .pdf import pdf_blocks

#: file suffix -> format name; ``chipmate index`` ingests only these
FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".v": "verilog",
    ".sv": "verilog",
    ".vh": "verilog",
    ".svh": "verilog",
    ".tcl": "tcl",
    ".sdc": "tcl",
    ".py": "python",
}


LOADERS = {
    "markdown": markdown_blocks,
    "rst": rst_blocks,
    "text": text_blocks,
    "html": html_blocks,
    "verilog": verilog_blocks,
    "tcl": tcl_blocks,
    "python": python_blocks,
}


def detect_format(path: Path) -> str | None:
    """The format name of ``path`` from its suffix, or None when it is not a supported document."""
    return FORMATS.get(path.suffix.lower())


def load_blocks(path: Path, fmt: str | None = None) -> list[Block]:
    """Read ``path`` into blocks with its format's loader; InvalidInputError when it cannot be read."""
    fmt = fmt or detect_format(path)
    if fmt is None:
        raise InvalidInputError(
            f"{path}: unsupported file type {path.suffix!r}",
            hint=f"supported suffixes: {', '.join(sorted(FORMATS))}",
        )
    try:
        if fmt == "pdf":
            return pdf_blocks(path)
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read: {exc}") from exc
    return LOADERS[fmt](text)


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Supported files under ``paths`` (files as given, directories recursively, sorted, hidden ones skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
                if found.is_file() and not hidden and detect_format(found):
                    yield found
        elif path.is_file():
            yield path
        else:
            raise InvalidInputError(f"{path}: no such file or directory")


__all__ = [
    "FORMATS",
    "LOADERS",
    "Block",
    "detect_format",
    "html_blocks",
    "iter_documents",
    "load_blocks",
    "markdown_blocks",
    "pdf_blocks",
    "python_blocks",
    "rst_blocks",
    "tcl_blocks",
    "text_blocks",
    "verilog_blocks",
]
