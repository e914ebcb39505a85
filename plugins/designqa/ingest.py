"""Ingestion: read documents of each supported format into blocks, then pack blocks into citable chunks.

A loader turns one file into :class:`Block` objects — a paragraph, a code block, a list, a page — each carrying
its section path (the headings above it) and its line range, so a chunk can always be cited back to
``source``, ``section`` and lines. The chunker then packs consecutive blocks of one section into passages of at
most ``chunk_size`` characters (ChipNeMo used ~512), never across a heading and never splitting a code block
unless it alone is too long (then only between lines).
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chipmate.errors import InvalidInputError

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


@dataclass
class Block:
    """A unit of a document that the chunker keeps whole when it can."""

    text: str
    section: str = ""
    start_line: int = 0
    end_line: int = 0
    #: code blocks are split only between lines, and never have their whitespace reflowed
    code: bool = False


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

    def embedding_text(self) -> str:
        """What the embedder sees: the section path first, so a passage far below its heading keeps its topic."""
        return f"{self.section}\n{self.text}" if self.section else self.text

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
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


def content_key(text: str) -> str:
    """Hash of a passage with whitespace and case folded: equal keys are duplicates."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def chunk_id(source: str, section: str, text: str) -> str:
    """Stable id of a chunk: the same passage of the same file keeps its id across rebuilds and machines."""
    digest = hashlib.sha1(f"{source}\x00{section}\x00{' '.join(text.split())}".encode()).hexdigest()
    return digest[:16]


# -- loaders ----------------------------------------------------------------------------------------------------


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


def _paragraphs(lines: list[str], first_line: int, section: str) -> Iterator[Block]:
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


_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _section(stack: list[tuple[int, str]]) -> str:
    return " > ".join(title for _, title in stack)


def markdown_blocks(text: str) -> list[Block]:
    """Markdown: ATX and setext headings set the section; fenced code blocks stay whole."""
    lines = text.splitlines()
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    pending_start = 1
    i = 0

    def flush(upto: int) -> None:
        nonlocal pending
        if pending:
            blocks.extend(_paragraphs(pending, pending_start, _section(stack)))
        pending = []

    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        heading = _ATX.match(line)
        setext = (
            i + 1 < len(lines)
            and line.strip()
            and not pending_has_text(pending)
            and re.fullmatch(r" {0,3}(=+|-+)\s*", lines[i + 1])
            and not fence
        )
        if fence:
            flush(i)
            marker = fence.group(1)
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith(marker):
                end += 1
            body = "\n".join(lines[i : end + 1])
            blocks.append(Block(body, _section(stack), i + 1, min(end, len(lines) - 1) + 1, code=True))
            i = end + 1
            pending_start = i + 1
            continue
        if heading or setext:
            flush(i)
            level = len(heading.group(1)) if heading else (1 if lines[i + 1].strip()[0] == "=" else 2)
            title = heading.group(2) if heading else line.strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            i += 1 if heading else 2
            pending_start = i + 1
            continue
        if not pending:
            pending_start = i + 1
        pending.append(line)
        i += 1
    flush(len(lines))
    return blocks


def pending_has_text(pending: list[str]) -> bool:
    """True when the paragraph being collected already has a line (a setext underline needs a lone title)."""
    return bool(pending and pending[-1].strip())


_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.<>_!$%&,;?@\\|/])\1{2,}\s*$")


def rst_blocks(text: str) -> list[Block]:
    """reStructuredText: underlined (optionally overlined) titles set the section, levels in order of first
    appearance; literal blocks after ``::`` and ``.. code-block::`` directives stay whole."""
    lines = text.splitlines()
    blocks: list[Block] = []
    levels: list[str] = []
    stack: list[tuple[int, str]] = []
    i = 0
    pending: list[str] = []
    pending_start = 1

    def flush() -> None:
        nonlocal pending
        if pending:
            blocks.extend(_paragraphs(pending, pending_start, _section(stack)))
        pending = []

    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        over = _RST_ADORNMENT.match(line)
        # Overlined title: adornment, title, adornment.
        if over and i + 2 < len(lines) and lines[i + 1].strip() and _RST_ADORNMENT.match(lines[i + 2]):
            key, title, skip = "o" + over.group(1), lines[i + 1].strip(), 3
        elif (
            line.strip()
            and not line.startswith(" ")
            and _RST_ADORNMENT.match(nxt)
            and len(nxt.strip()) >= len(line.strip())
            and not pending_has_text(pending)
        ):
            key, title, skip = "u" + nxt.strip()[0], line.strip(), 2
        else:
            key = ""
        if key:
            flush()
            if key not in levels:
                levels.append(key)
            level = levels.index(key)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            i += skip
            pending_start = i + 1
            continue
        literal = line.rstrip().endswith("::") or line.lstrip().startswith(".. code")
        if literal:
            # The introducing line belongs to the code block so its language/caption travels with it.
            if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
                pending.append(line)
                flush()
                start = i + 1
            else:
                flush()
                start = i
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "\t"))):
                end += 1
            while end - 1 > start and not lines[end - 1].strip():
                end -= 1
            body = "\n".join(lines[start:end]).strip("\n")
            if body.strip():
                blocks.append(Block(body, _section(stack), start + 1, end, code=True))
            i = end
            pending_start = i + 1
            continue
        if not pending:
            pending_start = i + 1
        pending.append(line)
        i += 1
    flush()
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Plain text: blank-line separated paragraphs, no sections."""
    return list(_paragraphs(text.splitlines(), 1, ""))


_HTML_BLOCKS = ("p", "pre", "li", "dt", "dd", "blockquote", "td", "th", "figcaption", "caption")


def html_blocks(text: str) -> list[Block]:
    """HTML: h1–h6 set the section; paragraphs, list items, table cells and ``<pre>`` become blocks.
    Line numbers come from the parser's source positions."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    root = soup.body or soup
    for tag in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", *_HTML_BLOCKS]):
        line = tag.sourceline or 0
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            level = int(tag.name[1])
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, " ".join(tag.get_text(" ").split())))
            continue
        # A paragraph inside a list item (or a cell inside a cell) is emitted by its outermost block only.
        if tag.find_parent(_HTML_BLOCKS):
            continue
        if tag.name == "pre":
            body = tag.get_text().strip("\n")
            code = True
        else:
            body = " ".join(tag.get_text(" ").split())
            code = False
        if body.strip():
            end = line + body.count("\n") if code else line
            blocks.append(Block(body, _section(stack), line, end, code=code))
    return blocks


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
        found = list(_paragraphs(lines, 1, f"page {number}"))
        blocks.extend(found)
    return blocks


