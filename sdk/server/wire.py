"""Requests that are not messages: bytes that do not parse as the method's request type (garbage, invalid UTF-8
in a string field) end the call with INVALID_ARGUMENT, where gRPC itself would answer INTERNAL.

gRPC parses the request before any servicer or interceptor code runs and turns a parse failure into INTERNAL
("Exception deserializing request!"), which tells a caller the server is broken rather than the request. So every
method handler is registered through :class:`GuardedRegistration`: its deserializer hands back an
:class:`Undecodable` instead of raising, and its behaviour refuses that before the servicer sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import grpc


class Undecodable:
    """Stands in for a request whose bytes did not parse; carries the parser's complaint."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _safe_deserializer(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserialize is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as exc:  # protobuf raises DecodeError, and others for invalid UTF-8 in a string field
            return Undecodable(exc)

    return parse


def _refusing(behavior: Callable[..., Any] | None, method: str) -> Callable[..., Any] | None:
    if behavior is None:
        return None

    def run(request: Any, context: grpc.ServicerContext) -> Any:
        if type(request) is Undecodable:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"the request is not a valid {method} message ({type(request.error).__name__}: {request.error})",
            )
        return behavior(request, context)

    return run


def guard_handler(handler: Any, method: str) -> Any:
    """``handler`` (a unary-request ``grpc.RpcMethodHandler``) with undecodable requests refused; streaming-request
    handlers are returned unchanged (chipmate serves none)."""
    if handler is None or handler.request_streaming:
        return handler
    return handler._replace(
        request_deserializer=_safe_deserializer(handler.request_deserializer),
        unary_unary=_refusing(handler.unary_unary, method),
        unary_stream=_refusing(handler.unary_stream, method),
    )


class _GuardedGeneric(grpc.GenericRpcHandler):
    def __init__(self, inner: grpc.GenericRpcHandler) -> None:
        self._inner = inner
        self._cache: dict[str, Any] = {}

    def service(self, handler_call_details: Any) -> Any:
        method = handler_call_details.method
        handler = self._cache.get(method)
        if handler is None:
            handler = guard_handler(self._inner.service(handler_call_details), method)
            if handler is not None:  # only methods that exist: a caller could send any number of other names
                self._cache[method] = handler
        return handler


class GuardedRegistration:
    """Stands in for a ``grpc.Server`` when generated ``add_*Servicer_to_server`` functions register handlers."""

    def __init__(self, server: grpc.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Iterable[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(tuple(_GuardedGeneric(h) for h in handlers))

    def add_registered_method_handlers(self, service: str, handlers: Mapping[str, Any]) -> None:
        guarded = {name: guard_handler(h, f"/{service}/{name}") for name, h in handlers.items()}
        self._server.add_registered_method_handlers(service, guarded)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)
