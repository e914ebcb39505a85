"""Fixtures of the scriptgen tests: the real Yosys (pyosys), with its command reference harvested once a session.

Caches go to a per-test directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipmate.plugins.scriptgen.yosys import YosysTool

COUNTER = """module counter (input wire clk, input wire rst, input wire en, output reg [7:0] count);
  always @(posedge clk) begin
    if (rst) count <= 8'd0;
    else if (en) count <= count + 8'd1;
  end
endmodule
"""


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yosys_reference: Path) -> None:
    # Nothing a scriptgen test writes may land in the user's cache; Yosys's command list is harvested once.
    cache = tmp_path / "cache"
    (cache / "scriptgen").mkdir(parents=True)
    for path in yosys_reference.iterdir():
        shutil.copy(path, cache / "scriptgen" / path.name)
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(cache))


@pytest.fixture(scope="session")
def yosys_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory holding Yosys's command reference, harvested once per session."""
    cache = tmp_path_factory.mktemp("yosys-cache")
    YosysTool(cache=cache).commands()
    return cache / "scriptgen"


@pytest.fixture
def yosys(tmp_path: Path) -> YosysTool:
    """The Yosys adapter with its command reference in the test's cache."""
    return YosysTool(cache=tmp_path / "cache")
