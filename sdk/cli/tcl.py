"""JSON values as Tcl words, so a Tcl shell can ``dict get`` what ``chipmate call --format tcl`` prints."""

from __future__ import annotations

import re
from typing import Any

# Characters that make a word need quoting in Tcl.
_SPECIAL = re.compile(r'[\s{}\[\]$"\\;#]')


def tcl_word(text: str) -> str:
    """Quote ``text`` as one Tcl word."""
    if text and not _SPECIAL.search(text):
        return text
    if _braces_balanced(text) and not text.endswith("\\") and "\\\n" not in text:
        return "{" + text + "}"
    # Fall back to backslash-escaping every special character (always correct, less readable).
    return _SPECIAL.sub(_escape, text) or "{}"


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char, "\\" + char)


def _braces_balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "\\" and i + 1 < len(text):
            return False  # backslashes inside braces are kept literally but may escape a brace; avoid the case
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


def to_tcl(value: Any) -> str:
    """A JSON value as Tcl: objects become dicts, arrays lists, booleans 1/0, null the empty string."""
    if isinstance(value, dict):
        return " ".join(f"{tcl_word(str(k))} {_element(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_element(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return "{}"
    if isinstance(value, (int, float)):
        return repr(value)
    return tcl_word(str(value))


def _element(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return tcl_word(to_tcl(value)) if value else "{}"
    return to_tcl(value)
