"""The harvester that grows the seed library from other projects' scripts: conversion of a Yosys test script into
self-contained sections, the mapping of OpenSTA test commands onto the seed netlists, the rules that review an
instruction, and the shipped harvest itself (provenance, licence, size, coverage)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from chipmate.plugins.scriptgen.harvest import (
    Candidate,
    GitTree,
    Netlist,
    YosysConverter,
    map_sta_line,
    review,
    rule_instruction,
    validate,
)
from chipmate.plugins.scriptgen.library import DESIGNS_DIR, HARVEST_FILE, SEED_FILE, read_jsonl, seed_records

TEST_YS = """\
# a Yosys test: two sections, a here-document, a shared design, assertions and logging
read_verilog <<EOT
module inv_top(input a, output y); assign y = ~a; endmodule
EOT
proc
opt_expr   # fold constants
select -assert-count 1 t:$not
log checked
design -reset
read_verilog ../common/and_top.v
hierarchy -top and_top
cd and_top
synth
select -assert-min 1 t:$_AND_
write_verilog /dev/null
"""
AND_TOP = "module and_top(input a, b, output y); assign y = a & b; endmodule\n"


def make_mirror(root: Path, files: dict[str, str]) -> GitTree:
    """A git repository holding ``files`` (path -> text), read as the harvester reads a mirror."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "tests"], check=True)
    return GitTree(root / ".git")


@pytest.fixture
def mirror(tmp_path) -> GitTree:
    """Laid out like Yosys's tests: a script and a design it reads from ../common."""
    return make_mirror(tmp_path / "repo", {"tests/demo/two_parts.ys": TEST_YS, "tests/common/and_top.v": AND_TOP})


def test_a_yosys_test_script_becomes_self_contained_sections(mirror):
    store: dict[str, str] = {}
    first, second = YosysConverter(mirror, "tests/demo/two_parts.ys", store).candidates()

    # The here-document became a file the script reads; assertions, logging and comments are gone; a writer
    # was added because the section wrote nothing.
    assert first.files == {"two_parts.v": "module inv_top(input a, output y); assign y = ~a; endmodule\n"}
    lines = first.script.splitlines()
    assert lines[:3] == ["read_verilog two_parts.v", "proc", "opt_expr"]
    assert len(lines) == 4 and lines[3].split()[0] in ("write_rtlil", "write_json", "tee", "write_verilog")
    assert first.outputs() and first.outputs()[0].startswith("two_parts_1")

    # The design read from another directory was copied under its plain name; `cd` and the write to /dev/null
    # (a test's way to exercise a writer) were dropped.
    assert second.files == {"and_top.v": AND_TOP}
    assert second.script.splitlines()[:3] == ["read_verilog and_top.v", "hierarchy -top and_top", "synth"]
    assert "cd " not in second.script and "/dev/null" not in second.script and "-assert" not in second.script
    assert second.provenance == {
        "repo": "YosysHQ/yosys",
        "path": "tests/demo/two_parts.ys",
        "commit": mirror.commit,
        "section": "2",
    }
    assert len(mirror.commit) == 40 and first.id != second.id


def test_a_script_that_cannot_be_made_self_contained_is_dropped(tmp_path):
    scripts = {
        "tests/a/shell.ys": "read_verilog top.v\n!rm -rf x\nwrite_json x.json\n",
        "tests/a/nested.ys": "read_verilog top.v\nscript other.ys\nwrite_json x.json\n",
        "tests/a/elsewhere.ys": "read_verilog ../gone/top.v\nwrite_json x.json\n",
        "tests/a/expects_error.ys": 'logger -expect error "x" 1\nread_verilog top.v\nwrite_json x.json\n',
        "tests/a/top.v": AND_TOP,
    }
    tree = make_mirror(tmp_path / "repo", scripts)
    for path in scripts:
        if path.endswith(".ys"):
            assert YosysConverter(tree, path, {}).candidates() == [], path


def test_validation_runs_the_candidate_and_keeps_only_what_passes(mirror, yosys):
    tools = {"yosys": yosys}
    good, _ = YosysConverter(mirror, "tests/demo/two_parts.ys", {}).candidates()
    assert validate(good, tools) == ""
    broken = Candidate("x", "yosys", "read_verilog two_parts.v\nnot_a_pass\nwrite_json x.json\n", good.files, {})
    assert "not_a_pass" in validate(broken, tools)


def test_opensta_test_commands_are_mapped_onto_the_seed_netlist():
    netlist = Netlist.parse((DESIGNS_DIR / "counter_netlist.v").read_text())
    assert "clk" not in netlist.inputs and "en" in netlist.inputs and netlist.outputs[0] == "count[0]"
    mapped = map_sta_line("set_input_delay 1.0 -clock clk1 [get_ports {in1 in2}]", netlist)
    assert mapped == f"set_input_delay 1.0 -clock clk [get_ports {{{netlist.inputs[0]} {netlist.inputs[0]}}}]"
    flop = netlist.cells[netlist.cell_of("r1")][0]
    assert map_sta_line("report_checks -from [get_pins r1/CK]", netlist) == f"report_checks -from [get_pins {flop}/CLK]"
    # A filtered query keeps its form (its pattern is not an object name).
    line = "report_object_full_names [get_cells -filter liberty_cell==BUF_X1 *]"
    assert map_sta_line(line, netlist) == line


