"""Documentation grounding: the commands a request calls for, their usage in the prompt, the repair turn's help."""

from __future__ import annotations

import re
import shutil

import pytest

from chipmate.plugins.scriptgen.helpdocs import (
    BUDGET,
    ToolDocs,
    opensta_commands,
    repair_help,
    synopsis,
    usage_prior,
    yosys_commands,
)
from chipmate.plugins.scriptgen.opensta import OpenStaTool
from chipmate.plugins.scriptgen.tool import ScriptRun
from chipmate.tasks import TaskContext

from .conftest import BagOfWordsEmbedder, counter_request

GOOD = "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"


@pytest.fixture
def docs(yosys, tmp_path):
    return ToolDocs("yosys", yosys_commands(yosys.reference()), BagOfWordsEmbedder(), cache_dir=tmp_path / "c")


def test_the_yosys_reference_becomes_commands_with_synopses_and_options(yosys):
    commands = {c.name: c for c in yosys_commands(yosys.reference())}
    assert len(commands) >= 250
    ice40 = commands["synth_ice40"]
    assert ice40.usage == "synth_ice40 [options]" and "iCE40" in ice40.title
    assert ("-top <module>", "use the specified module as top module") in ice40.options


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("Synthesize popc.v for a Lattice iCE40 FPGA and write popc_ice40.json.", ["synth_ice40", "write_json"]),
        ("Map alu.v to gates and save it as alu.blif.", ["write_blif"]),
        ("Synthesize alu.v and put the netlist in alu_net.v.", ["write_verilog"]),
        ("Export the state machine of door.v in KISS2 format to door.kiss2.", ["fsm_export"]),
        ("Cover the multiplexers with muxcover and write out.il.", ["muxcover", "write_rtlil"]),
        ("Synthesize tally_ctr for a Xilinx 7-series FPGA.", ["synth_xilinx"]),
    ],
)
def test_explicit_mentions_name_their_commands(docs, instruction, expected):
    inputs = [{"name": name, "content": ""} for name in re.findall(r"\b\w+\.v\b", instruction)[:1]]
    assert docs.mentioned(instruction, inputs) == expected


def test_english_words_that_are_commands_and_input_files_are_not_mentions(docs):
    files = [{"name": "in.json", "content": "{}"}]
    assert docs.mentioned("Read in.json, check it and copy the result", files) == []


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("Evaluate popcount8 for bits = 8'b1011 with the eval command; save the value in e.txt.", ["eval"]),
        ("Run `ls` on dsp.v and keep what it prints in mods.txt.", ["ls"]),
        ("Run the check pass on alu.v.", ["check"]),
        ("Evaluate the adder and list its modules in e.txt.", []),
    ],
)
def test_an_english_word_is_a_mention_when_it_is_named_as_a_command(docs, instruction, expected):
    inputs = [{"name": name, "content": ""} for name in re.findall(r"\b\w+\.v\b", instruction)]
    assert [c for c in docs.mentioned(instruction, inputs) if not c.startswith("write_")] == expected


def test_the_retrieval_query_leaves_out_file_and_module_names(docs, monkeypatch):
    from chipmate.plugins.scriptgen.helpdocs import _query

    files = [{"name": "route.v", "content": "module route_sel(input a, output y); assign y = a; endmodule"}]
    instruction = "Elaborate route.v (route_sel) and turn its multiplexers into trees; write route_tree.json."
    assert _query(instruction, files) == "Elaborate ( ) and turn its multiplexers into trees; write ."
    queries = []
    monkeypatch.setattr(docs, "search", lambda query, k: queries.append(query) or [])
    docs.lookup(instruction, files)
    assert queries == [_query(instruction, files)]


def test_options_and_transformations_come_from_the_help(docs):
    assert ("-nocarry", "do not use SB_CARRY cells in output netlist") in docs.options("synth_ice40")
    assert docs.options("no_such_command") == []
    assert docs.transformations(["read_verilog", "pmuxtree", "write_json", "synth_ice40", "nope"]) == [
        "pmuxtree",
        "synth_ice40",
    ]


