"""The PDF loader (pypdf, imported on use)."""

from __future__ import annotations

from pathlib import Path

from chipmate.errors import InvalidInputError

from .base import Block, paragraphs


def pdf_blocks(path: Path) -> list[Block]:
    """PDF (pypdf): each page's text as paragraphs; the section is the page number, lines count within it."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable PDF: {exc}") from exc
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        if not any(line.strip() for line in lines):
            continue
        # PDF text has no reliable blank lines between paragraphs; keep a page's lines together and let the
        # chunker split them at sentence boundaries.
        found = list(paragraphs(lines, 1, f"page {number}"))
        blocks.extend(found)
    return blocks
