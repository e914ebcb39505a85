"""Servicer tests over a real in-process server on port 0: every status code, auth, limits, streaming."""

from __future__ import annotations

import json
import socket
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chipmate import Task, hookimpl
from chipmate.client import Client
from chipmate.config import Config, ServerConfig
from chipmate.errors import (
    BackendUnavailableError,
    CancelledError,
    DeadlineExceededError,
    InvalidInputError,
    OverloadedError,
    ServerError,
    TaskFailedError,
    TaskNotFoundError,
)
from chipmate.host import Host
from chipmate.server import ChipmateServer
from chipmate.v1 import tasks_pb2, tasks_pb2_grpc


class FaultyPlugin:
    """Tasks that fail in the ways a real plugin can."""

    def __init__(self) -> None:
        self.cancel_seen = threading.Event()
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def crash(self, input, ctx):
        raise ZeroDivisionError("plugin bug")

    def backend_down(self, input, ctx):
        raise BackendUnavailableError("model endpoint http://127.0.0.1:1 refused the connection")

    def wait(self, input, ctx):
        # Blocks until released or cancelled, recording that the handler saw the cancellation.
        self.waiting.set()
        while not self.gate.is_set():
            if ctx.cancelled.wait(0.01):
                self.cancel_seen.set()
                ctx.check()
        return {}

    def bad_output(self, input, ctx):
        return {"unexpected": True}

    @hookimpl
    def chipmate_register_tasks(self, register):
        register(Task("test.crash", self.crash))
        register(Task("test.backend_down", self.backend_down))
        register(Task("test.wait", self.wait, streaming=True))
        register(Task("test.bad_output", self.bad_output, output_schema={"type": "object", "required": ["text"]}))


@pytest.fixture
def faulty(register_plugin):
    return register_plugin(FaultyPlugin(), name="faulty")


@pytest.fixture
def faulty_client(faulty, make_server):
    server = make_server(max_concurrent_requests=2)
    with Client(f"127.0.0.1:{server.port}", timeout=30) as c:
        yield c


def test_invoke_and_stream_echo(client):
    assert client.call("echo", {"text": "hello chip"}) == {"text": "hello chip", "words": 2}
    events = list(client.stream("echo", {"text": "a b c"}))
    tokens = "".join(e.text for e in events if e.kind == "token")
    assert tokens == "a b c"
    assert [e.fraction for e in events if e.kind == "progress"][-1] == pytest.approx(1.0)
    assert events[-1].kind == "result" and events[-1].output == {"text": "a b c", "words": 3}
    assert len(events[-1].request_id) == 32


def test_list_tasks_carries_schemas(client):
    (echo,) = [t for t in client.tasks() if t.name == "echo"]
    assert echo.streaming and echo.plugin == "echo"
    assert echo.input_schema["required"] == ["text"]
    assert "words" in echo.output_schema["properties"]


