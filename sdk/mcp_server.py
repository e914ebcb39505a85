"""``chipmate mcp``: chipmate's tasks as Model Context Protocol tools, for LLM agents (official ``mcp`` SDK).

Each task the server lists becomes an MCP tool of the same name, with the task's description and JSON input and
output schemas. A call runs the task over gRPC with :class:`chipmate.client.AsyncClient` on the MCP server's own
event loop (no thread per call), through the server's ordinary path
(validation, auth, limits), so plugins need no change; when the agent asks for progress (a ``progressToken``),
the call streams and each progress event of the task becomes an MCP progress notification. A task's error comes
back as a tool result with ``isError`` and the status code in its text, which an agent can read and act on.

designqa's knowledge bases are resources (:class:`KnowledgeBases`): each knowledge base on this machine
(``chipmate://designqa/kb/<name>``, its metadata and documents) and each of its documents (its passages, a page at
a time). The resource template ``chipmate://designqa/passages/{question}`` asks the server: the passages the served
knowledge base holds for the question, with their sources (designqa.ask with retrieval_only).

Transports: stdio (what MCP hosts launch; :func:`stdio_streams`, read and written by the event loop) and
Streamable HTTP (``--http``), which follows the gRPC server's token rules: it listens on loopback unless tokens
are configured, and then every request needs ``Authorization: Bearer <token>`` and each token may call only its
tasks (reading the knowledge bases takes a token that may call ``designqa.ask``).

Over 400 lines on purpose: tools, resources and both transports are one protocol adapter over the same
AsyncClient and token rules; split, each part would import the others' details.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, quote, unquote

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from .errors import ChipmateError, InvalidInputError, ServerError, TaskNotFoundError

log = logging.getLogger("chipmate.mcp")

PASSAGES_TEMPLATE = "chipmate://designqa/passages/{question}"
PASSAGES_PREFIX = "chipmate://designqa/passages/"
#: passages a knowledge-base resource returns
RESOURCE_PASSAGES = 8
KB_PREFIX = "chipmate://designqa/kb/"
DOCUMENT_TEMPLATE = KB_PREFIX + "{name}/documents/{document}"
#: resources per resources/list page (a knowledge base of Yosys help has a few hundred documents)
RESOURCES_PAGE = 100
#: passages per page of a document resource (about 25 kB of Markdown at the default 512-character passages)
DOCUMENT_PAGE = 50


class KnowledgeBases:
    """designqa's knowledge bases on this machine as MCP resources.

    Each knowledge base is ``chipmate://designqa/kb/<name>`` (JSON: its metadata and its documents with their
    URIs) and each of its documents ``chipmate://designqa/kb/<name>/documents/<source, URL-encoded>`` (Markdown:
    the document's passages in order, :data:`DOCUMENT_PAGE` a page, ``?page=N``). ``locate`` returns the
    knowledge base directories, the served one first (``chipmate.plugins.designqa.service.knowledge_base_dirs``);
    ``open_index`` loads one (designqa's ``KnowledgeIndex.open``); ``served`` names the one ``designqa.ask``
    answers from. They come from the caller, so this module depends on no plugin, and are called on first use, so
    a session that reads no resource never imports designqa. Loaded indexes are kept and reloaded when a writer
    publishes a new generation.
    """

    def __init__(
        self,
        locate: Callable[[], Sequence[Path]],
        open_index: Callable[[Path], Any],
        served: Callable[[], Path | None] = lambda: None,
    ) -> None:
        self._locate = locate
        self._open_index = open_index
        self._served = served
        self._indexes: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def named(self) -> dict[str, Path]:
        """Each knowledge base by its name: its directory's name, with -2, -3 ... for a name already taken."""
        names: dict[str, Path] = {}
        for root in self._locate():
            name, n = root.name or "kb", 1
            while name in names:
                n += 1
                name = f"{root.name}-{n}"
            names[name] = root
        return names

    def index(self, root: Path) -> Any:
        """The loaded index of ``root`` (its latest generation); ChipmateError when it is unusable."""
        with self._lock:
            index = self._indexes.get(root)
            index = self._open_index(root) if index is None else index.refresh()
            self._indexes[root] = index
            return index

    def describe(self, name: str, root: Path) -> dict[str, Any]:
        """The metadata of one knowledge base, with its documents (source, passages, URI) in index order."""
        index = self.index(root)
        counts: dict[str, int] = {}
        for chunk in index.chunks:
            counts[chunk.source] = counts.get(chunk.source, 0) + 1
        manifest = index.manifest
        return {
            "name": name,
            "uri": KB_PREFIX + quote(name, safe=""),
            "index_dir": str(root),
            "served": root.resolve() == (self._served() or Path("/nonexistent")).resolve(),
            "passages": len(index.chunks),
            "embedder": manifest.get("embedder", {}),
            "generation": manifest.get("generation"),
            "updated": manifest.get("updated"),
            "settings": manifest.get("settings", {}),
            "documents": [
                {"source": source, "passages": n, "uri": document_uri(name, source)} for source, n in counts.items()
            ],
        }

    def resources(self) -> list[types.Resource]:
        """Every knowledge base and every document of each, as MCP resources (unusable ones left out)."""
        resources = []
        for name, root in self.named().items():
            try:
                about = self.describe(name, root)
            except ChipmateError as exc:
                log.warning("knowledge base %s left out of the MCP resources: %s", root, exc)
                continue
            embedder = about["embedder"].get("name", "?")
            served = ", the one designqa.ask answers from" if about["served"] else ""
            resources.append(
                types.Resource(
                    name=f"designqa-kb-{name}",
                    title=f"knowledge base {name}",
                    uri=about["uri"],
                    description=f"designqa knowledge base{served}: {about['passages']} passages from "
                    f"{len(about['documents'])} documents, embedded with {embedder}; its metadata and documents.",
                    mime_type="application/json",
                )
            )
            for document in about["documents"]:
                resources.append(
                    types.Resource(
                        name=f"designqa-kb-{name}/{document['source']}",
                        title=document["source"],
                        uri=document["uri"],
                        description=f"{document['passages']} passages of knowledge base {name}",
                        mime_type="text/markdown",
                    )
                )
        return resources

    def read(self, uri: str) -> tuple[str, str]:
        """(MIME type, text) of the resource ``uri``; TaskNotFoundError for a URI naming nothing here."""
        rest, _, query = uri[len(KB_PREFIX) :].partition("?")
        name, _, document = rest.partition("/documents/")
        if "/" in name or (not document and query):
            raise TaskNotFoundError(f"no resource {uri!r}", hint=f"read {DOCUMENT_TEMPLATE} or {KB_PREFIX}{{name}}")
        name = unquote(name)
        roots = self.named()
        if name not in roots:
            raise TaskNotFoundError(
                f"no knowledge base {name!r}", hint=f"knowledge bases here: {', '.join(roots) or 'none'}"
            )
        if not document:
            return "application/json", json.dumps(self.describe(name, roots[name]), indent=1, ensure_ascii=False)
        page = parse_qs(query).get("page", ["1"])[0]
        if not page.isdigit() or int(page) < 1:
            raise InvalidInputError(f"page must be a positive integer, not {page!r}")
        return "text/markdown", self._document(name, roots[name], unquote(document), int(page))

    def _document(self, name: str, root: Path, source: str, page: int) -> str:
        chunks = [chunk for chunk in self.index(root).chunks if chunk.source == source]
        if not chunks:
            raise TaskNotFoundError(
                f"knowledge base {name!r} has no document {source!r}",
                hint=f"its documents are listed in {KB_PREFIX}{quote(name, safe='')}",
            )
        pages = -(-len(chunks) // DOCUMENT_PAGE)
        if page > pages:
            raise TaskNotFoundError(f"document {source!r} has {pages} page(s) of passages, not {page}")
        first = (page - 1) * DOCUMENT_PAGE
        shown = chunks[first : first + DOCUMENT_PAGE]
        parts = [f"# {source}\n\nKnowledge base {name}: passages {first + 1}-{first + len(shown)} of {len(chunks)}.\n"]
        for chunk in shown:
            lines = f" (lines {chunk.start_line}-{chunk.end_line})" if chunk.end_line else ""
            parts.append(f"## {chunk.section or source}{lines}\n\n{chunk.text.strip()}\n")
        if page < pages:
            parts.append(f"Next page: {document_uri(name, source)}?page={page + 1}\n")
        return "\n".join(parts)


def document_uri(name: str, source: str) -> str:
    """The resource URI of the document ``source`` of knowledge base ``name``."""
    return f"{KB_PREFIX}{quote(name, safe='')}/documents/{quote(source, safe='')}"


def _error_result(exc: ChipmateError) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=f"{exc.code}: {exc}")], is_error=True)


