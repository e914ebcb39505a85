"""The tool-integration examples run for real against a server: Tcl through tclsh, Python through the client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(server):
    bindir = str(Path(sys.executable).parent)  # where the `chipmate` console script is installed
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "CHIPMATE_TARGET": f"127.0.0.1:{server.port}"}


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is installed by .ci/run")
def test_tcl_example(env):
    result = subprocess.run(
        ["tclsh", str(ROOT / "examples" / "tcl" / "yosys_ask.tcl")], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "chipmate echoed 5 words: read_verilog counter.v; synth -top counter"
    assert lines[1].startswith("error handled: Error: no task named 'no.such.task'")


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is installed by .ci/run")
def test_tcl_json_quoting(env):
    script = (
        f"source {ROOT / 'examples' / 'tcl' / 'chipmate.tcl'}\n"
        'set reply [chipmate::call echo [chipmate::object text "say \\"hi\\"\\tthen \\\\ \\{x\\} \\$y"]]\n'
        "puts -nonewline [dict get $reply text]\n"
    )
    result = subprocess.run(["tclsh"], input=script, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'say "hi"\tthen \\ {x} $y'


def test_python_example(env):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "ask.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "{'text': 'synth -top counter', 'words': 3}" in result.stdout
    assert "abc -g AND,NAND,OR\nresult:" in result.stdout
    assert "handled NOT_FOUND" in result.stdout
