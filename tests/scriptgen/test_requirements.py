"""Intent checks: the requirement extractor on instructions written here, and the verifier on real Yosys runs."""

from __future__ import annotations

import pytest

from chipmate.plugins.scriptgen.requirements import (
    Requirement,
    evidence,
    extract,
    failed_introspection,
    family_cells,
    introspection_script,
    output_format,
    verify,
)

# Two modules: `alu` does the work, `alu_wrap` registers it (the likely top), and a small memory for memory checks.
ALU = """
module alu(input [3:0] a, input [3:0] b, input op, output [3:0] y);
  assign y = op ? a - b : a + b;
endmodule
module alu_wrap(input clk, input [3:0] a, input [3:0] b, input op, output reg [3:0] q);
  wire [3:0] y;
  alu core(.a(a), .b(b), .op(op), .y(y));
  always @(posedge clk) q <= y;
endmodule
"""
RAM = """
module ram(input clk, input we, input [3:0] addr, input [7:0] d, output reg [7:0] q);
  reg [7:0] mem [0:15];
  always @(posedge clk) begin if (we) mem[addr] <= d; q <= mem[addr]; end
endmodule
"""
LIBERTY = """
library(tiny) {
  cell(TINY_DFF) { area: 4; ff(IQ, IQN) { next_state: "D"; clocked_on: "C"; }
    pin(C) { direction: input; clock: true; } pin(D) { direction: input; }
    pin(Q) { direction: output; function: "IQ"; } }
  cell(TINY_INV) { area: 1; pin(A) { direction: input; } pin(Y) { direction: output; function: "A'"; } }
}
"""
FILES = [{"name": "alu.v", "content": ALU}]
YOSYS_COMMANDS = {
    "synth",
    "synth_ice40",
    "synth_xilinx",
    "synth_intel",
    "synth_intel_alm",
    "synth_gowin",
    "synth_ecp5",
    "synth_lattice",
    "opt_clean",
    "abc",
    "flatten",
    "fsm",
    "check",
    "stat",
    "write_json",
    "read_verilog",
    "dfflibmap",
    "dump",
}


def kinds(requirements):
    return {(r.kind, r.subject, r.format) for r in requirements}


def yosys_requirements(instruction, files=FILES):
    return extract(instruction, files, YOSYS_COMMANDS, "yosys")


# -- the extractor ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "name", "fmt"),
    [
        ("Synthesize alu.v and write the netlist to alu_net.v.", "alu_net.v", "verilog"),
        ("Save the netlist in EDIF format as alu.edn.", "alu.edn", "edif"),
        ("Dump a BLIF version of the design to gates.out.", "gates.out", "blif"),
        ("Write gates.out in BLIF format.", "gates.out", "blif"),
        ("Write a JSON netlist to a.json and the gate netlist to b.blif.", "b.blif", "blif"),
        ("Put the cell statistics in area.rpt.", "area.rpt", "report"),
        ("Store the design as RTLIL in alu.il.", "alu.il", "rtlil"),
        ("I need two files: alu.json (JSON) and alu.edif (EDIF).", "alu.edif", "edif"),
        ("Write the report computed with the liberty file to area.txt.", "area.txt", "report"),
    ],
)
def test_each_named_output_gets_the_format_its_words_or_extension_say(instruction, name, fmt):
    assert output_format(instruction, name) == fmt
    assert ("output", name, fmt) in kinds(yosys_requirements(instruction))


def test_inputs_are_never_outputs_and_an_unknown_extension_has_no_format():
    found = yosys_requirements("Read alu.v, synthesize it and write the result to alu_out.json.")
    assert kinds(found) >= {("output", "alu_out.json", "json")}
    assert not any(r.subject == "alu.v" for r in found)
    assert output_format("Write the log to run.out.", "run.out") == ""


