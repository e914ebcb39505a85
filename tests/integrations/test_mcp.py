"""`chipmate mcp`, driven by the official MCP SDK's own client: in process, over stdio, and over Streamable HTTP
with the gRPC server's token rules."""

from __future__ import annotations

import json
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

from chipmate import hookimpl
from chipmate.client import AsyncClient
from chipmate.errors import InvalidInputError, PluginError, TaskNotFoundError
from chipmate.mcp_server import KnowledgeBases, build_server, passages_uri

from .conftest import YOSYS_SCRIPT, BagOfWordsEmbedder

CHIPMATE = str(Path(sys.executable).with_name("chipmate"))


@pytest.fixture
def session(live_server):
    """``session(body, mode=...)``: run ``await body(mcp)`` with an SDK client session connected in process to the
    MCP server over the live server; returns what ``body`` returns."""

    def run(body, mode="auto", knowledge_bases=None):
        async def main():
            client = AsyncClient(f"127.0.0.1:{live_server.port}", timeout=60)
            try:
                async with Client(build_server(client, knowledge_bases=knowledge_bases), mode=mode) as mcp:
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


# -- knowledge bases as resources -------------------------------------------------------------------------------


def build_kb(root: Path, documents: dict[str, str], chunk_size: int = 300) -> Path:
    """A designqa index at ``root`` over ``documents`` (source name -> text), with the bag-of-words embedder."""
    from chipmate.plugins.designqa.chunks import chunk_file
    from chipmate.plugins.designqa.index import IndexSettings
    from chipmate.plugins.designqa.writer import Document, update_index

    docs = root.parent / f"{root.name}-docs"
    docs.mkdir(parents=True)
    built = []
    for name, text in documents.items():
        (docs / name).write_text(text)
        built.append(Document(name, chunk_file(docs / name, name, chunk_size=chunk_size, chunk_overlap=0)))
    settings = IndexSettings(chunk_size=chunk_size, chunk_overlap=0)
    update_index(root, BagOfWordsEmbedder(), add=built, settings=settings, name="fake-embed")
    return root


# Nine sections of about 150 characters: one passage each at chunk_size 200.
LONG_DOCUMENT = "".join(
    f"# Step {i}\n\nStep {i} of the flow runs pass number {i} and checks its log for warnings before the next "
    "step starts; keep its output.\n\n"
    for i in range(1, 10)
)


@pytest.fixture
def knowledge_bases(live_host, knowledge_base, tmp_path):
    """The MCP resources of: the served knowledge base, one in the cache, one more named like the served one."""
    from chipmate.plugins.designqa.index import KnowledgeIndex
    from chipmate.plugins.designqa.service import knowledge_base_dirs

    build_kb(Path(live_host.config.cache_path()) / "designqa" / "team", {"flow.md": LONG_DOCUMENT}, chunk_size=200)
    other = build_kb(tmp_path / "elsewhere" / knowledge_base.name, {"notes.md": "# Notes\n\nRun sta -exit.\n"})
    (Path(live_host.config.cache_path()) / "designqa" / "not-an-index").mkdir()
    return KnowledgeBases(
        lambda: knowledge_base_dirs(live_host.config, [other]), KnowledgeIndex.open, lambda: knowledge_base
    )


def test_knowledge_base_dirs_lists_the_served_one_first_then_the_cache_then_extra_ones_once(tmp_path):
    from chipmate.config import config_from_dict
    from chipmate.plugins.designqa.service import knowledge_base_dirs

    cache = tmp_path / "cache"
    for name in ("zeta", "yosys-help", "alpha"):
        build_kb(cache / "designqa" / name, {"a.md": f"# {name}\n\ntext\n"})
    (cache / "designqa" / "empty").mkdir()
    extra = build_kb(tmp_path / "mine", {"b.md": "# b\n\ntext\n"})
    config = config_from_dict({"cache_dir": str(cache)})
    again = [extra, tmp_path / "missing", cache / "designqa" / "alpha" / ".." / "alpha"]
    names = [p.name for p in knowledge_base_dirs(config, again)]
    # the default (Yosys help) is the served one when no index_dir is configured
    assert names == ["yosys-help", "alpha", "zeta", "mine"]
    configured = config_from_dict({"cache_dir": str(cache), "tasks": {"designqa": {"index_dir": str(extra)}}})
    assert [p.name for p in knowledge_base_dirs(configured)] == ["mine", "alpha", "yosys-help", "zeta"]