class _Handlers:
    """The MCP requests ``build_server`` answers, over one AsyncClient (see there)."""

    def __init__(self, client: Any, auth: Any, knowledge_bases: KnowledgeBases | None) -> None:
        self.client, self.auth, self.knowledge_bases = client, auth, knowledge_bases

    def authorize(self, ctx: Any, task: str) -> None:
        request = getattr(ctx, "request", None)
        if self.auth is None or not self.auth.enabled or request is None:
            return
        self.auth.authorize([(k.lower(), v) for k, v in request.headers.items()], task)

    async def list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        tasks = await self.client.tasks()
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

    async def call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        task, arguments = params.name, params.arguments or {}
        meta = ctx.params.get("_meta") if isinstance(ctx.params, Mapping) else None
        wants_progress = isinstance(meta, Mapping) and "progressToken" in meta
        try:
            self.authorize(ctx, task)
            text = None
            output: dict[str, Any] = {}
            if wants_progress:
                async for event in self.client.stream(task, arguments):
                    if event.kind == "progress":
                        await ctx.session.report_progress(event.fraction, 1.0, event.text or None)
                    elif event.kind == "result":
                        output = event.output or {}
            else:
                # The server's JSON text goes to the agent as it came: decoded once (structured content), never
                # encoded again, unless it escapes non-ASCII characters, which an agent reads better as they are.
                text = await self.client.call_json(task, arguments)
                output = json.loads(text)
            if text is None or "\\u" in text:
                text = json.dumps(output, ensure_ascii=False)
        except ChipmateError as exc:
            return _error_result(exc)
        return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=output)

    def may_read(self, ctx: Any) -> bool:
        try:
            self.authorize(ctx, "designqa.ask")
        except ChipmateError:
            return False
        return True

    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        if self.knowledge_bases is None or not self.may_read(ctx):
            return types.ListResourcesResult(resources=[])
        cursor = getattr(params, "cursor", None) if params is not None else None
        try:
            start = int(cursor or 0)
        except ValueError:
            raise MCPError(INVALID_PARAMS, f"INVALID_ARGUMENT: bad cursor {cursor!r}") from None
        resources = await anyio.to_thread.run_sync(self.knowledge_bases.resources)
        page = resources[start : start + RESOURCES_PAGE]
        more = start + RESOURCES_PAGE < len(resources)
        return types.ListResourcesResult(resources=page, next_cursor=str(start + RESOURCES_PAGE) if more else None)

    async def list_resource_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        templates = []
        if any(t.name == "designqa.ask" for t in await self.client.tasks()):
            templates.append(
                types.ResourceTemplate(
                    name="designqa-passages",
                    title="designqa knowledge base: passages for a question",
                    uri_template=PASSAGES_TEMPLATE,
                    description="The served knowledge base's passages for a question (URL-encoded), with their "
                    "sources and scores.",
                    mime_type="text/markdown",
                )
            )
        if self.knowledge_bases is not None:
            templates.append(
                types.ResourceTemplate(
                    name="designqa-document",
                    title="designqa knowledge base: one document's passages",
                    uri_template=DOCUMENT_TEMPLATE,
                    description="The passages of one document (its source, URL-encoded) of a knowledge base, in "
                    f"order, {DOCUMENT_PAGE} a page (add ?page=2 for the next); the knowledge base's own resource "
                    "lists its documents with their URIs.",
                    mime_type="text/markdown",
                )
            )
        return types.ListResourceTemplatesResult(resource_templates=templates)

    async def read_resource(self, ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        try:
            if uri.startswith(KB_PREFIX) and self.knowledge_bases is not None:
                self.authorize(ctx, "designqa.ask")
                mime, text = await anyio.to_thread.run_sync(self.knowledge_bases.read, uri)
                return types.ReadResourceResult(
                    contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)]
                )
            if not uri.startswith(PASSAGES_PREFIX) or len(uri) == len(PASSAGES_PREFIX):
                hint = f"read {PASSAGES_TEMPLATE}" + (
                    ", or a resource resources/list gives" if self.knowledge_bases else ""
                )
                raise TaskNotFoundError(f"no resource {uri!r}", hint=hint)
            question = unquote(uri[len(PASSAGES_PREFIX) :])
            self.authorize(ctx, "designqa.ask")
            request = {"question": question, "retrieval_only": True, "top_k": RESOURCE_PASSAGES}
            reply = await self.client.call("designqa.ask", request)
        except ChipmateError as exc:
            # A resource read has no error result: the JSON-RPC error carries the status code and the message.
            raise MCPError(INVALID_PARAMS, f"{exc.code}: {exc}") from None
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="text/markdown", text=passages_markdown(reply))]
        )


