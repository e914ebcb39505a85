"""The scriptgen examples run for real against a server (scripted fake generator, real Yosys). The Tcl flow
(examples/tcl/yosys_flow.tcl, inside Yosys) runs in tests/integrations/test_examples.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chipmate.plugins.scriptgen.library import DESIGNS_DIR

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "read_verilog counter.v\nsynth -top counter\nwrite_verilog netlist.v\n"


@pytest.fixture
def env(make_server, make_host, generator):
    generator.replies = [SCRIPT]
    server = make_server(make_host())
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "CHIPMATE_TARGET": f"127.0.0.1:{server.port}"}


def test_python_example(env, tmp_path):
    out = tmp_path / "flow.ys"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "python" / "scriptgen.py"),
            "Synthesize counter.v to netlist.v",
            str(DESIGNS_DIR / "counter.v"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text() == SCRIPT and "# passed in 1 round(s)" in result.stdout
    assert "[retrieve: 4 example(s)" in result.stderr and "[run: passed" in result.stderr
