"""The second development set (benchmarks/data/scriptgen_dev2.jsonl): well formed, apart from the seed library and
the first set, and every checker validated both ways against the real tools: the task's reference script passes
it, and its plausible wrong script (a missed option, another format, a step left out) fails it."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from chipmate.plugins.scriptgen.evaluate import judge, load_tasks
from chipmate.plugins.scriptgen.library import DESIGNS_DIR, seed_records
from chipmate.plugins.scriptgen.opensta import OpenStaTool
from chipmate.plugins.scriptgen.prompt import verilog_design

from .conftest import DEV_TASKS

DEV2_TASKS = DEV_TASKS.with_name("scriptgen_dev2.jsonl")
WORKERS = max(2, min(4, os.cpu_count() or 2))
ROWS = [json.loads(line) for line in DEV2_TASKS.read_text().splitlines() if line.strip()]


def test_second_development_set_is_large_and_covers_both_tools():
    tasks = load_tasks(DEV2_TASKS)
    assert len(tasks) >= 80 and len({t.id for t in tasks}) == len(tasks)
    assert all(t.checker or t.expect for t in tasks)
    assert all(row.get("reference") and row.get("wrong") and row["reference"] != row["wrong"] for row in ROWS)
    levels = Counter(t.level for t in tasks)
    assert min(levels["easy"], levels["medium"], levels["hard"]) >= 12
    assert Counter(t.tool for t in tasks)["opensta"] >= 8
    # One or more requests per command family of Yosys's documentation (and the vendor flows).
    used = {word for row in ROWS if row["tool"] == "yosys" for word in row["reference"].split()}
    for family in (
        {"write_json", "write_blif", "write_edif", "write_rtlil", "write_btor", "write_smt2", "write_aiger"},
        {"flatten", "chparam", "rename"},
        {"fsm", "fsm_detect", "fsm_extract", "fsm_export"},
        {"memory", "memory_collect"},
        {"techmap", "dfflibmap", "abc", "muxcover", "tribuf", "iopadmap", "extract_fa", "dfflegalize", "aigmap"},
        {"equiv_opt", "sat", "sim", "eval", "miter", "equiv_make"},
        {"setattr", "splitnets", "check", "ls", "portlist", "ltp", "scc", "copy", "add", "select"},
        {"synth_ice40", "synth_ecp5", "synth_xilinx", "synth_gowin", "synth_gatemate"},
    ):
        assert family <= used, family - used


def test_second_development_set_shares_no_design_and_no_instruction_with_the_library_or_the_first_set():
    tasks = load_tasks(DEV2_TASKS)
    others = [(r.instruction, r.files) for r in seed_records()]
    others += [(t.instruction, t.files) for t in load_tasks(DEV_TASKS)]
    other_files = {p.name for p in DESIGNS_DIR.iterdir()} | {f["name"] for _, files in others for f in files}
    assert not other_files & {f["name"] for t in tasks for f in t.files}
    other_modules = set(verilog_design([f for _, files in others for f in files]).modules)
    mine = set(verilog_design([f for t in tasks for f in t.files]).modules)
    assert len(mine) >= 9 and not other_modules & mine
    instructions = {text for text, _ in others}
    assert not instructions & {t.instruction for t in tasks}


def _judged(rows, tool, key):
    tasks = {t.id: t for t in load_tasks(DEV2_TASKS)}

    def run(row):
        return row["id"], judge(tasks[row["id"]], row[key], tool, timeout=120)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(run, rows))


@pytest.mark.slow
def test_every_yosys_checker_accepts_its_reference_and_rejects_the_wrong_script(yosys):
    rows = [row for row in ROWS if row["tool"] == "yosys"]
    references = _judged(rows, yosys, "reference")
    assert {tid: why for tid, (ok, why) in references.items() if not ok} == {}
    wrong = _judged(rows, yosys, "wrong")
    assert [tid for tid, (ok, _) in wrong.items() if ok] == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
def test_every_opensta_checker_accepts_its_reference_and_rejects_the_wrong_script():
    rows = [row for row in ROWS if row["tool"] == "opensta"]
    tool = OpenStaTool()
    references = _judged(rows, tool, "reference")
    assert {tid: why for tid, (ok, why) in references.items() if not ok} == {}
    wrong = _judged(rows, tool, "wrong")
    assert [tid for tid, (ok, _) in wrong.items() if ok] == []
