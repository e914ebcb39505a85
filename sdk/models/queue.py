"""The generation queue: how model-bound calls share the generators, the policy of the server's README section.

A loaded generator runs at most ``Generator.max_concurrency`` generations at once (1 for a local model, which
uses every core for one generation). A call that finds its generator busy waits in a first-come-first-served
queue; all generators together hold at most ``limit`` waiting calls (``server.model_queue``). Past that a
call is refused at once with RESOURCE_EXHAUSTED and an estimate of when to retry. A waiting call leaves the queue
with DEADLINE_EXCEEDED when its deadline passes and with CANCELLED when its caller goes away, so it never holds a
server thread longer than its caller asked for. Calls that use no generator (echo, health, retrieval) never enter
the queue, so model calls cannot starve them.

The registry gives each loaded generator its :class:`GeneratorGate`; ``Generator`` subclasses have their
``stream`` and ``generate`` wrapped to pass through it (see ``chipmate.models.base``), so every backend, built-in
or a plugin's, is queued the same way.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import TYPE_CHECKING

from ..errors import CancelledError, DeadlineExceededError, OverloadedError

if TYPE_CHECKING:
    from ..tasks import TaskContext

# How often a waiting call looks at its cancellation flag (the deadline wakes it exactly): fine-grained enough
# that a cancelled call gives its thread back promptly, coarse enough to cost nothing measurable.
_POLL_SECONDS = 0.1
# The retry estimate before a generator has finished anything: about one short generation.
_FIRST_ESTIMATE_SECONDS = 2.0


class ModelQueue:
    """The bound on calls waiting for a generator, all generators together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self.waiting = 0

    def gate(self, alias: str, slots: int) -> GeneratorGate:
        """A gate for the generator of ``alias`` that runs ``slots`` generations at once."""
        return GeneratorGate(alias, slots, self)

    def _enter(self) -> bool:
        with self._lock:
            if self.waiting >= self.limit:
                return False
            self.waiting += 1
            return True

    def _leave(self) -> None:
        with self._lock:
            self.waiting -= 1


class GeneratorGate:
    """The slots of one generator and its place in the :class:`ModelQueue`."""

    def __init__(self, alias: str, slots: int, queue: ModelQueue) -> None:
        self.alias = alias
        self.slots = max(1, slots)
        self.queue = queue
        self.running = 0
        self._cond = threading.Condition(threading.Lock())
        self._waiters: collections.deque[object] = collections.deque()
        # Seconds a generation holds its slot, smoothed; the basis of the retry estimate.
        self._seconds: float | None = None

    def retry_after(self) -> float:
        """Seconds until a slot is likely to be free for a new caller, at least 0.1 and at most 60."""
        per = self._seconds if self._seconds is not None else _FIRST_ESTIMATE_SECONDS
        ahead = self.running + len(self._waiters)
        return round(min(60.0, max(0.1, per * ahead / self.slots)), 1)

    def acquire(self, ctx: TaskContext | None) -> Slot:
        """Take a slot, waiting in the queue if need be; OverloadedError, DeadlineExceededError or CancelledError
        when the call cannot have one."""
        with self._cond:
            if self.running < self.slots and not self._waiters:
                return self._take()
            if not self.queue._enter():
                wait = self.retry_after()
                raise OverloadedError(
                    f"model {self.alias!r} is busy: {self.running} generation(s) running and "
                    f"{self.queue.waiting} call(s) waiting for a model, the most the queue holds",
                    hint=f"retry in about {wait:g} s, or raise server.model_queue",
                    retry_after=wait,
                )
            ticket = object()
            self._waiters.append(ticket)
            started = time.monotonic()
            try:
                while not (self._waiters[0] is ticket and self.running < self.slots):
                    timeout = _POLL_SECONDS
                    if ctx is not None:
                        # The deadline first: gRPC also cancels a call whose deadline passed, and that says less.
                        left = ctx.time_remaining()
                        if left is not None:
                            if left <= 0:
                                raise DeadlineExceededError(
                                    f"the call's deadline passed after {time.monotonic() - started:.1f} s waiting for "
                                    f"model {self.alias!r} ({self.running} generation(s) running)",
                                    hint="give the call a longer deadline, or retry when the server is less busy",
                                )
                            timeout = min(timeout, left)
                        if ctx.cancelled.is_set():
                            raise CancelledError("the caller cancelled the call while it waited for a model")
                    self._cond.wait(timeout)
                self._waiters.popleft()
                return self._take()
            finally:
                if ticket in self._waiters:  # left early: let the next waiter look at the head of the queue
                    self._waiters.remove(ticket)
                    self._cond.notify_all()
                self.queue._leave()

    def _take(self) -> Slot:
        self.running += 1
        return Slot(self, time.monotonic())

    def _release(self, slot: Slot) -> None:
        with self._cond:
            self.running -= 1
            seconds = time.monotonic() - slot.started
            self._seconds = seconds if self._seconds is None else 0.8 * self._seconds + 0.2 * seconds
            self._cond.notify_all()


class Slot:
    """One generation's hold on a gate; :meth:`release` is idempotent."""

    __slots__ = ("_released", "gate", "started")

    def __init__(self, gate: GeneratorGate, started: float) -> None:
        self.gate = gate
        self.started = started
        self._released = False

    def release(self) -> None:
        """Give the slot back (once; later calls do nothing)."""
        if not self._released:
            self._released = True
            self.gate._release(self)
