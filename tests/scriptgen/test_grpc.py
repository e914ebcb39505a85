"""scriptgen served end to end: a real server on port 0, the generic TaskService and the typed ScriptGenService,
streaming stage events, and status codes for bad input. The generator is the scripted fake; Yosys is real."""

from __future__ import annotations

import grpc
import pytest

from chipmate.client import Client
from chipmate.errors import InvalidInputError
from chipmate.plugins.scriptgen.v1 import scriptgen_pb2, scriptgen_pb2_grpc

from .conftest import COUNTER, counter_request

GOOD = "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"
BAD_THEN_GOOD = ["read_verilog counter.v\nsynth -top counter\nselect -assert-none t:$_*DFF*\n", GOOD]


@pytest.fixture
def sg_server(make_server, make_host, generator):
    generator.replies = list(BAD_THEN_GOOD)
    return make_server(make_host())


def typed_request(**fields):
    files = [scriptgen_pb2.ScriptFile(name="counter.v", content=COUNTER)]
    return scriptgen_pb2.GenerateScriptRequest(
        instruction="Synthesize counter.v and write the netlist to counter_syn.v.", files=files, **fields
    )


def test_generic_task_service_call_and_stream(sg_server, generator):
    with Client(f"127.0.0.1:{sg_server.port}", timeout=120) as client:
        output = client.call("scriptgen.generate", counter_request())
        assert output["passed"] and output["rounds"] == 2 and output["script"] == GOOD
        generator.prompts.clear()
        events = list(client.stream("scriptgen.generate", counter_request()))
    assert events[-1].kind == "result" and events[-1].output["passed"]
    stages = [e.text.split(":")[0] for e in events if e.kind == "progress"]
    assert {"retrieve", "generate", "check", "run", "repair"} <= set(stages)


def test_typed_service_unary_defaults_validate_to_true(sg_server):
    with grpc.insecure_channel(f"127.0.0.1:{sg_server.port}") as channel:
        stub = scriptgen_pb2_grpc.ScriptGenServiceStub(channel)
        response = stub.GenerateScript(typed_request(), timeout=120)
    assert response.passed and response.validated and response.rounds == 2
    assert response.script == GOOD and response.tool == "yosys"
    assert len(response.examples) == 4 and response.examples[0].id.startswith("seed-")
    assert "Assertion failed" not in response.log
    assert "landlock:" in response.confinement  # how the run was confined travels in the typed answer too
    # The requirements of the instruction, each with whether it held, travel as typed messages.
    assert [(r.requirement, r.held) for r in response.requirements] == [
        ("write counter_syn.v (verilog)", True),
        ("synthesized to fine-grained cells (no word-level cells left)", True),
    ]


def test_typed_service_validate_false_and_max_repairs_zero(sg_server, generator):
    with grpc.insecure_channel(f"127.0.0.1:{sg_server.port}") as channel:
        stub = scriptgen_pb2_grpc.ScriptGenServiceStub(channel)
        unchecked = stub.GenerateScript(typed_request(validate=False), timeout=120)
        generator.prompts.clear()  # the fake replies from the start again
        failed = stub.GenerateScript(typed_request(max_repairs=0), timeout=120)
    assert not unchecked.validated and not unchecked.passed and unchecked.rounds == 1
    assert failed.validated and not failed.passed and failed.rounds == 1
    assert "Assertion failed" in failed.problems[0]


def test_typed_stream_reports_each_stage_then_the_result(sg_server):
    with grpc.insecure_channel(f"127.0.0.1:{sg_server.port}") as channel:
        stub = scriptgen_pb2_grpc.ScriptGenServiceStub(channel)
        events = list(stub.GenerateScriptStream(typed_request(), timeout=120))
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[-1] == "result" and set(kinds[:-1]) == {"progress"}
    stages = [e.progress.stage for e in events[:-1]]
    assert list(dict.fromkeys(stages)) == ["ground", "retrieve", "generate", "check", "run", "repair"]
    assert events[-2].progress.message.startswith("passed")
    assert events[-1].result.passed


def test_bad_input_is_invalid_argument_on_both_faces(sg_server):
    with grpc.insecure_channel(f"127.0.0.1:{sg_server.port}") as channel:
        stub = scriptgen_pb2_grpc.ScriptGenServiceStub(channel)
        for request in (
            typed_request(tool="magic"),
            scriptgen_pb2.GenerateScriptRequest(
                instruction="x", files=[scriptgen_pb2.ScriptFile(name="a.v", path="/etc/hostname")]
            ),
            scriptgen_pb2.GenerateScriptRequest(instruction="x", files=[scriptgen_pb2.ScriptFile(name="../a.v")]),
        ):
            with pytest.raises(grpc.RpcError) as info:
                stub.GenerateScript(request, timeout=60)
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with Client(f"127.0.0.1:{sg_server.port}", timeout=60) as client, pytest.raises(InvalidInputError, match="magic"):
        client.call("scriptgen.generate", {**counter_request(), "tool": "magic"})