def _candidate() -> Candidate:
    return Candidate(
        "c",
        "yosys",
        "read_verilog alu.v\nsynth -top alu\nsplitnets -ports\nwrite_json alu_bits.json\n",
        {"alu.v": (DESIGNS_DIR / "alu.v").read_text()},
        {},
    )


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("Synthesize alu.v, split the port nets into bits and write alu_bits.json.", ""),
        ("Synthesize alu.v and split its ports into single bits.", "does not name the output"),
        ("Synthesize alu.v, split port nets, write alu_bits.json and alu.blif.", "names file(s) the record lacks"),
        ("This script reads alu.v, splits nets and writes alu_bits.json.", "talks about the script"),
        ("Read alu.v and write alu_bits.json.", "mentions the intent of 0 of 2"),
        ("Do it: alu_bits.json", "length"),
    ],
)
def test_the_rules_review_an_instruction(instruction, reason, yosys):
    summaries = {"synth": "generic synthesis script", "splitnets": "split up multi-bit nets"}
    found = review(instruction, _candidate(), summaries, {"yosys": yosys}, held_out=[])
    assert found.startswith(reason) if reason else found == ""


def test_the_rules_reject_a_near_copy_of_a_held_out_instruction(yosys):
    instruction = "Synthesize alu.v, split the port nets into bits and write alu_bits.json."
    held = [{"synthesize", "alu", "v", "split", "the", "port", "nets", "into", "bits"}]
    summaries = {"synth": "generic synthesis script", "splitnets": "split up multi-bit nets"}
    assert "development-set" in review(instruction, _candidate(), summaries, {"yosys": yosys}, held_out=held)


def test_the_rule_written_instruction_passes_the_rules(yosys):
    summaries = {"synth": "generic synthesis script", "splitnets": "split up multi-bit nets"}
    instruction = rule_instruction(_candidate(), summaries)
    assert "alu_bits.json" in instruction and "splitnets" in instruction
    assert review(instruction, _candidate(), summaries, {"yosys": yosys}, held_out=[], by_model=False) == ""


# -- the shipped harvest --------------------------------------------------------------------------------------


def test_the_harvested_records_carry_provenance_and_licence():
    harvested = read_jsonl(HARVEST_FILE, source="seed", base_dir=DESIGNS_DIR)
    assert len(harvested) >= 700
    for record in harvested:
        assert record.provenance["repo"] in ("YosysHQ/yosys", "The-OpenROAD-Project/OpenSTA")
        assert len(record.provenance["commit"]) == 40 and record.provenance["path"]
        assert record.license == {"yosys": "ISC", "opensta": "GPL-3.0-or-later"}[record.tool]
        assert record.instruction_by in ("model", "rules")
        assert all(f["content"] for f in record.files)
    # Round trip: export keeps what the record says about itself.
    row = harvested[0].to_json(inline=False)
    assert row["provenance"] == harvested[0].provenance and row["license"] == harvested[0].license


def test_the_seed_library_reaches_far_beyond_its_authors():
    from chipmate.plugins.scriptgen.tclcheck import OPENSTA_COMMANDS
    from chipmate.plugins.scriptgen.yosys import YosysTool

    records = seed_records()
    assert len(records) >= 1000
    known = YosysTool().commands()
    used = {"yosys": set(), "opensta": set()}
    for record in records:
        for line in record.script.splitlines():
            if line.split() and line.split()[0] in (known if record.tool == "yosys" else OPENSTA_COMMANDS):
                used[record.tool].add(line.split()[0])
    assert len(used["yosys"]) >= 120 and len(used["opensta"]) >= 40
    # Package data stays small: the records and every design they read.
    size = SEED_FILE.stat().st_size + HARVEST_FILE.stat().st_size
    size += sum(p.stat().st_size for p in DESIGNS_DIR.rglob("*") if p.is_file())
    assert size < 5_000_000
    # Every harvested design is read by some record (a rerun removes the ones no record uses).
    read = {f for line in HARVEST_FILE.read_text().splitlines() for f in json.loads(line)["files"]}
    stored = {f"yosys/{p.name}" for p in (DESIGNS_DIR / "yosys").iterdir()}
    assert stored <= read


def test_harvested_designs_are_small_and_distinct_from_the_hand_written_ones():
    names = {p.name for p in DESIGNS_DIR.iterdir() if p.is_file()}
    for path in Path(DESIGNS_DIR / "yosys").iterdir():
        assert path.stat().st_size <= 6000
        assert path.name not in names
