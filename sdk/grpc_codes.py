"""The one table between chipmate's neutral error codes and ``grpc.StatusCode``; the server and client use it.

Domain errors (``chipmate.errors``) carry a code such as ``"NOT_FOUND"``; only the two wire ends turn it into a
gRPC status and back, so plugins and the trainer never import grpc.
"""

from __future__ import annotations

import grpc

from .errors import INTERNAL, ChipmateError, OverloadedError, error_for_code


def status_of(error: ChipmateError) -> grpc.StatusCode:
    """The gRPC status a call ends with when ``error`` escapes it (INTERNAL for an unknown code)."""
    return getattr(grpc.StatusCode, error.code, None) or grpc.StatusCode.INTERNAL


def error_from_rpc(exc: grpc.RpcError) -> ChipmateError:
    """The domain error a client raises for a failed call (its code is the status code's name)."""
    code = exc.code() if hasattr(exc, "code") else None
    name = code.name if isinstance(code, grpc.StatusCode) else INTERNAL
    details = exc.details() if hasattr(exc, "details") else str(exc)
    error = error_for_code(name, details or "")
    if isinstance(error, OverloadedError):
        # The server's retry estimate travels in gRPC's retry-pushback trailer (milliseconds).
        trailers = exc.trailing_metadata() if hasattr(exc, "trailing_metadata") else None
        pushback = next((v for k, v in trailers or () if k == "grpc-retry-pushback-ms"), None)
        if isinstance(pushback, str) and pushback.isdigit():
            error.retry_after = int(pushback) / 1000
    return error