def test_hook_chipmate_register_knowledge_bases(tmp_path, register_plugin):
    """designqa offers its knowledge bases through the host (chipmate mcp imports no plugin); so can any plugin."""
    from chipmate.config import config_from_dict
    from chipmate.host import Host
    from chipmate.resources import KnowledgeBaseSource

    cache = tmp_path / "cache"
    build_kb(cache / "designqa" / "team", {"a.md": "# team\n\ntext\n"})
    mine = build_kb(tmp_path / "mine", {"b.md": "# b\n\ntext\n"})

    class Plugin:
        @hookimpl
        def chipmate_register_knowledge_bases(self, register, host):
            register(KnowledgeBaseSource("demo", lambda extra: [], lambda root: None, lambda: None))

    register_plugin(Plugin(), name="demo")
    host = Host(config_from_dict({"cache_dir": str(cache), "tasks": {"designqa": {"index_dir": str(mine)}}}))
    sources = {source.plugin: source for source in host.knowledge_bases()}
    assert set(sources) == {"designqa", "demo"}
    designqa = sources["designqa"]
    assert [p.name for p in designqa.locate([])] == ["mine", "team"] and designqa.served() == mine
    assert designqa.open_index(mine).manifest

    class Wrong:
        @hookimpl
        def chipmate_register_knowledge_bases(self, register, host):
            register("a path")

    register_plugin(Wrong(), name="wrong")
    with pytest.raises(PluginError, match="not a KnowledgeBaseSource"):
        host.knowledge_bases()


def test_knowledge_bases_are_resources_with_their_metadata(session, knowledge_bases, knowledge_base):
    async def body(mcp):
        resources = (await mcp.list_resources()).resources
        templates = (await mcp.list_resource_templates()).resource_templates
        about = {
            r.uri: json.loads((await mcp.read_resource(r.uri)).contents[0].text)
            for r in resources
            if r.mime_type == "application/json"
        }
        return resources, templates, about

    resources, templates, about = session(body, knowledge_bases=knowledge_bases)
    uris = [r.uri for r in resources]
    # The served one first, then the cache's, then --kb's; the second "index" gets a suffix.
    kbs = [uri for uri in uris if "/documents/" not in uri]
    assert kbs == ["chipmate://designqa/kb/index", "chipmate://designqa/kb/team", "chipmate://designqa/kb/index-2"]
    served = about["chipmate://designqa/kb/index"]
    assert served["served"] and served["index_dir"] == str(knowledge_base)
    assert served["embedder"] == {"name": "fake-embed", "dimension": 256}
    assert served["passages"] == 2 and [d["source"] for d in served["documents"]] == ["flatten.md", "timing.md"]
    assert served["documents"][0] == {
        "source": "flatten.md",
        "passages": 1,
        "uri": "chipmate://designqa/kb/index/documents/flatten.md",
    }
    team = about["chipmate://designqa/kb/team"]
    assert not team["served"] and team["passages"] == 9 and team["documents"][0]["passages"] == 9
    assert about["chipmate://designqa/kb/index-2"]["documents"][0]["source"] == "notes.md"
    # Every document is a resource of its own, listed after its knowledge base.
    assert uris.index("chipmate://designqa/kb/team/documents/flow.md") == uris.index("chipmate://designqa/kb/team") + 1
    kb = next(r for r in resources if r.uri == "chipmate://designqa/kb/index")
    assert kb.description.startswith("designqa knowledge base, the one designqa.ask answers from: 2 passages from 2")
    assert [t.uri_template for t in templates] == [
        "chipmate://designqa/passages/{question}",
        "chipmate://designqa/kb/{name}/documents/{document}",
    ]


def test_documents_read_a_page_of_passages_at_a_time(session, knowledge_bases, monkeypatch):
    monkeypatch.setattr("chipmate.mcp_server.DOCUMENT_PAGE", 4)
    monkeypatch.setattr("chipmate.mcp_server.RESOURCES_PAGE", 3)
    flow = "chipmate://designqa/kb/team/documents/flow.md"

    async def body(mcp):
        pages = [(await mcp.read_resource(flow + suffix)).contents[0] for suffix in ("", "?page=2", "?page=3")]
        errors = []
        for uri in (
            flow + "?page=4",
            flow + "?page=0",
            "chipmate://designqa/kb/team/documents/nope.md",
            "chipmate://designqa/kb/nope",
            "chipmate://designqa/kb/team/extra",
        ):
            with pytest.raises(MCPError) as caught:
                await mcp.read_resource(uri)
            errors.append(str(caught.value))
        listed, cursor = [], None
        while True:
            page = await mcp.list_resources(cursor=cursor)
            listed.append(len(page.resources))
            cursor = page.next_cursor
            if cursor is None:
                return pages, errors, listed

    pages, errors, listed = session(body, knowledge_bases=knowledge_bases)
    first, second, last = (page.text for page in pages)
    assert pages[0].mime_type == "text/markdown"
    assert first.startswith(
        "# flow.md\n\nKnowledge base team: passages 1-4 of 9.\n\n## Step 1 (lines 3-3)\n\nStep 1 of the flow"
    )
    assert "Step 4 of the flow" in first and "Step 5 of the flow" not in first
    assert first.rstrip().endswith(f"Next page: {flow}?page=2")
    assert "passages 5-8 of 9" in second and "Step 8 of the flow" in second
    assert "passages 9-9 of 9" in last and "Next page" not in last
    assert errors[0].startswith("NOT_FOUND: document 'flow.md' has 3 page(s) of passages, not 4")
    assert errors[1].startswith("INVALID_ARGUMENT: page must be a positive integer, not '0'")
    assert errors[2].startswith("NOT_FOUND: knowledge base 'team' has no document 'nope.md'")
    assert errors[3].startswith("NOT_FOUND: no knowledge base 'nope'")
    assert errors[4].startswith("NOT_FOUND: no resource 'chipmate://designqa/kb/team/extra'")
    # 3 knowledge bases + 2 + 1 + 1 documents, 3 a page
    assert listed == [3, 3, 1]


