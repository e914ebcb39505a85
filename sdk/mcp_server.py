"""``chipmate mcp``: chipmate's tasks as Model Context Protocol tools, for LLM agents (official ``mcp`` SDK).

Each task the server lists becomes an MCP tool of the same name, with the task's description and JSON input and
output schemas. A call runs the task over gRPC with :class:`chipmate.client.AsyncClient` on the MCP server's own
event loop (no thread per call), through the server's ordinary path
(validation, auth, limits), so plugins need no change; when the agent asks for progress (a ``progressToken``),
the call streams and each progress event of the task becomes an MCP progress notification. A task's error comes
back as a tool result with ``isError`` and the status code in its text, which an agent can read and act on.

designqa's knowledge base is a resource template, ``chipmate://designqa/passages/{question}``: reading it returns
the passages the knowledge base holds for the question, with their sources (designqa.ask with retrieval_only).

Transports: stdio (what MCP hosts launch) and Streamable HTTP (``--http``), which follows the gRPC server's token
rules: it listens on loopback unless tokens are configured, and then every request needs
``Authorization: Bearer <token>`` and each token may call only its tasks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from .errors import ChipmateError, ServerError, TaskNotFoundError

PASSAGES_TEMPLATE = "chipmate://designqa/passages/{question}"
PASSAGES_PREFIX = "chipmate://designqa/passages/"
#: passages a knowledge-base resource returns
RESOURCE_PASSAGES = 8


def _error_result(exc: ChipmateError) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=f"{exc.code}: {exc}")], is_error=True)


def build_server(client: Any, auth: Any = None) -> Server[Any]:
    """An MCP server whose tools are the tasks ``client``'s server offers (``client``: an AsyncClient).

    ``auth`` (a :class:`chipmate.server.auth.TokenAuth`) checks each HTTP request's bearer token against the
    task it calls; stdio needs none (whoever launched the process owns it).
    """

    def authorize(ctx: Any, task: str) -> None:
        request = getattr(ctx, "request", None)
        if auth is None or not auth.enabled or request is None:
            return
        auth.authorize([(k.lower(), v) for k, v in request.headers.items()], task)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        tasks = await client.tasks()
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=task.name,
                    description=task.description or task.name,
                    input_schema=dict(task.input_schema) or {"type": "object"},
                    output_schema=dict(task.output_schema) if task.output_schema.get("type") == "object" else None,
                )
                for task in tasks
            ]
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        task, arguments = params.name, dict(params.arguments or {})
        meta = (ctx.params or {}).get("_meta") if isinstance(ctx.params, Mapping) else None
        wants_progress = isinstance(meta, Mapping) and "progressToken" in meta
        try:
            authorize(ctx, task)
            output: dict[str, Any] = {}
            if wants_progress:
                async for event in client.stream(task, arguments):
                    if event.kind == "progress":
                        await ctx.session.report_progress(event.fraction, 1.0, event.text or None)
                    elif event.kind == "result":
                        output = event.output or {}
            else:
                output = await client.call(task, arguments)
        except ChipmateError as exc:
            return _error_result(exc)
        return types.CallToolResult(
            content=[types.TextContent(text=json.dumps(output, ensure_ascii=False))], structured_content=output
        )

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[])

    async def list_resource_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        tasks = await client.tasks()
        if not any(t.name == "designqa.ask" for t in tasks):
            return types.ListResourceTemplatesResult(resource_templates=[])
        template = types.ResourceTemplate(
            name="designqa-passages",
            title="designqa knowledge base",
            uri_template=PASSAGES_TEMPLATE,
            description="The knowledge base's passages for a question (URL-encoded), with their sources and scores.",
            mime_type="text/markdown",
        )
        return types.ListResourceTemplatesResult(resource_templates=[template])

    async def read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        try:
            if not uri.startswith(PASSAGES_PREFIX) or len(uri) == len(PASSAGES_PREFIX):
                raise TaskNotFoundError(f"no resource {uri!r}", hint=f"read {PASSAGES_TEMPLATE}")
            question = unquote(uri[len(PASSAGES_PREFIX) :])
            authorize(ctx, "designqa.ask")
            request = {"question": question, "retrieval_only": True, "top_k": RESOURCE_PASSAGES}
            reply = await client.call("designqa.ask", request)
        except ChipmateError as exc:
            # A resource read has no error result: the JSON-RPC error carries the status code and the message.
            raise MCPError(INVALID_PARAMS, f"{exc.code}: {exc}") from None
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="text/markdown", text=passages_markdown(reply))]
        )

    return Server(
        "chipmate",
        version=_version(),
        instructions="chipmate's chip-design tasks: design Q&A with cited sources (designqa.ask), EDA scripts "
        "that already ran in the real tool (scriptgen.generate), bug triage (bugtriage.triage).",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
    )


def passages_uri(question: str) -> str:
    """The resource URI of the knowledge base's passages for ``question``."""
    return PASSAGES_PREFIX + quote(question, safe="")


def passages_markdown(reply: Mapping[str, Any]) -> str:
    """designqa's retrieval reply as Markdown: one section per passage, headed by its source."""
    parts = []
    for citation in reply.get("citations", []):
        where = citation["source"] + (f" — {citation['section']}" if citation.get("section") else "")
        parts.append(f"## {where} (score {citation['score']:.2f})\n\n{citation['text'].strip()}\n")
    return "\n".join(parts) or "No passage of the knowledge base matches.\n"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chipmate")
    except PackageNotFoundError:
        return "0"


async def serve_stdio(server: Server[Any], client: Any) -> None:
    """Serve MCP over this process's stdin/stdout until the client closes it; then close ``client``'s channel."""
    from mcp.server.stdio import stdio_server

    try:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await client.close()


def http_app(server: Server[Any], auth: Any, host: str) -> Any:
    """The Streamable HTTP ASGI app (path ``/mcp``), with bearer-token checks when ``auth`` has tokens."""
    app = server.streamable_http_app(host=host)
    if auth is None or not auth.enabled:
        return app

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]
            try:
                auth.authenticate(headers)
            except ChipmateError as exc:
                body = json.dumps({"error": exc.code, "message": str(exc)}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return guarded


def check_http_host(host: str, auth: Any) -> None:
    """The gRPC server's rule: no listening beyond loopback without tokens."""
    from .server.auth import is_loopback

    if not is_loopback(host) and (auth is None or not auth.enabled):
        raise ServerError(
            f"refusing to serve MCP over HTTP on {host} without authentication",
            hint="configure server.tokens or set CHIPMATE_TOKEN, or bind to 127.0.0.1",
        )
