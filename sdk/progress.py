"""One-time work a task call may have to wait for (a model's first conversion and load), reported to the waiter.

The first call that needs the embedded generator waits minutes while it is converted. Without this module that
wait was silent: the conversion's progress bars went to the server's stderr, a streaming caller saw no event, and a
unary caller's deadline error said nothing of why. Here such work runs as a :class:`Job` in a thread of its own,
shared by every call that needs it:

- the work reports its steps with :func:`report` (and its expected duration with :func:`expect`) wherever it runs,
  at no cost when no job is listening (the CLI, tests, ``chipmate models pull-defaults``);
- a task call waiting for the job (:func:`run_once`) sends the job's progress to its caller as progress events,
  and a call whose deadline comes first ends with DEADLINE_EXCEEDED saying what is under way and for about how long,
  a second before the deadline so that the message reaches the caller; the job itself goes on, so a retry finds it
  further along or done.

The waiting call is found through a context variable that :meth:`chipmate.host.Host.run_task` sets around each
handler, so plugins and backends need no ctx argument to take part.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from .errors import CancelledError, DeadlineExceededError

T = TypeVar("T")

#: seconds between two checks of a waiting call (its cancellation, its deadline, the job's progress)
POLL_SECONDS = 0.25
#: seconds between two progress events of a waiting call while the job's message stays the same
EVENT_SECONDS = 2.0
#: a waiting call gives up this long before its deadline, so that its explanation reaches the caller in time
DEADLINE_MARGIN = 1.0

_task: contextvars.ContextVar[Any] = contextvars.ContextVar("chipmate_task_context", default=None)
_job: contextvars.ContextVar[Job | None] = contextvars.ContextVar("chipmate_job", default=None)
_jobs: dict[Hashable, Job] = {}
_jobs_lock = threading.Lock()


class Job:
    """One piece of one-time work: what it is, how far it got, and its result once done."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.fraction = 0.0
        self.message = "starting"
        self.expected: float | None = None
        self.started = time.monotonic()
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        #: calls that asked for this job's result (the one that started it included)
        self.waiters = 0

    def status(self) -> str:
        """``what: message (N s so far, about M s left)``."""
        elapsed = time.monotonic() - self.started
        timing = f"{elapsed:.0f} s so far"
        left = self.seconds_left()
        if left is not None:
            timing += f", about {left:.0f} s left"
        return f"{self.what}: {self.message} ({timing})"

    def seconds_left(self) -> float | None:
        """The expected duration less the time spent (at least 5 s while running), or None when unknown."""
        if self.expected is None:
            return None
        return max(5.0, self.expected - (time.monotonic() - self.started))


def report(fraction: float, message: str) -> None:
    """Record the progress of the job this code runs in (no-op outside a job)."""
    job = _job.get()
    if job is not None:
        job.fraction = min(1.0, max(0.0, float(fraction)))
        job.message = message


def expect(seconds: float) -> None:
    """Record how long the job this code runs in is expected to take in all (no-op outside a job)."""
    job = _job.get()
    if job is not None:
        job.expected = (time.monotonic() - job.started) + float(seconds)


@contextlib.contextmanager
def waiting_call(ctx: Any) -> Iterator[None]:
    """Make ``ctx`` (a TaskContext) the call that one-time work started or joined in this block reports to."""
    token = _task.set(ctx)
    try:
        yield
    finally:
        _task.reset(token)


def waiting_context() -> Any:
    """The TaskContext :func:`waiting_call` made current in this thread, or None (the model queue reads it)."""
    return _task.get()


def run_once(key: Hashable, what: str, work: Callable[[], T]) -> T:
    """``work()``'s result, computed once per ``key`` at a time in a thread of its own; concurrent callers with the
    same key share the one run. A task call waiting here gets progress events and a deadline error that explains
    the wait (see the module docstring). Exceptions of ``work`` reach every waiter; the next call starts anew."""
    with _jobs_lock:
        job = _jobs.get(key)
        if job is None:
            job = _jobs[key] = Job(what)
            threading.Thread(target=_run, args=(key, job, work), name=f"chipmate-job {what}", daemon=True).start()
        job.waiters += 1
    _wait(job, _task.get())
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[no-any-return]  # set by _run from work(), whose type is T


def _run(key: Hashable, job: Job, work: Callable[[], Any]) -> None:
    _job.set(job)  # a fresh thread starts with an empty context: this job is its only one
    try:
        job.result = work()
    except BaseException as exc:  # handed to every waiter, which raise it in their own threads
        job.error = exc
    finally:
        with _jobs_lock:
            _jobs.pop(key, None)
        job.done.set()


def _wait(job: Job, ctx: Any) -> None:
    if ctx is None:
        job.done.wait()
        return
    shown, last_event = "", time.monotonic()
    while not job.done.wait(POLL_SECONDS):
        if ctx.cancelled.is_set():
            raise CancelledError("the caller cancelled the call", hint=f"{job.what} goes on in the background")
        remaining = ctx.time_remaining()
        if remaining is not None and remaining < DEADLINE_MARGIN:
            left = job.seconds_left()
            retry = f"retry in about {left:.0f} s" if left is not None else "retry in a few minutes"
            raise DeadlineExceededError(
                f"the call's deadline came before {job.status()}",
                hint=f"this is one-time work that goes on in the background: {retry}, give the call a longer "
                "deadline, or do it ahead of time with `chipmate models pull-defaults`",
            )
        now = time.monotonic()
        if job.message != shown or now - last_event >= EVENT_SECONDS:
            ctx.progress(job.fraction, job.status())
            shown, last_event = job.message, now
