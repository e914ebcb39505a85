"""The ``bugtriage.triage`` task: its parts, input limits, an empty history, and a served call end to end."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chipmate.client import Client
from chipmate.errors import InvalidInputError
from chipmate.plugins.bugtriage import INPUT_SCHEMA, PARTS
from chipmate.plugins.bugtriage.service import service_for
from chipmate.tasks import Event, TaskContext

from .conftest import FIXTURES

BUG = {
    "id": "NEW-1",
    "title": "detailed_route segfaults on the alu macro again",
    "description": "detailed_route crashes with SIGSEGV on alu_top; see CHIP-101.",
    "reporter": "alice",
    "comments": [{"author": "carol", "text": "Probably the empty guide net of CHIP-101."}],
    "logs": "Segmentation fault (core dumped)",
}


@pytest.fixture
def filled_host(make_host):
    host = make_host()
    service = service_for(host)
    service.import_paths([str(FIXTURES / "history.jsonl"), str(FIXTURES / "threads"), str(FIXTURES / "jira.csv")])
    return host


def run(host, data, events=None):
    ctx = TaskContext(host=host, emit=events.append if events is not None else None)
    return host.run_task("bugtriage.triage", data, ctx)


def test_all_parts(filled_host):
    generator = filled_host.models.generator("scripted")
    generator.reply = lambda messages: (
        "detailed_route crashes on alu_top, like CHIP-101; carol suspects an empty guide net."
        if "technical summary" in messages[-1]["content"]
        else "Positions: carol suspects the guide net.\nDecisions: none yet.\nNext step: carol checks the empty net."
    )
    events: list[Event] = []
    out = run(filled_host, BUG, events)
    assert set(out) == {*PARTS, "owners_unsure", "notes", "history_version"}
    assert out["technical_summary"].startswith("detailed_route crashes on alu_top, like CHIP-101")
    assert out["managerial_summary"].splitlines()[2] == "Next step: carol checks the empty net."
    assert out["duplicates"][0]["id"] == "CHIP-101" and out["duplicates"][0]["score"] >= 0.6
    assert out["severity"] == {"level": "high", "source": "rule", "reason": "'segfaults' in the title"}
    assert out["component"]["candidates"][0]["label"] == "router"
    assert "alice" not in [o["name"] for o in out["owners"]]  # the reporter is never suggested
    assert out["owners"][0]["name"] == "carol" and out["owners"][0]["supporting_bug_ids"][0] == "CHIP-101"
    assert out["history_version"] == 1
    assert [e.fraction for e in events if e.kind == "progress"][-1] == 1.0


def test_one_part_alone_touches_nothing_else(filled_host):
    generator = filled_host.models.generator("scripted")
    out = run(filled_host, {**BUG, "parts": ["duplicates"]})
    assert set(out) == {"duplicates", "notes", "history_version"}
    assert generator.prompts == []  # no summary was generated
    out = run(filled_host, {**BUG, "parts": ["severity"]})
    assert set(out) == {"severity", "notes", "history_version"}


def test_a_bug_of_the_history_is_not_its_own_duplicate(filled_host):
    out = run(filled_host, {**BUG, "id": "CHIP-101", "parts": ["duplicates"]})
    assert "CHIP-101" not in [d["id"] for d in out["duplicates"]]


def test_empty_history_answers_unsure_with_a_note(host):
    out = run(host, {"title": "router crash", "parts": ["category", "owners", "duplicates", "severity"]})
    assert out["category"] == {"label": "", "confidence": 0.0, "unsure": True, "source": "none", "candidates": []}
    assert out["owners"] == [] and out["owners_unsure"] and out["duplicates"] == []
    assert out["severity"]["level"] == "high"
    assert out["notes"] == ["the bug history is empty: import one with `chipmate bugs import`"]
    assert out["history_version"] == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "input.title"),
        ({"title": "x" * 1001}, "input.title"),
        ({"title": "t", "logs": "x" * 1_000_001}, "input.logs"),
        ({"title": "t", "parts": ["owner"]}, "input.parts"),
        ({"title": "t", "comments": [{"author": "a"}]}, "input.comments"),
        ({"title": "t", "severity": "high"}, "input"),
    ],
)
def test_bad_or_oversized_input_is_rejected_by_the_schema(host, data, field):
    with pytest.raises(InvalidInputError) as info:
        run(host, data)
    assert field in str(info.value)


def test_schema_limits_are_declared():
    properties = INPUT_SCHEMA["properties"]
    assert properties["description"]["maxLength"] == 200_000 and properties["comments"]["maxItems"] == 2000


def test_served_triage_end_to_end(filled_host, make_server):
    filled_host.models.generator("scripted").reply = lambda messages: "A crash in detailed_route on alu_top."
    server = make_server(filled_host)
    with Client(f"127.0.0.1:{server.port}", timeout=60) as client:
        assert "bugtriage.triage" in [t.name for t in client.tasks()]
        out = client.call("bugtriage.triage", {**BUG, "parts": ["technical_summary", "duplicates", "owners"]})
        assert out["technical_summary"] == "A crash in detailed_route on alu_top."
        assert out["duplicates"][0]["id"] == "CHIP-101" and out["owners"][0]["name"] == "carol"
        result = [e for e in client.stream("bugtriage.triage", {**BUG, "parts": ["severity"]}) if e.kind == "result"]
        assert result[0].output["severity"]["level"] == "high"
        with pytest.raises(InvalidInputError):
            client.call("bugtriage.triage", {"title": "t", "parts": ["nonsense"]})


def test_importing_the_plugin_stays_light():
    code = (
        "import sys, chipmate.plugins.bugtriage\n"
        "heavy = ('torch', 'sklearn', 'numpy', 'scipy', 'sentence_transformers')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_typed_service_end_to_end(filled_host, make_server):
    import grpc

    from chipmate.plugins.bugtriage.v1 import bugtriage_pb2, bugtriage_pb2_grpc

    filled_host.models.generator("scripted").reply = lambda messages: "A crash in detailed_route on alu_top."
    server = make_server(filled_host)
    comments = [bugtriage_pb2.BugComment(**c) for c in BUG["comments"]]
    request = bugtriage_pb2.TriageBugRequest(
        **{k: v for k, v in BUG.items() if k != "comments"},
        comments=comments,
        parts=["technical_summary", "category", "owners", "duplicates", "severity"],
    )
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = bugtriage_pb2_grpc.BugTriageServiceStub(channel)
        response = stub.TriageBug(request, timeout=60)
        assert response.technical_summary == "A crash in detailed_route on alu_top."
        assert response.managerial_summary == "" and not response.HasField("component")  # not requested
        assert response.HasField("category") and response.category.source == "neighbours"
        assert response.owners[0].name == "carol" and response.owners[0].supporting_bug_ids[0] == "CHIP-101"
        assert response.duplicates[0].id == "CHIP-101"
        assert response.severity.level == bugtriage_pb2.SEVERITY_HIGH and response.severity.source == "rule"
        assert response.history_version == 1 and any("chipmate bugs fit" in n for n in response.notes)
        with pytest.raises(grpc.RpcError) as info:
            stub.TriageBug(bugtriage_pb2.TriageBugRequest(title=""), timeout=10)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as info:
            stub.TriageBug(bugtriage_pb2.TriageBugRequest(title="t", parts=["owner"]), timeout=10)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "input.parts" in info.value.details()


def test_typed_request_and_task_schema_have_the_same_fields():
    from chipmate.plugins.bugtriage.servicer import service

    (request_cls,) = service().requests.values()
    assert {f.name for f in request_cls.DESCRIPTOR.fields} == set(INPUT_SCHEMA["properties"])


def test_a_component_the_record_states_is_the_answer_when_the_history_knows_it(filled_host):
    # The text is about the router; the report's own Tool: line names the placer team's component.
    stated = {**BUG, "description": f"Tool: Placer\n\n{BUG['description']}", "parts": ["category", "component"]}
    out = run(filled_host, stated)
    assert out["component"] == {
        "label": "placer",
        "confidence": 1.0,
        "unsure": False,
        "source": "record",
        "candidates": [{"label": "placer", "score": 1.0}],
    }
    assert "component 'placer': stated in the record" in out["notes"]
    assert out["category"]["source"] != "record"  # the record states no category
    unstated = run(filled_host, {**BUG, "parts": ["component"]})
    assert unstated["component"]["source"] != "record" and unstated["component"]["candidates"][0]["label"] == "router"


def test_a_stated_component_the_history_does_not_know_leaves_the_models_answer(filled_host):
    out = run(
        filled_host, {**BUG, "description": f"Tool: Detailed Routing\n{BUG['description']}", "parts": ["component"]}
    )
    assert out["component"]["source"] != "record" and out["component"]["candidates"][0]["label"] == "router"
    assert any("states component 'Detailed Routing', which is no component of the history" in n for n in out["notes"])
