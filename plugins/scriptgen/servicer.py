"""The typed ``chipmate.v1.ScriptGenService``: ``scriptgen.generate`` with proto messages, unary and streaming.

Imported only when a server is built (from the plugin's ``chipmate_register_services``), so the plugin itself
never loads grpc. Progress events carry ``"<stage>: <message>"``; the stream splits them into stage and message.
"""

from __future__ import annotations

from typing import Any

from chipmate.server.typed import TypedServicer
from chipmate.services import Service

from .v1 import scriptgen_pb2, scriptgen_pb2_grpc

TASK = "scriptgen.generate"


class ScriptGenServicer(TypedServicer, scriptgen_pb2_grpc.ScriptGenServiceServicer):
    """Typed front of task ``scriptgen.generate``."""

    def GenerateScript(self, request: scriptgen_pb2.GenerateScriptRequest, context: Any) -> Any:
        return self.unary("GenerateScript", TASK, request, scriptgen_pb2.GenerateScriptResponse, context)

    def GenerateScriptStream(self, request: scriptgen_pb2.GenerateScriptRequest, context: Any) -> Any:
        for event in self.stream("GenerateScriptStream", TASK, request, context):
            if event.kind == "progress":
                stage, _, message = event.text.partition(": ")
                progress = scriptgen_pb2.ScriptGenProgress(stage=stage, message=message, fraction=event.fraction)
                yield scriptgen_pb2.GenerateScriptStreamResponse(progress=progress)
            elif event.kind == "result":
                result = self.result_message(event, scriptgen_pb2.GenerateScriptResponse, TASK, context)
                yield scriptgen_pb2.GenerateScriptStreamResponse(result=result)


def service() -> Service:
    """The service record the plugin registers."""
    return Service(
        name=scriptgen_pb2.DESCRIPTOR.services_by_name["ScriptGenService"].full_name,
        add_to_server=scriptgen_pb2_grpc.add_ScriptGenServiceServicer_to_server,
        servicer=ScriptGenServicer,
        requests={TASK: scriptgen_pb2.GenerateScriptRequest},
    )
