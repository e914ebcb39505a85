"""The typed ``chipmate.v1.DesignQAService``: ``designqa.ask`` with proto messages, unary and streaming.

Imported only when a server is built (from the plugin's ``chipmate_register_services``), so the plugin itself
never loads grpc.
"""

from __future__ import annotations

from typing import Any

from chipmate.server.typed import TypedServicer
from chipmate.services import Service

from .v1 import designqa_pb2, designqa_pb2_grpc

TASK = "designqa.ask"


class DesignQAServicer(TypedServicer, designqa_pb2_grpc.DesignQAServiceServicer):
    """Typed front of task ``designqa.ask``."""

    def Ask(self, request: designqa_pb2.AskRequest, context: Any) -> Any:
        return self.unary("Ask", TASK, request, designqa_pb2.AskResponse, context)

    def AskStream(self, request: designqa_pb2.AskRequest, context: Any) -> Any:
        for event in self.stream("AskStream", TASK, request, context):
            if event.kind == "token":
                yield designqa_pb2.AskStreamResponse(token=event.text)
            elif event.kind == "result":
                result = self.result_message(event, designqa_pb2.AskResponse, TASK, context)
                yield designqa_pb2.AskStreamResponse(result=result)


def service() -> Service:
    """The service record the plugin registers."""
    return Service(
        name=designqa_pb2.DESCRIPTOR.services_by_name["DesignQAService"].full_name,
        add_to_server=designqa_pb2_grpc.add_DesignQAServiceServicer_to_server,
        servicer=DesignQAServicer,
        requests={TASK: designqa_pb2.AskRequest},
    )
