"""The Python example runs for real against a server. The Tcl, Yosys, OpenSTA, pyosys, grpcurl and MCP examples
run in their tools in tests/integrations/test_examples.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(server):
    bindir = str(Path(sys.executable).parent)  # where the `chipmate` console script is installed
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "CHIPMATE_TARGET": f"127.0.0.1:{server.port}"}


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