def test_malformed_json_is_invalid_argument(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.Invoke(tasks_pb2.InvokeRequest(task="echo", input_json='{"text": '), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not valid JSON" in info.value.details()


@pytest.mark.parametrize(
    ("input_json", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests arrays/objects more than 64 levels deep"),  # the C parser gives up
        ('{"text": "x", "extra": ' + "[" * 70 + "]" * 70 + "}", "nests arrays/objects more than 64 levels deep"),
        ('{"a": ' * 65 + "1" + "}" * 65, "nests arrays/objects more than 64 levels deep"),
    ],
)
def test_absurdly_nested_json_is_invalid_argument_and_the_server_stays_up(server, input_json, fragment):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        for call in (stub.Invoke, lambda request, timeout: list(stub.InvokeStream(request, timeout=timeout))):
            with pytest.raises(grpc.RpcError) as info:
                call(tasks_pb2.InvokeRequest(task="echo", input_json=input_json), timeout=10)
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert fragment in info.value.details()
        ok = stub.Invoke(tasks_pb2.InvokeRequest(task="echo", input_json='{"text": "still up"}'), timeout=10)
    assert json.loads(ok.output_json)["text"] == "still up"


def test_nesting_within_the_cap_reaches_schema_validation(client):
    # 63 levels below the top object are fine; the schema then has its say about the unknown key.
    with pytest.raises(InvalidInputError, match="must not contain"):
        client.call("echo", {"text": "x", "deep": json.loads("[" * 63 + "]" * 63)})


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"txt": "x"}, r"input must contain \['text'\] properties"),
        ({"text": 3}, r"input.text must be string"),
        ({"text": "x", "delay_ms": -1}, r"input.delay_ms must be bigger than or equal to 0"),
        ([1, 2], r"input must be object"),
    ],
)
def test_schema_violation_is_invalid_argument(client, value, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        client.call("echo", value)


def test_unknown_task_is_not_found_with_suggestion(client):
    with pytest.raises(TaskNotFoundError, match="did you mean echo"):
        client.call("ecko", {"text": "x"})


def test_plugin_exception_is_internal_and_server_keeps_serving(faulty_client):
    with pytest.raises(TaskFailedError, match="ZeroDivisionError: plugin bug") as info:
        faulty_client.call("test.crash", {})
    assert info.value.code == "INTERNAL"
    assert faulty_client.call("echo", {"text": "still here"})["text"] == "still here"
    assert faulty_client.health() == "SERVING"


def test_output_breaking_its_schema_is_internal(faulty_client):
    with pytest.raises(TaskFailedError, match="breaks its schema"):
        faulty_client.call("test.bad_output", {})


def test_backend_down_is_unavailable(faulty_client):
    with pytest.raises(BackendUnavailableError, match="refused") as info:
        faulty_client.call("test.backend_down", {})
    assert info.value.code == "UNAVAILABLE"


def test_dead_server_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(f"127.0.0.1:{port}", timeout=2) as c, pytest.raises(BackendUnavailableError):
        c.call("echo", {"text": "x"})


def test_deadline_exceeded(client):
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        client.call("echo", {"text": "a b c d e f", "delay_ms": 500}, timeout=0.3)
    assert time.monotonic() - started < 2.5


def test_deadline_is_visible_to_the_handler(faulty, make_server):
    seen: list[float | None] = []

    class Probe:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(Task("test.deadline", lambda i, ctx: seen.append(ctx.time_remaining()) or {}))

    faulty_host = Host(Config())
    faulty_host.pm.register(probe := Probe())
    try:
        server = make_server(faulty_host)
        with Client(f"127.0.0.1:{server.port}") as c:
            c.call("test.deadline", {}, timeout=7)
            c.call("test.deadline", {}, timeout=700)
    finally:
        faulty_host.pm.unregister(probe)
    # Bounds far from both timeouts: gRPC's timeout header may round a deadline up a little, and a loaded machine
    # may take a while to deliver the call, but neither comes near a factor of ten.
    short, long = seen
    assert short is not None and 0 < short <= 7 * 1.1
    assert long is not None and 70 < long <= 700 * 1.1


def test_cancellation_stops_the_handler(faulty, faulty_client):
    events = faulty_client.stream("test.wait", {}, timeout=30)
    outcome = []

    def read() -> None:
        try:
            list(events)
        except CancelledError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert faulty.waiting.wait(10), "the handler never started"
    events.cancel()
    reader.join(5)
    assert outcome, "the reader was not woken by the cancellation"
    assert faulty.cancel_seen.wait(5), "handler never saw the cancellation"


def test_cancelled_unary_call_stops_the_handler(faulty, make_server, register_plugin):
    finished: list[BaseException | None] = []
    done = threading.Event()

    class After:
        @hookimpl
        def chipmate_after_task(self, call, output, error):
            finished.append(error)
            done.set()

    register_plugin(After(), name="after")
    server = make_server()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        future = tasks_pb2_grpc.TaskServiceStub(channel).Invoke.future(
            tasks_pb2.InvokeRequest(task="test.wait", input_json="{}")
        )
        assert faulty.waiting.wait(10), "the handler never started"
        assert future.cancel() and future.cancelled()
        assert faulty.cancel_seen.wait(5), "the handler never saw the cancellation"
        # The call itself ended as cancelled on the server: the handler's ctx.check() raised, nothing was returned.
        assert done.wait(5), "the call never finished on the server"
    assert len(finished) == 1 and isinstance(finished[0], CancelledError)


def test_concurrency_limit_answers_resource_exhausted(faulty, make_server):
    server = make_server(max_concurrent_requests=1)
    target = f"127.0.0.1:{server.port}"
    with Client(target, timeout=30) as first, Client(target, timeout=30) as second:
        busy = threading.Thread(target=first.call, args=("test.wait", {}))
        busy.start()
        try:
            # The handler runs only once the call holds the only slot: from then on a second call is refused.
            assert faulty.waiting.wait(30), "the first call never started"
            with pytest.raises(OverloadedError) as info:
                second.call("echo", {"text": "x"})
            assert info.value.code == "RESOURCE_EXHAUSTED"
            assert "max_concurrent_requests" in str(info.value)
            assert info.value.retry_after is not None and info.value.retry_after > 0  # from grpc-retry-pushback-ms
            # ListTasks and health are not task calls and are still answered.
            assert second.health() == "SERVING"
            assert any(t.name == "echo" for t in second.tasks())
        finally:
            faulty.gate.set()
            busy.join(5)
        assert second.call("echo", {"text": "free again"})["words"] == 2


def test_oversized_message_is_refused(make_server):
    server = make_server(max_message_bytes=64 * 1024)
    with Client(f"127.0.0.1:{server.port}", timeout=10, max_message_bytes=8 * 1024 * 1024) as c:
        with pytest.raises(OverloadedError, match=r"(?i)larger than max"):
            c.call("echo", {"text": "x" * 100_000})
        assert c.call("echo", {"text": "small"})["words"] == 1


def test_second_server_on_same_port_fails_loudly(server, host):
    with pytest.raises(ServerError, match="in use"):
        ChipmateServer(host, ServerConfig(port=server.port)).start()


def test_health_not_serving_before_start_and_after_stop(host):
    server = ChipmateServer(host, ServerConfig(port=0, grace_seconds=0))
    check = health_pb2.HealthCheckRequest(service="")
    assert server.health.Check(check, None).status == health_pb2.HealthCheckResponse.NOT_SERVING
    port = server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        assert stub.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING
        service = health_pb2.HealthCheckRequest(service="chipmate.v1.TaskService")
        assert stub.Check(service, timeout=5).status == health_pb2.HealthCheckResponse.SERVING
    server.stop(0)
    assert server.health.Check(check, None).status == health_pb2.HealthCheckResponse.NOT_SERVING


def test_graceful_stop_lets_inflight_call_finish(host, register_plugin):
    started = threading.Event()

    class Started:
        @hookimpl
        def chipmate_before_task(self, call):
            started.set()

    register_plugin(Started(), name="started")
    server = ChipmateServer(host, ServerConfig(port=0))
    port = server.start()
    result = {}
    with Client(f"127.0.0.1:{port}", timeout=10) as c:
        worker = threading.Thread(target=lambda: result.update(c.call("echo", {"text": "a b c d", "delay_ms": 100})))
        worker.start()
        assert started.wait(10), "the call never reached the server"
        server.stop(grace=5)
        worker.join(5)
    assert result == {"text": "a b c d", "words": 4}


def test_request_id_is_propagated(client):
    events = list(client.stream("echo", {"text": "x"}, request_id="abc123"))
    assert events[-1].request_id == "abc123"


def test_error_event_precedes_stream_status(faulty, make_server):
    server = make_server()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        received = []
        with pytest.raises(grpc.RpcError) as info:
            for message in stub.InvokeStream(tasks_pb2.InvokeRequest(task="test.crash", input_json="{}"), timeout=5):
                received.append(message)
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert received[-1].WhichOneof("event") == "error"
    assert received[-1].error.code == "INTERNAL"


def test_request_log_is_structured(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="chipmate.server"):
        client.call("echo", {"text": "x"}, request_id="req-42")
    (record,) = [r for r in caplog.records if getattr(r, "request_id", None) == "req-42"]
    assert record.task == "echo" and record.status == "OK" and record.duration_ms >= 0
    from chipmate.server.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42" and line["method"] == "Invoke"


def test_failed_call_carries_request_id_in_trailing_metadata(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.Invoke(
                tasks_pb2.InvokeRequest(task="nope", input_json="{}"), timeout=5, metadata=[("x-request-id", "r-77")]
            )
    assert ("x-request-id", "r-77") in tuple(info.value.trailing_metadata())


def test_cancel_flag_wakes_waiters():
    from chipmate.tasks import CancelFlag

    flag = CancelFlag()
    assert not flag.wait(0.01) and not flag.is_set()
    woke = []
    waiters = [threading.Thread(target=lambda: woke.append(flag.wait(10))) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.05)
    flag.set()
    for waiter in waiters:
        waiter.join(5)
    assert woke == [True, True, True] and flag.wait(0)


def test_stream_refused_before_the_handler_still_reports_its_request_id(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        call = stub.InvokeStream(
            tasks_pb2.InvokeRequest(task="echo", input_json="{not json"), timeout=5, metadata=[("x-request-id", "r-9")]
        )
        received = []
        with pytest.raises(grpc.RpcError) as info:
            for message in call:
                received.append(message)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert received[-1].error.code == "INVALID_ARGUMENT" and received[-1].error.request_id == "r-9"
    assert ("x-request-id", "r-9") in tuple(info.value.trailing_metadata())


def test_request_record_is_a_complete_log_record():
    # The request log's fast record must still work with any handler or formatter a deployment installs.
    import logging

    from chipmate.server.logs import JsonFormatter, RequestRecord

    record = RequestRecord("chipmate.server", logging.INFO, "rpc", {"request_id": "r-1", "task": "echo"})
    assert set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) <= set(record.__dict__)
    text = logging.Formatter("%(asctime)s %(filename)s:%(lineno)d %(levelname)s %(name)s %(message)s").format(record)
    assert text.endswith("INFO chipmate.server rpc")
    assert json.loads(JsonFormatter().format(record))["request_id"] == "r-1"
