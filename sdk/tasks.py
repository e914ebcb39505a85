"""Tasks: what a plugin registers, and the context a handler runs in.

A task handler is a plain Python function ``handler(input: dict, ctx: TaskContext) -> dict`` that knows nothing
about gRPC. Streaming tasks report progress and token deltas through ``ctx``; the server forwards them as stream
events, and a unary call simply drops them. Handlers call ``ctx.check()`` in their loops so that a cancelled
call or a passed deadline stops the work.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import fastjsonschema
import jsonschema

from .errors import (
    CancelledError,
    DeadlineExceededError,
    InvalidInputError,
    PluginError,
    TaskFailedError,
    TaskNotFoundError,
)
from .registration import check_registration

TASK_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
# Deepest nesting of arrays and objects a task input may have. Real inputs (a bug record with comments, a file
# list) nest fewer than 10 levels; the cap keeps schema validation and handlers clear of Python's recursion limit.
MAX_INPUT_DEPTH = 64
# The schema a task gets when it declares none: any JSON object.
ANY_OBJECT: dict[str, Any] = {"type": "object"}

if TYPE_CHECKING:
    from .host import Host

Handler = Callable[[dict[str, Any], "TaskContext"], dict[str, Any]]


@dataclass(frozen=True)
class Task:
    """A unit of work a plugin offers: name, description, JSON schemas of input and output, and its handler."""

    name: str
    handler: Handler
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=lambda: dict(ANY_OBJECT))
    output_schema: Mapping[str, Any] = field(default_factory=lambda: dict(ANY_OBJECT))
    streaming: bool = False
    #: name of the plugin that registered it; filled in by the registry
    plugin: str = ""


@dataclass
class Event:
    """One event of a streaming call: ``kind`` is ``progress``, ``token``, ``result`` or ``error``."""

    kind: str
    text: str = ""
    fraction: float = 0.0
    output: dict[str, Any] | None = None
    code: str = ""
    #: set on result and error events by the server
    request_id: str = ""


_CANCEL_FLAG_LOCK = threading.Lock()


class CancelFlag:
    """``threading.Event``'s set / is_set / wait, with the Event made only when someone waits.

    Every call gets one, and most are never waited on: creating an Event (a Condition and a lock) per call was a
    measurable part of the server's per-call cost.
    """

    __slots__ = ("_event", "_set")

    def __init__(self) -> None:
        self._set = False
        self._event: threading.Event | None = None

    def set(self) -> None:
        """Mark the call cancelled and wake any waiter."""
        self._set = True
        event = self._event
        if event is not None:
            event.set()

    def is_set(self) -> bool:
        """True once the call was cancelled."""
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep until cancelled or ``timeout`` passed; True when cancelled."""
        if self._set:
            return True
        with _CANCEL_FLAG_LOCK:  # two first waiters must share one Event
            if self._event is None:
                self._event = threading.Event()
        # set() may have run between the check above and the assignment; it writes _set before reading _event.
        if self._set:
            return True
        return self._event.wait(timeout)


