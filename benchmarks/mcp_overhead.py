"""What an MCP tool call of echo over stdio (`chipmate mcp`, official SDK client) costs against the direct gRPC
call it makes, in one run.

    python benchmarks/mcp_overhead.py                   # writes benchmarks/results/mcp_overhead.md
    python benchmarks/mcp_overhead.py --calls 200 --rounds 3

One `chipmate serve` (subprocess, defaults, designqa's background build off). Each round times --calls calls of
`chipmate.Client.call("echo")` (one channel, in this process) and --calls `call_tool("echo")` through one
`chipmate mcp` stdio session (the SDK's `Client` with `StdioServerParameters`), alternating the order; the table
gives medians over rounds of each round's p50/p99. The MCP session's start-up (launch, handshake, first
tools/list) is reported separately. Target (issue 24): MCP p50 <= 1.5x the direct gRPC call.

Three more stdio servers, driven by the same SDK client, separate what MCP itself costs from what `chipmate mcp`
adds: a bare SDK server (the low-level `Server`, one echo tool answered in process, no gRPC behind it) on the SDK's
own stdio transport; the same bare server on chipmate's transport (`chipmate.mcp_server.stdio_streams`, which
`chipmate mcp` uses, and without the SDK's OpenTelemetry middleware, as `chipmate mcp`); and a canned-reply server
with no SDK at all (a line loop answering each request with fixed JSON): the SDK client's own floor. CPU time per
call is reported too, the client's and that of every process of the chain (client, MCP server, gRPC server): on a
loaded machine each hop between processes waits for a core, which the wall clock counts and CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import anyio
import psutil  # present with accelerate/peft; reads the CPU time of the server processes
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from grpc_overhead import start
from mcp import Client as MCPClient
from mcp import StdioServerParameters
from tcl_roundtrip import percentile, python_round

BARE_MCP = """
import json
import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

SCHEMA = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
OUTPUT = {"type": "object", "properties": {"text": {"type": "string"}, "words": {"type": "integer"}}}

async def list_tools(ctx, params):
    return types.ListToolsResult(tools=[types.Tool(name="echo", input_schema=SCHEMA, output_schema=OUTPUT)])

async def call_tool(ctx, params):
    text = params.arguments["text"]
    output = {"text": text, "words": len(text.split())}
    return types.CallToolResult(content=[types.TextContent(text=json.dumps(output))], structured_content=output)

server = Server("bare", on_list_tools=list_tools, on_call_tool=call_tool)

async def main():
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())

if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["chipmate-transport"]:
        from chipmate.mcp_server import stdio_streams as stdio_server

        server.middleware = []
    anyio.run(main)
"""

# No SDK on the server side: a line loop with the replies an SDK server gives, fixed (the 2026-07-28 protocol the
# SDK client negotiates), to show what the SDK client costs on its own.
CANNED_MCP = """
import json
import sys

META = {"io.modelcontextprotocol/serverInfo": {"name": "canned", "version": ""}}
DONE = {"resultType": "complete", "_meta": META}
OUTPUT = {"text": "hello", "words": 1}
SCHEMA = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
RESULTS = {
    "server/discover": {
        "cacheScope": "private", "capabilities": {"tools": {"listChanged": False}},
        "supportedVersions": ["2026-07-28"], "ttlMs": 0, **DONE,
    },
    "tools/list": {"cacheScope": "private", "tools": [{"name": "echo", "inputSchema": SCHEMA}], "ttlMs": 0, **DONE},
    "tools/call": {
        "content": [{"type": "text", "text": json.dumps(OUTPUT)}], "isError": False,
        "structuredContent": OUTPUT, **DONE,
    },
}
for line in sys.stdin:
    message = json.loads(line)
    if "id" in message:
        reply = {"jsonrpc": "2.0", "id": message["id"], "result": RESULTS[message["method"]]}
        sys.stdout.write(json.dumps(reply) + "\\n")
        sys.stdout.flush()
"""

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHIPMATE = str(Path(sys.executable).with_name("chipmate"))


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU seconds the processes have used so far (this one included by the caller)."""
    return sum(sum(p.cpu_times()[:2]) for p in processes)


async def mcp_round(
    params: StdioServerParameters, calls: int, serve: psutil.Process
) -> tuple[float, list[float], float, float]:
    """(session start-up s, ms per call_tool, client CPU ms per call, CPU ms per call of every process involved:
    the client, the MCP server, the gRPC server) of one stdio session with the server ``params`` launches."""
    started = time.perf_counter()
    async with MCPClient(params) as client:
        await client.list_tools()
        startup = time.perf_counter() - started
        await client.call_tool("echo", {"text": "hello"})
        chain = [psutil.Process(), serve, *(p for p in psutil.Process().children(recursive=True) if p.pid != serve.pid)]
        times = []
        cpu, total = time.process_time(), cpu_seconds(chain)
        for _ in range(calls):
            t = time.perf_counter()
            result = await client.call_tool("echo", {"text": "hello"})
            times.append((time.perf_counter() - t) * 1000)
            assert not result.is_error and result.structured_content["words"] == 1, result
        cpu = (time.process_time() - cpu) / calls * 1000
        total = (cpu_seconds(chain) - total) / calls * 1000
    return startup, times, cpu, total


