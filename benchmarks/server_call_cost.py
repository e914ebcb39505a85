"""The server's own Python work per task call, in-process: CallRunner + TaskServicer around the echo task, against
a bare handler doing only the JSON decode/encode (what benchmarks/grpc_overhead.py's bare server does).

No gRPC and no network: a stand-in ServicerContext, so what is timed is chipmate's request path alone (context,
limits, validation, hooks, request log). The request log is formatted as ``chipmate serve`` would (JSON, batched),
and each timed batch includes flushing it. Best of 7 batches of 5,000 calls.

    .venv/bin/python benchmarks/server_call_cost.py
"""

from __future__ import annotations

import io
import json
import logging
import time

from chipmate.config import config_from_dict
from chipmate.host import Host
from chipmate.server import logs
from chipmate.server.auth import TokenAuth
from chipmate.server.runner import CallRunner
from chipmate.server.servicers import TaskServicer
from chipmate.v1 import tasks_pb2

CALLS = 5000
BATCHES = 7


class Context:
    """What CallRunner reads of a grpc.ServicerContext, answering as a plain unauthenticated call would."""

    def invocation_metadata(self) -> tuple:
        return ()

    def time_remaining(self) -> float:
        return 10.0

    def add_callback(self, callback) -> bool:
        return True

    def peer(self) -> str:
        return "ipv4:127.0.0.1:50000"


def best_us(call) -> float:
    best = float("inf")
    for _ in range(BATCHES):
        started = time.perf_counter()
        for _ in range(CALLS):
            call()
        if logs._handler is not None:
            logs._handler.flush()  # the writer thread's formatting belongs to the call's cost
        best = min(best, (time.perf_counter() - started) / CALLS * 1e6)
    return best


def main() -> None:
    logs.configure("json", stream=io.StringIO())
    config = config_from_dict({"tasks": {"designqa": {"build_default": False}}})
    host = Host(config)
    host.startup()
    servicer = TaskServicer(CallRunner(host, TokenAuth.from_config(config.server), 16))
    request = tasks_pb2.InvokeRequest(task="echo", input_json=json.dumps({"text": "synth -top counter; abc -g AND"}))
    context = Context()

    def bare() -> tasks_pb2.InvokeResponse:
        value = json.loads(request.input_json)
        return tasks_pb2.InvokeResponse(output_json=json.dumps({"text": value["text"], "words": 5}))

    chipmate = best_us(lambda: servicer.Invoke(request, context))
    logging.getLogger("chipmate").setLevel("WARNING")
    quiet = best_us(lambda: servicer.Invoke(request, context))
    print(f"chipmate request path: {chipmate:.1f} µs/call ({quiet:.1f} without the request log); "
          f"bare handler: {best_us(bare):.1f} µs/call")  # fmt: skip
    host.shutdown()


if __name__ == "__main__":
    main()
