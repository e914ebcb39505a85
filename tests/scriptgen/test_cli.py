"""``chipmate scripts add|list|show|import|export`` and ``chipmate eval scriptgen`` (fake generator, real Yosys)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from chipmate.cli import cli
from chipmate.plugins.scriptgen.library import seed_records
from chipmate.plugins.scriptgen.prompt import build_messages

from .conftest import COUNTER

GOOD = "read_verilog counter.v\nsynth -top counter\nwrite_json counter.json\n"


@pytest.fixture
def config_file(tmp_path: Path, fake_models) -> Path:
    path = tmp_path / "chipmate.yaml"
    config = {
        "cache_dir": str(tmp_path / "cache"),
        "models": {"fake-gen": {"backend": "test-scripted"}, "fake-embed": {"backend": "test-bow"}},
        "tasks": {
            "scriptgen": {"generator": "fake-gen", "embedder": "fake-embed", "library": str(tmp_path / "lib.jsonl")}
        },
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def design(tmp_path: Path) -> Path:
    path = tmp_path / "counter.v"
    path.write_text(COUNTER)
    return path


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_add_validates_by_running_and_list_shows_it(config_file, design, tmp_path):
    script = tmp_path / "flow.ys"
    script.write_text(GOOD)
    result = invoke(
        "scripts",
        "add",
        "-c",
        str(config_file),
        "--instruction",
        "Synthesize the counter to JSON.",
        "--script",
        str(script),
        "--file",
        str(design),
        "--id",
        "my-counter",
        "--level",
        "easy",
    )
    assert result.exit_code == 0, result.output
    assert "added my-counter" in result.output
    listed = invoke("scripts", "list", "-c", str(config_file), "--source", "user")
    assert "my-counter  yosys [easy]  Synthesize the counter to JSON." in listed.output
    shown = invoke("scripts", "show", "-c", str(config_file), "my-counter")
    assert shown.output.endswith(GOOD) and "# files: counter.v" in shown.output
    again = CliRunner().invoke(
        cli,
        [
            "scripts",
            "add",
            "-c",
            str(config_file),
            "--instruction",
            "x",
            "--script",
            str(script),
            "--file",
            str(design),
            "--id",
            "my-counter",
        ],
    )
    assert again.exit_code == 1 and "already in the library" in again.output


def test_add_refuses_a_script_that_fails(config_file, design):
    result = CliRunner().invoke(
        cli,
        ["scripts", "add", "-c", str(config_file), "--instruction", "x", "--script", "-", "--file", str(design)],
        input="read_verilog counter.v\nsynth -top nope\n",
    )
    assert result.exit_code == 1
    assert "failed in yosys at line 2" in result.output and "--no-validate" in result.output
    unsafe = CliRunner().invoke(
        cli,
        ["scripts", "add", "-c", str(config_file), "--instruction", "x", "--script", "-", "--file", str(design)],
        input="shell\n",
    )
    assert unsafe.exit_code == 1 and "refused" in unsafe.output
    stored = invoke(
        "scripts",
        "add",
        "-c",
        str(config_file),
        "--instruction",
        "x",
        "--script",
        "-",
        "--file",
        str(design),
        "--no-validate",
        input="synth -top nope\n",
    )
    assert stored.exit_code == 0


def test_import_and_export_round_trip(config_file, design, tmp_path):
    records = tmp_path / "team.jsonl"
    lines = [
        {"id": "team-1", "instruction": "Synthesize the counter to JSON.", "files": ["counter.v"], "script": GOOD},
        {
            "id": "team-2",
            "instruction": "Write RTLIL.",
            "files": [{"name": "counter.v", "content": COUNTER}],
            "script": "read_verilog counter.v\nproc\nwrite_rtlil c.il\n",
        },
    ]
    records.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = invoke("scripts", "import", "-c", str(config_file), str(records))
    assert result.exit_code == 0 and "imported 2 record(s)" in result.output
    exported = invoke("scripts", "export", "-c", str(config_file), "--source", "user")
    rows = [json.loads(line) for line in exported.output.splitlines() if line.startswith("{")]
    assert [r["id"] for r in rows] == ["team-1", "team-2"]
    assert rows[0]["files"] == [{"name": "counter.v", "content": COUNTER}]


def test_import_is_all_or_nothing(config_file, tmp_path, design):
    records = tmp_path / "bad.jsonl"
    good = {"id": "ok", "instruction": "x", "files": ["counter.v"], "script": GOOD}
    bad = {"id": "bad", "instruction": "y", "files": ["counter.v"], "script": "read_verilog nope.v\n"}
    records.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = CliRunner().invoke(cli, ["scripts", "import", "-c", str(config_file), str(records)])
    assert result.exit_code == 1 and "'bad' failed" in result.output
    assert (
        "0 record(s)" in CliRunner().invoke(cli, ["scripts", "list", "-c", str(config_file), "--source", "user"]).output
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "instruction": "y"}\n')
    result = CliRunner().invoke(cli, ["scripts", "import", "-c", str(config_file), str(broken)])
    assert result.exit_code == 1 and "broken.jsonl:1: 'script' must be a non-empty string" in result.output


def test_export_chat_uses_the_inference_prompt(config_file):
    result = invoke(
        "scripts", "export", "-c", str(config_file), "--format", "chat", "--source", "seed", "--examples", "2"
    )
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    seeds = seed_records()
    assert len(rows) == len(seeds) >= 150
    row, record = rows[0], seeds[0]
    assert row["id"] == record.id and row["messages"][-1] == {"role": "assistant", "content": record.script.strip()}
    assert [m["role"] for m in row["messages"]] == ["system"] + ["user", "assistant"] * 3
    # Same builder as inference: the prompt minus the examples equals build_messages of the record alone.
    assert row["messages"][-2] == build_messages(record.instruction, record.files, "yosys")[-1]
    shown = [m["content"] for m in row["messages"][1:-2:2]]
    assert all("counter.v" not in content for content in shown)  # examples come from other designs


def test_eval_scriptgen_reports_pass_at_1_per_level(config_file, fake_models, tmp_path, design):
    tasks = tmp_path / "tasks.jsonl"
    rows = [
        {
            "id": "json",
            "level": "easy",
            "instruction": "Synthesize counter.v and write counter.json.",
            "files": ["counter.v"],
            "checker": "read_json counter.json\nselect -assert-min 8 t:$_*DFF*\n",
        },
        {
            "id": "stat",
            "level": "medium",
            "instruction": "Write synthesis statistics of counter.v to stat.txt.",
            "files": ["counter.v"],
            "expect": {"contains": {"stat.txt": ["cells"]}},
        },
        {
            "id": "never",
            "level": "hard",
            "instruction": "Synthesize counter.v and write counter.json.",
            "files": ["counter.v"],
            "checker": "read_json counter.json\nselect -assert-none t:$_*DFF*\n",
        },
    ]
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    fake_models.generator.reply = lambda messages: (
        "read_verilog counter.v\nsynth -top counter\ntee -o stat.txt stat\n"
        if "stat.txt" in messages[-1]["content"]
        else GOOD
    )
    result = invoke("eval", "scriptgen", "-c", str(config_file), str(tasks), "--json")
    report = json.loads(result.output[result.output.index("{") :])
    levels = report["summary"]["levels"]
    assert (levels["easy"]["pass@1"], levels["medium"]["pass@1"], levels["hard"]["pass@1"]) == (1.0, 1.0, 0.0)
    assert levels["all"]["tasks"] == 3 and levels["all"]["median_seconds"] > 0
    assert list(report["summary"]["failures"]) == [
        "checker: ERROR: Assertion failed: selection is not empty: t:$_*DFF*"
    ]
    # The third task's script ran and the pipeline found its requirements met; the checker says it is wrong.
    assert levels["all"]["ran_wrong"] == pytest.approx(1 / 3) and levels["all"]["ran_unmet"] == 0.0
    assert {"generate", "run", "verify"} <= set(report["summary"]["stage_seconds"])
    assert report["tasks"][0]["details"][0]["requirements"][0]["requirement"] == "write counter.json (json)"
    text = invoke("eval", "scriptgen", "-c", str(config_file), str(tasks), "--samples", "3", "--ablation", "base")
    assert "pass@1" in text.output and "pass@3" in text.output and "easy" in text.output


def test_pass_at_k_is_the_unbiased_estimator():
    from chipmate.plugins.scriptgen.evaluate import pass_at_k

    assert pass_at_k(5, 0, 1) == 0.0 and pass_at_k(5, 5, 1) == 1.0
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 3) == pytest.approx(1 - 1 / 10)