def build_server(client: Any, auth: Any = None, knowledge_bases: KnowledgeBases | None = None) -> Server[Any]:
    """An MCP server whose tools are the tasks ``client``'s server offers (``client``: an AsyncClient).

    ``auth`` (a :class:`chipmate.server.auth.TokenAuth`) checks each HTTP request's bearer token against the
    task it calls; stdio needs none (whoever launched the process owns it). ``knowledge_bases`` adds designqa's
    knowledge bases as resources (reading them takes a token that may call ``designqa.ask``).
    """

    handlers = _Handlers(client, auth, knowledge_bases)
    server: Server[Any] = Server(
        "chipmate",
        version=_version(),
        instructions="chipmate's chip-design tasks: design Q&A with cited sources (designqa.ask), EDA scripts "
        "that already ran in the real tool (scriptgen.generate), bug triage (bugtriage.triage).",
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_list_resource_templates=handlers.list_resource_templates,
        on_read_resource=handlers.read_resource,
    )
    # The SDK wraps every message in an OpenTelemetry span by default; chipmate exports no traces (the gRPC server
    # logs each call with its request id), and the span cost 0.05-0.2 ms of CPU per call on a 2-core machine.
    server.middleware = [m for m in server.middleware if type(m).__name__ != "OpenTelemetryMiddleware"]
    return server


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
    try:
        async with stdio_streams() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await client.close()


