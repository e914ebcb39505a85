"""Tcl values both ways: JSON values as Tcl words (``chipmate call --format tcl``, the bridge's replies), and Tcl
words read back into JSON values typed by a task's input schema (the bridge's requests).

Tcl has one type, the string: ``retrieval_only true`` and ``top_k 3`` arrive as the strings "true" and "3". The
task's JSON schema says what they are, so :func:`from_tcl` reads each word as the type its schema names (booleans in
any of Tcl's spellings, integers, numbers, nested dicts and lists), and a word that cannot be one gets an
InvalidInputError naming the field. Lists are split with Tcl's own rules (:func:`split_list`), so whatever a Tcl
script builds with ``list`` and ``dict create`` arrives intact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInputError

# Characters that make a word need quoting in Tcl.
_SPECIAL = re.compile(r'[\s{}\[\]$"\\;#]')
# What a one-line word escapes: the specials above and every control character (a raw newline would end the line,
# a raw carriage return too where the reader translates line endings).
_LINE_SPECIAL = re.compile(r'[\s{}\[\]$"\\;#\x00-\x1f\x7f]')


def tcl_word(text: str) -> str:
    """Quote ``text`` as one Tcl word."""
    if text and not _SPECIAL.search(text):
        return text
    if _braces_balanced(text) and not text.endswith("\\") and "\\\n" not in text:
        return "{" + text + "}"
    # Fall back to backslash-escaping every special character (always correct, less readable).
    return _SPECIAL.sub(_escape, text) or "{}"


def line_word(text: str) -> str:
    """Quote ``text`` as one Tcl word on one line: every special and control character backslash-escaped.

    Reading the line back as a Tcl list gives ``text`` exactly, so any value (even one holding newlines) fits one
    line of a line-based pipe.
    """
    if not text:
        return "{}"
    return _LINE_SPECIAL.sub(_escape, text)


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04x}"
    return "\\" + char


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


# -- reading Tcl --------------------------------------------------------------------------------------------------

# Tcl's list separators: ASCII white space only (Tcl does not split on other Unicode spaces).
_TCL_SPACE = " \t\n\v\f\r"
_SIMPLE_BACKSLASH = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX = "0123456789abcdefABCDEF"


def _backslash(text: str, i: int) -> tuple[str, int]:
    """Tcl's backslash substitution of the sequence at ``text[i] == '\\'``: the character(s) and the next index."""
    if i + 1 >= len(text):
        return "\\", i + 1
    char = text[i + 1]
    if char in _SIMPLE_BACKSLASH:
        return _SIMPLE_BACKSLASH[char], i + 2
    if char in "xuU":
        limit = {"x": 2, "u": 4, "U": 8}[char]
        j = i + 2
        while j < len(text) and j - (i + 2) < limit and text[j] in _HEX:
            j += 1
        if j == i + 2:
            return char, i + 2  # no digits: the letter itself, as Tcl does
        code = int(text[i + 2 : j], 16)
        return (chr(code) if code <= 0x10FFFF else "\ufffd"), j
    if char in "01234567":
        j = i + 1
        while j < len(text) and j - (i + 1) < 3 and text[j] in "01234567":
            j += 1
        return chr(int(text[i + 1 : j], 8) & 0xFF), j
    if char == "\n":
        # Backslash-newline and the white space after it become one space.
        j = i + 2
        while j < len(text) and text[j] in " \t":
            j += 1
        return " ", j
    return char, i + 2


def split_list(text: str) -> list[str]:
    """Split ``text`` into its elements with Tcl's list rules (what ``lindex``/``foreach`` see).

    Raises InvalidInputError for text that is not a well-formed Tcl list (an unmatched brace or quote).
    """
    elements: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _TCL_SPACE:
            i += 1
        if i >= n:
            return elements
        if text[i] == "{":
            depth, j = 1, i + 1
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth:
                raise InvalidInputError(f"not a Tcl list: unmatched open brace in {_clip(text)}")
            elements.append(text[i + 1 : j])
            i = j + 1
            if i < n and text[i] not in _TCL_SPACE:
                raise InvalidInputError(f"not a Tcl list: a braced element is followed by {text[i]!r} in {_clip(text)}")
        elif text[i] == '"':
            out, j = [], i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    piece, j = _backslash(text, j)
                    out.append(piece)
                else:
                    out.append(text[j])
                    j += 1
            if j >= n:
                raise InvalidInputError(f"not a Tcl list: unmatched open quote in {_clip(text)}")
            elements.append("".join(out))
            i = j + 1
            if i < n and text[i] not in _TCL_SPACE:
                raise InvalidInputError(f"not a Tcl list: a quoted element is followed by {text[i]!r} in {_clip(text)}")
        else:
            out, j = [], i
            while j < n and text[j] not in _TCL_SPACE:
                if text[j] == "\\":
                    piece, j = _backslash(text, j)
                    out.append(piece)
                else:
                    out.append(text[j])
                    j += 1
            elements.append("".join(out))
            i = j


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# Tcl's boolean spellings (``string is boolean``), case-insensitive.
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_INTEGER = re.compile(r"[+-]?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)", re.I)

