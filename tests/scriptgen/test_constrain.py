"""Clean-up and language constraints on generated text, and the deterministic repairs from tool errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipmate.plugins.scriptgen.constrain import Request, clean, constrain
from chipmate.plugins.scriptgen.library import DESIGNS_DIR
from chipmate.plugins.scriptgen.pipeline import runaway
from chipmate.plugins.scriptgen.prompt import FILE_NAME
from chipmate.plugins.scriptgen.repair import repair_messages, tool_fix

from .conftest import COUNTER

HIER = [
    {"name": n, "content": (DESIGNS_DIR / n).read_text()} for n in ("soc_top.v", "timer.v", "gpio.v", "seed_cells.lib")
]


def counter(instruction: str) -> Request:
    return Request(instruction, [{"name": "counter.v", "content": COUNTER}])


def test_clean_takes_the_script_out_of_prose_and_fences():
    text = "Sure! Here is the script:\n```yosys\nread_verilog a.v\n\nsynth -top a\n```\nThis synthesizes it."
    script, notes = clean(text)
    assert script == "read_verilog a.v\nsynth -top a\n"
    assert "markdown code block" in notes[0]


def test_clean_drops_prompt_echoes_comments_markers_and_repeats():
    text = (
        "Files: a.v\nTask: do it\n# a comment\n// a C-style one\nyosys> read_verilog a.v\n1. synth\n- opt\nopt\nopt\n"
        "stat\nclean\nstat\nclean\n"
    )
    script, notes = clean(text)
    assert script == "read_verilog a.v\nsynth\nopt\nstat\nclean\n"
    assert any("repeated" in n for n in notes)


def test_unknown_commands_are_dropped_and_typos_fixed(yosys):
    result = constrain(
        "read_verilog counter.v\nsynth_gate_level_net\nsynth -top counter\nwrite_verlog out.v\n",
        counter("Synthesize counter.v and write out.v."),
        yosys,
    )
    assert result.script == "read_verilog counter.v\nsynth -top counter\nwrite_verilog out.v\n"
    assert [p.kind for p in result.problems] == ["unknown-command"] and "synth_gate_level_net" in result.problems[
        0
    ].message


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
def test_a_copied_error_message_is_no_command():
    from chipmate.plugins.scriptgen.opensta import OpenStaTool

    # `error:` is one edit from Tcl's `error`, which would only stop the script: a message label is never a typo.
    script = "write_sdf top.sdf\nerror: wrapper.tcl, 22 write_sdf requires one positional argument.\n"
    result = constrain(script, Request("Write the SDF to top.sdf.", []), OpenStaTool())
    assert result.script == "write_sdf top.sdf\n"
    assert [p.kind for p in result.problems] == ["unknown-command"]


def test_file_names_become_the_requests_files_and_named_outputs(yosys):
    request = Request("Map the SoC to seed_cells.lib and write soc_mapped.v and the area report to area.txt.", HIER)
    result = constrain(
        "read_verilog soc.v\nsynth -top soc\ndfflibmap -liberty cells.lib\nabc -liberty cells.lib\n"
        "write_verilog out.v\ntee -o stat.txt stat -liberty cells.lib\n",
        request,
        yosys,
    )
    assert result.script.splitlines() == [
        "read_verilog soc_top.v timer.v gpio.v",
        "synth -top soc_top",
        "dfflibmap -liberty seed_cells.lib",
        "abc -liberty seed_cells.lib",
        "write_verilog soc_mapped.v",
        "tee -o area.txt stat -liberty seed_cells.lib",
    ]
    assert result.problems == []


def test_a_submodule_top_stays_when_the_instruction_names_it(yosys):
    request = Request("Synthesize only the timer module and write timer.json.", HIER)
    result = constrain(
        "read_verilog soc_top.v timer.v gpio.v\nsynth -top timer\nwrite_json timer.json\n", request, yosys
    )
    assert "synth -top timer" in result.script
    other = constrain(
        "read_verilog soc_top.v timer.v gpio.v\nsynth -top gpio\n", Request("Synthesize it.", HIER), yosys
    )
    assert "synth -top soc_top" in other.script


def test_missing_reads_and_writers_are_added(yosys):
    result = constrain("synth -top counter\n", counter("Synthesize counter.v and write counter.json."), yosys)
    assert result.script == "read_verilog counter.v\nsynth -top counter\nwrite_json counter.json\n"


def test_a_named_report_comes_from_the_command_the_instruction_names(yosys):
    request = counter("Find the loops of counter.v with scc and save what it prints to cnt_scc.txt.")
    result = constrain("read_verilog counter.v\nproc\nscc\n", request, yosys)
    assert result.script == "read_verilog counter.v\nproc\ntee -o cnt_scc.txt scc\n"
    # One report command named: it is the report, whatever else the instruction names.
    request = counter("Run proc and memory on counter.v, then write stat to cnt_mem.txt.")
    result = constrain("read_verilog counter.v\nproc\nmemory\n", request, yosys)
    assert result.script.endswith("memory\ntee -o cnt_mem.txt stat\n")
    # A command that only moves the design is never the report, even when named.
    request = counter("Run proc on counter.v and put the result in cnt_proc.txt.")
    assert "tee" not in constrain("read_verilog counter.v\nproc\n", request, yosys).script


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("read_blif counter.v\nsynth -top counter\n", "read_verilog counter.v\nsynth -top counter\n"),
        ("read_rtlil -nooverwrite counter.v\nproc\n", "read_verilog counter.v\nproc\n"),
        ("read_verilog counter.v\nproc\n", None),  # the right frontend: left alone
    ],
)
def test_a_frontend_aimed_at_a_file_of_another_kind_becomes_its_reader(yosys, script, expected):
    result = constrain(script, counter("Synthesize counter.v."), yosys)
    assert result.script == (expected or script)
    assert any("-> `read_verilog`" in n for n in result.notes) is (expected is not None)


def test_usage_syntax_copied_from_help_is_dropped(yosys):
    script = "read_verilog counter.v\nproc\nmemory [-nomap] [-bram <bram_rules>] [selection]\nselect w:q[0]\n"
    result = constrain(script, counter("Lower counter.v's memories."), yosys)
    assert result.script == "read_verilog counter.v\nproc\nmemory\nselect w:q[0]\n"
    assert any("usage syntax" in n for n in result.notes)


def test_a_line_that_starts_with_an_option_of_the_command_above_continues_it(yosys):
    script = "read_verilog counter.v\nsynth_ice40 -top counter\n-json out.json\n-write_json out.json\n"
    result = constrain(script, counter("Synthesize counter.v for iCE40 into out.json."), yosys)
    # -json is synth_ice40's option (not the `json` command); -write_json is nobody's option: a dashed typo.
    assert result.script.splitlines()[:3] == [
        "read_verilog counter.v",
        "synth_ice40 -top counter -json out.json",
        "write_json out.json",
    ]
    assert any("joined to the `synth_ice40` above it" in n for n in result.notes)


def test_an_options_help_line_copied_from_the_grounding_is_dropped_not_joined(yosys):
    script = (
        "read_verilog counter.v\ntechmap\n-map filename: the library of cell implementations to be used.\n"
        "synth_ice40 -top counter\n-run begin:map\nwrite_json out.json\n"
    )
    result = constrain(script, counter("Synthesize counter.v for iCE40 into out.json."), yosys)
    lines = result.script.splitlines()
    assert "techmap" in lines and not any("library of cell" in line for line in lines)
    assert "synth_ice40 -top counter -run begin:map" in lines  # a colon inside an option's value is no prose
    assert any("a line of a command's help" in n for n in result.notes)


def test_a_selection_of_a_name_the_design_lacks_is_dropped(yosys):
    # An example's selection of its own design's wire (`w:b`) selects nothing here; the counter's own names stay.
    script = (
        "read_verilog counter.v\nproc\nsetundef -undriven -zero w:b\nselect -assert-any w:count c:*\n"
        "select -assert-any counter/w:count t:$add\nwrite_json out.json\n"
    )
    result = constrain(script, counter("Zero the undriven bits of counter.v; write out.json."), yosys)
    lines = result.script.splitlines()
    assert "setundef -undriven -zero" in lines
    assert "select -assert-any w:count c:*" in lines and "select -assert-any counter/w:count t:$add" in lines
    assert any("dropped `w:b` from `setundef`" in n for n in result.notes)


def test_an_input_file_passed_to_a_pass_is_dropped(yosys):
    # Yosys takes `counter.v` for a selection there: "This command only operates on fully selected designs!"
    script = "read_verilog counter.v\nsynth_ice40 counter.v\nabc -liberty counter.v\nwrite_json out.json\n"
    result = constrain(script, counter("Synthesize counter.v for iCE40 into out.json."), yosys)
    lines = result.script.splitlines()
    assert lines[:2] == ["read_verilog counter.v", "synth_ice40"]
    assert lines[2] == "abc -liberty counter.v"  # after an option it is that option's file: left to the tool
    assert any("dropped `counter.v` from `synth_ice40`" in n for n in result.notes)


def test_a_parameter_the_instruction_sets_is_set_after_the_reads(yosys):
    design = (
        "module par #(parameter WIDTH = 8, DEPTH = 2) (input [WIDTH-1:0] d, output p);\n  assign p = ^d;\nendmodule\n"
    )
    files = [{"name": "par.v", "content": design}]
    script = "read_verilog par.v\nsynth -top par\nwrite_json out.json\n"
    result = constrain(script, Request("Synthesize par.v with WIDTH changed to 16; write out.json.", files), yosys)
    assert result.script.splitlines()[:3] == ["read_verilog par.v", "chparam -set WIDTH 16 par", "synth -top par"]
    checker = "splitnets -ports\nselect -assert-count 16 par/i:*\n"
    run = yosys.run(result.script + checker, files={"par.v": design}, timeout=60)
    assert run.ok, run.error
    # Set by the script already, or not named with a value: nothing to add.
    chosen = "read_verilog par.v\nhierarchy -top par -chparam WIDTH 16\nwrite_json out.json\n"
    assert constrain(chosen, Request("Set WIDTH to 16; write out.json.", files), yosys).script == chosen
    assert (
        constrain(script, Request("Synthesize par.v for its default WIDTH; write out.json.", files), yosys).script
        == script
    )


def test_an_output_nothing_can_write_is_a_problem(yosys):
    request = counter("Synthesize and send the result to report.txt.")
    result = constrain("read_verilog counter.v\nsynth\n", request, yosys)
    assert [p.kind for p in result.problems] == ["file"] and "report.txt" in result.problems[0].message


def test_tcl_constraints_check_command_names_and_leave_tcl_blocks_alone():
    class FakeSta:
        name, language = "opensta", "tcl"

        def commands(self):
            return frozenset({"read_liberty", "report_checks", "puts", "foreach"})

        def split(self, script):
            from chipmate.plugins.scriptgen.tclcheck import split_tcl

            return split_tcl(script)

    # a.lib is the request's file (a reader of a file it lacks would go: test_an_opensta_reader_of_a_file...).
    request = Request("x", [{"name": "a.lib", "content": "library(a) {}"}])
    result = constrain(
        "read_liberty a.lib\nreport_chekcs\nfrobnicate 1\nforeach x {1} {\n puts $x\n}\n", request, FakeSta()
    )
    assert result.script == "read_liberty a.lib\nreport_checks\nforeach x {1} {\n puts $x\n}\n"


@pytest.mark.parametrize(
    ("text", "loops"),
    [
        ("a\nb\nc\n", False),
        ("a\nb\nb\nb\n", True),
        ("x\na\nb\na\nb\na\nb\n", True),
        ("\n".join(f"cmd{i}" for i in range(60)) + "\n", True),
        ("opt\nclean\nopt\nclean\nstat\n", False),
    ],
)
def test_runaway_replies_are_cut(text, loops):
    assert runaway(text) is loops


@pytest.mark.parametrize(
    ("script", "fixed", "note"),
    [
        (
            "read_verilog counter.v\nsynth -top counter\nfrobnicate\n",
            "read_verilog counter.v\nsynth -top counter\n",
            "no such command",
        ),
        (
            "read_verilog counter.v\nsynth -top counter -bogus\n",
            "read_verilog counter.v\nsynth -top counter\n",
            "removed `-bogus`",
        ),
        (  # a looping model's repeated unknown option: every copy in one fix
            "read_verilog counter.v\nsynth -bogus -top counter -bogus -bogus\n",
            "read_verilog counter.v\nsynth -top counter\n",
            "removed `-bogus`",
        ),
        (
            "read_verilog counter.v\nhierarchy -top cnt\n",
            "read_verilog counter.v\nhierarchy -top counter\n",
            "`cnt` -> `counter`",
        ),
        ("read_verilog countr.v\n", "read_verilog counter.v\n", "`countr.v` -> `counter.v`"),
        (
            "read_verilog counter.v\nproc\nwrite_rtlil c.il counter.v\n",
            "read_verilog counter.v\nproc\nwrite_rtlil c.il\n",
            "removed `counter.v`",
        ),
        (  # the JSON backend stops on processes: proc goes before the failing line
            "read_verilog counter.v\nhierarchy -top counter\nwrite_json c.json\n",
            "read_verilog counter.v\nhierarchy -top counter\nproc\nwrite_json c.json\n",
            "added `proc` before line 3",
        ),
    ],
)
def test_tool_fixes_follow_the_yosys_error(yosys, script, fixed, note):
    request = counter("Synthesize counter.v.")
    run = yosys.run(script, files={"counter.v": COUNTER}, timeout=60)
    fix = tool_fix(script, run, request)
    assert fix is not None and fix.script == fixed and note in fix.note
    assert yosys.run(fix.script, files={"counter.v": COUNTER}, timeout=60).ok


def test_a_fix_that_would_change_nothing_is_no_fix(yosys):
    # The top itself is missing (nothing read it): renaming it to itself would spend every repair round.
    script = "hierarchy -top counter\n"
    run = yosys.run(script, files={"counter.v": COUNTER}, timeout=60)
    assert not run.ok and "counter" in run.error
    assert tool_fix(script, run, counter("Synthesize counter.v.")) is None


def test_errors_without_a_clear_fix_go_to_the_model(yosys):
    script = "read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\n"
    run = yosys.run(script, files={"counter.v": COUNTER}, timeout=60)
    assert tool_fix(script, run, counter("x")) is None
    messages = repair_messages([{"role": "user", "content": "task"}], script, run, yosys.help("select"), "yosys")
    assert messages[-2] == {"role": "assistant", "content": script.strip()}
    turn = messages[-1]["content"]
    assert "line 3: `select -assert-none t:$_*DFF*`" in turn and "Assertion failed" in turn
    assert "Usage of `select`" in turn and "-assert-none" in turn and turn.endswith("Write the whole corrected script.")
    assert "do not modify the current selection" in turn and len(turn) < 1200  # usage and options, shortened


def test_seed_designs_are_where_the_library_says(tmp_path):
    assert Path(DESIGNS_DIR, "counter.v").is_file()


def test_a_named_report_comes_from_the_scripts_report_command(yosys):
    request = counter("Synthesize counter.v and save the statistics in counter.txt.")
    result = constrain("read_verilog counter.v\nsynth -top counter\nstat\n", request, yosys)
    assert result.script.splitlines()[-1] == "tee -o counter.txt stat" and result.problems == []
    appended = constrain("read_verilog counter.v\nsynth -top counter\n", request, yosys)
    assert appended.script.splitlines()[-1] == "tee -o counter.txt stat"
    request = Request("Map the SoC to seed_cells.lib and report its area in area.rpt.", HIER)
    mapped = constrain("read_verilog soc_top.v timer.v gpio.v\nsynth -top soc_top\n", request, yosys)
    assert mapped.script.splitlines()[-1] == "tee -o area.rpt stat -liberty seed_cells.lib"


def test_masked_instructions_name_what_files_are():
    from chipmate.plugins.scriptgen.retrieve import masked

    files = [{"name": "counter.v", "content": COUNTER}]
    text = masked("Synthesize counter from counter.v to counter_syn.json and cells.lib; report to r.txt.", files)
    assert text == "Synthesize the design from Verilog file to JSON file and liberty file; report to text file."


@pytest.mark.parametrize(
    ("instruction", "line"),
    [
        ("Write it to out.v without any attributes.", "write_verilog -noattr out.v"),
        ("Save out.v, attributes omitted.", "write_verilog -noattr out.v"),
        ("Write out.v and keep the attributes.", "write_verilog out.v"),
        ("Write out.v with no attributes and no expressions.", "write_verilog -noattr -noexpr out.v"),
        ("Write out.v, omitting attributes.", "write_verilog -noattr out.v"),
    ],
)
def test_writer_options_asked_for_in_words_are_added(yosys, instruction, line):
    result = constrain("read_verilog counter.v\nsynth -top counter\nwrite_verilog out.v\n", counter(instruction), yosys)
    assert result.script.splitlines()[-1] == line


def test_yosys_errors_are_found_inside_interleaved_output():
    from chipmate.plugins.scriptgen.yosys import error_message

    log = (
        'help text "tERROR: Command syntax error: Unknown option.\n> write_json a.json -x\n>             ^\nmore help\n'
    )
    assert error_message(log) == "ERROR: Command syntax error: Unknown option.\n> write_json a.json -x\n>             ^"


def test_mapping_without_synthesis_gets_synth(yosys):
    request = Request("Map the SoC to seed_cells.lib and write soc_mapped.v.", HIER)
    result = constrain(
        "read_verilog soc_top.v timer.v gpio.v\ndfflibmap -liberty seed_cells.lib\nabc -liberty seed_cells.lib\n"
        "write_verilog soc_mapped.v\n",
        request,
        yosys,
    )
    assert result.script.splitlines()[1] == "synth -top soc_top"
    kept = constrain("read_verilog soc_top.v timer.v gpio.v\nsynth -top soc_top\nabc -g AND\n", request, yosys)
    assert kept.script.count("synth") == 1


def test_a_report_is_not_written_by_a_netlist_writer(yosys):
    request = counter("Extract the FSM of counter.v and write what fsm_info prints to fsm.txt.")
    result = constrain("read_verilog counter.v\nproc\nfsm_extract\nwrite_verilog fsm.txt\n", request, yosys)
    assert result.script.splitlines()[-1] == "tee -o fsm.txt fsm_info"
    assert "write_verilog" not in result.script


def test_the_constraints_leave_every_seed_script_as_it_is(yosys):
    # The library's scripts are validated: a rule that changes one would break correct model output too.
    from chipmate.plugins.scriptgen.library import seed_records
    from chipmate.plugins.scriptgen.opensta import OpenStaTool

    tools = {"yosys": yosys, "opensta": OpenStaTool()}
    changed = []
    for record in seed_records():
        if record.tool == "opensta" and tools["opensta"].unavailable():
            continue
        script, _ = clean(record.script)
        result = constrain(script, Request(record.instruction, record.files), tools[record.tool])
        if result.script != record.script or result.problems or result.notes:
            changed.append((record.id, result.notes, [str(p) for p in result.problems]))
    assert changed == []


@pytest.mark.parametrize(
    ("instruction", "inputs", "outputs"),
    [
        ("Synthesize alu.v and write the netlist to alu_syn.v.", ["alu.v"], ["alu_syn.v"]),
        ("Write the netlist of alu.v to out.v.", ["alu.v"], ["out.v"]),
        ("Map it using cells.lib, then save the area report (stat using the liberty) in area.txt.", ["cells.lib"], []),
        ("Read top.v and sub.v, flatten, and dump the result as flat.json.", ["top.v", "sub.v"], ["flat.json"]),
        ("Report the cell counts with stat into stats.txt.", [], ["stats.txt"]),
        ("Lower the processes, then produce counter.il.", [], ["counter.il"]),
        # The verb governs a name after a noun's own "of ..." ("of scratch_ram"); a preposition right before it wins.
        ("Synthesize it and put the cell statistics of the counter in cnt_stat.txt.", [], ["cnt_stat.txt"]),
        ("Evaluate counter with eval and save the value of q in cnt_eval.txt.", [], ["cnt_eval.txt"]),
        ("Write the netlist of the file alu.v to out.v.", ["alu.v"], ["out.v"]),
        ("Show the module in alu.v.", ["alu.v"], []),
        # Verbs that record what a command printed, or keep a result somewhere, write it.
        ("Keep the result of alu.v in res.json.", ["alu.v"], ["res.json"]),
        ("Synthesize alu.v, producing alu.json.", ["alu.v"], ["alu.json"]),
        ("Check alu.v for problems and log them in chk.txt.", ["alu.v"], ["chk.txt"]),
        ("Report the cells of alu.v (cells.txt).", ["alu.v"], ["cells.txt"]),
        ("List the modules of alu.v.", ["alu.v"], []),
        # A noun for what the file holds, nearer than the verb, decides: a result is written, constraints are read.
        ("Synthesize alu.v for Xilinx with the EDIF netlist in alu.edif.", ["alu.v"], ["alu.edif"]),
        ("Flatten alu.v with its cell statistics in alu.txt.", ["alu.v"], ["alu.txt"]),
        ("Parse alu.v and the result in Yosys JSON form alu.json.", ["alu.v"], ["alu.json"]),
        ("Time counter.v with the constraints in counter.sdc.", ["counter.sdc"], []),
        ("Map alu.v to the cells of the library in cells.lib.", ["alu.v", "cells.lib"], []),
        # ... but only right before the name: "liberty-based" describes the numbers, which are saved.
        ("Map alu.v and save stat's liberty-based area numbers in numbers.txt.", ["alu.v"], ["numbers.txt"]),
        ("Use alu.v to make alu.sp, a SPICE netlist.", ["alu.v"], ["alu.sp"]),
    ],
)
def test_file_roles_tell_named_inputs_from_named_outputs(instruction, inputs, outputs):
    request = counter(instruction)
    assert request.missing_inputs == inputs
    assert request.named_outputs == [*outputs, *(["area.txt"] if "area.txt" in instruction else [])]


def test_every_output_extension_with_a_format_is_a_file_name():
    # A named output is found by FILE_NAME: an extension requirements.py knows but FILE_NAME misses is never asked for.
    from chipmate.plugins.scriptgen.requirements import EXTENSION_FORMATS

    missed = [ext for ext in EXTENSION_FORMATS if not FILE_NAME.fullmatch(f"out{ext}")]
    assert missed == []


def test_no_seed_or_dev_instruction_names_an_input_it_does_not_supply():
    import json

    from chipmate.plugins.scriptgen.library import ScriptLibrary

    records = [(r.instruction, [f["name"] for f in r.files]) for r in ScriptLibrary(None, include_seed=True).records()]
    dev = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "scriptgen_dev.jsonl"
    for line in dev.read_text().splitlines():
        task = json.loads(line)
        records.append((task["instruction"], [Path(f).name for f in task["files"]]))
    assert len(records) > 200
    wrong = [
        instruction
        for instruction, files in records
        if Request(instruction, [{"name": f} for f in files]).missing_inputs
    ]
    assert wrong == []


def test_a_command_that_writes_over_an_input_is_dropped_and_reported(yosys):
    request = counter("Synthesize counter.v and write the netlist to counter_syn.v.")
    result = constrain(
        "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\nwrite_verilog counter.v\n",
        request,
        yosys,
    )
    assert result.script.splitlines() == ["read_verilog counter.v", "synth -top counter", "write_verilog counter_syn.v"]
    assert [p.kind for p in result.problems] == ["file"] and "write over `counter.v`" in result.problems[0].message
    tee = constrain("read_verilog counter.v\ntee -o counter.v stat\n", request, yosys)
    assert "counter.v stat" not in tee.script and tee.problems


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # A pass that ignores modules with processes, and a backend that stops on them: proc goes right before.
        (
            "read_verilog counter.v\nopt\nwrite_json out.json\n",
            "read_verilog counter.v\nproc\nopt\nwrite_json out.json\n",
        ),
        (
            "read_verilog counter.v; hierarchy -top counter; tee -o s.txt stat; wreduce\n",
            "read_verilog counter.v; hierarchy -top counter; tee -o s.txt stat\nproc\nwreduce\n",
        ),
        # Already lowered (by proc or by a synthesis script), or never needing it: left alone.
        ("read_verilog counter.v\nproc -noopt\nopt\n", None),
        ("read_verilog counter.v\nsynth -top counter\nwrite_blif out.blif\n", None),
        ("read_verilog counter.v\nhierarchy -top counter\nwrite_rtlil out.il\n", None),
        ("read_verilog gates.v\nopt\n", None),  # gates.v has no always block: nothing to lower
    ],
)
def test_proc_runs_before_the_first_pass_that_needs_processes_lowered(script, expected):
    from chipmate.plugins.scriptgen.constrain import Constrained, _processes_lowered

    result = Constrained(script)
    lines = _processes_lowered(script.splitlines(), {"counter.v"}, result)
    assert "\n".join(lines) + "\n" == (expected or script)
    assert bool(result.notes) == (expected is not None)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (  # nothing linked: every timing command would stop with "no network has been linked"
            "read_liberty cells.lib\nread_verilog top_net.v\nreport_checks\n",
            "read_liberty cells.lib\nread_verilog top_net.v\nlink_design top\nread_sdc top.sdc\nreport_checks\n",
        ),
        (  # nothing loaded at all
            "report_checks -path_delay min\n",
            "read_liberty cells.lib\nread_verilog top_net.v\nlink_design top\nread_sdc top.sdc\n"
            "report_checks -path_delay min\n",
        ),
        (  # complete: left alone
            "read_liberty cells.lib\nread_verilog top_net.v\nlink_design top\nsource top.sdc\nreport_wns\n",
            None,
        ),
    ],
)
def test_opensta_scripts_load_link_and_constrain_the_request_files(script, expected):
    from chipmate.plugins.scriptgen.opensta import OpenStaTool

    files = [
        {"name": "cells.lib", "content": "library(cells) {}"},
        {"name": "top_net.v", "content": "module top(input a, output y); BUF b(.A(a), .Y(y)); endmodule"},
        {"name": "top.sdc", "content": "create_clock -period 1 [get_ports a]"},
    ]
    result = constrain(script, Request("Report the timing of top_net.v.", files), OpenStaTool())
    assert result.script == (expected or script)
    assert bool(result.notes) == (expected is not None)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # The right writer writes it too: the other format's writer goes (it would write SDC over the SDF).
        ("write_sdf top.sdf\nwrite_sdc top.sdf\n", "write_sdf top.sdf\n"),
        # Only the wrong writer: it becomes the right one, without the other writer's options.
        ("write_sdc -digits 3 top.sdf\n", "write_sdf top.sdf\n"),
        # A report redirected over it goes too; a redirect to a file of no writer's format stays.
        (
            "write_sdf top.sdf\nreport_checks > top.sdf\nreport_checks > t.rpt\n",
            "write_sdf top.sdf\nreport_checks > t.rpt\n",
        ),
        # A writer aimed at an input goes: it would overwrite the constraints the request supplies.
        ("write_sdc top.sdc\nwrite_sdf top.sdf\n", "write_sdf top.sdf\n"),
        # A file the request does not name, or a writer of the right format: left alone.
        ("write_sdc other.sdf\nwrite_sdf top.sdf\n", "write_sdc other.sdf\nwrite_sdf top.sdf\n"),
    ],
)
def test_an_opensta_output_gets_its_formats_writer(script, expected):
    from chipmate.plugins.scriptgen.constrain import Constrained, _opensta_writers

    files = [{"name": "top.sdc", "content": "create_clock -period 1 [get_ports a]"}]
    request = Request("Write the SDF of top_net.v with top.sdc to top.sdf and its checks to t.rpt.", files)
    result = Constrained(script)
    lines = _opensta_writers(script.splitlines(), request, result)
    assert "\n".join(lines) + "\n" == expected
    assert bool(result.notes) == (expected != script)


def test_an_opensta_reader_of_a_file_the_request_lacks_reads_its_own():
    from chipmate.plugins.scriptgen.constrain import Constrained, _opensta_reads

    files = [{"name": n, "content": ""} for n in ("g2_cells.lib", "tally_net.v", "a.sdc", "b.sdc")]
    script = "read_liberty seed_cells.lib\nread_verilog tally_net.v\nread_sdc c.sdc\nwrite_sdf o.sdf\nread_sdf o.sdf\n"
    result = Constrained(script)
    lines = _opensta_reads(script.splitlines(), Request("Time tally_net.v with g2_cells.lib.", files), result)
    # One .lib fits: it is read instead. Two .sdc files fit: ambiguous, the line goes (the load order reads both).
    # A file the script wrote itself stays.
    assert lines == ["read_liberty g2_cells.lib", "read_verilog tally_net.v", "write_sdf o.sdf", "read_sdf o.sdf"]
    assert len(result.notes) == 2


def test_a_mapper_without_its_liberty_file_gets_the_requests_only_one(yosys):
    library = (DESIGNS_DIR / "seed_cells.lib").read_text()
    files = {"counter.v": COUNTER, "seed_cells.lib": library}
    request = Request(
        "Map counter.v to the cells of seed_cells.lib.", [{"name": n, "content": c} for n, c in files.items()]
    )
    script = "read_verilog counter.v\nsynth -top counter\ndfflibmap\n"
    run = yosys.run(script, files=files, timeout=60)
    fix = tool_fix(script, run, request)
    assert fix is not None and fix.script.splitlines()[2] == "dfflibmap -liberty seed_cells.lib"
    assert yosys.run(fix.script, files=files, timeout=60).ok
    # The file behind the wrong option: that option becomes -liberty.
    wrong = "read_verilog counter.v\nsynth -top counter\ndfflibmap -prepare seed_cells.lib\n"
    fix = tool_fix(wrong, yosys.run(wrong, files=files, timeout=60), request)
    assert fix is not None and fix.script.splitlines()[2] == "dfflibmap -liberty seed_cells.lib"
    # Two libraries: which one is meant is the model's call, not a rule's.
    two = Request(request.instruction, [*request.files, {"name": "other.lib", "content": library}])
    assert tool_fix(script, run, two) is None