@pytest.mark.parametrize(
    ("instruction", "top"),
    [
        ("Synthesize alu.v with alu as the top module and write out.json.", "alu"),
        ("Use top module alu_wrap and write out.json.", "alu_wrap"),
        ("Elaborate with `alu` as top, then write out.json.", "alu"),
        ("Run synth -top alu and write out.json.", "alu"),
        ("Synthesize the top level and write out.json.", None),  # "level" is no module of the request
    ],
)
def test_the_named_top_must_be_one_of_the_requests_modules(instruction, top):
    found = [r.subject for r in yosys_requirements(instruction) if r.kind == "top"]
    assert found == ([top] if top else [])


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("Flatten the design and write flat.json.", "flatten"),
        ("Write a flat netlist to flat.v.", "flatten"),
        ("Synthesize without hierarchy and write out.v.", "flatten"),
        ("Synthesize, keep the hierarchy, and write out.v.", "hierarchy"),
        ("Synthesize but do not flatten; write out.v.", "hierarchy"),
        ("Synthesize keeping alu as a separate module and write out.v.", "hierarchy"),
        ("Synthesize and write out.v.", None),
    ],
)
def test_flattening_and_keeping_the_hierarchy(instruction, kind):
    found = {r.kind for r in yosys_requirements(instruction)} & {"flatten", "hierarchy"}
    assert found == ({kind} if kind else set())


def test_keeping_the_hierarchy_of_a_single_module_design_is_no_requirement():
    one = [{"name": "ram.v", "content": RAM}]
    assert not [r for r in yosys_requirements("Keep the hierarchy and write out.v.", one) if r.kind == "hierarchy"]


@pytest.mark.parametrize(
    ("instruction", "families"),
    [
        ("Synthesize alu.v for an iCE40 FPGA and write out.json.", ["ice40"]),
        ("Run synth_xilinx on alu.v and write out.edif.", ["xilinx"]),
        ("Target a Kintex-7 part (7-series) and write out.v.", ["xilinx"]),
        ("Synthesize for a Cyclone V and write out.v.", ["intel_alm"]),
        ("Synthesize for Intel and write out.v.", ["intel"]),
        ("Synthesize to generic gates and write out.v.", []),
        # "Lattice" is also the vendor of iCE40 and ECP5: beside one of them it names no family of its own.
        ("Synthesize alu.v for a Lattice ECP5 and write out.json.", ["ecp5"]),
        ("Synthesize alu.v for a Lattice iCE40 and write out.json.", ["ice40"]),
        ("Synthesize alu.v for a Lattice MachXO2 and write out.json.", ["lattice"]),
    ],
)
def test_target_families_come_from_the_tools_synth_commands(instruction, families):
    assert [r.subject for r in yosys_requirements(instruction) if r.kind == "target"] == families


def test_a_liberty_library_to_map_to_is_a_requirement_a_library_for_area_is_not():
    files = [*FILES, {"name": "tiny.lib", "content": LIBERTY}]
    mapped = yosys_requirements("Map the flip-flops of alu.v to tiny.lib cells and write out.v.", files)
    assert ("liberty", "tiny.lib", "") in kinds(mapped)
    area = yosys_requirements("Synthesize alu.v and report the area with tiny.lib in area.txt.", files)
    assert not any(r.kind == "liberty" for r in area)


@pytest.mark.parametrize(
    ("instruction", "wanted"),
    [
        ("Map the memories to flip-flops and write out.v.", True),
        ("Synthesize so that no memory cells remain; write out.v.", True),
        ("Run memory_map and write out.v.", True),
        ("Infer the memory and write out.v.", False),
    ],
)
def test_no_memory(instruction, wanted):
    assert any(r.kind == "no-memory" for r in yosys_requirements(instruction)) is wanted