#: the longest JSON-RPC message line read from stdin (a tool call may carry whole files)
MAX_LINE = 256 << 20


class _PipeLines:
    """Lines of a pipe read by the event loop itself, for the SDK's ``stdio_server(stdin=...)``."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _PipeLines:
        return self

    async def __anext__(self) -> str:
        try:
            line = await self._reader.readline()
        except ValueError:  # longer than MAX_LINE: dropped; the SDK answers the remainder as a parse error
            return "{"
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class _PipeWriter:
    """A pipe written by the event loop itself, for the SDK's ``stdio_server(stdout=...)``."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


def _dup(fd: int) -> int:
    """A private copy of ``fd`` above the standard three, not inherited by children."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)


def _is_pipe(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@asynccontextmanager
async def stdio_streams() -> AsyncIterator[tuple[Any, Any]]:
    """The SDK's stdio transport over stdin/stdout, read and written by the event loop instead of worker threads.

    The SDK reads each line and writes each message through ``anyio.wrap_file``: three hand-offs to a worker
    thread per tool call, each waiting for the GIL behind the event loop; without them a bare SDK server spends
    about a third less CPU per call (benchmarks/README.md). When both ends are pipes or sockets (what MCP hosts
    give a server they launch), the loop reads and writes them directly. Like the SDK, fd 0 and fd 1 point at
    /dev/null and stderr while serving, so a plugin's stray print (``--in-process``) cannot corrupt the wire.
    Anything else (a terminal, a file) goes through the SDK's own transport.
    """
    from mcp.server.stdio import stdio_server

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # another anyio backend: the SDK's transport works everywhere
        loop = None
    if loop is None or not (_is_pipe(0) and _is_pipe(1)):
        async with stdio_server() as streams:
            yield streams
        return
    wire_in, wire_out = _dup(0), _dup(1)
    sys.stdout.flush()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    read_transport = write_transport = None
    try:
        reader = asyncio.StreamReader(limit=MAX_LINE, loop=loop)
        # The transports get their own descriptors (they close them at end of file); wire_in and wire_out stay
        # open to put the wire back on fd 0 and 1.
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(_dup(wire_in), "rb", buffering=0)
        )
        write_transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.streams.FlowControlMixin(loop=loop),  # type: ignore[attr-defined]  # not in typeshed
            os.fdopen(_dup(wire_out), "wb", buffering=0),
        )
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        async with stdio_server(cast(Any, _PipeLines(reader)), cast(Any, _PipeWriter(writer))) as streams:
            yield streams
    finally:
        # The wire back on fd 0 and 1, blocking again (the loop made the shared descriptions non-blocking).
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)
        for transport in (read_transport, write_transport):
            if transport is not None:
                transport.close()
        os.close(wire_in)
        os.close(wire_out)
        for fd in (0, 1):
            with suppress(OSError):
                os.set_blocking(fd, True)


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
