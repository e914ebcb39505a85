"""The intent checks in the pipeline: requirements in the answer, their fixes, the repair turn, and candidates."""

from __future__ import annotations

from types import SimpleNamespace

from chipmate.plugins.scriptgen import pipeline
from chipmate.plugins.scriptgen.evaluate import EvalTask, evaluate, summarize
from chipmate.plugins.scriptgen.requirements import Check, Requirement
from chipmate.tasks import TaskContext

from .conftest import counter_request

GOOD = "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"
ICE40 = "Synthesize counter.v for iCE40 and write the netlist to counter.json."
GENERIC = "read_verilog counter.v\nsynth -top counter\nwrite_json counter.json\n"


def run(host, request, events=None):
    ctx = TaskContext(host=host, emit=events.append if events is not None else None)
    return host.run_task("scriptgen.generate", request, ctx)


def test_the_answer_lists_each_requirement_and_whether_it_held(make_host, generator):
    generator.replies = [GOOD]
    output = run(make_host(), counter_request())
    assert output["passed"]
    written, synthesized = output["requirements"]
    assert written["requirement"] == "write counter_syn.v (verilog)" and written["held"]
    assert synthesized["requirement"].startswith("synthesized") and synthesized["held"]
    unrun = run(make_host(), counter_request(validate=False))
    assert [r["held"] for r in unrun["requirements"]] == [False, False]
    assert "not run" in unrun["requirements"][0]["detail"]


def test_an_unmet_requirement_is_fixed_the_way_it_says_without_a_model(make_host, generator):
    generator.replies = [GENERIC]
    output = run(make_host(resamples=0, candidates=1), counter_request(ICE40))
    assert output["passed"] and output["rounds"] == 2 and len(generator.prompts) == 1
    assert "synth_ice40 -top counter" in output["script"]
    assert {r["requirement"]: r["held"] for r in output["requirements"]} == {
        "write counter.json (json)": True,
        "ice40 cells (synth_ice40)": True,
    }
    assert any("the request targets ice40" in n for n in output["notes"])


def test_a_cell_type_to_go_is_kept_out_by_the_option_the_help_names_without_a_model(make_host, generator):
    # The counter's adder becomes an SB_CARRY chain unless synth_ice40 is told -nocarry, which its help spells out.
    generator.replies = ["read_verilog counter.v\nsynth_ice40 -top counter\nwrite_json counter.json\n"]
    instruction = "Synthesize counter.v for iCE40 without SB_CARRY cells and write counter.json."
    output = run(make_host(resamples=0, candidates=1), counter_request(instruction))
    assert output["passed"] and len(generator.prompts) == 1, output
    assert "synth_ice40 -top counter -nocarry" in output["script"]
    assert any("its help says `-nocarry` keeps out SB_CARRY cells" in n for n in output["notes"])


def test_an_unmet_requirement_goes_to_the_model_with_what_was_found(make_host, generator, monkeypatch):
    monkeypatch.setattr(pipeline, "intent_fix", lambda *args: None)
    generator.replies = [GENERIC, "read_verilog counter.v\nsynth_ice40 -top counter\nwrite_json counter.json\n"]
    output = run(make_host(resamples=0, candidates=1), counter_request(ICE40))
    assert output["passed"] and output["rounds"] == 2
    repair_turn = generator.prompts[1][-1]["content"]
    assert "does not do what the task asks" in repair_turn
    assert "asked for ice40 cells (synth_ice40); no ice40 cells in counter.json" in repair_turn
    assert "Usage of `synth_ice40`" in repair_turn  # the help of the command that meets it


def test_a_script_that_runs_but_misses_a_requirement_does_not_pass(make_host, generator, monkeypatch):
    monkeypatch.setattr(pipeline, "intent_fix", lambda *args: None)
    generator.replies = [GENERIC]
    output = run(make_host(resamples=0, candidates=1), counter_request(ICE40, max_repairs=0))
    assert not output["passed"] and output["validated"]
    [problem] = output["problems"]
    assert problem.startswith("script: asked for ice40 cells (synth_ice40); no ice40 cells in counter.json; it has $_")
    held = {r["requirement"]: r["held"] for r in output["requirements"]}
    assert held == {"write counter.json (json)": True, "ice40 cells (synth_ice40)": False}


def test_candidates_are_run_and_the_first_that_meets_every_requirement_wins(make_host, generator, monkeypatch):
    monkeypatch.setattr(pipeline, "intent_fix", lambda *args: None)
    good = "read_verilog counter.v\nsynth_ice40 -top counter\nwrite_json counter.json\n"
    generator.replies = [GENERIC, good]
    events = []
    output = run(make_host(resamples=0, candidates=3), counter_request(ICE40), events)
    assert output["passed"] and output["rounds"] == 1 and output["script"] == good
    # Two generations, the second sampled from the same prompt (not a repair turn), and no third candidate.
    assert len(generator.prompts) == 2 and generator.prompts[1] == generator.prompts[0]
    assert generator.temperatures == [0.0, 0.7]
    assert any("candidate 2 of 3" in n for n in output["notes"])
    assert any(e.text.startswith("candidates: candidate 2 of 3") for e in events if e.kind == "progress")


def test_a_first_candidate_that_passes_draws_no_other(make_host, generator):
    generator.replies = [GOOD]
    output = run(make_host(candidates=3), counter_request())
    assert output["passed"] and len(generator.prompts) == 1


def test_a_named_output_on_a_line_the_safety_checks_refuse_is_still_written(make_host, generator):
    # `show` is refused, so its line goes, and the writer on it with it: the constraints see the script after the
    # removal and write the named output again (before, they saw it written and nothing wrote it).
    generator.replies = ["read_verilog counter.v\nsynth -top counter\nwrite_json counter.json; show\n"]
    request = counter_request("Synthesize counter.v and write the netlist to counter.json.")
    output = run(make_host(resamples=0, candidates=1), request)
    assert output["passed"], output["problems"]
    assert "write_json counter.json" in output["script"] and "show" not in output["script"]
    assert any("removed" in n and "show" in n for n in output["notes"])


def test_the_evaluation_counts_a_missed_requirement_as_a_failure(yosys):
    task = EvalTask("t", "easy", "yosys", "Synthesize counter.v for ice40.", [{"name": "c.v", "content": ""}])
    missed = Check(Requirement("target", "ice40", command="synth_ice40"), False, "no ice40 cells")
    ran = SimpleNamespace(ok=True)
    outcome = SimpleNamespace(
        script="log hello\n",
        run=ran,
        unmet=[missed],
        requirements=[missed],
        rounds=1,
        generations=1,
        candidates=1,
        notes=[],
        problems=[],
        seconds={"generate": 2.0, "run": 0.5},
    )
    [result] = evaluate([task], lambda task, temperature: outcome, lambda name: yosys, timeout=60)
    assert result.passed == [False] and result.failures == ["requirement: ice40 cells (synth_ice40)"]
    assert result.ran_wrong == [True] and result.unmet == [True]
    summary = summarize([result], 1)
    assert summary["levels"]["all"]["ran_wrong"] == 1.0 and summary["levels"]["all"]["ran_unmet"] == 1.0
    assert summary["stage_seconds"] == {"generate": 2.0, "run": 0.5}
    outcome.unmet, outcome.requirements = [], []
    [passed] = evaluate([task], lambda task, temperature: outcome, lambda name: yosys, timeout=60)
    assert passed.passed == [True] and passed.ran_wrong == [False]