def grpc_round(target: str, calls: int, serve: psutil.Process) -> tuple[list[float], float, float]:
    """(ms per call, client CPU ms per call, client + server CPU ms per call) of the direct gRPC client."""
    chain = [psutil.Process(), serve]
    cpu, total = time.process_time(), cpu_seconds(chain)
    times = python_round(target, calls)
    return times, (time.process_time() - cpu) / (calls + 1) * 1000, (cpu_seconds(chain) - total) / (calls + 1) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="timed calls per client per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--out", type=Path, default=RESULTS / "mcp_overhead.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chipmate-bench-"))
    config = tmp / "chipmate.yaml"
    config.write_text("tasks:\n  designqa:\n    build_default: false\n")
    serve = [sys.executable, "-m", "chipmate", "serve", "-c", str(config), "--port", "0", "--log-format", "json"]
    server, port, _ = start(serve, tmp / "chipmate.log")
    target = f"127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k.startswith("CHIPMATE_")}
    chipmate_mcp = StdioServerParameters(command=CHIPMATE, args=["mcp", "--target", target], env=env)
    servers = {
        "mcp": chipmate_mcp,
        "bare": StdioServerParameters(command=sys.executable, args=["-c", BARE_MCP]),
        "bare-chipmate": StdioServerParameters(command=sys.executable, args=["-c", BARE_MCP, "chipmate-transport"]),
        "canned": StdioServerParameters(command=sys.executable, args=["-c", CANNED_MCP]),
    }
    order = ["grpc", *servers]
    rounds: dict[str, list[tuple[float, float, float, float]]] = {which: [] for which in order}
    startups: list[float] = []
    serve = psutil.Process(server.pid)
    try:
        for r in range(args.rounds):
            for which in order if r % 2 == 0 else order[::-1]:
                if which == "grpc":
                    times, cpu, total = grpc_round(target, args.calls, serve)
                else:
                    startup, times, cpu, total = anyio.run(mcp_round, servers[which], args.calls, serve)
                    if which == "mcp":
                        startups.append(startup)
                rounds[which].append((statistics.median(times), percentile(times, 0.99), cpu, total))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def medians(which: str) -> tuple[float, float, float, float]:
        return tuple(statistics.median(row[i] for row in rounds[which]) for i in range(4))  # type: ignore[return-value]  # four medians

    (g50, g99, gcpu, gall), (m50, m99, mcpu, mall) = medians("grpc"), medians("mcp")
    (b50, b99, bcpu, ball), (t50, t99, tcpu, tall) = medians("bare"), medians("bare-chipmate")
    c50, c99, ccpu, call = medians("canned")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    command = f"python benchmarks/mcp_overhead.py --calls {args.calls} --rounds {args.rounds}"
    report = f"""## MCP overhead: `call_tool("echo")` over stdio through `chipmate mcp` vs the direct gRPC call

`{command}` on {cpu_model()} ({os.cpu_count()} CPUs), Python {platform.python_version()}, {date.today()}.
One `chipmate serve`; {args.calls} timed calls per client per round, {args.rounds} alternating rounds, medians over rounds.

| client | p50 ms | p99 ms | client CPU ms / call | CPU ms / call, every process |
|---|---|---|---|---|
| direct gRPC, `chipmate.Client.call` | {g50:.2f} | {g99:.2f} | {gcpu:.2f} | {gall:.2f} |
| MCP stdio, SDK `Client.call_tool` → `chipmate mcp` → gRPC | {m50:.2f} | {m99:.2f} | {mcpu:.2f} | {mall:.2f} |
| MCP stdio, SDK client → bare SDK server on the SDK's stdio transport, echo in process | {b50:.2f} | {b99:.2f} | {bcpu:.2f} | {ball:.2f} |
| MCP stdio, SDK client → bare SDK server on chipmate's transport, no OTel middleware | {t50:.2f} | {t99:.2f} | {tcpu:.2f} | {tall:.2f} |
| MCP stdio, SDK client → canned replies, no SDK in the server (the SDK client's floor) | {c50:.2f} | {c99:.2f} | {ccpu:.2f} | {call:.2f} |

- MCP p50 / direct gRPC p50: **{m50 / g50:.2f}×** (target ≤ 1.5×); CPU of every process per call: {mall / gall:.2f}×.
  `chipmate mcp` adds {m50 - t50:.2f} ms ({mall - tall:.2f} ms CPU) to a bare SDK server on the same transport;
  the gRPC call itself is {g50:.2f} ms ({gall:.2f} ms CPU). The bare SDK server is {b50 / g50:.2f}× the gRPC call
  on the SDK's transport, {t50 / g50:.2f}× on chipmate's. The SDK client alone, against a server that does nothing
  but print fixed replies, is {c50 / g50:.2f}× the gRPC call and spends {ccpu:.2f} ms of its own CPU per call
  ({ccpu / g50:.2f}× the whole gRPC round trip): no server that makes the gRPC call can be under
  ({c50:.2f} + {g50:.2f}) / {g50:.2f} = {(c50 + g50) / g50:.2f}× with this client.
- Load average during the run (1, 5, 15 min): {load}.
- MCP session start-up (launch `chipmate mcp`, handshake, first tools/list): median {statistics.median(startups):.2f} s
  ({", ".join(f"{s:.2f}" for s in startups)}).
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