class TaskContext:
    """What a handler may use while it runs: cancellation, deadline, event emission and the host."""

    def __init__(
        self,
        *,
        request_id: str | None = None,
        deadline: float | None = None,
        emit: Callable[[Event], None] | None = None,
        host: Host | None = None,
        principal: str | None = None,
        cancelled: CancelFlag | threading.Event | None = None,
    ) -> None:
        self.request_id = request_id or uuid.uuid4().hex
        #: absolute ``time.monotonic()`` by which the call must finish, or None
        self.deadline = deadline
        #: the Host running the call (configuration, models, tools); None for a handler called on its own
        self.host: Host | None = host
        self.principal = principal
        self.cancelled = cancelled or CancelFlag()
        self._emit = emit

    @property
    def streaming(self) -> bool:
        """True when someone listens to progress and token events (so producing them is worth it)."""
        return self._emit is not None

    def time_remaining(self) -> float | None:
        """Seconds left before the deadline, or None when the call has none."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self) -> None:
        """Raise if the call was cancelled or its deadline passed; call it between units of work."""
        # The deadline first: gRPC also cancels a call whose deadline passed, and "deadline" says why.
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise DeadlineExceededError("the call ran past its deadline", hint="give the call a longer deadline")
        if self.cancelled.is_set():
            raise CancelledError("the caller cancelled the call")

    def token(self, text: str) -> None:
        """Emit a token delta (a piece of generated text)."""
        if self._emit is not None:
            self._emit(Event("token", text=text))

    def progress(self, fraction: float, message: str = "") -> None:
        """Emit progress, ``fraction`` in [0, 1], with an optional message."""
        if self._emit is not None:
            self._emit(Event("progress", text=message, fraction=float(fraction)))


class TaskRegistry:
    """Tasks by name. Validates what plugins register and the input and output of each call."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._input_validators: dict[str, Any] = {}
        self._output_validators: dict[str, Any] = {}

    def register(self, task: Task, plugin: str = "") -> None:
        """Add ``task``; ``plugin`` names who registered it, for error messages and ``chipmate tasks``."""
        check_registration(
            task, plugin, kind=Task, expected="a chipmate.Task",
            hint="call register(chipmate.Task(name=..., handler=...))",
            owners={name: t.plugin for name, t in self._tasks.items()}, noun="task", name=TASK_NAME,
            name_hint="task names are lower-case dotted identifiers such as 'mytools.count_modules'",
        )  # fmt: skip
        if not callable(task.handler):
            raise PluginError(f"task {task.name!r} from plugin {plugin!r} has a handler that is not callable")
        validators = []
        for which, schema in (("input", task.input_schema), ("output", task.output_schema)):
            # jsonschema checks the schema itself thoroughly, once; fastjsonschema compiles it to Python for the
            # per-call validation (about 3 µs instead of 60–90 µs, which is most of the server's overhead).
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
            try:
                cls.check_schema(schema)
                validators.append(fastjsonschema.compile(dict(schema)))
            except (jsonschema.SchemaError, fastjsonschema.JsonSchemaDefinitionException) as exc:
                message = getattr(exc, "message", str(exc))
                raise PluginError(
                    f"task {task.name!r} from plugin {plugin!r} has an invalid {which} schema: {message}"
                ) from exc
        task = Task(**{**task.__dict__, "plugin": task.plugin or plugin})
        self._tasks[task.name] = task
        self._input_validators[task.name], self._output_validators[task.name] = validators

    def get(self, name: str) -> Task:
        """The task called ``name``, or TaskNotFoundError listing the close matches."""
        try:
            return self._tasks[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, self._tasks, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "run `chipmate tasks` to list the tasks"
            raise TaskNotFoundError(f"no task named {name!r}", hint=hint) from None

    def __iter__(self) -> Iterator[Task]:
        return iter(sorted(self._tasks.values(), key=lambda task: task.name))

    def __len__(self) -> int:
        return len(self._tasks)

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def validate_input(self, name: str, value: Any) -> None:
        """Raise InvalidInputError naming the offending field when ``value`` breaks the task's input schema."""
        check_nesting(value)
        try:
            self._input_validators[name](value)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise InvalidInputError(
                f"input of task {name!r} is invalid: {_describe(exc, 'input')}",
                hint="run `chipmate tasks` to see the task's input schema",
            ) from None

    def validate_output(self, name: str, value: Any) -> None:
        """Raise TaskFailedError when a handler returns output that breaks its own schema (a plugin bug)."""
        try:
            self._output_validators[name](value)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise TaskFailedError(
                f"task {name!r} returned output that breaks its schema: {_describe(exc, 'output')}",
                hint=f"this is a bug in plugin {self._tasks[name].plugin!r}",
            ) from None


def check_nesting(value: Any, limit: int = MAX_INPUT_DEPTH) -> None:
    """Raise InvalidInputError when ``value`` nests arrays/objects deeper than ``limit`` (checked without recursion).

    Walks level by level, so the cost is one pass over the containers (a few µs for a typical call's input).
    """
    level = [value]
    for _ in range(limit):
        children: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                children += [v for v in item.values() if isinstance(v, (dict, list))]
            elif isinstance(item, list):
                children += [v for v in item if isinstance(v, (dict, list))]
        if not children:
            return
        level = children
    raise InvalidInputError(
        f"input nests arrays/objects more than {limit} levels deep",
        hint="flatten the input; no task needs that much nesting",
    )


def decode_json(text: str, what: str = "input_json") -> Any:
    """Parse JSON call input (empty text is an empty object); InvalidInputError for bad or absurdly nested JSON,
    integer literals longer than Python converts, and strings holding lone UTF-16 surrogates."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{what} is not valid JSON: {exc}", hint='send a JSON object such as {"text": "hi"}'
        ) from None
    except RecursionError:
        # The C parser gives up on very deep nesting (~100k levels) before check_nesting could see it.
        raise InvalidInputError(
            f"{what} nests arrays/objects more than {MAX_INPUT_DEPTH} levels deep",
            hint="flatten the input; no task needs that much nesting",
        ) from None
    except ValueError as exc:
        # Python refuses to convert integer literals of more than sys.get_int_max_str_digits() (4,300) digits:
        # a guard against quadratic-time conversion, and no task has a use for such a number.
        raise InvalidInputError(
            f"{what} holds a number chipmate does not accept: {exc}",
            hint="send numbers of at most 4,300 digits (or as strings)",
        ) from None
    # A lone surrogate can only come from a \uD800-\uDFFF escape (the text itself is valid UTF-8, which cannot
    # encode one); such a string cannot be encoded again, so it is refused here rather than deep in a plugin.
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        check_text(value, what)
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_text(value: Any, what: str = "input") -> None:
    """Raise InvalidInputError when a string in ``value`` (keys included) is not encodable as UTF-8 (a lone
    surrogate such as ``"\\ud800"``); walks containers level by level, like :func:`check_nesting`."""
    level = [value]
    while level:
        children: list[Any] = []
        for item in level:
            if isinstance(item, str):
                children.append(item)
            elif isinstance(item, dict):
                children += list(item.keys())
                children += [v for v in item.values() if isinstance(v, (dict, list, str))]
            elif isinstance(item, list):
                children += [v for v in item if isinstance(v, (dict, list, str))]
        strings = [c for c in children if isinstance(c, str)]
        for string in strings:
            try:
                string.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidInputError(
                    f"{what} holds a string with a lone UTF-16 surrogate ({string[exc.start : exc.end]!r} at "
                    f"index {exc.start}), which is not text",
                    hint="send well-formed Unicode; escape \\uD800-\\uDFFF only in surrogate pairs",
                ) from None
        level = [c for c in children if not isinstance(c, str)]


def _describe(exc: fastjsonschema.JsonSchemaValueException, root: str) -> str:
    # fastjsonschema names the value "data" ("data.text must be string"); say what it is to the caller.
    message = exc.message
    return root + message[4:] if message.startswith("data") else message


def current_context() -> TaskContext | None:
    """The context of the task call running in this thread (``Host.run_task`` sets it), or None.

    Lets shared machinery that a handler calls without passing its ``ctx`` (the model queue) still honour the
    call's deadline and cancellation.
    """
    from .progress import waiting_context

    return waiting_context()  # type: ignore[no-any-return]  # progress.waiting_context returns a TaskContext; imported lazily to avoid a cycle


@dataclass
class TaskCall:
    """One call of a task, as the request hooks see it."""

    task: str
    input: dict[str, Any]
    request_id: str
    principal: str | None = None
    peer: str | None = None
    started: float = field(default_factory=time.monotonic)
