"""Domain errors of chipmate.

Library code raises these; only the CLI (``click.ClickException``) and the gRPC server and client translate them.
Every message should tell the user what to do next, so each error carries an optional ``hint``.

Each class carries a neutral ``code``, the name of the outcome a caller sees (``INVALID_ARGUMENT``,
``NOT_FOUND``, ...). The names are gRPC's status-code names because that is the wire chipmate speaks, but this
module knows nothing of grpc: ``import chipmate.errors`` (and so plugins and the trainer) never loads it. The one
table between codes and ``grpc.StatusCode`` lives in ``chipmate.server.status``, used by server and client alike.
"""

from __future__ import annotations

# The codes an error can carry; the server maps each to the grpc.StatusCode of the same name.
INVALID_ARGUMENT = "INVALID_ARGUMENT"
NOT_FOUND = "NOT_FOUND"
FAILED_PRECONDITION = "FAILED_PRECONDITION"
UNAUTHENTICATED = "UNAUTHENTICATED"
PERMISSION_DENIED = "PERMISSION_DENIED"
RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
UNAVAILABLE = "UNAVAILABLE"
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
CANCELLED = "CANCELLED"
INTERNAL = "INTERNAL"


class ChipmateError(Exception):
    """Base class of every error chipmate raises on purpose."""

    #: the outcome a caller sees when this error ends a call; see the module docstring
    code: str = INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ChipmateError):
    """A configuration file or value is malformed; the message names the file and the key."""

    code = FAILED_PRECONDITION


class PluginError(ChipmateError):
    """A plugin could not be loaded or registered something invalid."""

    code = FAILED_PRECONDITION


class InvalidInputError(ChipmateError):
    """The caller sent input a task cannot accept (malformed JSON, schema violation, bad value)."""

    code = INVALID_ARGUMENT


class TaskNotFoundError(ChipmateError):
    """No loaded plugin provides the requested task (or tool, or service)."""

    code = NOT_FOUND


class ModelNotFoundError(ChipmateError):
    """No model with the requested alias is configured, or its files are missing."""

    code = NOT_FOUND


class UnauthenticatedError(ChipmateError):
    """The caller sent no bearer token, or one the server does not know."""

    code = UNAUTHENTICATED


class PermissionDeniedError(ChipmateError):
    """The caller's token is valid but not allowed to call this task."""

    code = PERMISSION_DENIED


class OverloadedError(ChipmateError):
    """The server is at its concurrency limit or its queue is full; retry later.

    ``retry_after`` is the server's estimate, in seconds, of when a retry may succeed (None when it has none); the
    server sends it as the ``grpc-retry-pushback-ms`` trailer and the client puts it back here.
    """

    code = RESOURCE_EXHAUSTED

    def __init__(self, message: str, *, hint: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class BackendUnavailableError(ChipmateError):
    """A model backend, tool or remote endpoint a task depends on cannot be reached."""

    code = UNAVAILABLE


class DeadlineExceededError(ChipmateError):
    """The call ran past its deadline."""

    code = DEADLINE_EXCEEDED


class CancelledError(ChipmateError):
    """The caller cancelled the call; handlers raise it (via ``ctx.check()``) to stop work early."""

    code = CANCELLED


class TaskFailedError(ChipmateError):
    """A task handler raised an unexpected exception (a plugin bug)."""

    code = INTERNAL


class ServerError(ChipmateError):
    """The server could not start (port in use, bad TLS files, unsafe auth settings)."""

    code = UNAVAILABLE


class TrainingError(ChipmateError):
    """Training cannot go on as configured; the message says what to change."""

    code = FAILED_PRECONDITION


class TrainingInterrupted(ChipmateError):
    """Training stopped on request (Ctrl-C) after saving a checkpoint; the message says where and how to resume."""

    code = CANCELLED


class LossScaleUnderflowError(TrainingError):
    """The dynamic loss scale fell below its floor: every step overflows, so training would make no progress."""


#: the error class a client raises for each code it receives; codes not listed become TaskFailedError
ERROR_BY_CODE: dict[str, type[ChipmateError]] = {
    INVALID_ARGUMENT: InvalidInputError,
    NOT_FOUND: TaskNotFoundError,
    UNAUTHENTICATED: UnauthenticatedError,
    PERMISSION_DENIED: PermissionDeniedError,
    RESOURCE_EXHAUSTED: OverloadedError,
    UNAVAILABLE: BackendUnavailableError,
    DEADLINE_EXCEEDED: DeadlineExceededError,
    CANCELLED: CancelledError,
    FAILED_PRECONDITION: ConfigError,
}


def error_for_code(code: str, details: str) -> ChipmateError:
    """Rebuild the domain error a caller should see for ``code`` (INTERNAL and unknown codes included)."""
    cls = ERROR_BY_CODE.get(code, TaskFailedError)
    error = cls(details or code)
    error.code = code
    return error