_VERILOG_UNIT = re.compile(r"^\s*(module|macromodule|interface|package|class|program)\s+(\w+)")
_VERILOG_END = re.compile(r"^\s*end(module|interface|package|class|program)\b")
_TCL_UNIT = re.compile(r"^\s*proc\s+(\S+)")


def _code_units(lines: list[str], starts: list[tuple[int, int, str]]) -> list[Block]:
    """Blocks for source units given as (first line index, last line index, section); comment lines right
    above a unit belong to it, and code between units becomes blocks of the file's top level."""
    blocks: list[Block] = []
    cursor = 0
    for first, last, section in starts:
        head = first
        while head > cursor and lines[head - 1].strip().startswith(("#", "//", "/*", "*")):
            head -= 1
        if any(line.strip() for line in lines[cursor:head]):
            blocks.extend(_loose_code(lines, cursor, head))
        blocks.append(Block("\n".join(lines[head : last + 1]), section, head + 1, last + 1, code=True))
        cursor = last + 1
    if any(line.strip() for line in lines[cursor:]):
        blocks.extend(_loose_code(lines, cursor, len(lines)))
    return blocks


def _loose_code(lines: list[str], begin: int, end: int) -> list[Block]:
    """Top-level code between units, as blank-line separated code blocks."""
    return [
        Block(b.text, "", b.start_line, b.end_line, code=True) for b in _paragraphs(lines[begin:end], begin + 1, "")
    ]


def verilog_blocks(text: str) -> list[Block]:
    """Verilog/SystemVerilog: one unit per module (interface, package, ...), named in the section."""
    lines = text.splitlines()
    units: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        match = _VERILOG_UNIT.match(lines[i])
        if match:
            end = i
            while end < len(lines) - 1 and not _VERILOG_END.match(lines[end]):
                end += 1
            units.append((i, end, f"{match.group(1)} {match.group(2)}"))
            i = end + 1
        else:
            i += 1
    return _code_units(lines, units)


def tcl_blocks(text: str) -> list[Block]:
    """Tcl: one unit per ``proc``, ended by its matching closing brace."""
    lines = text.splitlines()
    units: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        match = _TCL_UNIT.match(lines[i])
        if match:
            depth, end = 0, i
            for end in range(i, len(lines)):
                depth += lines[end].count("{") - lines[end].count("}")
                if (depth <= 0 and end > i) or (depth == 0 and "{" in lines[i] and end == i):
                    break
            units.append((i, end, f"proc {match.group(1)}"))
            i = end + 1
        else:
            i += 1
    return _code_units(lines, units)


def python_blocks(text: str) -> list[Block]:
    """Python: one unit per top-level function or class (from the ``ast``); falls back to paragraphs when the
    file does not parse."""
    lines = text.splitlines()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return _loose_code(lines, 0, len(lines))
    units = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            kind = "class" if isinstance(node, ast.ClassDef) else "def"
            units.append((first, (node.end_lineno or node.lineno) - 1, f"{kind} {node.name}"))
    doc = ast.get_docstring(tree)
    blocks = _code_units(lines, units)
    if doc:
        # The module docstring is prose; mark it as such so it is chunked by sentences, not lines.
        for block in blocks:
            if block.start_line == 1 and not block.section:
                block.code = False
                break
    return blocks


LOADERS = {
    "markdown": markdown_blocks,
    "rst": rst_blocks,
    "text": text_blocks,
    "html": html_blocks,
    "verilog": verilog_blocks,
    "tcl": tcl_blocks,
    "python": python_blocks,
}


# -- chunking ---------------------------------------------------------------------------------------------------

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
    blocks: Iterable[Block], source: str, *, chunk_size: int = 512, chunk_overlap: int = 64, fmt: str = ""
) -> list[Chunk]:
    """Pack ``blocks`` into chunks of at most ``chunk_size`` characters that never span two sections."""
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
                    id=chunk_id(source, section, text),
                    text=text,
                    source=source,
                    section=section,
                    start_line=group[0].start_line,
                    end_line=max(b.end_line for b in group),
                    format=fmt,
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


def dedupe(chunks: Iterable[Chunk], seen: set[str] | None = None) -> list[Chunk]:
    """Drop chunks whose text (whitespace and case folded) was already seen, keeping the first occurrence."""
    seen = set() if seen is None else seen
    kept = []
    for chunk in chunks:
        key = content_key(chunk.text)
        if key not in seen:
            seen.add(key)
            kept.append(chunk)
    return kept
