"""Documentation grounding: the commands a request calls for, their usage in the prompt, the repair turn's help."""

from __future__ import annotations

import re
import shutil

import pytest

from chipmate.plugins.scriptgen.helpdocs import BUDGET, ToolDocs, opensta_commands, repair_help, yosys_commands
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
    assert first.startswith("synth_ice40 [options]") and "iCE40" in first
    assert "-nocarry" in text and "-top <module>" in text and "write_json [options] [filename]" in text
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
    final = generator.prompts[0][-1]["content"]
    assert "Commands that may help (from `yosys help`" in final and "synth_ice40 [options]" in final
    assert final.index("synth_ice40 [options]") < final.index("Task: ") and final.endswith("counter_syn.json.")
    assert any(e.kind == "progress" and e.text.startswith("ground: synth_ice40, write_json") for e in events)
    off = make_host(grounding=False)
    off.run_task("scriptgen.generate", request, TaskContext(host=off))
    assert "Commands that may help" not in generator.prompts[-1][-1]["content"]


def test_vendor_flows_and_internal_commands_are_shown_only_when_named(docs):
    for instruction in (
        "Synthesize gray.v and write the synthesized design as JSON into gray_syn.json.",
        "Map debounce.v to gates and write an EDIF netlist to debounce.edif.",
    ):
        assert not [c for c in docs.lookup(instruction) if c.startswith(("synth_", "test_"))]
    assert docs.commands["synth_ice40"].group == "techlibs/ice40" and not docs.commands["synth_ice40"].retrievable
    assert docs.commands["async2sync"].retrievable and docs.commands["synth"].retrievable
    assert docs.commands["write_json"].retrievable and not docs.commands["json"].retrievable
    assert docs.lookup("Synthesize gray.v for Gowin")[0] == "synth_gowin"
