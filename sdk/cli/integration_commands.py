"""Commands that connect tool shells and agents to a server: ``chipmate bridge``, ``chipmate tcl-path``."""

from __future__ import annotations

import sys

import click

from .client_commands import client_options


@click.command()
@client_options
def bridge(client):
    """
    Serve the Tcl package's requests on stdin/stdout (one helper per tool shell).

    The Tcl package starts it itself; it reads JSON lines and answers Tcl lists, one line each, over one gRPC
    channel to the server, until stdin closes. See docs/integrations.md for the protocol.

    \b
    Example:
        echo '{"id": 1, "op": "call", "task": "echo", "args": "text hi"}' | chipmate bridge
    """
    from ..bridge import run

    # The pipe carries UTF-8 whatever the locale says; Tcl's side is configured the same way.
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    run(client)


@click.command("tcl-path")
def tcl_path():
    """
    Print the folder holding chipmate's Tcl package, for Tcl's auto_path.

    \b
    Example (in yosys -c, sta, openroad or tclsh):
        lappend auto_path [exec chipmate tcl-path]
        package require chipmate
    """
    from ..tcl import package_dir

    click.echo(str(package_dir()))


@click.command()
@click.option(
    "--target",
    envvar="CHIPMATE_TARGET",
    default="localhost:50051",
    show_default=True,
    help="The chipmate server to serve (env CHIPMATE_TARGET).",
)
@click.option("--token", envvar="CHIPMATE_TOKEN", help="Bearer token for that server (env CHIPMATE_TOKEN).")
@click.option("--tls", is_flag=True, help="Reach the server over TLS.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="PEM root certificates.")
@click.option(
    "--in-process",
    is_flag=True,
    help="Start the plugins here (a server on a private loopback port) instead of reaching --target.",
)
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Config file: --in-process's plugins, HTTP tokens, the knowledge bases to offer (default as for serve).",
)
@click.option("--http", is_flag=True, help="Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP address; beyond loopback needs tokens.")
@click.option("--port", default=8765, show_default=True, type=int, help="HTTP port.")
@click.option(
    "--kb",
    "kb_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Another designqa knowledge base directory to offer as resources (repeatable).",
)
def mcp(target, token, tls, ca_file, in_process, config_path, http, host, port, kb_dirs):
    """
    Serve the server's tasks to LLM agents over the Model Context Protocol.

    Every task becomes an MCP tool with its JSON schemas; progress events become MCP progress notifications.
    designqa's knowledge bases on this machine (the config's, every one in the cache, and --kb) are resources:
    each one's metadata and its documents' passages; the served one's passages for a question are the template
    chipmate://designqa/passages/{question}. Over HTTP the gRPC server's token rules apply (server.tokens,
    CHIPMATE_TOKEN): loopback only without tokens.

    \b
    Examples:
        chipmate mcp                                  # stdio, for an MCP host's config; needs `chipmate serve`
        chipmate mcp --in-process -c config.yaml      # stdio, plugins loaded in this process
        chipmate mcp --http --port 8765               # Streamable HTTP on http://127.0.0.1:8765/mcp
        chipmate mcp --kb ~/kb/timing                 # also offer the knowledge base in ~/kb/timing
    """
    import anyio

    from .. import mcp_server
    from ..client import AsyncClient
    from ..config import load_config
    from ..server.auth import TokenAuth

    config = load_config(config_path)
    auth = TokenAuth.from_config(config.server) if http else None
    if http:
        mcp_server.check_http_host(host, auth)
    local = None
    if in_process:
        from ..host import Host
        from ..server import ChipmateServer

        # The plugins' own server, on a private loopback port: calls take the same path as `chipmate serve`'s.
        settings = config.server.model_copy(
            update={"host": "127.0.0.1", "port": 0, "tokens": {}, "tls_cert_file": None, "tls_key_file": None}
        )
        local = ChipmateServer(Host(config), settings)
        local.start()
        # token None: the client sends $CHIPMATE_TOKEN, the one token this private server knows then.
        target, token, tls, ca_file = f"127.0.0.1:{local.port}", None, False, None
    try:
        client = AsyncClient(target, token=token, tls=tls, root_certificates=ca_file)
        server = mcp_server.build_server(client, auth, _knowledge_bases(config, kb_dirs))
        if http:
            import uvicorn

            app = mcp_server.http_app(server, auth, host)
            uvicorn.run(app, host=host, port=port, log_level="warning")
        else:
            anyio.run(mcp_server.serve_stdio, server, client)
    finally:
        if local is not None:
            local.stop(0)


def _knowledge_bases(config, extra):
    """The knowledge bases a plugin offers (designqa's) as MCP resources; None when no plugin offers any. The
    plugin's modules load on the first resource request, not at start-up."""
    from .. import mcp_server
    from ..host import Host

    sources = Host(config).knowledge_bases()
    if not sources:
        return None
    source = sources[0]
    return mcp_server.KnowledgeBases(lambda: source.locate(extra), source.open_index, source.served)


COMMANDS = [bridge, tcl_path, mcp]