@pytest.mark.parametrize(
    ("instruction", "kept"),
    [
        ("Convert alu.v to JSON in out.json, keeping the memory as one memory cell instead of flip-flops.", True),
        ("Keep its memories and write out.il.", True),
        ("Elaborate alu.v without mapping the memory to flip-flops; write out.il.", True),
        ("Map the memories to flip-flops and write out.v.", False),
        ("Infer the memory and write out.v.", False),
    ],
)
def test_memories_kept_as_memory_cells(instruction, kept):
    requirements = yosys_requirements(instruction)
    assert (("cells", "$mem", "") in kinds(requirements)) == kept
    assert any(r.kind == "no-memory" for r in requirements) == (not kept and "flip-flops" in instruction)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("read_verilog a.v\nproc\nwrite_json a.json\n", "read_verilog a.v\nproc\nmemory -nomap\nwrite_json a.json\n"),
        ("read_verilog a.v\nwrite_json a.json\n", "read_verilog a.v\nproc\nmemory -nomap\nwrite_json a.json\n"),
        (
            "read_verilog a.v\nproc\nmemory\nmemory_map\nwrite_json a.json\n",
            "read_verilog a.v\nproc\nmemory -nomap\nwrite_json a.json\n",
        ),
        ("read_verilog a.v\nsynth\nwrite_json a.json\n", None),  # synth maps memories itself: the model's
    ],
)
def test_kept_memories_are_fixed_with_memory_nomap(script, expected):
    from chipmate.plugins.scriptgen.requirements import Check, intent_fix

    fixed = intent_fix(script, Check(Requirement("cells", "$mem"), False, ""), "keep the memory", [])
    assert (fixed.script if fixed else None) == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("read_verilog a.v\nproc\nwrite_json a.json\n", "read_verilog a.v\nproc\ntechmap\nwrite_json a.json\n"),
        ("read_verilog a.v\nwrite_json a.json\n", "read_verilog a.v\nproc\ntechmap\nwrite_json a.json\n"),
        ("read_verilog a.v\nsynth\nwrite_json a.json\n", None),  # mapped and still missing: the model's
    ],
)
def test_fine_grained_cells_wanted_get_a_mapping_when_none_ran(script, expected):
    from chipmate.plugins.scriptgen.requirements import Check, intent_fix

    fixed = intent_fix(script, Check(Requirement("cells", "$_DFF_P_,$_AND_"), False, ""), "x", [])
    assert (fixed.script if fixed else None) == expected
    # A word-level cell type wanted present is not a mapping's to make.
    assert intent_fix(script, Check(Requirement("cells", "$pmux"), False, ""), "x", []) is None


def test_steps_are_commands_the_instruction_asks_to_run():
    found = yosys_requirements("Synthesize alu.v, then run opt_clean, use abc and `fsm`, check it and write a.json.")
    assert [r.subject for r in found if r.kind == "step"] == ["opt_clean", "abc", "fsm"]
    # Commands named in passing are not steps: "check the hierarchy" (no cue), readers and writers, synth_<family>,
    # verbs that are also commands ("then dump").
    plain = yosys_requirements("Read alu.v with read_verilog, synth_ice40 it, then dump RTLIL to a.il.")
    assert not [r for r in plain if r.kind == "step"]
    # The agent of a passive verb: "extracted by fsm" runs fsm.
    passive = yosys_requirements("Save alu.v as JSON in a.json with its state machines already extracted by fsm.")
    assert [r.subject for r in passive if r.kind == "step"] == ["fsm"]


def test_opensta_gets_outputs_and_steps_only():
    found = extract(
        "Read the netlist and report_checks to timing.rpt, then report_wns.",
        [],
        {"report_checks", "report_wns", "read_verilog"},
        "tcl",
    )
    assert kinds(found) == {
        ("output", "timing.rpt", "report"),
        ("step", "report_checks", ""),
        ("step", "report_wns", ""),
    }


def test_every_requirement_is_listed_once():
    found = yosys_requirements("Flatten, flatten again and write out.v; write out.v.")
    assert len(found) == len(set(found))


# -- the verifier, on what Yosys really wrote -------------------------------------------------------------------


def checked(yosys, script, instruction, files=FILES, commands=None):
    """Run ``script`` (with the introspection run the pipeline adds) and verify ``instruction``'s requirements."""
    requirements = extract(instruction, files, commands or yosys.commands(), "yosys")
    netlists = {r.subject: r.format for r in requirements if r.kind == "output"}
    introspect, introspected = introspection_script(netlists)
    run = yosys.run(script, files={f["name"]: f["content"] for f in files}, timeout=60, checker=introspect or None)
    assert run.ok, run.error
    names = {c.name for c in yosys.split(script)[0]}
    checker = run.checker
    failed = failed_introspection(introspected, checker.error_line, checker.error) if checker else None
    found = evidence(
        requirements, run.outputs, run.log, names, checker.outputs if checker else None, introspected, failed
    )
    return {r.kind: c for r, c in zip(requirements, verify(requirements, found, files), strict=True)}


