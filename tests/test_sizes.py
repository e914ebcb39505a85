"""Size rules of the source (issue 21): no function over 80 lines, and no module over 400 lines unless its
docstring says why ("Over 400 lines on purpose: ..."). Generated code (``*_pb2*.py``, the ``v1/`` stubs) is exempt.

Long functions hide their phases and their state; a helper with a name says what each part does. A long module
can be one thing read best in one place, which is fine when it says so at its top.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ("sdk", "plugins", "trainer")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
REASON = "Over 400 lines"


def source_files() -> list[pathlib.Path]:
    """The hand-written Python files of the packages (generated protobuf and gRPC modules left out)."""
    files = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "v1" in relative.parts[:-1] or path.name.endswith(("_pb2.py", "_pb2_grpc.py")):
                continue
            files.append(path)
    return files


def long_functions(source: str) -> list[str]:
    """``name (line N, L lines)`` for every function or method of ``source`` longer than the limit."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{node.name} (line {node.lineno}, {length} lines)")
    return found


def unexplained_length(source: str) -> bool:
    """True when ``source`` is over the module limit and its docstring does not say why."""
    if source.count("\n") <= MAX_MODULE_LINES:
        return False
    return REASON not in (ast.get_docstring(ast.parse(source), clean=False) or "")


def function(name: str, lines: int, indent: str = "") -> str:
    """Source of a function ``lines`` long, its ``def`` line included."""
    return f"{indent}def {name}():\n" + f"{indent}    x = 1\n" * (lines - 1)


def test_the_checks_catch_what_they_are_for() -> None:
    assert long_functions(function("short", MAX_FUNCTION_LINES)) == []
    # methods and nested functions count too
    method = "class C:\n" + function("long", MAX_FUNCTION_LINES + 1, indent="    ")
    assert long_functions(method) == [f"long (line 2, {MAX_FUNCTION_LINES + 1} lines)"]
    padding = "x = 1\n" * MAX_MODULE_LINES
    assert unexplained_length(f'"""A module."""\n{padding}')
    assert not unexplained_length(f'"""A module.\n\n{REASON} on purpose: one thing."""\n{padding}')
    assert not unexplained_length(f'"""A module."""\n{padding[:-6]}')
    # the reason must be in the docstring, not merely somewhere in the file
    assert unexplained_length(f'"""A module."""\n# {REASON}\n{padding}')


def test_the_packages_are_scanned() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert "trainer/loop.py" in names and "sdk/host.py" in names
    assert not any(name.endswith("_pb2.py") for name in names)


@pytest.mark.parametrize("path", source_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_function_over_80_lines(path: pathlib.Path) -> None:
    assert long_functions(path.read_text(encoding="utf-8")) == [], "split into named helpers"


@pytest.mark.parametrize("path", source_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_long_modules_say_why(path: pathlib.Path) -> None:
    assert not unexplained_length(path.read_text(encoding="utf-8")), (
        f"{path.name} is over {MAX_MODULE_LINES} lines: split it, or end its docstring with "
        f'"{REASON} on purpose: <why>"'
    )
