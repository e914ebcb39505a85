"""Loaders of source code: Verilog/SystemVerilog, Tcl (and SDC) and Python, one block per unit (module,
proc, function or class) with the comments right above it."""

from __future__ import annotations

import ast
import re

from .base import Block, paragraphs

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
    return [Block(b.text, "", b.start_line, b.end_line, code=True) for b in paragraphs(lines[begin:end], begin + 1, "")]


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