def test_the_top_is_read_from_the_written_json_netlist(yosys):
    instruction = "Synthesize alu.v with alu as the top module and write out.json."
    wrong = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction)
    assert not wrong["top"].held and "`alu_wrap`" in wrong["top"].detail
    assert wrong["output"].held
    right = checked(yosys, "read_verilog alu.v\nsynth -top alu\nwrite_json out.json\n", instruction)
    assert right["top"].held


def test_a_verilog_netlist_is_read_back_to_check_it(yosys):
    instruction = "Synthesize alu.v with alu as the top module and write out.v without attributes."
    wrong = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_verilog -noattr out.v\n", instruction)
    assert not wrong["top"].held and "alu" in wrong["top"].detail
    right = checked(yosys, "read_verilog alu.v\nsynth -top alu\nwrite_verilog -noattr out.v\n", instruction)
    assert right["top"].held and right["output"].held


def test_flattening_is_checked_in_the_netlist(yosys):
    instruction = "Flatten alu.v and write flat.blif."
    kept = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_blif flat.blif\n", instruction)
    assert not kept["flatten"].held and "instantiates alu" in kept["flatten"].detail
    flat = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap -flatten\nwrite_blif flat.blif\n", instruction)
    assert flat["flatten"].held and flat["output"].held


def test_kept_hierarchy_is_checked_in_the_netlist(yosys):
    instruction = "Synthesize alu.v keeping the hierarchy and write out.json."
    flat = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap -flatten\nwrite_json out.json\n", instruction)
    assert not flat["hierarchy"].held and "flat" in flat["hierarchy"].detail
    assert checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction)[
        "hierarchy"
    ].held


def test_target_cells_are_the_familys_own(yosys):
    assert {"SB_LUT4", "SB_DFF"} <= family_cells("ice40") and "LUT6" in family_cells("xilinx")
    instruction = "Synthesize alu.v for iCE40 and write out.json."
    generic = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction)
    assert not generic["target"].held and "no ice40 cells" in generic["target"].detail
    mapped = checked(yosys, "read_verilog alu.v\nsynth_ice40 -top alu_wrap\nwrite_json out.json\n", instruction)
    assert mapped["target"].held and "SB_" in mapped["target"].detail


def test_target_cells_include_those_of_the_files_a_cell_library_includes(yosys):
    # ECP5's LUT4, TRELLIS_FF and CCU2C live in common_sim.vh and ccu2c_sim.vh, which cells_sim.v `includes: a
    # correct synth_ecp5 run was once told it had "no ecp5 cells".
    assert {"LUT4", "TRELLIS_FF", "CCU2C"} <= family_cells("ecp5")
    instruction = "Synthesize alu.v for a Lattice ECP5 and write out.json."
    mapped = checked(yosys, "read_verilog alu.v\nsynth_ecp5 -top alu_wrap\nwrite_json out.json\n", instruction)
    assert mapped["target"].held, mapped["target"].detail


def test_with_no_netlist_written_the_logs_statistics_are_the_evidence(yosys):
    instruction = "Synthesize alu.v for xilinx with alu_wrap as top and report the statistics."
    generic = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nstat\n", instruction)
    assert not generic["target"].held and generic["top"].held
    mapped = checked(yosys, "read_verilog alu.v\nsynth_xilinx -top alu_wrap\n", instruction)
    assert mapped["target"].held and "FDRE" in mapped["target"].detail


