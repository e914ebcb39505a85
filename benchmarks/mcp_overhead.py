"""What an MCP tool call of echo over stdio (`chipmate mcp`, official SDK client) costs against the direct gRPC
call it makes, in one run.

    python benchmarks/mcp_overhead.py                   # writes benchmarks/results/mcp_overhead.md
    python benchmarks/mcp_overhead.py --calls 200 --rounds 3

One `chipmate serve` (subprocess, defaults, designqa's background build off). Each round times --calls calls of
`chipmate.Client.call("echo")` (one channel, in this process) and --calls `call_tool("echo")` through one
`chipmate mcp` stdio session (the SDK's `Client` with `StdioServerParameters`), alternating the order; the table
gives medians over rounds of each round's p50/p99. The MCP session's start-up (launch, handshake, first
tools/list) is reported separately. Target (issue 24): MCP p50 <= 1.5x the direct gRPC call.

A third client measures the SDK's own floor: the same SDK client against a bare SDK server (the low-level
`Server`, one echo tool answered in process, no gRPC behind it), so the table separates what MCP itself costs from
what `chipmate mcp` adds.
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

anyio.run(main)
"""

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHIPMATE = str(Path(sys.executable).with_name("chipmate"))


async def mcp_round(params: StdioServerParameters, calls: int) -> tuple[float, list[float]]:
    """(session start-up s, ms per call_tool) of one stdio session with the server ``params`` launches."""
    started = time.perf_counter()
    async with MCPClient(params) as client:
        await client.list_tools()
        startup = time.perf_counter() - started
        await client.call_tool("echo", {"text": "hello"})
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            result = await client.call_tool("echo", {"text": "hello"})
            times.append((time.perf_counter() - t) * 1000)
            assert not result.is_error, result
    return startup, times


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
    bare_mcp = StdioServerParameters(command=sys.executable, args=["-c", BARE_MCP])
    rounds: dict[str, list[tuple[float, float]]] = {"grpc": [], "mcp": [], "bare": []}
    startups: list[float] = []
    try:
        for r in range(args.rounds):
            order = ["grpc", "mcp", "bare"]
            for which in order if r % 2 == 0 else order[::-1]:
                if which == "grpc":
                    times = python_round(target, args.calls)
                else:
                    startup, times = anyio.run(mcp_round, chipmate_mcp if which == "mcp" else bare_mcp, args.calls)
                    if which == "mcp":
                        startups.append(startup)
                rounds[which].append((statistics.median(times), percentile(times, 0.99)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def medians(which: str) -> tuple[float, float]:
        return statistics.median(p for p, _ in rounds[which]), statistics.median(p for _, p in rounds[which])

    (g50, g99), (m50, m99), (b50, b99) = medians("grpc"), medians("mcp"), medians("bare")
    command = f"python benchmarks/mcp_overhead.py --calls {args.calls} --rounds {args.rounds}"
    report = f"""## MCP overhead: `call_tool("echo")` over stdio through `chipmate mcp` vs the direct gRPC call

`{command}` on {cpu_model()} ({os.cpu_count()} CPUs), Python {platform.python_version()}, {date.today()}.
One `chipmate serve`; {args.calls} timed calls per client per round, {args.rounds} alternating rounds, medians over rounds.

| client | p50 ms | p99 ms |
|---|---|---|
| direct gRPC, `chipmate.Client.call` | {g50:.2f} | {g99:.2f} |
| MCP stdio, SDK `Client.call_tool` → `chipmate mcp` → gRPC | {m50:.2f} | {m99:.2f} |
| MCP stdio, SDK `Client.call_tool` → bare SDK server, echo in process (the SDK's floor) | {b50:.2f} | {b99:.2f} |

- MCP p50 / direct gRPC p50: **{m50 / g50:.2f}×** (target ≤ 1.5×). The SDK alone, with no gRPC behind it, is
  {b50 / g50:.2f}× the gRPC call; `chipmate mcp` adds {m50 - b50:.2f} ms to it ({m50 / b50:.2f}× the bare SDK server).
- MCP session start-up (launch `chipmate mcp`, handshake, first tools/list): median {statistics.median(startups):.2f} s
  ({", ".join(f"{s:.2f}" for s in startups)}).
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
