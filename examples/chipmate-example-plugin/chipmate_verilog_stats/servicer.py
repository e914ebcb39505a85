"""The typed ``verilogstats.v1.VerilogStatsService``: task ``verilog.stats`` with generated message classes.

The stubs in ``v1/`` are generated from ``proto/chipmate_verilog_stats/v1/stats.proto`` (chipmate's
``proto/generate.py`` regenerates them and checks them in CI). The servicer only names the task and the message
classes; ``TypedServicer`` runs the call through the server's usual path (auth, limits, schema validation).
"""

from __future__ import annotations

from typing import Any

from chipmate.server.typed import TypedServicer
from chipmate.services import Service

from .v1 import stats_pb2, stats_pb2_grpc


class VerilogStatsServicer(TypedServicer, stats_pb2_grpc.VerilogStatsServiceServicer):
    """Typed front of task ``verilog.stats``."""

    def Stats(self, request: stats_pb2.StatsRequest, context: Any) -> Any:
        return self.unary("Stats", "verilog.stats", request, stats_pb2.StatsResponse, context)


def service() -> Service:
    """The record ``chipmate_register_services`` registers."""
    return Service(
        name=stats_pb2.DESCRIPTOR.services_by_name["VerilogStatsService"].full_name,
        add_to_server=stats_pb2_grpc.add_VerilogStatsServiceServicer_to_server,
        servicer=VerilogStatsServicer,
        requests={"verilog.stats": stats_pb2.StatsRequest},
    )