def test_liberty_cells_must_be_in_the_netlist(yosys):
    files = [*FILES, {"name": "tiny.lib", "content": LIBERTY}]
    instruction = "Map the flip-flops of alu.v to the tiny.lib library and write out.json."
    unmapped = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction, files)
    assert not unmapped["liberty"].held and "no cell of tiny.lib" in unmapped["liberty"].detail
    script = "read_verilog alu.v\nsynth -top alu_wrap\ndfflibmap -liberty tiny.lib\nwrite_json out.json\n"
    mapped = checked(yosys, script, instruction, files)
    assert mapped["liberty"].held and "TINY_DFF" in mapped["liberty"].detail


def test_memory_cells_are_found_in_the_netlist(yosys):
    files = [{"name": "ram.v", "content": RAM}]
    instruction = "Synthesize ram.v with no memories left and write ram_out.v."
    kept = checked(yosys, "read_verilog ram.v\nproc\nmemory -nomap\nwrite_verilog ram_out.v\n", instruction, files)
    assert not kept["no-memory"].held and "$mem" in kept["no-memory"].detail
    mapped = checked(yosys, "read_verilog ram.v\nsynth -top ram\nwrite_verilog ram_out.v\n", instruction, files)
    assert mapped["no-memory"].held


def test_an_output_in_the_wrong_format_or_under_another_name_fails(yosys):
    instruction = "Synthesize alu.v and write the netlist as JSON to out.json."
    verilog = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_verilog out.json\n", instruction)
    assert not verilog["output"].held and "it looks like verilog" in verilog["output"].detail
    other = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json other.json\n", instruction)
    assert not other["output"].held and "it wrote other.json" in other["output"].detail


def test_an_empty_report_fails(yosys):
    instruction = "Synthesize alu.v and save the statistics to stats.txt."
    empty = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\ntee -q -o stats.txt log\n", instruction)
    assert not empty["output"].held and "empty" in empty["output"].detail
    full = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\ntee -q -o stats.txt stat\n", instruction)
    assert full["output"].held


def test_a_step_holds_when_the_log_shows_it_ran_inside_another_command(yosys):
    instruction = "Synthesize alu.v, run opt_clean and write out.json."
    ran = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction)
    assert ran["step"].held and "log" in ran["step"].detail
    missing = checked(yosys, "read_verilog alu.v\nproc\nwrite_json out.json\n", instruction)
    assert not missing["step"].held


def test_a_requirement_reads_as_what_was_asked_and_its_problem_says_what_was_found():
    requirement = Requirement("top", "alu", command="hierarchy")
    assert str(requirement) == "top module `alu`"
    from chipmate.plugins.scriptgen.requirements import Check

    check = Check(requirement, False, "the top of out.json is `alu_wrap`")
    assert check.output() == {"requirement": "top module `alu`", "held": False, "detail": check.detail}
    problem = check.problem()
    assert problem.command == "hierarchy"
    assert str(problem) == "script: asked for top module `alu`; the top of out.json is `alu_wrap`"


def test_a_netlist_yosys_cannot_read_back_is_not_in_its_format(yosys):
    instruction = "Flatten alu.v and write flat.v."
    broken = checked(yosys, "read_verilog alu.v\ntee -q -o flat.v log module broken(\n", instruction)
    assert not broken["output"].held and "cannot be read back as verilog: ERROR" in broken["output"].detail


def test_a_command_the_instruction_rules_out_is_no_step():
    found = yosys_requirements("Without using the synth command, run opt_clean, use abc, and write out.v.")
    assert [r.subject for r in found if r.kind == "step"] == ["opt_clean", "abc"]
    tcl = extract("With 0.05 load on all outputs, write the report to o.rpt.", [], {"load"}, "tcl")
    assert not [r for r in tcl if r.kind == "step"]


# -- the fix an unmet requirement spells out ------------------------------------------------------------------


def fixed(script, requirement, instruction="", tops=("alu_wrap",)):
    from chipmate.plugins.scriptgen.requirements import Check, intent_fix

    result = intent_fix(script, Check(requirement, False, ""), instruction, list(tops))
    return result.script if result is not None else None


SYNTH = "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n"


