"""``chipmate bugs import|fit|stats|similar|triage`` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chipmate.cli import cli

from .conftest import FIXTURES


@pytest.fixture
def bugs(config_file):
    """Run ``chipmate bugs ...`` with the test config; returns the click Result."""
    config = config_file()
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["bugs", *args, "-c", str(config)], catch_exceptions=False)

    return invoke


def test_import_reports_counts_and_problems(bugs):
    result = bugs("import", str(FIXTURES / "history.jsonl"), str(FIXTURES / "github_issues.json"))
    assert result.exit_code == 0, result.output
    assert "imported 6, updated 0, unchanged 0, skipped 4 malformed, ignored 1 pull requests" in result.stdout
    assert "history version 1" in result.stdout
    assert "warning: " in result.stderr and "line 5 (id 'CHIP-104'): field 'title'" in result.stderr
    again = bugs("import", str(FIXTURES / "history.jsonl"), str(FIXTURES / "github_issues.json"))
    assert "imported 0, updated 0, unchanged 6" in again.stdout and "history version 1" in again.stdout


def test_import_fails_only_when_nothing_could_be_imported(bugs, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "X-1"}\nnot json\n')
    result = bugs("import", str(bad))
    assert result.exit_code == 1
    assert "Error: nothing could be imported" in result.stderr and "fix the records named above" in result.stderr
    assert "line 1 (id 'X-1'): field 'title'" in result.stderr


def test_import_with_explicit_format_and_folder_label(bugs):
    result = bugs("import", str(FIXTURES / "threads"), "--format", "markdown", "--folder-label", "none")
    assert result.exit_code == 0 and "imported 2" in result.stdout
    stats = json.loads(bugs("stats", "--json").stdout)
    assert stats["category"]["labelled"] == 0 and stats["records"] == 2


def test_fit_stats_similar_and_triage(bugs, history_file, tmp_path):
    assert bugs("import", str(history_file), str(FIXTURES / "history.jsonl")).exit_code == 0
    fit = bugs("fit")
    assert fit.exit_code == 0, fit.output
    assert "component: 40 labelled, 3 classes; cross-validated accuracy" in fit.stdout
    assert "severity: not fitted (needs 20 labelled records" in fit.stdout
    assert "owner: 39 labelled, 3 classes; cross-validated accuracy" in fit.stdout
    stats = bugs("stats")
    assert "40 bugs, history version 1" in stats.stdout and "model component:" in stats.stdout
    assert "STALE" not in stats.stdout

    similar = bugs("similar", "--text", "detailed_route segfaults on the alu macro", "-k", "2")
    first = similar.stdout.splitlines()[0].split()
    assert similar.exit_code == 0 and first[1] == "CHIP-101" and float(first[0]) > 0.6
    as_json = json.loads(bugs("similar", str(FIXTURES / "new_bug.md"), "--json").stdout)
    assert as_json[0]["id"] == "CHIP-101" and len(as_json) == 5

    result = bugs("triage", str(FIXTURES / "new_bug.md"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "new_bug  detailed_route crashes with a segmentation fault on the fpu block"
    assert "technical summary:" in lines and any(line.startswith("owners: carol") for line in lines)
    assert any(line.startswith("severity: high (rule:") for line in lines)

    parts = bugs("triage", str(FIXTURES / "new_bug.md"), "--parts", "owners,duplicates", "--json")
    out = json.loads(parts.stdout)
    assert set(out) == {"id", "owners", "owners_unsure", "duplicates", "notes", "history_version"}
    assert out["duplicates"][0]["id"] == "CHIP-101"


def test_triage_of_a_thread_uses_its_tool_line(bugs, history_file, tmp_path):
    assert bugs("import", str(history_file)).exit_code == 0
    assert bugs("fit").exit_code == 0
    thread = tmp_path / "bug.md"
    # about routing words, but the thread's header says which team's tool it is
    thread.write_text("# detailed_route drc short on metal2\n\nTool: STA\n\n### alice\nThe via guide is wrong.\n")
    out = json.loads(bugs("triage", str(thread), "--parts", "component", "--json").stdout)
    assert (out["component"]["label"], out["component"]["source"], out["component"]["unsure"]) == (
        "sta",
        "record",
        False,
    )


def test_triage_errors_are_one_line(bugs, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("no title\n")
    result = bugs("triage", str(empty))
    assert result.exit_code == 1 and "Error: no bug record could be read from" in result.stderr
    result = bugs("triage", str(FIXTURES / "new_bug.md"), "--parts", "owner")
    assert result.exit_code == 1 and "input.parts" in result.stderr
    result = bugs("similar", "--text", "anything")
    assert result.exit_code == 1 and "Error: the bug history is empty" in result.stderr
    result = bugs("similar")
    assert result.exit_code == 1 and "give a FILE or --text" in result.stderr


def test_bad_settings_name_the_key(config_file):
    config = config_file(treshold=0.5)
    result = CliRunner().invoke(cli, ["bugs", "stats", "-c", str(config)])
    assert result.exit_code == 1
    assert "unknown key 'tasks.bugtriage.treshold'" in result.stderr and "did you mean 'threshold'" in result.stderr
    config = config_file(threshold=2)
    result = CliRunner().invoke(cli, ["bugs", "stats", "-c", str(config)])
    assert "tasks.bugtriage.threshold must be in [0, 1], got 2.0" in result.stderr


def test_help_has_examples():
    result = CliRunner().invoke(cli, ["bugs", "--help"])
    assert "chipmate bugs import issues.jsonl" in result.stdout
    for command in ("import", "fit", "stats", "similar", "triage"):
        assert CliRunner().invoke(cli, ["bugs", command, "--help"]).exit_code == 0
