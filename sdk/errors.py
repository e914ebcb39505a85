"""Domain errors of chipmate.

Library code raises these; only the CLI (``click.ClickException``) and the gRPC servicers (``context.abort``)
translate them. Every message should tell the user what to do next, so each error carries an optional ``hint``.

Each class names the gRPC status code it maps to. The server and the client share this one table
(:data:`STATUS_BY_ERROR` / :func:`error_for_status`) so the mapping cannot drift between the two sides.
"""

from __future__ import annotations

import grpc


class ChipmateError(Exception):
    """Base class of every error chipmate raises on purpose."""

    #: gRPC status code a servicer answers with when this error escapes a task.
    status_code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ChipmateError):
    """A configuration file or value is malformed; the message names the file and the key."""

    status_code = grpc.StatusCode.FAILED_PRECONDITION


class PluginError(ChipmateError):
    """A plugin could not be loaded or registered something invalid."""

    status_code = grpc.StatusCode.FAILED_PRECONDITION


class InvalidInputError(ChipmateError):
    """The caller sent input a task cannot accept (malformed JSON, schema violation, bad value)."""

    status_code = grpc.StatusCode.INVALID_ARGUMENT


class TaskNotFoundError(ChipmateError):
    """No loaded plugin provides the requested task."""

    status_code = grpc.StatusCode.NOT_FOUND


class ModelNotFoundError(ChipmateError):
    """No model with the requested alias is configured, or its files are missing."""

    status_code = grpc.StatusCode.NOT_FOUND


class UnauthenticatedError(ChipmateError):
    """The caller sent no bearer token, or one the server does not know."""

    status_code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDeniedError(ChipmateError):
    """The caller's token is valid but not allowed to call this task."""

    status_code = grpc.StatusCode.PERMISSION_DENIED


class OverloadedError(ChipmateError):
    """The server is at its concurrency limit; retry later or raise ``server.max_concurrent_requests``."""

    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class BackendUnavailableError(ChipmateError):
    """A model backend, tool or remote endpoint a task depends on cannot be reached."""

    status_code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceededError(ChipmateError):
    """The call ran past its deadline."""

    status_code = grpc.StatusCode.DEADLINE_EXCEEDED


class CancelledError(ChipmateError):
    """The caller cancelled the call; handlers raise it (via ``ctx.check()``) to stop work early."""

    status_code = grpc.StatusCode.CANCELLED


class TaskFailedError(ChipmateError):
    """A task handler raised an unexpected exception (a plugin bug)."""

    status_code = grpc.StatusCode.INTERNAL


class ServerError(ChipmateError):
    """The server could not start (port in use, bad TLS files, unsafe auth settings)."""

    status_code = grpc.StatusCode.UNAVAILABLE


_ERROR_BY_STATUS: dict[grpc.StatusCode, type[ChipmateError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidInputError,
    grpc.StatusCode.NOT_FOUND: TaskNotFoundError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: OverloadedError,
    grpc.StatusCode.UNAVAILABLE: BackendUnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.CANCELLED: CancelledError,
    grpc.StatusCode.FAILED_PRECONDITION: ConfigError,
}


def error_for_status(code: grpc.StatusCode, details: str) -> ChipmateError:
    """Rebuild the domain error a client should raise for a gRPC status (INTERNAL and unknown codes included)."""
    cls = _ERROR_BY_STATUS.get(code, TaskFailedError)
    error = cls(details or code.name)
    error.status_code = code
    return error
