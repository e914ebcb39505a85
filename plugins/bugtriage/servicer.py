"""The typed ``chipmate.v1.BugTriageService``: ``bugtriage.triage`` with proto messages.

Imported only when a server is built (from the plugin's ``chipmate_register_services``), so the plugin itself
never loads grpc. The request becomes the task's JSON input field for field; the output becomes the response,
with the severity level ("high") as the proto enum (``SEVERITY_HIGH``).
"""

from __future__ import annotations

from typing import Any

from chipmate.server.typed import TypedServicer, message_to_input
from chipmate.services import Service
from chipmate.tasks import Event

from .v1 import bugtriage_pb2, bugtriage_pb2_grpc

TASK = "bugtriage.triage"


def response_data(output: dict[str, Any]) -> dict[str, Any]:
    """The task's JSON output in the response message's terms (the severity level as an enum name)."""
    data = dict(output)
    if "severity" in data:
        data["severity"] = {**data["severity"], "level": f"SEVERITY_{data['severity']['level'].upper()}"}
    return data


class BugTriageServicer(TypedServicer, bugtriage_pb2_grpc.BugTriageServiceServicer):
    """Typed front of task ``bugtriage.triage``."""

    def TriageBug(self, request: bugtriage_pb2.TriageBugRequest, context: Any) -> Any:
        # TypedServicer.unary converts the output as it is; the severity enum needs a mapping first, so this
        # runs the same call-runner path and converts (aborting on a mismatch) with result_message.
        output, _ = self._runner.unary("TriageBug", TASK, message_to_input(request), context)
        result = Event("result", output=response_data(output))
        return self.result_message(result, bugtriage_pb2.TriageBugResponse, TASK, context)


def service() -> Service:
    """The service record the plugin registers."""
    return Service(
        name=bugtriage_pb2.DESCRIPTOR.services_by_name["BugTriageService"].full_name,
        add_to_server=bugtriage_pb2_grpc.add_BugTriageServiceServicer_to_server,
        servicer=BugTriageServicer,
        requests={TASK: bugtriage_pb2.TriageBugRequest},
    )
