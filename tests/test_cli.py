"""The CLI against a real server: output formats, streaming, exit codes and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from chipmate.cli import cli
from chipmate.cli.tcl import to_tcl


@pytest.fixture
def run(server):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [*args[:1], "--target", f"127.0.0.1:{server.port}", *args[1:]], input=input)

    return invoke


def test_call_prints_json(run):
    result = run("call", "echo", "--input", '{"text": "hello world"}')
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"text": "hello world", "words": 2}


def test_call_reads_input_from_file_and_stdin(run, tmp_path):
    request = tmp_path / "req.json"
    request.write_text('{"text": "from a file"}')
    assert json.loads(run("call", "echo", "-i", f"@{request}").output)["words"] == 3
    assert json.loads(run("call", "echo", "-i", "@-", input='{"text": "stdin"}').output)["text"] == "stdin"


def test_call_stream_prints_events(run):
    result = run("call", "echo", "-i", '{"text": "a b"}', "--stream")
    events = [json.loads(line) for line in result.output.splitlines()]
    assert [e["event"] for e in events] == ["token", "progress", "token", "progress", "result"]
    assert events[-1]["output"] == {"text": "a b", "words": 2}


def test_tasks_is_a_compact_table_with_schemas_on_request(run):
    result = run("tasks", "--json")
    (echo,) = [t for t in json.loads(result.output) if t["name"] == "echo"]
    assert echo["input_schema"]["required"] == ["text"]
    lines = run("tasks").output.splitlines()
    assert lines[0].split() == ["TASK", "STREAMING", "PLUGIN", "DESCRIPTION"]
    rows = {line.split()[0]: line.split(maxsplit=3) for line in lines[1:]}
    assert rows["echo"][:3] == ["echo", "yes", "echo"] and rows["echo"][3].startswith("Echo the input text back")
    assert {"chat", "designqa.ask"} <= set(rows)
    assert all(len(line) <= 160 for line in lines)  # one line per task, no schemas
    with_schemas = run("tasks", "--schemas").output
    assert '  input:  {"type": "object"' in with_schemas


def test_health(run):
    result = run("health")
    assert result.exit_code == 0 and result.output.strip() == "SERVING"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("call", "echo", "-i", "{not json"), "--input is not valid JSON"),
        (("call", "echo", "-i", '{"txt": 1}'), "input must contain ['text'] properties"),
        (("call", "nope", "-i", "{}"), "no task named 'nope'"),
        (("call", "echo", "-i", "@/does/not/exist.json"), "cannot read input file"),
    ],
)
def test_errors_are_one_line_with_nonzero_exit(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["health"], ["call", "echo", "--input", "{}"], ["call", "echo", "--stream"]])
def test_an_unreachable_server_is_named_with_the_fix(command):
    result = CliRunner().invoke(cli, [*command, "--target", "127.0.0.1:1", "--timeout", "5"])
    assert result.exit_code == 1 and result.output.startswith("Error:")
    assert "no chipmate server answers at 127.0.0.1:1" in result.output and "chipmate serve" in result.output
    assert "--target" in result.output and len(result.output.strip().splitlines()) == 1


def test_plugins_lists_builtin_echo():
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert "echo" in {row["name"] for row in json.loads(result.output)}


TCL_CASES = [
    {"text": "plain", "words": 1},
    {"script": 'read_verilog "a b.v"; synth -top $top [x]\n# comment', "n": 3.5, "ok": True},
    {"nested": {"a": [1, 2, {"b": "c d"}], "empty": [], "none": None}, "braces": "}{ unbalanced {"},
    {"backslash": "C:\\path\\to", "tab": "a\tb"},
]


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is installed by .ci/run")
@pytest.mark.parametrize("value", TCL_CASES)
def test_tcl_output_round_trips_through_tclsh(value):
    # A real Tcl interpreter reads what --format tcl prints; check each string field comes back exactly.
    script = f"set d [list {to_tcl(value)}]\nputs [dict keys $d]\n"
    for key, item in value.items():
        if isinstance(item, str):
            script += f'puts -nonewline [dict get $d {key}]; puts "\\n--END--"\n'
    out = subprocess.run(["tclsh"], input=script, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n", 1)
    assert lines[0].split() == list(value)
    strings = [v for v in value.values() if isinstance(v, str)]
    assert lines[1].split("\n--END--\n")[: len(strings)] == strings


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is installed by .ci/run")
def test_tcl_nested_dict_is_navigable():
    value = {"nested": {"a": [1, 2, {"b": "c d"}]}}
    script = f"set d [list {to_tcl(value)}]\nputs [dict get [lindex [dict get $d nested a] 2] b]\n"
    out = subprocess.run(["tclsh"], input=script, capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "c d"


def test_models_list_says_which_models_are_ready_and_which_convert_first(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"cache_dir: {tmp_path / 'cache'}\n")
    result = CliRunner().invoke(cli, ["models", "list", "-c", str(config)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()}
    assert rows["all-minilm-l6-v2"].endswith("ready")  # ships inside its package
    assert "will convert on first use" in rows["qwen2.5-coder-0.5b-instruct"]  # an empty cache
    listed = json.loads(CliRunner().invoke(cli, ["models", "list", "-c", str(config), "--json"]).output)
    assert all("loaded" not in row and row["state"] for row in listed)
