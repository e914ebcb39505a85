"""Every ``# type: ignore[...]`` and ``# noqa: ...`` in the repository says why, so a reader can tell a deliberate
exception from a silenced bug. ruff's PGH003/PGH004 make each name its rule; this test makes each give a reason:
``# noqa: B018 - collecting is the point`` or ``# type: ignore[attr-defined]  # peft adds it at runtime``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r"#\s*(?:type:\s*ignore(?:\[[^\]]*\])?|noqa(?::\s*[A-Z0-9]+(?:\s*,\s*[A-Z0-9]+)*)?)")
# After the directive: " - reason" or "  # reason" (a second comment), with some words in it.
REASON = re.compile(r"^\s*(?:-|#)\s*\w[^#]{2,}")
GENERATED = ("sdk/v1/", "_pb2.py", "_pb2_grpc.py", "_pb2.pyi", "_pb2_grpc.pyi")


def ignores_without_reason(lines: list[tuple[str, int, str]]) -> list[str]:
    """``path:line`` of every ignore directive in ``lines`` (path, number, text) that gives no reason."""
    bad = []
    for path, number, text in lines:
        for match in DIRECTIVE.finditer(text):
            rest = text[match.end() :]
            if not REASON.match(rest) and not DIRECTIVE.match(rest.strip()):
                bad.append(f"{path}:{number}: {text.strip()}")
    return bad


def test_every_ignore_gives_its_reason():
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.pyi"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    lines = [
        (name, number, text)
        for name in files
        if not any(marker in name for marker in GENERATED) and name != "tests/test_ignores.py"
        for number, text in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if "ignore" in text or "noqa" in text
    ]
    assert lines, "found no files to check"
    bad = ignores_without_reason(lines)
    assert not bad, "ignores without a reason (add ' - why' or '  # why'):\n" + "\n".join(bad)


def test_the_check_tells_a_reason_from_none():
    samples = [
        ("a.py", 1, "x = 1  # noqa: B018 - collecting is the point"),
        ("a.py", 2, "x = f()  # type: ignore[attr-defined]  # peft adds it"),
        ("a.py", 3, "x = 1  # noqa: B018"),
        ("a.py", 4, "x = f()  # type: ignore[no-any-return]"),
        ("a.py", 5, "x = f()  # type: ignore[misc]  # noqa: E501 - both, each with a reason"),
    ]
    assert ignores_without_reason(samples) == [
        "a.py:3: x = 1  # noqa: B018",
        "a.py:4: x = f()  # type: ignore[no-any-return]",
    ]