@pytest.mark.parametrize(
    ("requirement", "script", "expected"),
    [
        (Requirement("top", "alu"), SYNTH, "read_verilog alu.v\nsynth -top alu\nwrite_json out.json\n"),
        (Requirement("top", "alu"), "read_verilog alu.v\nsynth\nwrite_json out.json\n", "synth -top alu"),
        (
            Requirement("top", "alu"),
            "read_verilog alu.v\nwrite_json out.json\n",
            "read_verilog alu.v\nhierarchy -top alu\n",
        ),
        (Requirement("flatten", ""), SYNTH, "synth -top alu_wrap\nflatten\nwrite_json out.json\n"),
        (
            Requirement("hierarchy", ""),
            "read_verilog alu.v\nsynth -flatten\nflatten\nwrite_json o.json\n",
            "synth\nwrite",
        ),
        (Requirement("target", "ice40"), SYNTH, "read_verilog alu.v\nsynth_ice40 -top alu_wrap\nwrite_json out.json\n"),
        (
            Requirement("target", "gowin"),
            "read_verilog alu.v\nwrite_json out.json\n",
            "synth_gowin -top alu_wrap\nwrite",
        ),
        (Requirement("liberty", "tiny.lib"), SYNTH, "dfflibmap -liberty tiny.lib\nabc -liberty tiny.lib\nwrite_json"),
        (Requirement("no-memory", ""), SYNTH, "synth -top alu_wrap\nproc\nmemory_map\nwrite_json"),
        (Requirement("step", "opt_clean"), SYNTH, "synth -top alu_wrap\nopt_clean\nwrite_json out.json\n"),
        (
            Requirement("output", "out.json", "json"),
            "read_verilog alu.v\nwrite_verilog out.json\n",
            "write_json out.json",
        ),
        (Requirement("output", "net.blif", "blif"), SYNTH, "write_json out.json\nwrite_blif net.blif\n"),
    ],
)
def test_an_unmet_requirement_is_fixed_the_way_it_says(requirement, script, expected):
    assert expected in fixed(script, requirement)


def test_only_flip_flops_map_with_dfflibmap_alone_and_a_fix_that_changes_nothing_is_none():
    flops = fixed(SYNTH, Requirement("liberty", "tiny.lib"), "Map the flip-flops to tiny.lib.")
    assert "dfflibmap -liberty tiny.lib" in flops and "abc" not in flops
    assert fixed("read_verilog alu.v\nsynth\nflatten\nwrite_json o.json\n", Requirement("flatten", "")) is None
    assert fixed(SYNTH, Requirement("output", "out.dot", "dot")) is None  # no writer of that format


@pytest.mark.parametrize(
    ("instruction", "gates"),
    [
        ("Map alu.v to only NAND gates and write out.v.", ["NAND"]),
        ("Use only AND and OR gates; write out.v.", ["AND", "OR"]),
        ("Write out.v with NOR gates only.", ["NOR"]),
        ("Run abc -g AND,XOR and write out.v.", ["AND", "XOR"]),
        ("Write only and gates' names.", []),  # "and" is a word, AND a gate
        ("Synthesize alu.v and write out.v.", []),
    ],
)
def test_gate_sets_are_abcs_gate_names(instruction, gates):
    found = [r.subject for r in yosys_requirements(instruction) if r.kind == "gates"]
    assert found == ([",".join(gates)] if gates else [])


def test_a_gate_set_is_checked_in_the_netlist_and_fixed_with_abc_g(yosys):
    instruction = "Synthesize alu.v to only NAND gates and write out.json."
    generic = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap -flatten\nwrite_json out.json\n", instruction)
    assert not generic["gates"].held and "other gates" in generic["gates"].detail
    script = "read_verilog alu.v\nsynth -top alu_wrap -flatten\nabc -g NAND\nwrite_json out.json\n"
    assert checked(yosys, script, instruction)["gates"].held
    coarse = checked(yosys, "read_verilog alu.v\nproc\nwrite_json out.json\n", instruction)
    assert not coarse["gates"].held and "word-level cells" in coarse["gates"].detail
    assert "abc -g NAND\nwrite_json" in fixed(SYNTH, Requirement("gates", "NAND"))


