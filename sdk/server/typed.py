"""The base class of a plugin's typed servicer: typed messages in and out, the generic task path in between.

A typed service is a face of tasks that already exist. Its servicer converts the request message to the task's
JSON input (proto field names, every field present), runs the task through the server's :class:`CallRunner`
exactly as ``TaskService.Invoke`` would, and converts the output back into the response message (a plugin's
``timing.report`` task behind its own ``TimingService``)::

    class TimingServicer(TypedServicer, timing_pb2_grpc.TimingServiceServicer):
        def Report(self, request, context):
            return self.unary("Report", "timing.report", request, timing_pb2.ReportResponse, context)

Register it through ``chipmate_register_services`` with a ``chipmate.services.Service``; see docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from ..errors import ChipmateError, TaskFailedError
from ..grpc_codes import status_of
from ..tasks import Event
from .runner import CallRunner


def message_to_input(message: Message) -> dict[str, Any]:
    """A request message as task input: proto field names, every field present (zeros included)."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def output_to_message(output: dict[str, Any], cls: type[Message], task: str) -> Any:
    """A task's output as a ``cls`` message; fields the message lacks are dropped. TaskFailedError if it cannot fit."""
    try:
        return json_format.ParseDict(output, cls(), ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise TaskFailedError(f"task {task!r} returned output that does not fit {cls.__name__}: {exc}") from exc


class TypedServicer:
    """Mix into a generated ``*Servicer`` class; the server builds it with its shared call runner."""

    def __init__(self, runner: CallRunner) -> None:
        self._runner = runner

    def unary(self, method: str, task: str, request: Message, response_cls: type[Message], context: Any) -> Any:
        """Run ``task`` on ``request`` and return its output as a ``response_cls`` message."""
        output, _ = self._runner.unary(method, task, message_to_input(request), context)
        try:
            return output_to_message(output, response_cls, task)
        except ChipmateError as exc:
            context.abort(status_of(exc), str(exc))

    def stream(self, method: str, task: str, request: Message, context: Any) -> Iterator[Event]:
        """Run ``task`` on ``request`` and yield its events (token, progress, result); errors end the RPC."""
        yield from self._runner.stream(method, task, message_to_input(request), context)

    def result_message(self, event: Event, response_cls: type[Message], task: str, context: Any) -> Any:
        """The output of a ``result`` event as a ``response_cls`` message (aborts the RPC if it does not fit)."""
        try:
            return output_to_message(event.output or {}, response_cls, task)
        except ChipmateError as exc:
            context.abort(status_of(exc), str(exc))
