"""The model interfaces plugins code against: :class:`Generator`, :class:`Embedder`, and what a backend registers.

Nothing here imports torch; backends import their heavy libraries inside ``load``, so ``import chipmate`` and
``chipmate serve`` stay fast until a model is first used.

Over 400 lines on purpose: this is the one contract plugins and backends code against (the interfaces and
the prompt fitting, message validation and stop handling every generator shares); kept whole so it reads as one.
"""

from __future__ import annotations

import abc
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError, PluginError

if TYPE_CHECKING:
    import numpy

    from ..tasks import TaskContext
    from .queue import GeneratorGate, Slot

#: the most messages a generator takes in one prompt; a conversation longer than this is a caller's bug or an
#: attack (each message costs a render of the chat template), and the oldest turns would be dropped anyway
MAX_MESSAGES = 256
#: a prompt may be at most this many times the model's context: up to it the truncation policy fits it, past it the
#: call is refused, since nearly all of it would be thrown away after tokenizing it had cost its time
MAX_PROMPT_CONTEXTS = 8

#: finish reasons a :class:`Generation` reports, as OpenAI names them
FINISH_STOP = "stop"  # end-of-sequence token or a stop string
FINISH_LENGTH = "length"  # max_tokens reached
FINISH_LOOP = "loop"  # the loop guard stopped a generation that kept repeating itself (see LoopGuard)

GENERATOR = "generator"
EMBEDDER = "embedder"