def test_retrieval_fills_up_with_commands_that_match_the_request(docs):
    found = [name for name, _ in docs.search("find the full adders and half adders in the gate netlist", 5)]
    assert found[0] == "extract_fa"
    popc = [{"name": "popc.v", "content": ""}]
    chosen = docs.lookup("Synthesize popc.v for iCE40 and write popc.json; convert async resets to sync", popc)
    assert chosen[:2] == ["synth_ice40", "write_json"] and len(chosen) <= 4


def test_usage_lines_show_the_synopsis_and_the_options_the_request_names_within_the_budget(docs):
    instruction = "Synthesize tally.v for iCE40 without carry chains, write tally.json with tally_ctr as top module"
    text = docs.usage(instruction, ["synth_ice40", "write_json"])
    first = text.splitlines()[0]
    assert first.startswith("synth_ice40  #") and "iCE40" in first  # "[options]" is not something to copy
    assert "-nocarry" in text and "-top <module>" in text and "write_json [filename]" in text
    assert "-nobram" not in text  # an option the request does not ask for stays out
    everything = docs.usage(instruction, list(docs.commands)[:60])
    assert len(everything) <= BUDGET


def test_repair_help_is_that_of_the_real_command_closest_to_an_unknown_one(docs, yosys):
    run = ScriptRun(ok=False, log="", error="ERROR: No such command: synth_ice4", error_line=2, command="synth_ice4")
    command, text = repair_help(yosys, run, docs)
    assert command == "synth_ice40" and "-top <module>" in text
    unmet = ScriptRun(ok=True, log="", error="output popc.blif was never written", error_line=0, command="")
    assert repair_help(yosys, unmet, docs)[0] == "write_blif"
    failed = ScriptRun(ok=False, log="", error="ERROR: Assertion failed", error_line=3, command="select")
    assert repair_help(yosys, failed, docs)[0] == "select"
    assert repair_help(yosys, run, None) == ("synth_ice4", "")


def test_opensta_usages_split_into_synopsis_and_option_groups():
    reference = {
        "cmds": {
            "report_checks": {
                "usage": "report_checks [-from from_list|-rise_from r] [-path_delay min|max] [> filename]"
            }
        }
    }
    (doc,) = opensta_commands(reference)
    assert doc.usage == "report_checks"
    assert [flag for flag, _ in doc.options] == [
        "[-from from_list|-rise_from r]",
        "[-path_delay min|max]",
        "[> filename]",
    ]


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
def test_opensta_requests_find_their_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path))
    tool = OpenStaTool()
    docs = ToolDocs("opensta", opensta_commands(tool.reference()), BagOfWordsEmbedder())
    request = "Write the worst hold path and the SDF delays of top.v to hold.rpt and top.sdf."
    assert docs.mentioned(request)[:2] == ["report_checks", "write_sdf"]
    assert "-path_delay min|min_rise" in docs.usage("hold path delay min", ["report_checks"])


def test_the_generator_prompt_carries_the_usage_and_grounding_can_be_switched_off(make_host, generator):
    generator.replies = [GOOD]
    request = counter_request("Synthesize counter.v for iCE40 and write the netlist to counter_syn.json.")
    events = []
    make = make_host()
    make.run_task("scriptgen.generate", request, TaskContext(host=make, emit=events.append))
    system, final = generator.prompts[0][0]["content"], generator.prompts[0][-1]["content"]
    # In the system message, ahead of the examples: the request's turn keeps the form of the examples' turns.
    assert "Commands of `yosys` that may help" in system and "synth_ice40  # " in system
    assert "synth_ice40" not in final and final.endswith("counter_syn.json.")
    assert any(e.kind == "progress" and e.text.startswith("ground: synth_ice40, write_json") for e in events)
    off = make_host(grounding=False)
    off.run_task("scriptgen.generate", request, TaskContext(host=off))
    assert "that may help" not in generator.prompts[-1][0]["content"]


def test_vendor_flows_and_internal_commands_are_shown_only_when_named(docs):
    for instruction in (
        "Synthesize gray.v and write the synthesized design as JSON into gray_syn.json.",
        "Map debounce.v to gates and write an EDIF netlist to debounce.edif.",
    ):
        assert not [c for c in docs.lookup(instruction) if c.startswith(("synth_", "test_"))]
    assert docs.commands["synth_ice40"].group == "techlibs/ice40" and not docs.commands["synth_ice40"].retrievable
    assert docs.commands["async2sync"].retrievable and docs.commands["synth"].retrievable
    assert not docs.commands["write_json"].retrievable and not docs.commands["json"].retrievable
    assert docs.lookup("Synthesize gray.v for Gowin")[0] == "synth_gowin"


