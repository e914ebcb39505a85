"""Deadlines, the model queue and fairness over a real in-process server on port 0, with a fake generator whose
generations and loads the tests hold and release (events, not sleeps)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from chipmate import Task, hookimpl
from chipmate.client import Client
from chipmate.config import Config, ServerConfig
from chipmate.errors import (
    CancelledError,
    DeadlineExceededError,
    InvalidInputError,
    OverloadedError,
)
from chipmate.host import Host
from chipmate.models import GENERATOR, Generation, Generator, ModelBackend, TokenStream
from chipmate.models.base import MAX_MESSAGES, MAX_PROMPT_CONTEXTS, check_prompt_size, validate_messages
from chipmate.models.queue import ModelQueue
from chipmate.tasks import TaskContext
from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

HELLO = [{"role": "user", "content": "hi"}]


class HeldGenerator(Generator):
    """Generates one token per ``release`` of its gate; records how many generations run at once."""

    context_length = 64

    def __init__(self) -> None:
        self.gate_open = threading.Event()
        self.started = threading.Semaphore(0)
        self.running = 0
        self.most_running = 0
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> TokenStream:
        validate_messages(messages)
        check_prompt_size(messages, context_length=self.context_length, count=self.count_tokens)
        state = {"n": 0}

        def deltas() -> Iterator[str]:
            with self._lock:
                self.running += 1
                self.most_running = max(self.most_running, self.running)
            self.started.release()
            try:
                while not self.gate_open.wait(0.01):
                    if ctx is not None:
                        ctx.check()
                state["n"] += 1
                yield "ok"
            finally:
                with self._lock:
                    self.running -= 1

        return TokenStream(deltas(), lambda: Generation("ok", 1, state["n"], "stop"))


class FakeModels:
    """A ``held`` backend and alias; ``load_gate`` holds the first load until set."""

    def __init__(self) -> None:
        self.generator = HeldGenerator()
        self.load_gate = threading.Event()
        self.load_gate.set()
        self.loads = 0

    def load(self, spec: Any) -> Generator:
        self.loads += 1
        self.load_gate.wait(30)
        return self.generator

    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend(name="held", kind=GENERATOR, load=self.load))


@pytest.fixture
def fake_models(register_plugin) -> FakeModels:
    return register_plugin(FakeModels(), name="fake-models")


@pytest.fixture
def held_server(fake_models, make_server):
    def make(**settings: Any):
        host = Host(Config(models={"held": {"backend": "held", "default": True}}))
        return make_server(host, **settings)

    return make


def chat(client: Client, timeout: float = 30, **extra: Any) -> dict[str, Any]:
    return client.call("chat", {"messages": HELLO, "max_tokens": 4, "model": "held", **extra}, timeout=timeout)


def in_background(fn, *args, **kwargs) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(fn(*args, **kwargs))
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_model_calls_queue_then_overflow_with_a_retry_hint_while_echo_is_served(fake_models, held_server):
    server = held_server(model_queue=1)
    target = f"127.0.0.1:{server.port}"
    generator = fake_models.generator
    with Client(target) as a, Client(target) as b, Client(target) as c:
        first, first_out = in_background(chat, a)
        assert generator.started.acquire(timeout=10), "the first generation never started"
        second, second_out = in_background(chat, b)
        # The second call waits in the queue (one slot, one place); wait until it is there.
        queue = server.host.models.queue
        for _ in range(1000):
            if queue.waiting == 1:
                break
            threading.Event().wait(0.01)
        assert queue.waiting == 1
        with pytest.raises(OverloadedError, match="model 'held' is busy") as info:
            chat(c)
        assert info.value.code == "RESOURCE_EXHAUSTED"
        assert info.value.retry_after is not None and 0.1 <= info.value.retry_after <= 60
        assert "server.model_queue" in str(info.value)
        # Cheap calls never wait for the model.
        assert c.call("echo", {"text": "still served"})["words"] == 2
        assert c.health() == "SERVING"
        generator.gate_open.set()
        first.join(10)
        second.join(10)
    assert first_out[0]["text"] == "ok" and second_out[0]["text"] == "ok"
    assert generator.most_running == 1, "the queue let two generations run on a one-slot model"
    assert server.host.models.queue.waiting == 0


def test_a_queued_call_ends_at_its_deadline(fake_models, held_server):
    server = held_server()
    target = f"127.0.0.1:{server.port}"
    generator = fake_models.generator
    with Client(target) as a, Client(target) as b:
        first, _ = in_background(chat, a)
        assert generator.started.acquire(timeout=10)
        with pytest.raises(DeadlineExceededError):
            chat(b, timeout=0.5)
        # It left the queue: nothing waits any more.
        assert server.host.models.queue.waiting == 0
        generator.gate_open.set()
        first.join(10)


def test_a_generation_ends_at_its_deadline(fake_models, held_server):
    server = held_server()
    with Client(f"127.0.0.1:{server.port}") as client:
        with pytest.raises(DeadlineExceededError):
            chat(client, timeout=0.5)
        # The slot came back: the next generation runs.
        fake_models.generator.gate_open.set()
        assert chat(client)["text"] == "ok"


def test_a_call_waiting_for_a_model_load_ends_at_its_deadline_and_the_load_goes_on(
    fake_models, held_server, register_plugin
):
    ended = threading.Event()
    errors: list[BaseException | None] = []

    class Watch:
        @hookimpl
        def chipmate_after_task(self, call, output, error):
            errors.append(error)
            ended.set()

    register_plugin(Watch(), name="watch")
    fake_models.load_gate.clear()
    server = held_server()
    fake_models.generator.gate_open.set()
    with Client(f"127.0.0.1:{server.port}") as client:
        with pytest.raises(DeadlineExceededError):
            chat(client, timeout=0.5)
        # The handler gave its thread back while the load still ran.
        assert ended.wait(10), "the call did not end while the model was loading"
        assert isinstance(errors[0], DeadlineExceededError) and "loading model 'held'" in str(errors[0])
        fake_models.load_gate.set()
        assert chat(client)["text"] == "ok"
    assert fake_models.loads == 1


def test_gate_unit_fifo_cancel_and_deadline():
    queue = ModelQueue(limit=2)
    gate = queue.gate("m", 1)
    held = gate.acquire(None)
    # A cancelled waiter leaves the queue with CANCELLED.
    ctx = TaskContext()
    ctx.cancelled.set()
    with pytest.raises(CancelledError):
        gate.acquire(ctx)
    # A waiter whose deadline passed leaves with DEADLINE_EXCEEDED.
    with pytest.raises(DeadlineExceededError, match="waiting for model 'm'"):
        gate.acquire(TaskContext(deadline=0.0))
    assert queue.waiting == 0
    # The queue holds two; the third is refused.
    order: list[int] = []
    threads = []
    for i in range(2):
        thread, _ = in_background(lambda i=i: (gate.acquire(None), order.append(i))[0].release())
        threads.append(thread)
        while queue.waiting < i + 1:
            threading.Event().wait(0.005)
    with pytest.raises(OverloadedError):
        gate.acquire(None)
    held.release()
    held.release()  # idempotent
    for thread in threads:
        thread.join(5)
    assert order == [0, 1] and gate.running == 0 and queue.waiting == 0


def test_a_generation_nested_in_another_on_the_same_model_does_not_wait_for_itself():
    # openai's generate streams through its own stream; an override may call super(): one slot covers both.
    class Nesting(HeldGenerator):
        def generate(self, messages, **kwargs):
            return super().generate(messages, **kwargs)

    generator = Nesting()
    generator.gate_open.set()
    generator.gate = ModelQueue(limit=0).gate("m", 1)
    assert generator.generate(HELLO, ctx=TaskContext(deadline=time.monotonic() + 10)).completion_tokens == 1
    assert generator.gate.running == 0


def test_chat_messages_are_bounded_by_the_schema(fake_models, held_server):
    server = held_server()
    with Client(f"127.0.0.1:{server.port}") as client:
        with pytest.raises(InvalidInputError, match=f"less than or equal to {MAX_MESSAGES} items"):
            client.call("chat", {"messages": HELLO * (MAX_MESSAGES + 1), "model": "held"})
        with pytest.raises(InvalidInputError, match=r"more than the \d+ a call may send"):
            big = [{"role": "user", "content": "word " * (MAX_PROMPT_CONTEXTS * 64 + 1)}]
            client.call("chat", {"messages": big, "model": "held"})


def test_generator_bounds_apply_without_the_schema():
    with pytest.raises(InvalidInputError, match=f"more than the {MAX_MESSAGES} a generator takes"):
        validate_messages(HELLO * (MAX_MESSAGES + 1))
    check_prompt_size(HELLO, context_length=4, count=lambda text: 10**9)  # short text: never even counted
    with pytest.raises(InvalidInputError, match="the prompt is 33 tokens, more than the 32"):
        check_prompt_size([{"role": "user", "content": "x" * 40}], context_length=4, count=lambda text: 33)


def test_expired_call_never_reaches_the_handler(register_plugin, host):
    # A call whose deadline passed while it waited for a thread is refused before its handler runs.
    ran = threading.Event()

    class Probe:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(Task("test.probe", lambda input, ctx: ran.set() or {}))

    register_plugin(Probe(), name="probe")
    with pytest.raises(DeadlineExceededError):
        Host(Config()).run_task("test.probe", {}, TaskContext(deadline=time.monotonic() - 1))
    assert not ran.is_set()


def test_as_many_concurrent_calls_as_the_limit_are_all_served(register_plugin, make_server):
    # gRPC's own cap on calls in flight lies above chipmate's limit, so a full house is served, not refused
    # (64 echo clients once met RESOURCE_EXHAUSTED from gRPC's cap of 48).
    limit = ServerConfig().max_concurrent_requests
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def hold(input, ctx):
        arrived.release()
        release.wait(30)
        return {}

    class Hold:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(Task("test.hold", hold))

    register_plugin(Hold(), name="hold")
    server = make_server()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        invoke = tasks_pb2_grpc.TaskServiceStub(channel).Invoke
        calls = [
            invoke.future(tasks_pb2.InvokeRequest(task="test.hold", input_json="{}"), timeout=60) for _ in range(limit)
        ]
        for _ in range(limit):
            assert arrived.acquire(timeout=30), "not every call reached its handler"
        # Health and ListTasks still have threads of their own.
        assert Client(f"127.0.0.1:{server.port}").health() == "SERVING"
        release.set()
        codes = [call.code() for call in calls]
    assert codes == [grpc.StatusCode.OK] * limit


def test_a_long_prompt_that_cannot_be_read_before_the_deadline_is_not_started():
    from chipmate.plugins.backends.decoding import PromptTiming

    timing = PromptTiming()
    ctx = TaskContext(deadline=time.monotonic() + 5)
    timing.check(100_000, ctx)  # nothing learnt yet: no refusal
    timing.record(10, 10.0)  # short prompts teach nothing (fixed costs dominate)
    assert timing.seconds_per_token is None
    timing.record(1000, 2.0)  # 2 ms a token
    timing.check(1000, ctx)  # ~2 s of 5: fine
    with pytest.raises(DeadlineExceededError, match=r"reading the 10000-token prompt takes this model about 20\.0 s"):
        timing.check(10_000, ctx)
    timing.check(10_000, TaskContext())  # no deadline: never refused