@dataclass
class Generation:
    """The result of one generation: the text and its usage counts."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    #: "stop" (end of sequence or a stop string), "length" (max_tokens reached) or "loop" (the text kept
    #: repeating itself and the backend's loop guard ended it; the repeats seen so far are part of ``text``)
    finish_reason: str


class TokenStream(Iterator[str]):
    """An iterator of text deltas that knows, once exhausted, the whole :class:`Generation`.

    ``for delta in stream: ...`` then ``stream.generation`` has the usage counts. Closing it early (``close()``
    or dropping it) stops the generation.
    """

    def __init__(
        self, deltas: Iterator[str], result: Callable[[], Generation], *, finished: threading.Event | None = None
    ) -> None:
        self._deltas = deltas
        self._result = result
        self.generation: Generation | None = None
        #: set once the backend has stopped computing, which may be after the stream ended: a decoder busy with a
        #: long prompt cannot stop before its first token, yet the caller's deadline must not wait for it. The
        #: generation queue keeps the model's slot until then. None: the backend is done when the stream is.
        self.finished = finished

    def __iter__(self) -> TokenStream:
        return self

    def __next__(self) -> str:
        try:
            return next(self._deltas)
        except StopIteration:
            self.generation = self._result()
            raise

    def close(self) -> None:
        """Stop the generation now (a generator-based stream runs its cleanup)."""
        close = getattr(self._deltas, "close", None)
        if close is not None:
            close()


class Generator(abc.ABC):
    """A chat model: messages in, a stream of text deltas out.

    ``messages`` are OpenAI-style ``{"role": "system"|"user"|"assistant", "content": str}`` dicts. Prompts that
    do not fit ``context_length`` together with ``max_tokens`` are truncated (see :func:`fit_messages`), never
    rejected. Instances are shared across requests and safe to call from several threads at once.
    """

    #: tokens the model can attend to, prompt and completion together
    context_length: int = 2048
    #: generations this instance runs at once; more callers wait in the generation queue (``models/queue.py``)
    max_concurrency: int = 1
    #: set by the model registry when it loads the model; None (no queueing) for an instance made by hand
    gate: GeneratorGate | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every backend's stream and generate pass through the generation queue, without each backend having to
        # remember to: the queue is the server's fairness policy, not a backend's choice.
        for name in ("stream", "generate"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_queued", False):
                setattr(cls, name, _queued(method, streaming=name == "stream"))

    @abc.abstractmethod
    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> TokenStream:
        """Yield text deltas as they are generated; ``ctx.check()`` runs between tokens (cancel, deadline).

        ``temperature`` 0 is greedy decoding. Generation ends at the end-of-sequence token, at the first of the
        ``stop`` strings (which is not yielded), or after ``max_tokens`` tokens.
        """

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> Generation:
        """Run :meth:`stream` to the end and return the whole text with its usage counts."""
        stream = self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, ctx=ctx)
        for _ in stream:
            pass
        assert stream.generation is not None
        return stream.generation

    @abc.abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's tokenizer (an estimate for remote backends)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing to release
        """Release what the backend holds (connections, memory); the registry calls it on shutdown."""


# The gates whose queued method is running in this thread (set only for the length of that call).
_nesting = threading.local()


def _queued(method: Callable[..., Any], *, streaming: bool) -> Callable[..., Any]:
    """``method`` holding a slot of the instance's gate for its whole run (a stream: until it is exhausted,
    fails or is closed)."""

    @functools.wraps(method)
    def queued(self: Generator, *args: Any, **kwargs: Any) -> Any:
        gate = self.gate
        nested = _nesting.__dict__.setdefault("gates", set())
        # A queued method called from inside another on the same gate (a backend's generate calling its own
        # stream, an override calling super()) runs under the slot its caller holds instead of waiting for itself.
        if gate is None or gate in nested:
            return method(self, *args, **kwargs)
        from ..tasks import current_context

        slot = gate.acquire(kwargs.get("ctx") or current_context())
        nested.add(gate)
        try:
            result = method(self, *args, **kwargs)
        except BaseException:
            slot.release()
            raise
        finally:
            nested.discard(gate)
        if not streaming:
            slot.release()
            return result
        return TokenStream(_SlotDeltas(result, slot), lambda: result.generation, finished=result.finished)

    queued._queued = True  # type: ignore[attr-defined]  # a marker attribute on the wrapper, read by __init_subclass__
    return queued


class _SlotDeltas(Iterator[str]):
    """A stream's deltas that give the gate slot back when they end, fail, are closed or are dropped."""

    def __init__(self, stream: TokenStream, slot: Slot) -> None:
        self._stream = stream
        self._slot = slot
        self._released = False

    def __next__(self) -> str:
        try:
            return next(self._stream)
        except BaseException:
            self._release()
            raise

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._release()

    def __del__(self) -> None:
        self._release()

    def _release(self) -> None:
        if self._released:
            return
        self._released = True
        finished = self._stream.finished
        if finished is None or finished.is_set():
            self._slot.release()
            return
        # The caller is gone but the backend still computes: the slot comes back when it stops.
        slot = self._slot

        def release_when_finished() -> None:
            finished.wait()
            slot.release()

        threading.Thread(target=release_when_finished, name="chipmate-slot-release", daemon=True).start()


def check_prompt_size(messages: list[dict[str, Any]], *, context_length: int, count: Callable[[str], int]) -> None:
    """InvalidInputError when ``messages`` are more than :data:`MAX_PROMPT_CONTEXTS` times ``context_length``
    tokens (``count`` tokenizes one text); the limit is named in the message."""
    limit = MAX_PROMPT_CONTEXTS * context_length
    # One token takes at least one character in every tokenizer chipmate uses, so short prompts need no count.
    text = "\n".join(str(m.get("content", "")) for m in messages)
    if len(text) <= limit:
        return
    tokens = count(text)
    if tokens > limit:
        raise InvalidInputError(
            f"the prompt is {tokens} tokens, more than the {limit} a call may send to a model with a "
            f"{context_length}-token context ({MAX_PROMPT_CONTEXTS}x the context; up to that it is truncated)",
            hint="send less text: drop old turns or shorten the messages",
        )


