"""The task ``scriptgen.generate`` through ``Host.run_task``, with a scripted fake generator and the real Yosys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipmate.errors import BackendUnavailableError, ConfigError, InvalidInputError
from chipmate.plugins.scriptgen.service import ScriptGenSettings, service_for
from chipmate.sections import task_settings
from chipmate.tasks import TaskContext

from .conftest import COUNTER, counter_request, scriptgen_config

GOOD = "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"


def run(host, request, events=None):
    ctx = TaskContext(host=host, emit=events.append if events is not None else None)
    return host.run_task("scriptgen.generate", request, ctx)


def test_a_good_script_passes_in_one_round(make_host, generator):
    generator.replies = [GOOD]
    output = run(make_host(), counter_request())
    assert output["passed"] and output["validated"] and output["rounds"] == 1
    assert output["script"] == GOOD and output["tool"] == "yosys"
    assert "Dumping module `\\counter" in output["log"] and output["problems"] == []
    assert len(output["examples"]) == 4 and all(e["id"].startswith("seed-") for e in output["examples"])


def test_stages_stream_as_progress_events(make_host, generator):
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\n", GOOD]
    events = []
    output = run(make_host(), counter_request(), events)
    stages = [e.text.split(":")[0] for e in events if e.kind == "progress"]
    assert list(dict.fromkeys(stages)) == ["ground", "retrieve", "generate", "check", "run", "repair"]
    assert stages[-1] == "run" and events[-1].text.startswith("run: passed")
    assert output["passed"]
    assert all(0.0 <= e.fraction <= 1.0 for e in events)


def test_the_prompt_holds_examples_the_request_and_its_files(make_host, generator):
    generator.replies = [GOOD]
    output = run(make_host(), counter_request())
    prompt = generator.prompts[0]
    # Best example last: the turn right before the request is the most similar one.
    assert output["examples"][0]["instruction"] in prompt[-3]["content"]
    assert output["examples"][-1]["instruction"] in prompt[1]["content"]
    assert prompt[0]["role"] == "system" and "Yosys" in prompt[0]["content"]
    assert [m["role"] for m in prompt[1:]] == ["user", "assistant"] * 4 + ["user"]
    assert "counter.v: Verilog, module counter" in prompt[-1]["content"]
    assert prompt[-1]["content"].endswith("Task: Synthesize counter.v and write the netlist to counter_syn.v.")


def test_a_failing_script_is_repaired_with_the_error_and_the_commands_help(make_host, generator):
    generator.replies = [
        "read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\nwrite_verilog counter_syn.v\n",
        GOOD,
    ]
    output = run(make_host(), counter_request())
    assert output["passed"] and output["rounds"] == 2 and output["script"] == GOOD
    repair_turn = generator.prompts[1][-1]["content"]
    assert "Assertion failed" in repair_turn and "Usage of `select`" in repair_turn


def test_repair_rounds_are_bounded(make_host, generator):
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\n"]
    output = run(make_host(), counter_request(max_repairs=1))
    assert not output["passed"] and output["rounds"] == 2
    assert "Assertion failed" in output["problems"][0]
    none = run(make_host(), counter_request(max_repairs=0))
    assert none["rounds"] == 1


def test_tool_fixes_need_no_model_and_no_repair_round(make_host, generator):
    generator.replies = ["read_verilog counter.v\nsynth -top counter -bogus -frob\nwrite_verilog counter_syn.v\n"]
    output = run(make_host(), counter_request(max_repairs=0))
    assert output["passed"] and output["rounds"] == 3 and len(generator.prompts) == 1
    assert any("removed `-bogus`" in n for n in output["notes"]) and any(
        "removed `-frob`" in n for n in output["notes"]
    )


def test_validate_false_returns_the_checked_script_without_running_it(make_host, generator):
    generator.replies = ["```\nread_verilog counter.v\nsynth -top counter\n```"]
    output = run(make_host(), counter_request(validate=False))
    assert not output["validated"] and not output["passed"] and output["log"] == ""
    assert output["script"] == "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"


def test_constraint_problems_trigger_resampling(make_host, generator):
    generator.replies = ["read_verilog counter.v\nmake_it_fast\n", "read_verilog counter.v\nfrob\n", GOOD]
    output = run(make_host(resamples=2), counter_request())
    assert output["passed"] and generator.temperatures == [0.0, 0.7, 0.7]


def test_the_model_comes_from_the_request_then_the_settings(make_host, generator):
    generator.replies = [GOOD]
    host = make_host()
    with pytest.raises(Exception, match="no-such-model"):
        run(host, counter_request(model="no-such-model"))
    assert run(host, counter_request(model="fake-gen"))["passed"]


@pytest.mark.parametrize(
    ("request_update", "fragment"),
    [
        ({"tool": "magic"}, "unknown tool 'magic'"),
        ({"instruction": "   "}, "instruction is empty"),
        ({"files": [{"name": "../x.v", "content": ""}]}, "not allowed"),
        ({"files": [{"name": "a.v", "content": "x"}, {"name": "a.v", "content": "y"}]}, "given twice"),
        ({"files": [{"name": "a.v", "path": "/etc/hostname"}]}, "tasks.scriptgen.allowed_paths"),
        ({"files": [{"name": "a.v", "content": "x" * 5000}]}, "max_file_bytes"),
        ({"files": [{"name": "a.v", "content": "x", "path": "/x"}]}, "both"),
    ],
)
def test_bad_input_is_invalid_argument(make_host, generator, request_update, fragment):
    with pytest.raises(InvalidInputError, match=fragment.replace("(", r"\(")):
        run(make_host(max_file_bytes=4096), {**counter_request(), **request_update})


def test_schema_violations_are_refused_before_the_handler(make_host):
    host = make_host()
    for bad in ({"instruction": "x", "extra": 1}, {"instruction": "x", "max_repairs": 99}, {"files": []}):
        with pytest.raises(InvalidInputError):
            run(host, bad)


def test_files_by_path_only_inside_allowed_paths(make_host, generator, tmp_path):
    allowed = tmp_path / "rtl"
    allowed.mkdir()
    (allowed / "counter.v").write_text(COUNTER)
    (tmp_path / "secret.v").write_text("module secret; endmodule\n")
    generator.replies = [GOOD]
    host = make_host(allowed_paths=[str(allowed)])
    request = {"instruction": "Synthesize counter.v to counter_syn.v.", "files": [{"path": str(allowed / "counter.v")}]}
    assert run(host, request)["passed"]
    for path in (tmp_path / "secret.v", allowed / ".." / "secret.v"):
        with pytest.raises(InvalidInputError, match="outside"):
            run(host, {**request, "files": [{"path": str(path)}]})


def test_an_unavailable_tool_is_unavailable(make_host, monkeypatch):
    host = make_host()
    tool = host.tools.get("opensta")
    monkeypatch.setattr(tool, "unavailable", lambda: "OpenSTA is not installed")
    with pytest.raises(BackendUnavailableError, match="not installed"):
        run(host, {**counter_request(), "tool": "opensta"})


def test_a_bad_setting_fails_the_server_start(tmp_path):
    from chipmate.host import Host

    with pytest.raises(ConfigError, match=r"tasks\.scriptgen\.timeout"):
        Host(scriptgen_config(tmp_path, timeout=0)).startup()


def test_settings_are_validated_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"tasks\.scriptgen\.examples"):
        task_settings(scriptgen_config(tmp_path, examples=99), "scriptgen", ScriptGenSettings)
    with pytest.raises(ConfigError, match="did you mean 'max_repairs'"):
        task_settings(scriptgen_config(tmp_path, max_repair=2), "scriptgen", ScriptGenSettings)


def test_the_example_index_is_cached_and_rebuilt_when_the_library_changes(make_host, generator, tmp_path):
    generator.replies = [GOOD]
    host = make_host()
    run(host, counter_request())
    cached = sorted((tmp_path / "cache" / "scriptgen").glob("examples-yosys-*.npy"))
    assert len(cached) == 2  # hybrid retrieval: the plain and the masked view
    from chipmate.plugins.scriptgen.library import ScriptRecord

    library = service_for(host).library()
    library.add([ScriptRecord("mine", "yosys", "Count the counter's cells into n.txt.", [], "stat\n")])
    run(host, counter_request())
    assert len(sorted((tmp_path / "cache" / "scriptgen").glob("examples-yosys-*.npy"))) == 4


def test_import_of_the_plugin_is_cheap():
    import subprocess
    import sys

    code = (
        "import sys, chipmate.plugins.scriptgen; "
        "print(','.join(m for m in ('torch', 'transformers', 'grpc', 'pyosys', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_library_paths(tmp_path, make_host):
    host = make_host(library=str(tmp_path / "store.jsonl"), seed=False)
    library = service_for(host).library()
    assert library.store == Path(tmp_path / "store.jsonl") and library.records() == []


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
def test_opensta_requests_use_opensta_examples(make_host, generator):
    from chipmate.plugins.scriptgen.library import DESIGNS_DIR

    names = ("seed_cells.lib", "pwm_netlist.v", "pwm.sdc")
    files = [{"name": n, "content": (DESIGNS_DIR / n).read_text()} for n in names]
    generator.replies = [
        "```tcl\nread_liberty seed_cells.lib\nread_verilog pwm_netlist.v\nlink_design pwm\nread_sdc pwm.sdc\n"
        "report_chekcs -path_delay max > pwm.rpt\n```"
    ]
    request = {"instruction": "Report the worst setup path of pwm to pwm.rpt.", "tool": "opensta", "files": files}
    host = make_host()
    output = run(host, request)
    assert output["passed"] and output["tool"] == "opensta", output
    assert "report_checks -path_delay max > pwm.rpt" in output["script"]
    library = service_for(host).library()
    assert output["examples"] and all(library.get(e["id"]).tool == "opensta" for e in output["examples"])


def test_an_input_the_instruction_names_but_the_request_lacks_is_invalid_argument(make_host, generator):
    generator.replies = [GOOD]
    request = {**counter_request(), "instruction": "Synthesize alu.v and write the netlist to alu_syn.v."}
    with pytest.raises(InvalidInputError, match=r"does not supply: alu\.v"):
        run(make_host(), request)
    assert generator.prompts == []  # refused before any generation


def test_a_script_that_runs_but_leaves_a_problem_does_not_pass(make_host, generator):
    # The first draft runs in Yosys but writes over the request's input (dropped: a problem); the repair turn is
    # told so, and its script passes with no problem left.
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nwrite_verilog counter.v\n", GOOD]
    output = run(make_host(resamples=0), counter_request())
    assert output["passed"] and output["problems"] == [] and output["rounds"] == 2
    repair_turn = generator.prompts[1][-1]["content"]
    assert "does not do what the task asks" in repair_turn and "write over `counter.v`" in repair_turn
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nwrite_verilog counter.v\n"]
    stuck = run(make_host(resamples=0), counter_request(max_repairs=1))
    assert not stuck["passed"] and stuck["problems"] and "write over" in stuck["problems"][0]


def test_the_answer_says_how_the_run_was_confined(make_host, generator):
    from chipmate.plugins.scriptgen.isolation import probe

    generator.replies = [GOOD]
    output = run(make_host(), counter_request())
    assert output["passed"]
    expected = f"namespaces ({probe().method}:" if probe().available else "no namespaces"
    assert output["confinement"].startswith(expected) and "landlock:" in output["confinement"]


def test_a_host_that_cannot_isolate_runs_no_script_and_says_why(make_host, generator, monkeypatch):
    from chipmate.plugins.scriptgen import isolation, sandbox, tool

    none = isolation.Isolation("none", "bubblewrap is not installed: apt-get install bubblewrap")
    monkeypatch.setattr(sandbox, "isolation_probe", lambda: none)
    monkeypatch.setattr(tool, "isolation_probe", lambda: none)
    generator.replies = [GOOD]
    output = run(make_host(allow_unisolated=False), counter_request())
    assert not output["validated"] and not output["passed"]
    assert output["script"] == GOOD
    assert any("the script was not run" in p and "bubblewrap" in p for p in output["problems"])
    assert output["confinement"].startswith("not run: no namespaces (bubblewrap is not installed")
    allowed = run(make_host(allow_unisolated=True), counter_request())
    assert allowed["passed"] and allowed["confinement"].startswith("no namespaces")


def test_tool_errors_in_the_log_show_no_server_paths(make_host, generator):
    import sys

    generator.replies = ["read_verilog counter.v\nread_verilog missing_file.v\n"]
    output = run(make_host(), counter_request(max_repairs=0))
    assert not output["passed"]
    for path in (sys.prefix, str(Path(__file__).resolve().parents[2]), "/tmp/chipmate-run-"):
        assert path not in output["log"]


def test_a_repair_that_breaks_a_script_that_ran_returns_the_script_that_ran(make_host, generator):
    # The draft runs but writes over its input (a problem); the repair turn's script fails in Yosys. The answer is
    # the script that ran, still not passed, with its problem, rather than the broken repair.
    broken = "read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\nwrite_verilog counter_syn.v\n"
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nwrite_verilog counter.v\n", broken]
    output = run(make_host(resamples=0), counter_request(max_repairs=1))
    assert not output["passed"] and "write over" in output["problems"][0]
    assert output["script"] == GOOD and "Assertion failed" not in output["log"]
    assert any("returned the script that ran" in n for n in output["notes"])
