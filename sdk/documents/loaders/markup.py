"""Loaders of prose formats: Markdown, reStructuredText, plain text and HTML.

Headings set each block's section path, so a chunk can be cited back to its section and lines; code blocks
(fenced, literal, ``<pre>``) stay whole.
"""

from __future__ import annotations

import re

from .base import Block, paragraphs

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

    def flush() -> None:
        nonlocal pending
        if pending:
            blocks.extend(paragraphs(pending, pending_start, _section(stack)))
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
            flush()
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
            flush()
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
    flush()
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
            blocks.extend(paragraphs(pending, pending_start, _section(stack)))
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
    return list(paragraphs(text.splitlines(), 1, ""))


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