class Embedder(abc.ABC):
    """A sentence embedder: texts in, L2-normalised float32 vectors out. Shared and thread-safe."""

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """Length of each embedding vector."""

    @property
    @abc.abstractmethod
    def max_seq_length(self) -> int:
        """Tokens of a text the model reads; longer texts are truncated by the model."""

    @abc.abstractmethod
    def embed(
        self,
        texts: list[str],
        *,
        batch_size: int = 64,
        show_progress: bool = False,
        ctx: TaskContext | None = None,
    ) -> numpy.ndarray:
        """Embed ``texts`` into an array of shape ``(len(texts), dimension)``, float32, rows of unit length.

        With ``ctx`` the work is checked for cancellation between batches.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the backend holds; the registry calls it on shutdown."""


@dataclass(frozen=True)
class ModelSpec:
    """One configured model, as a backend's ``load`` receives it."""

    alias: str
    backend: str
    #: the alias's settings from the config, without ``backend`` and ``default``
    options: Mapping[str, Any]
    #: where converted models and downloads live (``Config.cache_path()``)
    cache_dir: Path
    #: the config file (or "<built-in>") the alias came from, for error messages
    source: str = "<config>"

    def where(self, key: str | None = None) -> str:
        """``source: models.ALIAS[.key]``, the prefix of every error about this spec."""
        suffix = f".{key}" if key else ""
        return f"{self.source}: models.{self.alias}{suffix}"


@dataclass(frozen=True)
class ModelBackend:
    """A kind of model a plugin provides, registered with ``chipmate_register_models(register)``.

    ``load(spec)`` builds a :class:`Generator` (``kind="generator"``) or an :class:`Embedder`
    (``kind="embedder"``) from a :class:`ModelSpec`; it runs once per alias, on first use, and should import
    its heavy libraries itself. ``options`` maps each setting the backend accepts to a one-line description
    (unknown keys in the config are rejected with the closest match). ``describe(spec)``, if given, returns
    extra lines for ``chipmate models info`` without loading the model (paths, files present, ...).
    ``local_path(spec)``, if given, returns the local directory of the model's files (converting them first when
    that is how the backend loads them), so the trainer can train from an alias without importing the backend.
    ``pull(spec, download=..., source=...)``, if given, is the pull of every plugin alias on this backend that
    has none of its own (see :class:`ModelAlias`).
    """

    name: str
    kind: str
    load: Callable[[ModelSpec], Any]
    description: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    describe: Callable[[ModelSpec], dict[str, Any]] | None = None
    local_path: Callable[[ModelSpec], Path] | None = None
    pull: Callable[..., Any] | None = None
    #: name of the plugin that registered it; filled in by the registry
    plugin: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (GENERATOR, EMBEDDER):
            raise PluginError(
                f"model backend {self.name!r} has kind {self.kind!r}",
                hint=f"kind must be {GENERATOR!r} or {EMBEDDER!r}",
            )


@dataclass(frozen=True)
class ModelAlias:
    """A model a plugin offers by name with no configuration, registered with ``chipmate_register_models``.

    ``settings`` is what a config entry under ``models:`` would hold (``{"backend": "hf", "embedded": ...}``);
    an entry of the same name in the config replaces it. ``default=True`` makes it the default of its kind unless
    the config marks another alias ``default: true`` or a plugin called earlier registered a default of that kind
    (built-in plugins register theirs last, so yours win). ``pull(spec, download=..., source=...)``, if given,
    fetches and converts the model's files now so later loads need no network (``chipmate models pull-defaults``)
    and returns where they are.
    """

    name: str
    settings: Mapping[str, Any]
    default: bool = False
    description: str = ""
    pull: Callable[..., Any] | None = None
    #: name of the plugin that registered it; filled in by the registry
    plugin: str = ""


# -- prompt truncation ---------------------------------------------------------------------------------------


@dataclass
class FittedPrompt:
    """What :func:`fit_messages` decided: the messages to render, the token budget left, what was cut."""

    messages: list[dict[str, Any]]
    max_tokens: int
    #: tokens of the rendered prompt
    prompt_tokens: int
    dropped_turns: int = 0
    truncated: bool = False
    #: True when even the system message had to be cut (the caller cuts the rendered ids from the left)
    overflow: bool = False