def test_synopses_leave_out_optional_flags_a_model_would_copy(docs):
    # A small model copied `dfflibmap [-prepare] [-map-only] [-info] ...` flag by flag; Yosys refuses that.
    assert synopsis(docs.commands["dfflibmap"].usage) == "dfflibmap -liberty <file> [selection]"
    assert synopsis("write_verilog [options] [filename]") == "write_verilog [filename]"
    assert synopsis("memory [-norom] [-nomap] [-bram <bram_rules>] [selection]") == "memory [selection]"
    text = docs.usage(
        "Map it with dfflibmap to lib.lib, only the flip-flops, with -dont_use for SDFF cells", ["dfflibmap"]
    )
    assert text.startswith("dfflibmap -liberty <file> [selection]") and "-dont_use" in text and "-prepare" not in text


def test_an_option_is_shown_for_its_name_or_two_shared_words_not_one(docs):
    shown = docs.usage("Write the netlist of the pattern detector as Verilog without attributes", ["write_verilog"])
    assert "-noattr" in shown  # "attributes" says the option's name
    assert "-nodec" not in shown  # its description's "bit patterns" shares one word with the request: chance
    # A word of the command's own title selects nothing: "JSON" asks for write_json, not its "JSON number" option.
    assert docs.usage("Dump it as JSON", ["write_json"]).splitlines() == [docs.usage("", ["write_json"])]
    # A part of a longer option name is not its name: "keep the hierarchy" is not -nokeep_prints.
    kept = docs.usage("Synthesize it but keep the module hierarchy", ["hierarchy"])
    assert "-nokeep_prints" not in kept and "-keep_portwidths" not in kept
    # File names are not words of the request: seq_syn.v does not ask for anything "syn".
    assert docs.usage("Create seq_syn.v", ["write_verilog"]) == docs.usage("Create it", ["write_verilog"])


def test_retrieval_never_offers_readers_or_writers(docs):
    for instruction in (
        "Turn the LFSR into a BLIF netlist named lfsr16.blif after synthesizing it.",
        "Synthesize the whole thing flattened and write mac_flat.v.",
        "Save crc8.v as an RTLIL file crc8.il with its always blocks converted.",
    ):
        mentioned = docs.mentioned(instruction)
        retrieved = docs.lookup(instruction)[len(mentioned) :]
        assert not [c for c in retrieved if docs.commands[c].group in ("frontends", "backends")], retrieved
    assert not docs.commands["read_blif"].retrievable and not docs.commands["write_aiger2"].retrievable
    assert docs.lookup("Write lfsr16.blif")[:1] == ["write_blif"]  # a writer comes from the output's extension


def test_the_usage_prior_counts_scripts_and_lifts_the_commands_users_run(docs):
    prior = usage_prior([["read_verilog", "synth", "stat"], ["read_verilog", "stat", "stat"], ["read_verilog"]])
    assert prior["read_verilog"] == 1.0 and 0 < prior["synth"] < prior["stat"] < 1.0
    assert usage_prior([]) == {}
    request = "report the number of cells of each type and the area"
    plain = dict(docs.search(request, 10))
    lifted = ToolDocs("yosys", list(docs.commands.values()), docs.embedder, prior={"stat": 1.0})
    assert dict(lifted.search(request, 10))["stat"] > plain.get("stat", 0.0)


def test_the_title_match_lifts_a_command_whose_name_the_request_says(docs, monkeypatch):
    from chipmate.plugins.scriptgen import helpdocs

    request = "put the statistics of the design in a report"
    monkeypatch.setattr(helpdocs, "TITLE_WEIGHT", 0.0)
    plain = dict(docs.search(request, 20))
    monkeypatch.setattr(helpdocs, "TITLE_WEIGHT", 0.1)
    titled = dict(docs.search(request, 20))
    assert titled["stat"] > plain["stat"]  # "statistics" says `stat`
    assert 0.0 < docs._rarity("stat") <= 1.0 and docs._rarity("design") < docs._rarity("stat")
