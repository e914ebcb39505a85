"""Size rules of the source (issue 21): no function over 80 lines, no module over 400 lines unless its
docstring says why ("Over 400 lines on purpose: ..."), and no module constant bound twice. Generated code
(``*_pb2*.py``, the ``v1/`` stubs) is exempt.

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


def rebound_constants(source: str) -> list[str]:
    """The module-level UPPER_CASE names ``source`` binds more than once: in a long module a second definition
    silently replaces the first for every use above it (a scriptgen rule once did so to ``FINE_CELL``, and the
    synthesized check stopped accepting ``$lut`` cells)."""
    seen: dict[str, int] = {}
    for node in ast.parse(source).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                seen[target.id] = seen.get(target.id, 0) + 1
    return sorted(name for name, count in seen.items() if count > 1)


def test_rebound_constants_are_found() -> None:
    assert rebound_constants("A = 1\nB = 2\nA = 3\n") == ["A"]
    assert rebound_constants("A = 1\nx = 2\nx = 3\ndef f():\n    A = 4\n") == []


@pytest.mark.parametrize("path", source_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_constant_is_bound_twice(path: pathlib.Path) -> None:
    assert rebound_constants(path.read_text(encoding="utf-8")) == [], "give the second constant its own name"