def test_stdio_in_process_serves_the_plugins_itself(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"cache_dir: {tmp_path / 'cache'}\ntasks:\n  designqa:\n    build_default: false\n")
    build_kb(tmp_path / "cache" / "designqa" / "team", {"flow.md": LONG_DOCUMENT}, chunk_size=200)

    async def main():
        params = StdioServerParameters(
            command=CHIPMATE, args=["mcp", "--in-process", "-c", str(config)], env={"CHIPMATE_LOAD_PLUGINS": ""}
        )
        async with Client(params) as mcp:
            names = [tool.name for tool in (await mcp.list_tools()).tools]
            echoes = [await mcp.call_tool("echo", {"text": f"in process {i}"}) for i in range(3)]
            resources = [r.uri for r in (await mcp.list_resources()).resources]
            return names, echoes, resources

    names, echoes, resources = anyio.run(main)
    assert "echo" in names and "scriptgen.generate" in names
    assert [echo.structured_content for echo in echoes] == [{"text": f"in process {i}", "words": 3} for i in range(3)]
    # The knowledge bases in the config's cache (here one the team built) are resources.
    assert resources == ["chipmate://designqa/kb/team", "chipmate://designqa/kb/team/documents/flow.md"]


STRAY_PRINT_SERVER = """
import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from chipmate.mcp_server import stdio_streams

async def list_tools(ctx, params):
    return types.ListToolsResult(tools=[types.Tool(name="shout", input_schema={"type": "object"})])

async def call_tool(ctx, params):
    print("a plugin's stray print")  # fd 1 is stderr while serving: the wire stays clean
    return types.CallToolResult(content=[types.TextContent(text="ok")])

server = Server("stray", on_list_tools=list_tools, on_call_tool=call_tool)

async def main():
    async with stdio_streams() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())

anyio.run(main)
print("stdout is the wire again")
"""


def test_stdio_transport_keeps_stray_output_off_the_wire_and_gives_stdout_back():
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "shout", "arguments": {}, "_meta": meta},
        },
    ]
    # Pipes on both ends, as an MCP host gives them: the event loop reads and writes them itself.
    process = subprocess.Popen(
        [sys.executable, "-c", STRAY_PRINT_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    replies = []
    for request in requests:  # one at a time: the SDK ends the session at end of input, cancelling what runs
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        replies.append(json.loads(process.stdout.readline()))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert [reply["id"] for reply in replies] == [1, 2]
    assert replies[1]["result"]["content"] == [{"type": "text", "text": "ok"}]
    assert "a plugin's stray print" in err
    assert out == "stdout is the wire again\n"


# -- Streamable HTTP --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_mcp(live_server, knowledge_base, tmp_path):
    """`chipmate mcp --http --kb <the live server's knowledge base>` with three tokens: CHIPMATE_TOKEN (every
    task), one allowed designqa.* only, one allowed echo only."""
    config = tmp_path / "mcp.yaml"
    config.write_text(
        "server:\n  tokens:\n    dashboards: {token_env: DASH_TOKEN, tasks: ['designqa.*']}\n"
        "    echoes: {token_env: ECHO_TOKEN, tasks: [echo]}\n"
    )
    port = free_port()
    env = {**os.environ, "CHIPMATE_TOKEN": "all-tasks", "DASH_TOKEN": "dash-only", "ECHO_TOKEN": "echo-only"}
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
            "--kb",
            str(knowledge_base),
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
        resources = [r.uri for r in (await mcp.list_resources()).resources]
        try:
            document = (await mcp.read_resource("chipmate://designqa/kb/index/documents/flatten.md")).contents[0].text
        except MCPError as exc:
            document = str(exc)
        return echo, ask, resources, document


def test_http_needs_a_token_and_keeps_each_token_to_its_tasks(http_mcp):
    documents = [f"chipmate://designqa/kb/index/documents/{name}.md" for name in ("flatten", "timing")]
    kb = ["chipmate://designqa/kb/index", *documents]
    echo, ask, resources, document = anyio.run(http_session, http_mcp, "all-tasks")
    assert echo.structured_content == {"text": "over http", "words": 2} and not ask.is_error
    assert resources == kb and document.startswith("# flatten.md\n\nKnowledge base index: passages 1-1 of 1.")

    echo, ask, resources, document = anyio.run(http_session, http_mcp, "dash-only")
    assert echo.is_error and echo.content[0].text.startswith("PERMISSION_DENIED: token 'dashboards' may not call")
    assert not ask.is_error and resources == kb and document.startswith("# flatten.md")

    # The knowledge bases are designqa's: a token that may not ask designqa sees none and reads none.
    echo, ask, resources, document = anyio.run(http_session, http_mcp, "echo-only")
    assert not echo.is_error and ask.is_error and resources == []
    assert document.startswith("PERMISSION_DENIED: token 'echoes' may not call task 'designqa.ask'")

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
