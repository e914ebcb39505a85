"""``chipmate serve``."""

from __future__ import annotations

import click

from .options import config_option


@click.command()
@config_option()
@click.option("--host", help="Address to listen on (default 127.0.0.1; other hosts need a token).")
@click.option("--port", type=int, help="Port to listen on (default 50051; 0 picks a free one).")
@click.option("--log-format", type=click.Choice(["json", "text"]), help="Request log format.")
@click.option("--token-file", type=click.Path(exists=True, dir_okay=False), help="File holding a bearer token.")
def serve(config_path, host, port, log_format, token_file):
    """
    Serve the loaded tasks over gRPC until SIGTERM or Ctrl-C.

    Health (grpc.health.v1) and server reflection are served too, so grpcurl works as a client.

    \b
    Examples:
        chipmate serve
        chipmate serve --port 0 --log-format text
        CHIPMATE_TOKEN=s3cret chipmate serve --host 0.0.0.0
    """
    import os

    from ..config import load_config  # here: pydantic (the config's models) loads only for commands that read one
    from ..server import logs
    from ..server import serve as run_server

    config = load_config(config_path)
    if host is not None:
        config.server.host = host
    if port is not None:
        config.server.port = port
    if log_format is not None:
        config.server.log_format = log_format
    if token_file is not None:
        with open(token_file, encoding="utf-8") as fh:
            os.environ["CHIPMATE_TOKEN"] = fh.read().strip()
    logs.configure(config.server.log_format, config.server.log_level)

    def ready(bound_port: int) -> None:
        click.echo(f"chipmate serving on {config.server.host}:{bound_port}", err=True)

    run_server(config, ready=ready)


COMMANDS = [serve]
