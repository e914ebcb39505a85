"""``chipmate bridge``: the persistent helper behind the Tcl package, one per tool shell.

A Tcl shell (Yosys, OpenSTA, OpenROAD, tclsh) starts it once with ``open |[list chipmate bridge] r+`` and then
talks to it over the pipe, so a call costs a round trip on one open gRPC channel instead of a Python start-up.

Requests are JSON lines on stdin, written by the Tcl package::

    {"id": 7, "op": "call", "task": "echo", "args": "text hello", "timeout": null}

``op`` is ``call``, ``stream``, ``tasks`` or ``ping``; ``args`` is the task input as a Tcl dict, read with the
task's input schema (fetched once through ListTasks), so ``retrieval_only true`` arrives as a JSON boolean and
``top_k 3`` as an integer. Replies are Tcl lists on one line each (every value escaped with
:func:`chipmate.tcl.line_word`, so no newline or control character leaks into the framing)::

    7 ok {text hello words 1}          the task's output, as a Tcl dict
    7 event {kind token text hello}    a stream's token or progress event (then ok or error)
    7 error INVALID_ARGUMENT {...}     the status code and the message

The bridge never exits on a bad request or a failed call; it ends when its stdin closes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

from .errors import INTERNAL, ChipmateError, InvalidInputError
from .tcl.codec import line_word, object_from_tcl, to_tcl


class Bridge:
    """Serves the line protocol for one client (a Tcl shell) over one :class:`chipmate.Client`."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._schemas: dict[str, Mapping[str, Any]] | None = None

    # -- schemas ---------------------------------------------------------------------------------------------------

    def schema(self, task: str) -> Mapping[str, Any] | None:
        """The input schema of ``task``; the list is fetched once and again when a task is missing from it (the
        server may have been restarted with other plugins). None when the server does not list the task: the call
        then goes out with string values and the server's NOT_FOUND says what is wrong."""
        if self._schemas is None or task not in self._schemas:
            self._schemas = {t.name: t.input_schema for t in self.client.tasks()}
        return self._schemas.get(task)

    def input_of(self, task: str, args: str) -> dict[str, Any]:
        """The task input for the Tcl dict ``args``, typed by the task's schema."""
        return object_from_tcl(args, self.schema(task))

    # -- requests --------------------------------------------------------------------------------------------------

    def handle(self, line: str, write: Callable[[str], None]) -> None:
        """Answer one request line, writing one reply line (or a stream's event lines and then one)."""
        request_id = "0"
        try:
            try:
                request = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"the bridge got a line that is not JSON: {exc}") from None
            if not isinstance(request, dict):
                raise InvalidInputError("the bridge expects one JSON object per line")
            request_id = str(request.get("id", "0"))
            reply = self._dispatch(request, request_id, write)
            write(f"{line_word(request_id)} ok {line_word(reply)}")
        except ChipmateError as exc:
            write(f"{line_word(request_id)} error {exc.code} {line_word(str(exc))}")
        except Exception as exc:  # a bug here must not end the shell's helper
            message = f"chipmate bridge: {type(exc).__name__}: {exc}"
            write(f"{line_word(request_id)} error {INTERNAL} {line_word(message)}")

    def _dispatch(self, request: dict[str, Any], request_id: str, write: Callable[[str], None]) -> str:
        op = request.get("op")
        timeout = request.get("timeout")
        if timeout is not None and not isinstance(timeout, (int, float)):
            raise InvalidInputError(f"timeout must be a number of seconds, not {timeout!r}")
        if op == "ping":
            return "pong"
        if op == "tasks":
            return to_tcl(
                [
                    {"name": t.name, "streaming": t.streaming, "plugin": t.plugin, "description": t.description}
                    for t in self.client.tasks(timeout=timeout)
                ]
            )
        if op not in ("call", "stream"):
            raise InvalidInputError(f"unknown bridge op {op!r}", hint="use call, stream, tasks or ping")
        task = request.get("task")
        if not isinstance(task, str) or not task:
            raise InvalidInputError("a call needs a task name")
        args = request.get("args", "")
        if not isinstance(args, str):
            raise InvalidInputError("args must be the task input as a Tcl dict")
        value = self.input_of(task, args)
        if op == "call":
            return to_tcl(self.client.call(task, value, timeout=timeout))
        output: dict[str, Any] | None = None
        for event in self.client.stream(task, value, timeout=timeout):
            if event.kind == "token":
                write(f"{line_word(request_id)} event {line_word(to_tcl({'kind': 'token', 'text': event.text}))}")
            elif event.kind == "progress":
                progress = {"kind": "progress", "fraction": event.fraction, "message": event.text}
                write(f"{line_word(request_id)} event {line_word(to_tcl(progress))}")
            elif event.kind == "result":
                output = event.output
        return to_tcl(output or {})


def run(client: Any, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
    """Serve requests from ``stdin`` until it closes."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    bridge = Bridge(client)

    def write(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    for line in stdin:
        if line.strip():
            bridge.handle(line, write)
