"""One-time work (a model's first conversion) reports to the task call that waits for it (chipmate.progress)."""

from __future__ import annotations

import threading
import time

import pytest

from chipmate import hookimpl, progress
from chipmate.config import Config
from chipmate.errors import DeadlineExceededError, ModelNotFoundError
from chipmate.host import Host
from chipmate.models import GENERATOR, ModelBackend
from chipmate.models.base import Generation, Generator, TokenStream
from chipmate.tasks import TaskContext


class WordGenerator(Generator):
    context_length = 256

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None):
        words = messages[-1]["content"].split()[:max_tokens]
        return TokenStream(iter(words), lambda: Generation(" ".join(words), 1, len(words), "stop"))

    def count_tokens(self, text):
        return len(text.split())


class SlowFirstLoad:
    """A backend whose load reports two steps and then waits until the test releases it (no sleeps to race)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reported = threading.Event()
        self.loads = 0

    def load(self, spec):
        self.loads += 1
        progress.expect(240)
        progress.report(0.1, "converting the fake model once (dequantize weights)")
        self.reported.set()
        if not self.release.wait(30):
            raise ModelNotFoundError("the test never released the load")
        return WordGenerator()

    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend(name="slowfake", kind=GENERATOR, load=self.load))


@pytest.fixture
def slow(register_plugin):
    backend = register_plugin(SlowFirstLoad(), name="slowfake")
    yield backend
    backend.release.set()


def chat_host() -> Host:
    return Host(Config(models={"slow": {"backend": "slowfake"}}, tasks={"designqa": {"build_default": False}}))


def test_a_streaming_call_sees_the_progress_of_the_load_it_waits_for(slow):
    host, events = chat_host(), []
    seen = threading.Event()

    def emit(event):
        events.append(event)
        if event.kind == "progress" and "dequantize" in event.text:
            seen.set()

    ctx = TaskContext(host=host, emit=emit)
    result: dict = {}
    caller = threading.Thread(
        target=lambda: result.update(
            host.run_task("chat", {"messages": [{"role": "user", "content": "a b"}], "model": "slow"}, ctx)
        )
    )
    caller.start()
    assert seen.wait(20), [e.text for e in events]
    slow.release.set()
    caller.join(20)
    assert result["text"] == "a b"
    first = next(e for e in events if e.kind == "progress")
    assert "loading model 'slow'" in first.text and "about" in first.text and "s left" in first.text
    assert first.fraction == pytest.approx(0.1)


def test_a_deadline_during_the_load_says_what_is_under_way_and_the_load_goes_on(slow):
    host = chat_host()
    ctx = TaskContext(host=host, deadline=time.monotonic() + 2.0)
    with pytest.raises(DeadlineExceededError) as caught:
        host.run_task("chat", {"messages": [{"role": "user", "content": "x"}], "model": "slow"}, ctx)
    message = str(caught.value)
    assert "loading model 'slow'" in message and "dequantize weights" in message
    assert "retry in about" in message and "pull-defaults" in message
    # The load was not abandoned with the call: released now, it completes and later calls reuse it.
    slow.release.set()
    output = host.run_task(
        "chat", {"messages": [{"role": "user", "content": "y z"}], "model": "slow"}, TaskContext(host=host)
    )
    assert output["text"] == "y z" and slow.loads == 1


def test_concurrent_callers_share_one_run_and_its_error():
    runs = []

    def work():
        runs.append(1)
        deadline = time.monotonic() + 10
        while progress._jobs["shared-key"].waiters < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # until every caller has joined this run
        raise ModelNotFoundError("no such file")

    errors = []

    def call():
        try:
            progress.run_once("shared-key", "a test job", work)
        except ModelNotFoundError as exc:
            errors.append(exc)

    callers = [threading.Thread(target=call) for _ in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert len(runs) == 1 and len(errors) == 3
    # A failed job is forgotten: the next call starts the work again.
    assert progress.run_once("shared-key", "a test job", lambda: 42) == 42


def test_report_outside_a_job_is_a_no_op():
    progress.report(0.5, "nobody listens")
    progress.expect(10)
