"""Structured request logs: one JSON object per line (or plain text), with request id, task, status, duration.

Every task call writes one line, so this path is built for speed (benchmarks/grpc_overhead.py showed the stock
logging set-up was the largest part of the server's overhead): the JSON formatter caches its timestamp prefix and
shares one encoder, and records are formatted and written in batches by a thread every 200 ms (warnings and
errors at once), instead of formatting and writing on every request thread.
"""

from __future__ import annotations

import atexit
import collections
import io
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc

_BLANK_RECORD = logging.LogRecord("", 0, "", 0, "", (), None).__dict__
# Attributes every LogRecord has; anything else came in through ``extra=`` and belongs in the JSON object.
_STANDARD = frozenset(_BLANK_RECORD) | {"message", "asctime"}
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


# What a LogRecord always carries, with the values RequestRecord gives them.
_RECORD_DEFAULTS = dict.fromkeys(_BLANK_RECORD) | {
    "pathname": "",
    "filename": "",
    "module": "",
    "funcName": "",
    "lineno": 0,
    "args": (),
    "relativeCreated": 0.0,
}


class RequestRecord(logging.LogRecord):
    """A LogRecord for the one-per-call request log, built in a fraction of LogRecord's own time.

    ``LogRecord.__init__`` works out the caller's file and module, the thread and the process on every call; the
    request log has one fixed call site and prints none of them, yet that set-up cost more than the record's whole
    formatting. Every standard attribute is still there (``%(filename)s``-style formats read the instance dict), with
    empty values; ``extra`` fields follow them, where formatters look.
    """

    def __init__(self, name: str, level: int, msg: str, fields: dict[str, Any]) -> None:
        # No super().__init__(): skipping its per-record work is the point (see the class docstring).
        created = time.time()
        self.__dict__.update(_RECORD_DEFAULTS)
        self.name, self.msg = name, msg
        self.levelno, self.levelname = level, logging.getLevelName(level)
        self.created, self.msecs = created, (created - int(created)) * 1000
        self.__dict__.update(fields)


def audit(method: str, code: str, peer: str, principal: str | None = None, duration_ms: float = 0.0) -> None:
    """The audit line of a call that is not a task call (ListTasks, health, reflection), or of one refused before
    any servicer ran (no valid token): method, status, peer, caller. Task calls write theirs in ``CallRunner``."""
    log = logging.getLogger("chipmate.server")
    if log.isEnabledFor(logging.INFO):
        fields = {
            "method": method,
            "task": None,
            "status": code,
            "duration_ms": round(duration_ms, 3),
            "peer": peer,
            "principal": principal,
        }
        log.handle(RequestRecord(log.name, logging.INFO, "rpc", fields))


#: Methods no chipmate servicer writes an audit line for; AuditInterceptor writes theirs.
UNAUDITED_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class AuditInterceptor(grpc.ServerInterceptor):
    """One audit line for each health check and reflection call (task calls and ListTasks write their own)."""

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None or not details.method.startswith(UNAUDITED_METHOD_PREFIXES):
            return handler
        return _audited(handler, details.method)


def _status(context: grpc.ServicerContext, default: str) -> str:
    code = context.code()  # what the servicer set (health answers NOT_FOUND by set_code, without raising)
    return code.name if isinstance(code, grpc.StatusCode) else default


def _audited(handler: Any, method: str) -> Any:
    """``handler`` with an audit line written when each call ends: status, peer, duration."""
    if handler.response_streaming:
        inner = handler.stream_stream if handler.request_streaming else handler.unary_stream

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            started, status = time.perf_counter(), "UNKNOWN"
            try:
                yield from inner(request, context)
                status = _status(context, "OK")
            except BaseException:
                status = _status(context, "CANCELLED" if not context.is_active() else "UNKNOWN")
                raise
            finally:
                audit(method, status, context.peer(), duration_ms=(time.perf_counter() - started) * 1000)

    else:
        inner = handler.stream_unary if handler.request_streaming else handler.unary_unary

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            started, status = time.perf_counter(), "UNKNOWN"
            try:
                reply = inner(request, context)
                status = _status(context, "OK")
                return reply
            except BaseException:
                status = _status(context, "UNKNOWN")
                raise
            finally:
                audit(method, status, context.peer(), duration_ms=(time.perf_counter() - started) * 1000)

    return handler_like(handler, behavior)


def handler_like(handler: Any, behavior: Callable[..., Any]) -> Any:
    """A method handler of ``handler``'s kind (streaming sides, (de)serializers) that runs ``behavior`` instead."""
    factory = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[(handler.request_streaming, handler.response_streaming)]
    return factory(
        behavior,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message and the ``extra`` fields."""

    _second = -1
    _prefix = ""

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # strftime once per second, not once per line
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:
            entry[key] = fields[key]
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry)


class TextFormatter(logging.Formatter):
    """Human-readable lines with the ``extra`` fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        base = f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        text = f"{base} {extras}" if extras else base
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class BufferedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]  # logging.StreamHandler is generic only in typeshed
    """A StreamHandler whose INFO records are formatted and written in batches by a timer thread.

    A request thread only appends its record to a deque; every ``interval`` seconds the writer thread formats the
    batch and writes it with one flush. Warnings and errors are written at once, in order with what came before.
    """

    def __init__(self, stream: Any, interval: float = 0.2) -> None:
        super().__init__(stream)
        self._pending: collections.deque[logging.LogRecord] = collections.deque()
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._write_every, args=(interval,), name="chipmate-log", daemon=True)
        self._writer.start()

    def _write_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.flush()

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]  # returns the record's filter result as Handler.handle does
        # No handler lock on the request path: emit only appends, and deque.append is atomic.
        if self.filter(record):
            self.emit(record)
            return True
        return False

    def emit(self, record: logging.LogRecord) -> None:
        self._pending.append(record)
        if record.levelno >= logging.WARNING:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # createLock() in __init__ always sets the lock
            lines = []
            while self._pending:
                record = self._pending.popleft()
                try:
                    lines.append(self.format(record) + self.terminator)
                except Exception:
                    self.handleError(record)
            if lines:
                self.stream.write("".join(lines))
            if self.stream and hasattr(self.stream, "flush"):
                self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush()
        super().close()


def _buffered_stderr() -> Any:
    # Python's own stderr is line-buffered (a write call per line); write to a block-buffered copy of its fd.
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. under a test runner's capture)
        return sys.stderr
    return io.TextIOWrapper(io.BufferedWriter(io.FileIO(fd, "w"), 1 << 16), encoding="utf-8", errors="replace")


_handler: logging.Handler | None = None


def configure(fmt: str = "json", level: str = "INFO", stream: Any = None) -> None:
    """Send the ``chipmate`` loggers to ``stream`` (default stderr) in the chosen format; idempotent."""
    global _handler
    shutdown()
    # Only `chipmate serve` calls this, in a process it owns: records need not look up the thread and process
    # (the formatters do not print them), which is a good part of what creating a record costs.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logger = logging.getLogger("chipmate")
    _handler = BufferedStreamHandler(stream or _buffered_stderr())
    _handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(_handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def shutdown() -> None:
    """Flush and detach the handler :func:`configure` installed (also run at interpreter exit)."""
    global _handler
    if _handler is not None:
        logging.getLogger("chipmate").removeHandler(_handler)
        _handler.close()
        _handler = None


atexit.register(shutdown)
