"""The hostile-script corpus (benchmarks/data/hostile_scripts.jsonl), each layer of the sandbox on its own.

Every script is refused by the static checks alone. Issue 20's cases also run with the checks skipped and Landlock
forced off, so bubblewrap's namespaces alone must contain them, and through the whole stack with Landlock off.
benchmarks/hostile_scripts.py runs the whole corpus in every mode and reports escapes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from chipmate.plugins.scriptgen import isolation
from chipmate.plugins.scriptgen.checks import included_file_problems
from chipmate.plugins.scriptgen.opensta import OpenStaTool

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("hostile_scripts", ROOT / "benchmarks" / "hostile_scripts.py")
assert spec is not None and spec.loader is not None
hostile = importlib.util.module_from_spec(spec)
sys.modules["hostile_scripts"] = hostile
spec.loader.exec_module(hostile)

CORPUS = hostile.load_corpus()
ISSUE = [c for c in CORPUS if c["source"] == "issue 20"]
STA_MISSING = OpenStaTool().unavailable()


def test_the_corpus_holds_the_issue_cases_and_at_least_40_more():
    ids = [c["id"] for c in CORPUS]
    assert len(ids) == len(set(ids))
    assert len(ISSUE) >= 12 and len(CORPUS) - len(ISSUE) >= 40
    assert {c["tool"] for c in CORPUS} == {"yosys", "opensta"}


@pytest.fixture
def traps(tmp_path: Path):
    traps = hostile.Traps(tmp_path, tag="42")
    yield traps
    traps.close()


@pytest.fixture
def tools(yosys):
    return {"yosys": yosys, "opensta": OpenStaTool()}


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_the_static_checks_alone_refuse_every_hostile_script(case, traps, tools):
    script, files = traps.fill(case["script"]), hostile.files_of(case, traps)
    problems = tools[case["tool"]].check(script, files=files) + included_file_problems(files)
    assert problems, f"{case['id']} ({case['attack']}) passed the static checks"
    assert all(p.kind in ("unsafe", "syntax") for p in problems)


needs_isolation = pytest.mark.skipif(
    not isolation.probe().available, reason=f"no namespace isolation here: {isolation.probe().detail}"
)


@needs_isolation
@pytest.mark.parametrize(
    ("mode", "method"), [("namespaces-only", "bwrap"), ("namespaces-only", "unshare"), ("full-no-landlock", "")]
)
@pytest.mark.parametrize("case", ISSUE, ids=[c["id"] for c in ISSUE])
def test_issue_cases_do_not_escape_without_landlock(case, mode, method, traps, tools):
    if case["tool"] == "opensta" and STA_MISSING:
        pytest.skip(STA_MISSING)
    probe = {"bwrap": isolation.probe_bwrap, "unshare": isolation.probe_unshare}.get(method, isolation.probe)()
    if not probe.available:
        pytest.skip(probe.detail)
    result = hostile.run_case(case, mode, tools, timeout=5, traps=traps, isolation=method)
    assert result["escapes"] == [], result
    if mode == "full-no-landlock":
        assert result["refused"]
    else:
        assert "landlock: off" in result["confinement"]


@needs_isolation
def test_the_abc_starter_payload_runs_inside_and_reaches_nothing(traps, tools):
    """The issue's first case with the checks skipped: the shell runs, in the namespace, and finds nothing."""
    case = dict(next(c for c in ISSUE if c["id"] == "issue-abc-starter"))
    case["files"] = {**case["files"], "cmds.txt": "id\ncat {SECRET}\ntouch {CANARY}\nls /\n"}
    result = hostile.run_case(case, "namespaces-only", tools, timeout=20, traps=traps)
    assert result["ran"] and result["escapes"] == []
