"""The generic TaskService: every registered task, JSON in and out, with no proto change per task.

Thin, as servicers should be: decode the request, run the task through the shared :class:`CallRunner` (auth,
limits, deadline, the Host's call path), encode the result. Typed services of plugins live with their plugins
(see ``chipmate.server.typed``).
"""

from __future__ import annotations

import json
import time
from typing import Any

import grpc

from ..errors import ChipmateError
from ..grpc_codes import status_of
from ..tasks import Event
from ..v1 import tasks_pb2, tasks_pb2_grpc
from .logs import audit
from .runner import CallRunner


class TaskServicer(tasks_pb2_grpc.TaskServiceServicer):
    """The generic task service."""

    def __init__(self, runner: CallRunner) -> None:
        self._runner = runner

    def ListTasks(self, request: tasks_pb2.ListTasksRequest, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        principal = None
        if self._runner.auth.enabled:
            try:
                found = self._runner.auth.authenticate(context.invocation_metadata() or ())
                principal = found.name if found else None
            except ChipmateError as exc:
                audit("ListTasks", exc.code, context.peer(), duration_ms=(time.perf_counter() - started) * 1000)
                context.abort(status_of(exc), str(exc))
        audit("ListTasks", "OK", context.peer(), principal, (time.perf_counter() - started) * 1000)
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
