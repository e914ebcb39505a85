"""`chipmate mcp`, driven by the official MCP SDK's own client: in process, over stdio, and over Streamable HTTP
with the gRPC server's token rules."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from chipmate.client import AsyncClient
from chipmate.errors import InvalidInputError, TaskNotFoundError
from chipmate.mcp_server import build_server, passages_uri

from .conftest import YOSYS_SCRIPT

CHIPMATE = str(Path(sys.executable).with_name("chipmate"))


@pytest.fixture
def session(live_server):
    """``session(body, mode=...)``: run ``await body(mcp)`` with an SDK client session connected in process to the
    MCP server over the live server; returns what ``body`` returns."""

    def run(body, mode="auto"):
        async def main():
            client = AsyncClient(f"127.0.0.1:{live_server.port}", timeout=60)
            try:
                async with Client(build_server(client), mode=mode) as mcp:
                    return await body(mcp)
            finally:
                await client.close()

        return anyio.run(main)

    return run


def test_async_client_calls_streams_and_raises_like_the_client(live_server):
    async def main():
        client = AsyncClient(f"127.0.0.1:{live_server.port}", timeout=30)
        try:
            names = [task.name for task in await client.tasks()]
            output = await client.call("echo", {"text": "a b c"})
            events = [event async for event in client.stream("echo", {"text": "x y"})]
            with pytest.raises(TaskNotFoundError, match="no task named 'nope'"):
                await client.call("nope", {})
            with pytest.raises(InvalidInputError, match=r"input\.text must be string"):
                async for _ in client.stream("echo", {"text": 1}):
                    pass
            return names, output, events
        finally:
            await client.close()

    names, output, events = anyio.run(main)
    assert "echo" in names and output == {"text": "a b c", "words": 3}
    assert [e.kind for e in events] == ["token", "progress", "token", "progress", "result"]
    assert events[-1].output == {"text": "x y", "words": 2} and events[-1].request_id


def test_every_task_is_a_tool_with_its_schemas(session, live_host):
    async def body(mcp):
        return (await mcp.list_tools()).tools

    tools = {tool.name: tool for tool in session(body)}
    assert sorted(tools) == sorted(task.name for task in live_host.tasks)
    for task in live_host.tasks:
        assert tools[task.name].description == task.description
        assert tools[task.name].input_schema == dict(task.input_schema)
        assert tools[task.name].output_schema == dict(task.output_schema)


def test_calls_return_structured_output_and_stream_progress(session):
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    async def body(mcp):
        echo = await mcp.call_tool("echo", {"text": "a b"})
        script = await mcp.call_tool(
            "scriptgen.generate",
            {
                "instruction": "Synthesize counter.v",
                "files": [{"name": "counter.v", "content": "module counter; endmodule"}],
            },
            progress_callback=on_progress,
        )
        answer = await mcp.call_tool("designqa.ask", {"question": "How do I flatten the design?", "top_k": 1})
        return echo, script, answer

    # legacy: the in-memory JSON-RPC transport, which carries the progress token as stdio and HTTP do.
    echo, script, answer = session(body, mode="legacy")
    assert echo.structured_content == {"text": "a b", "words": 2} and not echo.is_error
    assert echo.content[0].text == '{"text": "a b", "words": 2}'
    assert script.structured_content["script"] == YOSYS_SCRIPT
    # scriptgen's stages arrive as progress notifications, in order, ending at 1.
    assert len(progress) >= 3 and progress[-1][0] == 1.0 and all(total == 1.0 for _, total, _ in progress)
    assert [done for done, _, _ in progress] == sorted(done for done, _, _ in progress)
    assert any(message and message.startswith("retrieve") for _, _, message in progress)
    assert answer.structured_content["citations"][0]["source"] == "flatten.md"


def test_task_errors_are_tool_results_an_agent_can_read(session):
    async def body(mcp):
        return await mcp.call_tool("echo", {"text": 7}), await mcp.call_tool("no.such.task", {})

    wrong, missing = session(body)
    assert wrong.is_error and wrong.content[0].text.startswith("INVALID_ARGUMENT: input of task 'echo' is invalid")
    assert missing.is_error and missing.content[0].text.startswith("NOT_FOUND: no task named 'no.such.task'")


def test_knowledge_base_passages_are_a_resource(session):
    async def body(mcp):
        templates = (await mcp.list_resource_templates()).resource_templates
        passages = await mcp.read_resource(passages_uri("How do I flatten the design?"))
        with pytest.raises(MCPError, match="NOT_FOUND: no resource"):
            await mcp.read_resource("chipmate://designqa/elsewhere")
        return templates, passages

    templates, passages = session(body)
    assert [t.uri_template for t in templates] == ["chipmate://designqa/passages/{question}"]
    text = passages.contents[0].text
    assert text.startswith("## flatten.md") and "The flatten command merges the module hierarchy" in text


def test_stdio_in_process_serves_the_plugins_itself(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"cache_dir: {tmp_path / 'cache'}\ntasks:\n  designqa:\n    build_default: false\n")

    async def main():
        params = StdioServerParameters(
            command=CHIPMATE, args=["mcp", "--in-process", "-c", str(config)], env={"CHIPMATE_LOAD_PLUGINS": ""}
        )
        async with Client(params) as mcp:
            names = [tool.name for tool in (await mcp.list_tools()).tools]
            return names, await mcp.call_tool("echo", {"text": "in process"})

    names, echo = anyio.run(main)
    assert "echo" in names and "scriptgen.generate" in names
    assert echo.structured_content == {"text": "in process", "words": 2}


# -- Streamable HTTP --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_mcp(live_server, tmp_path):
    """`chipmate mcp --http` with two tokens: CHIPMATE_TOKEN (every task) and one allowed designqa.* only."""
    config = tmp_path / "mcp.yaml"
    config.write_text("server:\n  tokens:\n    dashboards: {token_env: DASH_TOKEN, tasks: ['designqa.*']}\n")
    port = free_port()
    env = {**os.environ, "CHIPMATE_TOKEN": "all-tasks", "DASH_TOKEN": "dash-only"}
    process = subprocess.Popen(
        [
            CHIPMATE,
            "mcp",
            "--http",
            "--port",
            str(port),
            "-c",
            str(config),
            "--target",
            f"127.0.0.1:{live_server.port}",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def http_session(url: str, token: str | None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as mcp,
    ):
        echo = await mcp.call_tool("echo", {"text": "over http"})
        ask = await mcp.call_tool("designqa.ask", {"question": "How do I flatten?", "top_k": 1})
        return echo, ask


def test_http_needs_a_token_and_keeps_each_token_to_its_tasks(http_mcp):
    echo, ask = anyio.run(http_session, http_mcp, "all-tasks")
    assert echo.structured_content == {"text": "over http", "words": 2} and not ask.is_error

    echo, ask = anyio.run(http_session, http_mcp, "dash-only")
    assert echo.is_error and echo.content[0].text.startswith("PERMISSION_DENIED: token 'dashboards' may not call")
    assert not ask.is_error

    for token in (None, "wrong"):
        response = httpx2.post(
            http_mcp,
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers=({"authorization": f"Bearer {token}"} if token else {}),
        )
        assert response.status_code == 401 and response.json()["error"] == "UNAUTHENTICATED"


def test_http_refuses_to_listen_beyond_loopback_without_tokens():
    env = {k: v for k, v in os.environ.items() if k != "CHIPMATE_TOKEN"}
    result = subprocess.run(
        [CHIPMATE, "mcp", "--http", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Error: refusing to serve MCP over HTTP on 0.0.0.0 without authentication" in result.stderr
