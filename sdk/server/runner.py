"""What every task call goes through on the server, whichever service received it: auth, the concurrency limit,
the deadline, cancellation, the request id, input decoding (with a nesting cap) and the request log.

The generic TaskService and every plugin's typed service (``chipmate.server.typed``) share one :class:`CallRunner`,
so a typed call and a generic call of one task behave identically.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc

from ..errors import ChipmateError, OverloadedError, TaskFailedError
from ..grpc_codes import status_of
from ..host import Host
from ..tasks import Event, TaskContext, decode_json
from .auth import TokenAuth
from .logs import RequestRecord

log = logging.getLogger("chipmate.server")

_DONE = object()
# The retry estimate when every task slot is taken: cheap calls free theirs within milliseconds, and model calls
# wait in the model queue (with its own estimate) rather than here.
_BUSY_RETRY_SECONDS = 0.5
# gRPC's name for the trailer that tells a client when to retry (its retry machinery honours it).
RETRY_TRAILER = "grpc-retry-pushback-ms"
# Request ids: a random per-process prefix and a counter, unique across restarts and far cheaper than
# os.urandom per call (one of the larger costs on the request path).
_REQUEST_PREFIX = os.urandom(8).hex()
_request_counter = itertools.count(1)


def _new_request_id() -> str:
    return f"{_REQUEST_PREFIX}{next(_request_counter):016x}"


class CallRunner:
    """Everything a task call needs before and after the handler: auth, the concurrency limit, the deadline,
    cancellation, the request id and the request log. Shared by all servicers."""

    def __init__(self, host: Host, auth: TokenAuth, max_concurrent: int, *, log_inputs: bool = False) -> None:
        self.host = host
        self.auth = auth
        self.max_concurrent = max_concurrent
        self.log_inputs = log_inputs
        # A counter under a plain lock rather than a BoundedSemaphore: the semaphore is a Condition written in
        # Python, and its acquire/release pair cost every call several microseconds for a non-blocking check.
        self._lock = threading.Lock()
        self._running = 0

    def _context(self, context: grpc.ServicerContext, task: str, emit: Any = None) -> TaskContext:
        metadata = context.invocation_metadata() or ()
        request_id = next((str(v) for k, v in metadata if k == "x-request-id"), "") or _new_request_id()
        principal = self.auth.authorize(metadata, task) if self.auth.enabled else None
        remaining = context.time_remaining()
        deadline = None if remaining is None or remaining > 1e8 else time.monotonic() + remaining
        ctx = TaskContext(
            request_id=request_id,
            deadline=deadline,
            emit=emit,
            host=self.host,
            principal=principal.name if principal else None,
        )
        # Fires when the RPC ends for any reason, client cancellation and deadline included.
        context.add_callback(ctx.cancelled.set)
        return ctx

    def _acquire(self) -> None:
        with self._lock:
            if self._running < self.max_concurrent:
                self._running += 1
                return
        raise OverloadedError(
            f"server is busy: {self.max_concurrent} task calls are already running",
            hint=f"retry in about {_BUSY_RETRY_SECONDS:g} s with backoff, or raise server.max_concurrent_requests",
            retry_after=_BUSY_RETRY_SECONDS,
        )

    def _release(self) -> None:
        with self._lock:
            self._running -= 1

    def _log(
        self, method: str, task: str, ctx: TaskContext | None, code: str, started: float, peer: str, raw: Any = None
    ) -> None:
        """The call's audit line: who, what, how it ended, how long; its input only with ``server.log_inputs``."""
        if not log.isEnabledFor(logging.INFO):
            return
        fields = {
            "request_id": ctx.request_id if ctx else None,
            "method": method,
            "task": task,
            "status": code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "peer": peer,
            "principal": ctx.principal if ctx else None,
        }
        if self.log_inputs:
            fields["input"] = raw
        # Logger.handle with a ready record skips logging's stack walk for the caller's file and line, which this
        # one fixed call site does not need; RequestRecord skips the rest of LogRecord's per-record set-up.
        log.handle(RequestRecord(log.name, logging.INFO, "rpc", fields))

    def unary(
        self, method: str, task: str, raw_input: Any, context: grpc.ServicerContext
    ) -> tuple[dict[str, Any], str]:
        """Run ``task`` to completion and return its output and request id; aborts the RPC on error."""
        started = time.perf_counter()
        ctx = None
        code = "OK"
        peer = context.peer()
        try:
            ctx = self._context(context, task)
            value = decode_json(raw_input) if isinstance(raw_input, str) else raw_input
            self._acquire()
            try:
                return self.host.run_task(task, value, ctx, peer=peer), ctx.request_id
            finally:
                self._release()
        except ChipmateError as exc:
            code = exc.code
            self._abort(context, exc, task, ctx)
            raise  # unreachable: abort raises
        except Exception as exc:
            # Run_task turns handler bugs into TaskFailedError; anything else here is a bug of the server itself.
            code = "INTERNAL"
            failure = TaskFailedError(f"call of task {task!r} failed: {type(exc).__name__}: {exc}")
            failure.__cause__ = exc
            self._abort(context, failure, task, ctx)
            raise  # unreachable: abort raises
        finally:
            self._log(method, task, ctx, code, started, peer, raw_input)

    def stream(self, method: str, task: str, raw_input: Any, context: grpc.ServicerContext) -> Iterator[Event]:
        """Run ``task`` in a worker thread and yield its events, ending with a result or an error event.

        The worker owns the concurrency slot, so a call whose client went away still counts until its
        handler has noticed the cancellation and returned.
        """
        started = time.perf_counter()
        events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        peer = context.peer()
        ctx: TaskContext | None = None
        try:
            try:
                ctx = self._context(context, task, emit=events.put)
                value = decode_json(raw_input) if isinstance(raw_input, str) else raw_input
                self._acquire()
            except ChipmateError:
                raise
            except Exception as exc:  # a bug of the server itself: reported like one, never as UNKNOWN
                failure = TaskFailedError(f"call of task {task!r} failed: {type(exc).__name__}: {exc}")
                failure.__cause__ = exc
                raise failure from exc
        except ChipmateError as exc:
            self._log(method, task, ctx, exc.code, started, peer, raw_input)
            yield Event("error", text=str(exc), code=exc.code, request_id=ctx.request_id if ctx else "")
            self._abort(context, exc, task, ctx)
            return

        def work() -> None:
            code = "OK"
            try:
                output = self.host.run_task(task, value, ctx, peer=peer)
                events.put(Event("result", output=output, request_id=ctx.request_id))
            except ChipmateError as exc:
                code = exc.code
                events.put(exc)
            except BaseException as exc:  # never let a worker die silently
                code = "INTERNAL"
                events.put(TaskFailedError(f"task {task!r} failed: {exc}"))
            finally:
                self._release()
                self._log(method, task, ctx, code, started, peer, raw_input)
                events.put(_DONE)

        threading.Thread(target=work, name=f"chipmate-task-{ctx.request_id[-8:]}", daemon=True).start()
        while True:
            item = events.get()
            if item is _DONE:
                return
            if isinstance(item, ChipmateError):
                yield Event("error", text=str(item), code=item.code, request_id=ctx.request_id)
                self._abort(context, item, task, ctx)
                return
            yield item

    @staticmethod
    def _abort(context: grpc.ServicerContext, exc: ChipmateError, task: str, ctx: TaskContext | None) -> None:
        # A failed call has no response body to carry its request id, so it goes into trailing metadata. Successful
        # calls carry it in the response instead: trailing metadata on every call cost ~150 µs of p50 latency.
        trailers: tuple[tuple[str, str], ...] = ()
        if ctx is not None:
            trailers += (("x-request-id", ctx.request_id),)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            trailers += ((RETRY_TRAILER, str(int(retry_after * 1000))),)
        if trailers:
            context.set_trailing_metadata(trailers)
        if isinstance(exc, TaskFailedError) and exc.__cause__ is not None:
            log.error("task %s raised", task, exc_info=exc.__cause__)
        context.abort(status_of(exc), str(exc))
