"""``chipmate.Client``: a synchronous Python client of a chipmate server.

    from chipmate import Client

    with Client("localhost:50051") as client:
        print(client.call("echo", {"text": "hello"}))
        for event in client.stream("echo", {"text": "one two three"}):
            if event.kind == "token":
                print(event.text, end="")

Errors come back as the domain errors of ``chipmate.errors`` (InvalidInputError, TaskNotFoundError, ...), rebuilt
from the gRPC status code, so tool scripts can catch them by kind. :class:`AsyncClient` is the same client for code
that runs on an asyncio event loop (``chipmate mcp``).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from .config import DEFAULT_PORT
from .errors import BackendUnavailableError, ChipmateError, InvalidInputError
from .grpc_codes import error_from_rpc
from .tasks import Event
from .v1 import tasks_pb2, tasks_pb2_grpc

DEFAULT_TARGET = f"localhost:{DEFAULT_PORT}"
#: what gRPC's UNAVAILABLE says when nothing answers at the target (as opposed to a server that is up but whose
#: model or tool backend is down, which is UNAVAILABLE too)
_UNREACHABLE = ("failed to connect", "connection refused", "dns resolution failed", "connections to all backends")


def rpc_error(exc: grpc.RpcError, target: str) -> ChipmateError:
    """The domain error of a failed call; when no server answers at ``target``, one that names it and the fix."""
    error = error_from_rpc(exc)
    if error.code == "UNAVAILABLE" and any(m in error.message.lower() for m in _UNREACHABLE):
        last = error.message.rsplit(":", 1)[-1].strip() or "no answer"
        return BackendUnavailableError(
            f"no chipmate server answers at {target} ({last})",
            hint="is `chipmate serve` running there? start it with `make serve` or `chipmate serve --port PORT`, "
            "or point the client at it with --target HOST:PORT or $CHIPMATE_TARGET",
        )
    return error


@dataclass(frozen=True)
class TaskDescription:
    """A task as the server lists it."""

    name: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    streaming: bool
    plugin: str


class EventStream:
    """The events of one streaming call. Iterate it; ``cancel()`` stops the call on the server."""

    def __init__(self, call: Any, target: str = DEFAULT_TARGET) -> None:
        self._call = call
        self._target = target

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        while True:
            try:
                message = next(self._call)
            except grpc.RpcError as exc:
                raise rpc_error(exc, self._target) from None
            event = _event(message)
            if event is not None:
                return event
            # An error event is followed by the call's status, which the next read raises with the same message.

    def cancel(self) -> None:
        """Cancel the call; safe from any thread and after the call ended."""
        self._call.cancel()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


class _Settings:
    """What both clients take: target, token, default deadline, TLS roots and message limits."""

    def __init__(
        self,
        target: str | None = None,
        *,
        token: str | None = None,
        timeout: float | None = None,
        tls: bool = False,
        root_certificates: str | os.PathLike[str] | None = None,
        max_message_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.target = target or os.environ.get("CHIPMATE_TARGET") or DEFAULT_TARGET
        self.token = token if token is not None else os.environ.get("CHIPMATE_TOKEN")
        self.timeout = timeout
        self._tls = tls or bool(root_certificates)
        self._roots = Path(root_certificates).read_bytes() if root_certificates else None
        self._options = [
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
        ]
        self._connect()

    def _connect(self) -> None:
        """Open (or prepare) the channel once the settings are known."""
        raise NotImplementedError

    def _metadata(self, request_id: str | None = None) -> list[tuple[str, str]]:
        metadata = []
        if self.token:
            metadata.append(("authorization", f"Bearer {self.token}"))
        if request_id:
            metadata.append(("x-request-id", request_id))
        return metadata

    def _timeout(self, timeout: float | None) -> float | None:
        return self.timeout if timeout is None else timeout


class Client(_Settings):
    """Calls tasks on a chipmate server.

    ``target`` defaults to ``$CHIPMATE_TARGET`` or localhost:50051, ``token`` to ``$CHIPMATE_TOKEN``.
    ``timeout`` is the default deadline in seconds of each call (None: no deadline). With ``tls=True`` the
    channel is encrypted, verified against ``root_certificates`` (a PEM path) or the system roots.
    """

    def _connect(self) -> None:
        if self._tls:
            credentials = grpc.ssl_channel_credentials(self._roots)
            self._channel = grpc.secure_channel(self.target, credentials, self._options)
        else:
            self._channel = grpc.insecure_channel(self.target, self._options)
        self._tasks = tasks_pb2_grpc.TaskServiceStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    # -- plumbing --------------------------------------------------------------------------------------------

    @staticmethod
    def _encode(input: Any) -> str:
        if isinstance(input, str):
            return input
        try:
            return json.dumps(input)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"task input is not JSON-serialisable: {exc}") from exc

    # -- API -------------------------------------------------------------------------------------------------

    def tasks(self, *, timeout: float | None = None) -> list[TaskDescription]:
        """The tasks the server offers, with their schemas."""
        try:
            response = self._tasks.ListTasks(
                tasks_pb2.ListTasksRequest(), timeout=self._timeout(timeout), metadata=self._metadata()
            )
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        return _descriptions(response)

    def call(
        self, task: str, input: Any = None, *, timeout: float | None = None, request_id: str | None = None
    ) -> dict[str, Any]:
        """Run ``task`` with ``input`` (a dict, or JSON text) and return its output dict."""
        request = tasks_pb2.InvokeRequest(task=task, input_json=self._encode(input if input is not None else {}))
        try:
            response = self._tasks.Invoke(request, timeout=self._timeout(timeout), metadata=self._metadata(request_id))
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        return json.loads(response.output_json)

    def stream(
        self, task: str, input: Any = None, *, timeout: float | None = None, request_id: str | None = None
    ) -> EventStream:
        """Run ``task`` and return an iterator of its events (progress, token, then result).

        The call's error is raised from the iteration. ``stream.cancel()`` (from any thread) or leaving a
        ``with`` block cancels the call on the server.
        """
        request = tasks_pb2.InvokeRequest(task=task, input_json=self._encode(input if input is not None else {}))
        call = self._tasks.InvokeStream(request, timeout=self._timeout(timeout), metadata=self._metadata(request_id))
        return EventStream(call, self.target)

    def health(self, service: str = "", *, timeout: float | None = 5.0) -> str:
        """The server's health status name: SERVING, NOT_SERVING, ... Raises BackendUnavailableError when down."""
        try:
            response = self._health.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Settings):
    """:class:`Client` for asyncio code: the same settings and errors, calls awaited on the running event loop.

    It exists so that an asyncio server (``chipmate mcp``) calls chipmate without a thread per call: a blocking
    call handed to a worker thread waits for the GIL behind the event loop (up to the interpreter's 5 ms switch
    interval), which measured 5-10x the call itself. The channel is opened on first use, on the loop that uses it.
    """

    def _connect(self) -> None:  # the channel opens on first use, on the loop that uses it
        self._channel: Any = None
        self._stub: Any = None

    def _tasks(self) -> Any:
        if self._stub is None:
            from grpc import aio

            if self._tls:
                credentials = grpc.ssl_channel_credentials(self._roots)
                self._channel = aio.secure_channel(self.target, credentials, self._options)
            else:
                self._channel = aio.insecure_channel(self.target, self._options)
            self._stub = tasks_pb2_grpc.TaskServiceStub(self._channel)
        return self._stub

    async def tasks(self, *, timeout: float | None = None) -> list[TaskDescription]:
        """The tasks the server offers, with their schemas."""
        try:
            response = await self._tasks().ListTasks(
                tasks_pb2.ListTasksRequest(),
                timeout=self._timeout(timeout),
                metadata=self._metadata(),
            )
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        return _descriptions(response)

    async def call(self, task: str, input: Any = None, *, timeout: float | None = None) -> dict[str, Any]:
        """Run ``task`` with ``input`` and return its output dict."""
        return json.loads(await self.call_json(task, input, timeout=timeout))  # type: ignore[no-any-return]  # a task's output is a JSON object

    async def call_json(self, task: str, input: Any = None, *, timeout: float | None = None) -> str:
        """:meth:`call`, returning the output as the JSON text the server sent, for a caller that passes it on
        (``chipmate mcp`` hands it to the agent as is instead of decoding and encoding it again)."""
        request = tasks_pb2.InvokeRequest(task=task, input_json=Client._encode(input if input is not None else {}))
        try:
            response = await self._tasks().Invoke(request, timeout=self._timeout(timeout), metadata=self._metadata())
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        return response.output_json  # type: ignore[no-any-return]  # protobuf stubs type the field loosely; it is the str the server sent

    async def stream(self, task: str, input: Any = None, *, timeout: float | None = None) -> AsyncIterator[Event]:
        """Run ``task`` and yield its events (progress, token, then result); the call's error is raised."""
        request = tasks_pb2.InvokeRequest(task=task, input_json=Client._encode(input if input is not None else {}))
        call = self._tasks().InvokeStream(request, timeout=self._timeout(timeout), metadata=self._metadata())
        try:
            async for message in call:
                event = _event(message)
                if event is not None:
                    yield event
        except grpc.RpcError as exc:
            raise rpc_error(exc, self.target) from None
        finally:
            call.cancel()

    async def close(self) -> None:
        """Close the channel."""
        if self._channel is not None:
            await self._channel.close()
            self._channel = self._stub = None


def _event(message: Any) -> Event | None:
    """The event of one stream message; None for an error event (the call's status that follows raises it)."""
    kind = message.WhichOneof("event")
    if kind == "token":
        return Event("token", text=message.token.text)
    if kind == "progress":
        return Event("progress", text=message.progress.message, fraction=message.progress.fraction)
    if kind == "result":
        return Event("result", output=json.loads(message.result.output_json), request_id=message.result.request_id)
    return None


def _descriptions(response: Any) -> list[TaskDescription]:
    return [
        TaskDescription(
            name=t.name,
            description=t.description,
            input_schema=json.loads(t.input_schema_json or "{}"),
            output_schema=json.loads(t.output_schema_json or "{}"),
            streaming=t.streaming,
            plugin=t.plugin,
        )
        for t in response.tasks
    ]