# The order in which a value whose schema allows several types is tried: the most particular first, so "1" with
# ["integer", "string"] is the number and "abc" falls through to the string.
_TYPE_ORDER = ["null", "boolean", "integer", "number", "object", "array", "string"]


def from_tcl(text: str, schema: Mapping[str, Any] | bool | None, where: str = "input") -> Any:
    """The Tcl word ``text`` as the JSON value ``schema`` describes; ``where`` names the field in errors.

    A schema that says nothing about the type (absent, ``true``, ``{}``) leaves the word a string; the server's
    own validation then reports whatever is wrong with it.
    """
    if not isinstance(schema, Mapping):
        return text
    for key in ("anyOf", "oneOf"):
        if key in schema:
            problems = []
            for option in schema[key]:
                try:
                    return from_tcl(text, option, where)
                except InvalidInputError as exc:
                    problems.append(exc.message)
            raise InvalidInputError("; ".join(problems) or f"{where}: no schema matches {_clip(text)}")
    if "allOf" in schema and "type" not in schema:
        for option in schema["allOf"]:
            if isinstance(option, Mapping) and "type" in option:
                return from_tcl(text, option, where)
    types = _types_of(schema)
    if not types:
        return text
    first: InvalidInputError | None = None
    for kind in sorted(types, key=lambda t: _TYPE_ORDER.index(t) if t in _TYPE_ORDER else len(_TYPE_ORDER)):
        try:
            return _as_type(kind, text, schema, where)
        except InvalidInputError as exc:
            first = first or exc
    assert first is not None
    raise first


def _types_of(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values:  # an enum of one kind of value: read the word as that kind
        kinds = {_json_type(v) for v in values}
        return sorted(kinds)
    return []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def _as_type(kind: str, text: str, schema: Mapping[str, Any], where: str) -> Any:
    if kind == "string":
        return text
    if kind == "boolean":
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise InvalidInputError(f"{where}: expected a boolean (1/0, true/false, yes/no, on/off), got {_clip(text)}")
    if kind == "integer":
        word = text.strip()
        if _INTEGER.fullmatch(word):
            return int(word, 0) if not re.fullmatch(r"[+-]?0[0-9]+", word) else int(word, 10)
        raise InvalidInputError(f"{where}: expected an integer, got {_clip(text)}")
    if kind == "number":
        word = text.strip()
        if _INTEGER.fullmatch(word):
            return _as_type("integer", word, schema, where)
        try:
            number = float(word)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
        raise InvalidInputError(f"{where}: expected a number, got {_clip(text)}")
    if kind == "null":
        if text.strip() == "":
            return None
        raise InvalidInputError(f"{where}: expected an empty value (null), got {_clip(text)}")
    if kind == "object":
        return object_from_tcl(text, schema, where)
    if kind == "array":
        items = schema.get("items")
        return [from_tcl(item, items, f"{where}[{i}]") for i, item in enumerate(split_list(text))]
    return text


def object_from_tcl(text: str, schema: Mapping[str, Any] | None, where: str = "input") -> dict[str, Any]:
    """A Tcl dict (``key value ...``) as a JSON object, each value typed by its property's schema."""
    words = split_list(text)
    if len(words) % 2:
        raise InvalidInputError(
            f"{where}: expected a Tcl dict (key value ...), got an odd number of words ({len(words)})",
            hint="pass key value pairs, e.g. [dict create text hello]",
        )
    schema = schema or {}
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, value in zip(words[::2], words[1::2], strict=True):
        field = f"{key}" if where == "input" else f"{where}.{key}"
        out[key] = from_tcl(value, properties.get(key, extra if isinstance(extra, Mapping) else None), field)
    return out
