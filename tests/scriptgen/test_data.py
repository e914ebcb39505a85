"""The shipped data: every seed record runs in Yosys; the development set is well formed, its references pass
their own checkers, and it shares no design and no instruction with the seed library."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from chipmate.plugins.scriptgen.evaluate import judge, load_tasks
from chipmate.plugins.scriptgen.library import DESIGNS_DIR, seed_records
from chipmate.plugins.scriptgen.opensta import OpenStaTool
from chipmate.plugins.scriptgen.prompt import verilog_design

from .conftest import DEV_TASKS

WORKERS = max(2, min(4, os.cpu_count() or 2))


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9_]+", text.lower()))


def test_seed_library_is_large_varied_and_well_formed():
    records = [r for r in seed_records() if r.tool == "yosys"]
    assert len(records) >= 150
    assert len({r.id for r in seed_records()}) == len(seed_records())
    assert len({r.instruction for r in records}) == len(records)
    designs = {f["name"] for r in records for f in r.files if f["name"].endswith(".v")}
    assert len(designs) >= 10
    levels = Counter(r.level for r in records)
    assert min(levels["easy"], levels["medium"], levels["hard"]) >= 30
    commands = {word for r in records for word in r.script.split()}
    assert {
        "read_verilog",
        "hierarchy",
        "proc",
        "opt",
        "fsm",
        "memory",
        "techmap",
        "synth",
        "abc",
        "flatten",
        "stat",
        "check",
        "write_verilog",
        "write_json",
        "write_blif",
        "write_rtlil",
        "dfflibmap",
        "tee",
        "equiv_make",
    } <= commands
    assert all(f["content"] for r in records for f in r.files)


def test_the_training_corpus_reads_the_seed_library():
    from chipmate.host import Host
    from chipmate.trainer.recipes.corpus import scriptgen_docs

    # through scriptgen's offer of documents: the recipe imports no plugin
    docs = list(scriptgen_docs(Host().training_data))
    records = seed_records()
    assert len(docs) == len(records) and {d.group for d in docs} == {"scriptgen"}
    assert docs[0].text == f"# {records[0].instruction}\n{records[0].script}"


@pytest.mark.slow
@pytest.mark.timeout(3600)  # ~1,000 records at ~1 s each over WORKERS processes; the default 300 s is too short
def test_every_seed_record_runs_in_yosys(yosys):
    records = [r for r in seed_records() if r.tool == "yosys"]
    assert len(records) >= 900

    def run(record):
        return record, yosys.run(record.script, files={f["name"]: f["content"] for f in record.files}, timeout=120)

    with ThreadPoolExecutor(WORKERS) as pool:
        failed = [(r.id, run.error) for r, run in pool.map(run, records) if not run.ok or not run.outputs]
    assert failed == []


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
@pytest.mark.timeout(1800)
def test_every_opensta_seed_record_runs_in_sta():
    tool = OpenStaTool()
    records = [r for r in seed_records() if r.tool == "opensta"]
    assert len(records) >= 200

    def run(record):
        return record, tool.run(record.script, files={f["name"]: f["content"] for f in record.files}, timeout=120)

    with ThreadPoolExecutor(WORKERS) as pool:
        failed = [(r.id, run.error) for r, run in pool.map(run, records) if not run.ok or not run.outputs]
    assert failed == []


def test_development_set_is_well_formed():
    tasks = load_tasks(DEV_TASKS)
    assert len(tasks) >= 40
    counts = Counter(t.level for t in tasks)
    assert counts["easy"] >= 12 and counts["medium"] >= 12 and counts["hard"] >= 12
    assert len({t.id for t in tasks}) == len(tasks)
    assert all(t.checker or t.expect for t in tasks)


def test_development_set_shares_no_design_and_no_instruction_with_the_seed():
    tasks = load_tasks(DEV_TASKS)
    seeds = seed_records()
    # Harvested designs (seed/designs/yosys/) count too.
    seed_files = {p.name for p in DESIGNS_DIR.rglob("*") if p.is_file()}
    dev_files = {f["name"] for t in tasks for f in t.files}
    assert not seed_files & dev_files
    seed_modules = set(
        verilog_design([{"name": p.name, "content": p.read_text()} for p in DESIGNS_DIR.rglob("*.*v")]).modules
    )
    dev_modules = set(verilog_design([f for t in tasks for f in t.files]).modules)
    assert len(dev_modules) >= 10 and not seed_modules & dev_modules
    seed_instructions = {r.instruction for r in seeds}
    for task in tasks:
        assert task.instruction not in seed_instructions
        # No near copy either: at most 60% of a dev instruction's words in any one seed instruction's words.
        mine = words(task.instruction)
        closest = max(len(mine & words(r.instruction)) / len(mine) for r in seeds)
        assert closest < 0.6, task.id


@pytest.mark.slow
def test_every_development_task_is_solvable_and_its_checker_accepts_the_reference(yosys):
    import json

    references = {json.loads(line)["id"]: json.loads(line)["reference"] for line in DEV_TASKS.read_text().splitlines()}
    tasks = load_tasks(DEV_TASKS)

    def run(task):
        return task.id, judge(task, references[task.id], yosys, timeout=120)

    with ThreadPoolExecutor(WORKERS) as pool:
        failed = [(tid, why) for tid, (ok, why) in pool.map(run, tasks) if not ok]
    assert failed == []


@pytest.mark.slow
def test_development_checkers_reject_scripts_that_skip_the_work(yosys):
    # Reading the RTL and writing each named output without doing the work must fail every checker (they test
    # the work, not the file's existence), except where reading and writing is the whole task.
    tasks = load_tasks(DEV_TASKS)

    def lazy(task):
        verilog = [f["name"] for f in task.files if f["name"].endswith(".v")]
        outputs = re.findall(r"\b[\w.-]+\.(?:v|json|blif|il|edif|txt)\b", task.instruction)
        outputs = [o for o in outputs if o not in verilog]
        writers = {".v": "write_verilog", ".json": "write_json", ".blif": "write_blif", ".il": "write_rtlil"}
        script = f"read_verilog {' '.join(verilog)}\n" + "".join(
            f"{writers[o[o.rfind('.') :]]} {o}\n" if o[o.rfind(".") :] in writers else f"tee -o {o} stat\n"
            for o in outputs
        )
        return task.id, judge(task, script, yosys, timeout=120)[0]

    with ThreadPoolExecutor(WORKERS) as pool:
        passed = {tid for tid, ok in pool.map(lazy, tasks) if ok}
    assert passed == {"barrel-json"}  # "Dump barrel.v to barrel.json, no synthesis needed"
