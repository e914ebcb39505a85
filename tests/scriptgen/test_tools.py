"""The tool adapters against the real tools: Yosys through pyosys, OpenSTA where `sta` is installed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from chipmate.config import Config
from chipmate.errors import InvalidInputError
from chipmate.host import Host
from chipmate.plugins.scriptgen.opensta import OpenStaTool
from chipmate.plugins.scriptgen.tool import ScriptTool
from chipmate.tools import Tool

from .conftest import COUNTER

FILES = {"counter.v": COUNTER}
STA_DIR = Path(__file__).parent / "fixtures" / "sta"
needs_sta = pytest.mark.skipif(
    shutil.which("sta") is None, reason="OpenSTA is not installed (Debian/Ubuntu: apt-get install opensta)"
)


def test_both_adapters_are_registered_tools():
    tools = Host(Config()).tools
    for name in ("yosys", "opensta"):
        tool = tools.get(name)
        assert isinstance(tool, Tool) and isinstance(tool, ScriptTool)
    assert tools.get("yosys").language == "yosys" and tools.get("opensta").language == "tcl"


def test_yosys_knows_its_commands_and_their_help(yosys):
    commands = yosys.commands()
    assert {"read_verilog", "synth", "abc", "dfflibmap", "write_json", "tee", "stat"} <= commands
    assert "synth_gate_level_net" not in commands
    assert "-top" in yosys.help("synth") and "-liberty" in yosys.help("dfflibmap")
    assert yosys.help("no_such_command") == ""


def test_yosys_runs_a_script_and_returns_its_outputs(yosys):
    run = yosys.run(
        "read_verilog counter.v\nsynth -top counter\nwrite_json out.json\ntee -o stat.txt stat\n",
        files=FILES,
        timeout=60,
    )
    assert run.ok and run.error == "" and run.error_line == 0
    assert set(run.outputs) == {"out.json", "stat.txt"}
    assert '"counter"' in run.outputs["out.json"] and "cells" in run.outputs["stat.txt"]
    assert "Executing SYNTH pass" in run.log


@pytest.mark.parametrize(
    ("script", "line", "command", "message"),
    [
        ("read_verilog counter.v\nsynth_gate_level_net\n", 2, "synth_gate_level_net", "No such command"),
        ("read_verilog counter.v\nopt -bogus\n", 2, "opt", "Unknown option"),
        ("read_verilog counter.v\nhierarchy -top nope\n", 2, "hierarchy", "Module `nope' not found"),
        ("read_verilog missing.v\n", 1, "read_verilog", "missing.v"),
        ("read_verilog counter.v\n\n# comment\nsynth -top counter; bogus\n", 4, "synth", "No such command: bogus"),
    ],
)
def test_yosys_failures_name_the_line_the_command_and_the_error(yosys, script, line, command, message):
    run = yosys.run(script, files=FILES, timeout=60)
    assert not run.ok and not run.refused
    assert (run.error_line, run.command) == (line, command)
    assert run.error.startswith("ERROR:") and message in run.error


def test_yosys_syntax_errors_keep_the_pointer_at_the_bad_word(yosys):
    run = yosys.run("read_verilog counter.v\nsynth -top counter -frobnicate\n", files=FILES, timeout=60)
    assert "> synth -top counter -frobnicate" in run.error and "^" in run.error


def test_yosys_refuses_unsafe_scripts_without_running_them(yosys):
    run = yosys.run("read_verilog counter.v\nshell\n", files=FILES, timeout=60)
    assert run.refused and not run.ok and run.error_line == 2 and run.command == "shell"
    assert run.log.startswith("refused before running")


def test_yosys_checker_runs_after_the_script_in_the_same_directory(yosys):
    script = "read_verilog counter.v\nsynth -top counter\nwrite_json net.json\n"
    good = yosys.run(script, files=FILES, timeout=60, checker="read_json net.json\nselect -assert-min 8 t:$_*DFF*\n")
    bad = yosys.run(script, files=FILES, timeout=60, checker="read_json net.json\nselect -assert-none t:$_*DFF*\n")
    assert good.ok and good.checker is not None and good.checker.ok
    assert bad.ok and bad.checker is not None and not bad.checker.ok and "Assertion failed" in bad.checker.error


def test_yosys_timeout_is_reported(yosys):
    # Synthesising a 128-bit multiplier takes over a minute here; a SAT proof over a small counter (the earlier
    # choice) sometimes finished inside the limit.
    mul = "module mul(input [127:0] a, b, output [255:0] y);\n  assign y = a * b;\nendmodule\n"
    started = time.monotonic()
    run = yosys.run("read_verilog mul.v\nsynth -top mul\n", files={"mul.v": mul}, timeout=1)
    assert time.monotonic() - started < 30  # the process group was killed, not waited for
    assert not run.ok and run.timed_out and "wall-clock limit" in run.error


def test_file_names_are_checked_before_anything_runs(yosys):
    with pytest.raises(InvalidInputError):
        yosys.run("read_verilog x.v", files={"../x.v": ""}, timeout=10)


@needs_sta
def test_opensta_runs_a_timing_script():
    tool = OpenStaTool()
    files = {p.name: p.read_text() for p in STA_DIR.iterdir()}
    script = (
        "read_liberty cells.lib\nread_verilog top.v\nlink_design top\nread_sdc top.sdc\n"
        "report_checks -path_delay max > timing.rpt\nreport_tns\n"
    )
    run = tool.run(script, files=files, timeout=60)
    assert run.ok, run.log
    assert "Startpoint" in run.outputs["timing.rpt"] and "tns" in run.log
    assert {"report_checks", "read_liberty", "link_design"} <= tool.commands()
    assert "-path_delay" in tool.help("report_checks")


@needs_sta
def test_opensta_stops_at_the_first_error_with_its_line():
    tool = OpenStaTool()
    files = {p.name: p.read_text() for p in STA_DIR.iterdir()}
    run = tool.run("read_liberty cells.lib\nreport_checks\nputs never\n", files=files, timeout=60)
    assert not run.ok and run.error_line == 2 and run.command == "report_checks"
    assert "no network has been linked" in run.error and "never" not in run.log
    # Deny by default: a command off OpenSTA's allow-list never reaches Tcl (whose `unknown` may expand an
    # abbreviation such as `ope` to a refused command).
    bogus = tool.run("read_liberty cells.lib\nbogus_command 1\n", files=files, timeout=60)
    assert bogus.refused and bogus.error_line == 2 and "not on the allow-list" in bogus.error


@needs_sta
def test_opensta_refuses_hostile_tcl(tmp_path):
    canary = tmp_path / "pwned"
    tool = OpenStaTool()
    for script in (f"exec touch {canary}", f"set f [open {canary} w]", f"if {{1}} {{exec touch {canary}}}"):
        run = tool.run(script, files={}, timeout=30)
        assert run.refused and not canary.exists()


def test_opensta_reports_why_it_is_unavailable():
    tool = OpenStaTool(binary=None)
    if shutil.which("sta") is None:
        assert "apt-get install opensta" in (tool.unavailable() or "")
    missing = OpenStaTool(binary="")
    missing.binary = lambda: None  # type: ignore[method-assign]  # the test makes the binary missing
    assert "not installed" in (missing.unavailable() or "")