def test_gates_of_a_verilog_netlist_come_from_the_abc_mapping_in_the_log(yosys):
    # write_verilog writes a NAND as ~(a & b): read back, it is a $not and an $and, so the log is the evidence.
    instruction = "Synthesize alu.v to only NAND gates and write out.v."
    script = "read_verilog alu.v\nsynth -top alu_wrap -flatten\nabc -g NAND\nwrite_verilog -noattr out.v\n"
    mapped = checked(yosys, script, instruction)
    assert mapped["gates"].held and "ABC mapping" in mapped["gates"].detail and "$_NAND_" in mapped["gates"].detail
    script = "read_verilog alu.v\nsynth -top alu_wrap -flatten\nabc -g AND,OR\nwrite_verilog -noattr out.v\n"
    other = checked(yosys, script, instruction)
    assert not other["gates"].held and "$_AND_" in other["gates"].detail


@pytest.mark.parametrize(
    ("instruction", "wanted"),
    [
        ("Synthesize alu.v and write out.json.", True),
        ("I need a gate-level netlist of alu.v in out.v.", True),
        ("Run synthesis on alu.v, then save out.blif.", True),
        # Stopping before the fine-grained part, ruling synthesis out, or naming a command's description
        ("Stop synthesis before fine-grained mapping (synth -run begin:fine) and save out.il.", False),
        ("Dump alu.v to out.json, no synthesis needed.", False),
        ("Read alu.v, run `prep` (generic synthesis script) and write out.json.", False),
        ("Do a coarse-grain synthesis of alu.v into out.il.", False),
        # A target family already asks for more than fine-grained cells: one requirement, not two
        ("Synthesize alu.v for iCE40 and write out.json.", False),
    ],
)
def test_synthesized_is_asked_for_in_words(instruction, wanted):
    assert any(r.kind == "synthesized" for r in yosys_requirements(instruction)) is wanted


def test_a_synthesized_design_has_no_word_level_cells_left(yosys):
    instruction = "Synthesize alu.v and write the result to out.json."
    coarse = checked(yosys, "read_verilog alu.v\nhierarchy -top alu_wrap\nproc\nwrite_json out.json\n", instruction)
    assert not coarse["synthesized"].held and "word-level cells" in coarse["synthesized"].detail
    fine = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_json out.json\n", instruction)
    assert fine["synthesized"].held
    # A Verilog netlist read back has word-level cells again: the run's statistics decide.
    verilog = "Synthesize alu.v and write the result to out.v."
    assert checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_verilog out.v\n", verilog)["synthesized"].held
    unsynthesized = checked(yosys, "read_verilog alu.v\nproc\nwrite_verilog out.v\n", verilog)["synthesized"]
    assert not unsynthesized.held and "no synthesis" in unsynthesized.detail
    # A BLIF netlist read back holds its logic as $lut cells: fine-grained.
    blif = "Synthesize alu.v and write the result to out.blif."
    assert checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\nwrite_blif out.blif\n", blif)["synthesized"].held


def test_an_unsynthesized_script_gets_synth_before_its_outputs_and_a_synthesized_one_goes_to_the_model():
    script = "read_verilog alu.v\nproc\nwrite_json out.json\n"
    assert fixed(script, Requirement("synthesized", "")) == (
        "read_verilog alu.v\nproc\nsynth -top alu_wrap\nwrite_json out.json\n"
    )
    assert fixed(SYNTH, Requirement("synthesized", "")) is None


# -- named cell types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "present", "absent"),
    [
        ("Synthesize alu.v for iCE40 without carry chains (no SB_CARRY cells); write out.json.", [], ["SB_CARRY"]),
        (
            "Turn it into an and-inverter graph made only of $_AND_ and $_NOT_ cells; write out.json.",
            ["$_AND_", "$_NOT_"],
            [],
        ),
        ("Cover its multiplexers with 4-input multiplexer cells ($_MUX4_); write out.json.", ["$_MUX4_"], []),
        ("Turn its $pmux cells into trees of $_MUX_ cells and write out.json.", ["$_MUX_"], ["$pmux"]),
        ("Replace every $dlatch with flip-flops but keep the $mem cells; write out.json.", ["$mem"], ["$dlatch"]),
        # Capitalised words that are no library's or family's cell are not cell names.
        ("Synthesize alu.v, ALU_WRAP as top, and write out.json.", [], []),
    ],
)
def test_named_cell_types_are_wanted_present_or_gone_by_the_words_before_them(instruction, present, absent):
    from chipmate.plugins.scriptgen.requirements import named_cells

    assert named_cells(instruction, family_cells("ice40")) == (present, absent)


