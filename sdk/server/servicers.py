"""Thin gRPC servicers: decode the request, run the task through the Host, map domain errors to status codes.

The generic TaskService serves every registered task; the typed services of the built-in tasks convert their
messages to and from the same JSON objects and run the same pipeline, so a typed call and a generic call of one
task behave identically.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from ..errors import ChipmateError, InvalidInputError, OverloadedError, TaskFailedError
from ..host import Host
from ..tasks import Event, TaskContext
from ..v1 import (
    bugtriage_pb2,
    bugtriage_pb2_grpc,
    designqa_pb2,
    designqa_pb2_grpc,
    scriptgen_pb2,
    scriptgen_pb2_grpc,
    tasks_pb2,
    tasks_pb2_grpc,
)
from .auth import TokenAuth

log = logging.getLogger("chipmate.server")

_DONE = object()
# Request ids: a random per-process prefix and a counter, unique across restarts and far cheaper than
# os.urandom per call (one of the larger costs on the request path).
_REQUEST_PREFIX = os.urandom(8).hex()
_request_counter = itertools.count(1)


def _new_request_id() -> str:
    return f"{_REQUEST_PREFIX}{next(_request_counter):016x}"


class CallRunner:
    """Everything a task call needs before and after the handler: auth, the concurrency limit, the deadline,
    cancellation, the request id and the request log. Shared by all servicers."""

    def __init__(self, host: Host, auth: TokenAuth, max_concurrent: int) -> None:
        self.host = host
        self.auth = auth
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)

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
        if not self._slots.acquire(blocking=False):
            raise OverloadedError(
                f"server is busy: {self.max_concurrent} task calls are already running",
                hint="retry with backoff, or raise server.max_concurrent_requests",
            )

    def _log(self, method: str, task: str, ctx: TaskContext | None, code: str, started: float, peer: str) -> None:
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
        # makeRecord + handle skips logging's stack walk for the caller's file and line, which this one
        # fixed call site does not need; it was a visible part of the per-call cost.
        log.handle(log.makeRecord(log.name, logging.INFO, "", 0, "rpc", (), None, extra=fields))

    @staticmethod
    def decode(input_json: str) -> Any:
        """Parse the JSON input of a call; an empty string means an empty object."""
        if not input_json.strip():
            return {}
        try:
            return json.loads(input_json)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"input_json is not valid JSON: {exc}", hint='send a JSON object such as {"text": "hi"}'
            ) from None

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
            value = self.decode(raw_input) if isinstance(raw_input, str) else raw_input
            self._acquire()
            try:
                return self.host.run_task(task, value, ctx, peer=peer), ctx.request_id
            finally:
                self._slots.release()
        except ChipmateError as exc:
            code = exc.status_code.name
            self._abort(context, exc, task, ctx)
            raise  # unreachable: abort raises
        finally:
            self._log(method, task, ctx, code, started, peer)

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
            ctx = self._context(context, task, emit=events.put)
            value = self.decode(raw_input) if isinstance(raw_input, str) else raw_input
            self._acquire()
        except ChipmateError as exc:
            self._log(method, task, ctx, exc.status_code.name, started, peer)
            yield Event("error", text=str(exc), code=exc.status_code.name, request_id=ctx.request_id if ctx else "")
            self._abort(context, exc, task, ctx)
            return

        def work() -> None:
            code = "OK"
            try:
                output = self.host.run_task(task, value, ctx, peer=peer)
                events.put(Event("result", output=output, request_id=ctx.request_id))
            except ChipmateError as exc:
                code = exc.status_code.name
                events.put(exc)
            except BaseException as exc:  # never let a worker die silently
                code = "INTERNAL"
                events.put(TaskFailedError(f"task {task!r} failed: {exc}"))
            finally:
                self._slots.release()
                self._log(method, task, ctx, code, started, peer)
                events.put(_DONE)

        threading.Thread(target=work, name=f"chipmate-task-{ctx.request_id[-8:]}", daemon=True).start()
        while True:
            item = events.get()
            if item is _DONE:
                return
            if isinstance(item, ChipmateError):
                yield Event("error", text=str(item), code=item.status_code.name, request_id=ctx.request_id)
                self._abort(context, item, task, ctx)
                return
            yield item

    @staticmethod
    def _abort(context: grpc.ServicerContext, exc: ChipmateError, task: str, ctx: TaskContext | None) -> None:
        # A failed call has no response body to carry its request id, so it goes into trailing metadata. Successful
        # calls carry it in the response instead: trailing metadata on every call cost ~150 µs of p50 latency.
        if ctx is not None:
            context.set_trailing_metadata((("x-request-id", ctx.request_id),))
        if isinstance(exc, TaskFailedError) and exc.__cause__ is not None:
            log.error("task %s raised", task, exc_info=exc.__cause__)
        context.abort(exc.status_code, str(exc))


class TaskServicer(tasks_pb2_grpc.TaskServiceServicer):
    """The generic task service."""

    def __init__(self, runner: CallRunner) -> None:
        self._runner = runner

    def ListTasks(self, request: tasks_pb2.ListTasksRequest, context: grpc.ServicerContext) -> Any:
        if self._runner.auth.enabled:
            try:
                self._runner.auth.authenticate(context.invocation_metadata() or ())
            except ChipmateError as exc:
                context.abort(exc.status_code, str(exc))
        return tasks_pb2.ListTasksResponse(
            tasks=[
                tasks_pb2.TaskInfo(
                    name=task.name,
                    description=task.description,
                    input_schema_json=json.dumps(task.input_schema),
                    output_schema_json=json.dumps(task.output_schema),
                    streaming=task.streaming,
                    plugin=task.plugin,
                )
                for task in self._runner.host.tasks
            ]
        )

    def Invoke(self, request: tasks_pb2.InvokeRequest, context: grpc.ServicerContext) -> Any:
        output, request_id = self._runner.unary("Invoke", request.task, request.input_json, context)
        return tasks_pb2.InvokeResponse(output_json=json.dumps(output), request_id=request_id)

    def InvokeStream(self, request: tasks_pb2.InvokeRequest, context: grpc.ServicerContext) -> Any:
        for event in self._runner.stream("InvokeStream", request.task, request.input_json, context):
            yield _stream_message(event)


def _stream_message(event: Event) -> tasks_pb2.InvokeStreamResponse:
    if event.kind == "token":
        return tasks_pb2.InvokeStreamResponse(token=tasks_pb2.TokenDelta(text=event.text))
    if event.kind == "progress":
        return tasks_pb2.InvokeStreamResponse(progress=tasks_pb2.Progress(fraction=event.fraction, message=event.text))
    if event.kind == "result":
        return tasks_pb2.InvokeStreamResponse(
            result=tasks_pb2.Result(output_json=json.dumps(event.output), request_id=event.request_id)
        )
    return tasks_pb2.InvokeStreamResponse(
        error=tasks_pb2.Error(code=event.code, message=event.text, request_id=event.request_id)
    )


# -- typed services of the built-in tasks -----------------------------------------------------------------------


def _to_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def _to_message(output: dict[str, Any], cls: type[Message], task: str) -> Any:
    try:
        return json_format.ParseDict(output, cls(), ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise TaskFailedError(f"task {task!r} returned output that does not fit {cls.__name__}: {exc}") from exc


class _TypedServicer:
    def __init__(self, runner: CallRunner) -> None:
        self._runner = runner

    def _unary(self, method: str, task: str, request: Message, response_cls: type[Message], context: Any) -> Any:
        output, _ = self._runner.unary(method, task, _to_dict(request), context)
        try:
            return _to_message(output, response_cls, task)
        except ChipmateError as exc:
            context.abort(exc.status_code, str(exc))


class ScriptGenServicer(_TypedServicer, scriptgen_pb2_grpc.ScriptGenServiceServicer):
    """Typed front of task ``scriptgen.generate``."""

    def GenerateScript(self, request: scriptgen_pb2.GenerateScriptRequest, context: Any) -> Any:
        return self._unary(
            "GenerateScript", "scriptgen.generate", request, scriptgen_pb2.GenerateScriptResponse, context
        )


class BugTriageServicer(_TypedServicer, bugtriage_pb2_grpc.BugTriageServiceServicer):
    """Typed front of task ``bugtriage.triage``."""

    def TriageBug(self, request: bugtriage_pb2.TriageBugRequest, context: Any) -> Any:
        return self._unary("TriageBug", "bugtriage.triage", request, bugtriage_pb2.TriageBugResponse, context)


class DesignQAServicer(_TypedServicer, designqa_pb2_grpc.DesignQAServiceServicer):
    """Typed front of task ``designqa.ask``."""

    def Ask(self, request: designqa_pb2.AskRequest, context: Any) -> Any:
        return self._unary("Ask", "designqa.ask", request, designqa_pb2.AskResponse, context)

    def AskStream(self, request: designqa_pb2.AskRequest, context: Any) -> Any:
        for event in self._runner.stream("AskStream", "designqa.ask", _to_dict(request), context):
            if event.kind == "token":
                yield designqa_pb2.AskStreamResponse(token=event.text)
            elif event.kind == "result":
                try:
                    result = _to_message(event.output or {}, designqa_pb2.AskResponse, "designqa.ask")
                except ChipmateError as exc:
                    context.abort(exc.status_code, str(exc))
                yield designqa_pb2.AskStreamResponse(result=result)
