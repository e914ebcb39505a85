"""Bad input that once ended a call with UNKNOWN or INTERNAL, each over a real in-process server on port 0: it must
be INVALID_ARGUMENT (or FAILED_PRECONDITION for broken model files), logged as such, with the server still up."""

from __future__ import annotations

import json
import logging

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from chipmate.client import Client
from chipmate.config import TokenConfig
from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

BIG_INT = "9" * 5000  # over Python's int_max_str_digits (4,300)


def both_ways(stub, task: str, input_json: str) -> list[grpc.RpcError]:
    """The errors of a unary and a streaming call of ``task`` (the stream's last message must be an error event)."""
    errors = []
    with pytest.raises(grpc.RpcError) as unary:
        stub.Invoke(tasks_pb2.InvokeRequest(task=task, input_json=input_json), timeout=30)
    errors.append(unary.value)
    received = []
    with pytest.raises(grpc.RpcError) as stream:
        for message in stub.InvokeStream(tasks_pb2.InvokeRequest(task=task, input_json=input_json), timeout=30):
            received.append(message)
    assert received and received[-1].WhichOneof("event") == "error", "the stream sent no error event"
    assert received[-1].error.code == stream.value.code().name
    errors.append(stream.value)
    return errors


@pytest.fixture
def stub(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield tasks_pb2_grpc.TaskServiceStub(channel)


@pytest.mark.parametrize(
    ("task", "input_json", "fragment"),
    [
        ("echo", '{"text": "x", "n": ' + BIG_INT + "}", "4300 digits"),
        ("chat", '{"messages": [{"role": "user", "content": "x"}], "max_tokens": ' + BIG_INT + "}", "4300 digits"),
        ("designqa.ask", '{"question": "\\ud800"}', "lone UTF-16 surrogate"),
        ("scriptgen.generate", '{"instruction": "synth \\udfff top"}', "lone UTF-16 surrogate"),
        ("chat", '{"messages": [{"role": "user", "content": "\\ud83d"}]}', "lone UTF-16 surrogate"),
        ("echo", '{"text": "ok", "\\udc00": 1}', "lone UTF-16 surrogate"),
        ("bugtriage.triage", '{"title": "\\u00a0"}', "input.title is missing or empty"),
    ],
)
def test_bad_values_are_invalid_argument_unary_and_stream(stub, caplog, task, input_json, fragment):
    with caplog.at_level(logging.INFO, logger="chipmate.server"):
        errors = both_ways(stub, task, input_json)
    for error in errors:
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
        assert fragment in error.details()
    # The audit line says how the call ended (once it said OK for an UNKNOWN).
    statuses = [r.status for r in caplog.records if getattr(r, "task", None) == task]
    assert statuses == ["INVALID_ARGUMENT", "INVALID_ARGUMENT"]
    assert json.loads(stub.Invoke(tasks_pb2.InvokeRequest(task="echo", input_json='{"text": "up"}')).output_json)


def test_a_surrogate_pair_is_fine(client):
    assert client.call("echo", '{"text": "\\ud83d\\ude00"}')["text"] == "\U0001f600"


UTF8_IN_TASK = b"\x0a\x04ec\xff\xfe\x12\x02{}"  # task: invalid UTF-8 in a string field
UTF8_IN_INPUT = b"\x0a\x04echo\x12\x04{\xc3(}"  # input_json: invalid UTF-8
GARBAGE = b"\xff\xff\xff\xff garbage"  # not a message at all


@pytest.mark.parametrize(
    ("method", "payload"),
    [
        *[(m, p) for m in ("Invoke", "InvokeStream") for p in (UTF8_IN_TASK, UTF8_IN_INPUT, GARBAGE)],
        ("ListTasks", GARBAGE),  # a ListTasksRequest has no fields: the other two parse as unknown fields
    ],
)
def test_undecodable_requests_are_invalid_argument(server, payload, method):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        path = f"/chipmate.v1.TaskService/{method}"
        call = channel.unary_stream(path) if method == "InvokeStream" else channel.unary_unary(path)
        with pytest.raises(grpc.RpcError) as info:
            result = call(payload, timeout=10)
            if method == "InvokeStream":
                list(result)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "not a valid" in info.value.details()
        # Still serving.
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        assert stub.Invoke(tasks_pb2.InvokeRequest(task="echo", input_json='{"text": "up"}'), timeout=10)


def test_undecodable_request_to_a_typed_service_is_invalid_argument(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        call = channel.unary_unary("/chipmate.v1.BugTriageService/TriageBug")
        with pytest.raises(grpc.RpcError) as info:
            call(b"\x0a\x02\xff\xfe", timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_method_without_a_token_is_unauthenticated(make_server, caplog):
    server = make_server(tokens={"ci": TokenConfig(token="ci-secret")})
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        with caplog.at_level(logging.INFO, logger="chipmate.server"), pytest.raises(grpc.RpcError) as info:
            channel.unary_unary("/chipmate.v1.Nothing/Here")(b"", timeout=10)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert any(
            r.status == "UNAUTHENTICATED" and r.method == "/chipmate.v1.Nothing/Here"
            for r in caplog.records
            if hasattr(r, "status")
        ), "the refusal has no audit line"
        # With a valid token the caller may learn that the method does not exist.
        with pytest.raises(grpc.RpcError) as info:
            channel.unary_unary("/chipmate.v1.Nothing/Here")(
                b"", timeout=10, metadata=[("authorization", "Bearer ci-secret")]
            )
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize("log_inputs", [False, True])
def test_audit_line_has_the_input_only_when_configured(make_server, caplog, log_inputs):
    server = make_server(log_inputs=log_inputs, tokens={"ci": TokenConfig(token="ci-secret")})
    with (
        Client(f"127.0.0.1:{server.port}", token="ci-secret") as client,
        caplog.at_level(logging.INFO, logger="chipmate.server"),
    ):
        client.call("echo", {"text": "secret design"}, request_id="audit-1")
    (record,) = [r for r in caplog.records if getattr(r, "request_id", None) == "audit-1"]
    assert record.principal == "ci" and record.task == "echo" and record.status == "OK" and record.duration_ms >= 0
    assert ("secret design" in str(getattr(record, "input", ""))) is log_inputs


def test_list_tasks_has_an_audit_line_too(make_server, caplog):
    server = make_server(tokens={"ci": TokenConfig(token="ci-secret")})
    with (
        Client(f"127.0.0.1:{server.port}", token="ci-secret") as client,
        caplog.at_level(logging.INFO, logger="chipmate.server"),
    ):
        assert client.tasks()
    (record,) = [r for r in caplog.records if getattr(r, "method", None) == "ListTasks"]
    assert record.status == "OK" and record.principal == "ci" and record.duration_ms >= 0


def test_health_and_reflection_calls_have_audit_lines(make_server, caplog):
    server = make_server(tokens={"ci": TokenConfig(token="ci-secret")})
    token = [("authorization", "Bearer ci-secret")]
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel, caplog.at_level(logging.INFO, "chipmate.server"):
        health = health_pb2_grpc.HealthStub(channel)
        assert (
            health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        )
        with pytest.raises(grpc.RpcError) as info:
            health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        (reply,) = list(stub.ServerReflectionInfo(iter([request]), timeout=10, metadata=token))
        assert "chipmate.v1.TaskService" in {s.name for s in reply.list_services_response.service}
    lines = [(r.method, r.status) for r in caplog.records if getattr(r, "msg", "") == "rpc" and hasattr(r, "method")]
    assert lines.count(("/grpc.health.v1.Health/Check", "OK")) == 1
    assert lines.count(("/grpc.health.v1.Health/Check", "NOT_FOUND")) == 1
    assert (
        lines.count(("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "OK"))
        + lines.count(("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "OK"))
        == 1
    )