def test_named_cell_types_are_checked_in_the_netlist(yosys):
    instruction = "Turn alu.v into an and-inverter graph made only of $_AND_ and $_NOT_ cells; write out.json."
    requirements = {r.kind: r for r in yosys_requirements(instruction)}
    assert requirements["cells"].subject == "$_AND_,$_NOT_"
    rtl = checked(yosys, "read_verilog alu.v\nproc\nwrite_json out.json\n", instruction)
    assert not rtl["cells"].held and "no $_AND_, $_NOT_ cells in out.json" in rtl["cells"].detail
    aig = checked(yosys, "read_verilog alu.v\nsynth -top alu_wrap\naigmap\nwrite_json out.json\n", instruction)
    assert aig["cells"].held, aig["cells"].detail
    # Gone: the family's carry cells, which synth_ice40 uses for the adder unless told -nocarry.
    nocarry = "Synthesize alu.v for iCE40 with no SB_CARRY cells and write out.json."
    assert checked(yosys, "read_verilog alu.v\nsynth_ice40 -top alu_wrap\nwrite_json out.json\n", nocarry)[
        "no-cells"
    ].detail.endswith("SB_CARRY")
    held = checked(yosys, "read_verilog alu.v\nsynth_ice40 -top alu_wrap -nocarry\nwrite_json out.json\n", nocarry)
    assert held["no-cells"].held and held["target"].held


HELP = {
    "synth_ice40": [
        ("-top <module>", "use the specified module as top module"),
        ("-nocarry", "do not use SB_CARRY cells in output netlist"),
        ("-nodffe", "do not use SB_DFFE* cells in output netlist"),
        ("-dffe_min_ce_use <min_ce_use>", "do not use SB_DFFE* cells if the CE line would go to less than this"),
    ],
    "demo": [("-withmux4", "use $_MUX4_ cells"), ("-nomux4", "never use $_MUX4_ cells")],
}


@pytest.mark.parametrize(
    ("requirement", "script", "expected"),
    [
        # A family cell to go: the option whose help says so, on the line that runs the command.
        (
            Requirement("no-cells", "SB_CARRY"),
            "read_verilog a.v\nsynth_ice40 -top a\nwrite_json a.json\n",
            "read_verilog a.v\nsynth_ice40 -top a -nocarry\nwrite_json a.json\n",
        ),
        # A prefix pattern in the help (SB_DFFE*) names SB_DFFER; an option that takes an argument is never added.
        (
            Requirement("no-cells", "SB_DFFER"),
            "synth_ice40\n",
            "synth_ice40 -nodffe\n",
        ),
        # A wanted cell: the option that says it uses it, not the one that says it never does.
        (Requirement("cells", "$_MUX4_"), "demo\n", "demo -withmux4\n"),
        (Requirement("no-cells", "$_MUX4_"), "demo\n", "demo -nomux4\n"),
        # No command of the script has such an option, or it is already there: the model's to fix.
        (Requirement("no-cells", "SB_CARRY"), "synth -top a\n", None),
        (Requirement("no-cells", "SB_CARRY"), "synth_ice40 -nocarry\n", None),
        (Requirement("cells", "SB_CARRY"), "synth_ice40\n", None),
        (Requirement("top", "a"), "synth_ice40\n", None),
    ],
)
def test_a_cell_requirement_is_met_by_an_option_the_commands_help_names(requirement, script, expected):
    from chipmate.plugins.scriptgen.requirements import Check, option_fix

    fixed = option_fix(script, Check(requirement, False, ""), lambda command: HELP.get(command, []))
    assert (fixed.script if fixed else None) == expected
    if fixed:
        assert "its help says" in fixed.note
