"""Property-based fuzzing of a live in-process server on port 0 (hypothesis, bounded): every built-in task's input
schema (hypothesis-jsonschema draws valid and nearly-valid inputs from it) and raw request messages (arbitrary
bytes, arbitrary task names and JSON text). Whatever comes in, a call ends with one of the statuses a caller can act
on, never UNKNOWN or INTERNAL, and the server is healthy afterwards.

Models are fakes (a generator that answers at once, a hash embedder), so each call costs milliseconds; the tasks
still run their real code around them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from chipmate import hookimpl, plugin_manager
from chipmate.config import Config, ServerConfig
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, Embedder, Generation, Generator, ModelBackend, TokenStream
from chipmate.models.base import check_prompt_size, validate_messages
from chipmate.server import ChipmateServer
from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

ALLOWED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
}
# Bounded: the whole module runs in well under a minute on 2 shared cores.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
BUILT_IN_TASKS = ["bugtriage.triage", "chat", "designqa.ask", "echo", "scriptgen.generate"]


class QuickGenerator(Generator):
    """Answers every prompt at once with a short Yosys script (it is what scriptgen expects to read)."""

    context_length = 512

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> TokenStream:
        validate_messages(messages)
        check_prompt_size(messages, context_length=self.context_length, count=self.count_tokens)
        text = "read_verilog top.v\nsynth -top top\n"
        return TokenStream(iter([text]), lambda: Generation(text, 1, 1, "stop"))


class HashEmbedder(Embedder):
    """Unit vectors from a hash of each text: deterministic, instant, no model."""

    dimension = 16
    max_seq_length = 256

    def embed(self, texts, *, batch_size=64, show_progress=False, ctx=None) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8")).digest()[:16], dtype=np.uint8) for t in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), 16) + 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class FakeModels:
    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend(name="quick", kind=GENERATOR, load=lambda spec: QuickGenerator()))
        register(ModelBackend(name="hash", kind=EMBEDDER, load=lambda spec: HashEmbedder()))


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    fakes = FakeModels()
    plugin_manager.register(fakes, name="fuzz-models")
    models = {"quick": {"backend": "quick", "default": True}, "hash": {"backend": "hash", "default": True}}
    use = {"generator": "quick", "embedder": "hash"}
    tasks = {"designqa": {**use, "build_default": False}, "scriptgen": dict(use), "bugtriage": dict(use)}
    cache = tmp_path_factory.mktemp("fuzz-cache")
    host = Host(Config(models=models, tasks=tasks, cache_dir=str(cache)))
    server = ChipmateServer(host, ServerConfig(port=0, grace_seconds=0))
    port = server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            echo = tasks_pb2_grpc.TaskServiceStub(channel).Invoke(
                tasks_pb2.InvokeRequest(task="echo", input_json='{"text": "still up"}'), timeout=10
            )
            assert json.loads(echo.output_json)["text"] == "still up"
    finally:
        server.stop(0)
        plugin_manager.pm.unregister(fakes)


def outcome(call: Any, request: Any, *, streaming: bool) -> grpc.StatusCode:
    """The status a call ended with (a stream is read to its end)."""
    try:
        result = call(request, timeout=10)
        if streaming:
            list(result)
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]  # grpc's RpcError.code() is untyped
    return grpc.StatusCode.OK


def invoke_both(channel: Any, task: str, input_json: str) -> None:
    stub = tasks_pb2_grpc.TaskServiceStub(channel)
    request = tasks_pb2.InvokeRequest(task=task, input_json=input_json)
    for call, streaming in ((stub.Invoke, False), (stub.InvokeStream, True)):
        code = outcome(call, request, streaming=streaming)
        assert code in ALLOWED, f"{task} {input_json[:200]!r}: {code}"


def test_the_built_in_tasks_are_the_ones_fuzzed(stub):
    listed = tasks_pb2_grpc.TaskServiceStub(stub).ListTasks(tasks_pb2.ListTasksRequest(), timeout=10)
    assert sorted(t.name for t in listed.tasks) == BUILT_IN_TASKS


def _schema(task: str) -> dict[str, Any]:
    host = Host(Config(tasks={"designqa": {"build_default": False}}))
    schema = json.loads(json.dumps(host.tasks.get(task).input_schema))
    if task == "echo":
        # echo may pause up to 10 s a word by design; a few ms keep the fuzzing fast (deadlines are tested elsewhere).
        schema["properties"]["delay_ms"]["maximum"] = 5
    return schema  # type: ignore[no-any-return]  # the schema is a JSON object


@pytest.mark.parametrize("task", BUILT_IN_TASKS)
def test_inputs_drawn_from_each_schema_end_cleanly(stub, task):
    schema = _schema(task)

    @FUZZ
    @given(value=from_schema(schema))
    def check(value: Any) -> None:
        # ensure_ascii: lone surrogates travel as \ud800-style escapes, as a hostile caller would send them.
        invoke_both(stub, task, json.dumps(value))

    check()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(st.characters(codec=None, categories=["L", "N", "P", "S", "Z", "Cs"])),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(task=st.sampled_from(BUILT_IN_TASKS), value=JSON_VALUES)
def test_arbitrary_json_to_each_task_ends_cleanly(stub, task, value):
    invoke_both(stub, task, json.dumps(value))


@FUZZ
@given(task=st.text(max_size=40), input_json=st.text(max_size=200))
def test_arbitrary_task_names_and_text_end_cleanly(stub, task, input_json):
    invoke_both(stub, task, input_json)


METHODS = [
    ("/chipmate.v1.TaskService/Invoke", False),
    ("/chipmate.v1.TaskService/InvokeStream", True),
    ("/chipmate.v1.TaskService/ListTasks", False),
    ("/chipmate.v1.DesignQAService/Ask", False),
    ("/chipmate.v1.DesignQAService/AskStream", True),
    ("/chipmate.v1.ScriptGenService/GenerateScript", False),
    ("/chipmate.v1.BugTriageService/TriageBug", False),
    ("/chipmate.v1.Nothing/Here", False),
]


@FUZZ
@given(method=st.sampled_from(METHODS), payload=st.binary(max_size=300))
def test_arbitrary_request_bytes_end_cleanly(stub, method, payload):
    path, streaming = method
    call = stub.unary_stream(path) if streaming else stub.unary_unary(path)
    code = outcome(call, payload, streaming=streaming)
    # Without auth a method that does not exist may say so.
    assert code in ALLOWED or (path.endswith("Nothing/Here") and code == grpc.StatusCode.UNIMPLEMENTED), code