def fit_messages(
    messages: list[dict[str, Any]],
    *,
    max_tokens: int,
    context_length: int,
    count: Callable[[list[dict[str, Any]]], int],
    cut_left: Callable[[str, int], str],
) -> FittedPrompt:
    """Make ``messages`` fit ``context_length`` together with ``max_tokens``; the policy of docs/models.md.

    1. ``max_tokens`` is capped at ``context_length - 1`` (at least one prompt token).
    2. System messages (at the start) and the newest message are always kept; the fewest oldest other turns
       are dropped that make the prompt fit (an assistant turn left first goes too, so the conversation still
       opens with a user turn); found by bisection, so a long conversation costs a few renders, not one a turn.
    3. If it still does not fit, the content of the oldest remaining user message is cut from the left
       (its end, the newest text, is kept).
    4. If it still does not fit (the system message alone is too long), ``max_tokens`` shrinks to what is left,
       down to 1; past that ``overflow`` is set and the caller keeps only the last tokens of the rendered
       prompt, so a call never fails for length.

    ``count(messages)`` is the token length of the rendered prompt; ``cut_left(text, n)`` drops about ``n``
    tokens from the start of ``text``.
    """
    max_tokens = max(1, min(max_tokens, context_length - 1))
    budget = context_length - max_tokens
    messages = [dict(m) for m in messages]
    total = count(messages)
    if total <= budget:
        return FittedPrompt(messages, max_tokens, total)
    n_system = 0
    while n_system < len(messages) - 1 and messages[n_system].get("role") == "system":
        n_system += 1
    # 2. drop the oldest turns between the system messages and the newest message. Dropping them one at a time
    # and re-rendering each time made a long conversation quadratic (1,000 messages held a server for minutes);
    # the prompt only shrinks as turns go, so the first start that fits is found by bisection, with the same
    # result. A conversation never starts with an assistant turn (strict chat templates reject that), so the
    # starts considered are the user and system turns after the first, and the newest message.
    last = len(messages) - 1
    starts = [i for i in range(n_system + 1, last + 1) if messages[i].get("role") != "assistant" or i == last]
    if last not in starts:
        starts.append(last)
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if count(messages[:n_system] + messages[starts[mid] :]) <= budget:
            hi = mid
        else:
            lo = mid + 1
    start = starts[lo]
    dropped = start - n_system
    messages = messages[:n_system] + messages[start:]
    # count() runs last on the messages kept, so a caller caching its last render gets the right one.
    total = count(messages)
    fitted = FittedPrompt(messages, max_tokens, total, dropped_turns=dropped)
    if total <= budget:
        return fitted
    # 3. cut the oldest remaining user message from the left, growing the cut until it fits.
    users = [i for i in range(n_system, len(messages)) if messages[i].get("role") == "user"]
    if users:
        i = users[0]
        cut = total - budget
        while total > budget and messages[i].get("content"):
            messages[i]["content"] = cut_left(str(messages[i]["content"]), cut)
            total = count(messages)
            fitted.truncated = True
            cut = max(1, total - budget)
        fitted.prompt_tokens = total
        if total <= budget:
            return fitted
    # 4. give the completion less room, then let the caller cut the rendered prompt itself.
    fitted.max_tokens = max(1, context_length - total)
    if total + fitted.max_tokens > context_length:
        fitted.overflow = True
    return fitted


def validate_messages(messages: Any) -> list[dict[str, Any]]:
    """Check ``messages`` is a non-empty list of at most :data:`MAX_MESSAGES` ``{role, content}`` dicts;
    InvalidInputError otherwise."""
    if not isinstance(messages, list) or not messages:
        raise InvalidInputError("messages must be a non-empty list of {role, content} objects")
    if len(messages) > MAX_MESSAGES:
        raise InvalidInputError(
            f"{len(messages)} messages is more than the {MAX_MESSAGES} a generator takes",
            hint="drop the oldest turns; a model only reads the newest ones that fit its context anyway",
        )
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise InvalidInputError(f"messages[{i}] must be an object with a string 'content'")
        if message.get("role") not in ("system", "user", "assistant"):
            raise InvalidInputError(
                f"messages[{i}].role is {message.get('role')!r}", hint="use 'system', 'user' or 'assistant'"
            )
    return messages


