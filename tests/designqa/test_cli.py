"""``chipmate index ...`` from the shell: searching an index, and a missing index reported before any model loads."""

from __future__ import annotations

import json

from click.testing import CliRunner

from chipmate.cli import cli
from chipmate.plugins.designqa import service as service_module


def test_search_of_a_missing_index_fails_before_loading_the_embedder(tmp_path, monkeypatch):
    def no_model(self):
        raise AssertionError("the embedder must not load for a missing index")

    monkeypatch.setattr(service_module.DesignQAService, "embedder", no_model)
    result = CliRunner().invoke(cli, ["index", "search", "--index-dir", str(tmp_path / "nowhere"), "opt_clean"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no knowledge index at") and "chipmate index build" in result.output


def test_search_prints_ranked_passages(built_index):
    result = CliRunner().invoke(
        cli, ["index", "search", "--index-dir", str(built_index), "scan chain length limit", "-k", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 2 and hits[0]["source"].endswith("manual.pdf")
    assert hits[0]["score"] >= hits[1]["score"]