class StopFilter:
    """Cuts generated text at the first stop string, holding back any tail that might begin one.

    ``feed(delta)`` returns the text safe to show now; ``stopped`` turns True once a stop string appeared.
    """

    def __init__(self, stop: list[str] | None) -> None:
        self.stop = [s for s in (stop or []) if s]
        self._hold = max((len(s) for s in self.stop), default=1) - 1
        self._pending = ""
        self.stopped = False
        self.text = ""

    def feed(self, delta: str) -> str:
        """Add ``delta``; return what can be emitted."""
        if self.stopped:
            return ""
        if not self.stop:
            self.text += delta
            return delta
        pending = self._pending + delta
        hits = [i for i in (pending.find(s) for s in self.stop) if i >= 0]
        if hits:
            out = pending[: min(hits)]
            self.stopped = True
            self._pending = ""
        else:
            # Keep the last len(longest stop) - 1 characters: a stop string may start there.
            keep = self._hold
            out, self._pending = (pending[:-keep], pending[-keep:]) if keep else (pending, "")
        self.text += out
        return out

    def flush(self) -> str:
        """The held-back tail, at the end of generation."""
        out, self._pending = ("" if self.stopped else self._pending), ""
        self.text += out
        return out


class LoopGuard:
    """Detects a generation that has fallen into a loop: its text ends with the same unit repeated again and again.

    ``feed(delta)`` returns True once the tail of the text is ``unit * k`` for some unit of 1 to ``max_period``
    characters and ``k`` at least ``repeats`` copies and ``min_chars`` characters in all. A unit with no letter or
    digit in it (``"-"``, ``"|---"``, ``"\\n"``) must cover ``min_symbol_chars`` instead: rulers, table borders and
    blank lines are legitimately long. So ``"synth -top top\\n"`` stops at its 5th copy, ``"the "`` at its 16th and a
    line of ``=`` only past 256 of them. Backends feed it the text they emit and end the stream with
    ``finish_reason="loop"``; it is independent of tokenizers, so every backend can use it.
    """

    def __init__(
        self, *, repeats: int = 4, min_chars: int = 64, min_symbol_chars: int = 256, max_period: int = 256
    ) -> None:
        if repeats < 2 or min_chars < 1 or min_symbol_chars < 1 or max_period < 1:
            raise ValueError("LoopGuard needs repeats >= 2 and positive lengths")
        self.repeats = repeats
        self.min_chars = min_chars
        self.min_symbol_chars = min_symbol_chars
        self.max_period = max_period
        # The longest tail any check can look at: a symbol unit needs min_symbol_chars, a long unit repeats copies.
        self._window = max(min_symbol_chars, min_chars, repeats * max_period)
        self._tail = ""
        self.looped = False
        #: the repeating unit once ``looped`` (for logs and tests)
        self.unit = ""

    def feed(self, delta: str) -> bool:
        """Add ``delta`` to the text seen; True once the text ends in a loop (and for every call after)."""
        if self.looped or not delta:
            return self.looped
        tail = (self._tail + delta)[-self._window :]
        self._tail = tail
        last = tail[-1]
        for period in range(1, min(self.max_period, len(tail) // self.repeats) + 1):
            if tail[-1 - period] != last:
                continue  # cheap rejection: most periods fail on the last character already
            unit = tail[-period:]
            floor = self.min_chars if any(c.isalnum() for c in unit) else self.min_symbol_chars
            copies = max(self.repeats, -(-floor // period))
            if copies * period <= len(tail) and tail.endswith(unit * copies):
                self.looped, self.unit = True, unit
                return True
        return False
