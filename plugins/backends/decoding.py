"""What the local generator backends (``hf``, ``ct2``) share: the repetition settings of an alias, and the loop
that turns generated token ids into text deltas (incremental detokenization, end-of-sequence, stop strings, the
loop guard, cancellation and usage counts), fitting a prompt into the context (:class:`LocalTokenizerPrompts`), and
``stream`` over a backend's own decoding loop (:class:`LocalGenerator`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chipmate.errors import ChipmateError, ConfigError, DeadlineExceededError
from chipmate.models.base import (
    FINISH_LENGTH,
    FINISH_LOOP,
    FINISH_STOP,
    Generation,
    Generator,
    LoopGuard,
    ModelSpec,
    StopFilter,
    TokenStream,
    check_prompt_size,
    fit_messages,
    validate_messages,
)
from chipmate.tasks import TaskContext

REPETITION_OPTIONS = {
    "repetition_penalty": "divide the scores of tokens already in the prompt or output by this (1.0 = off; "
    "CTRL's penalty, as transformers and CTranslate2 implement it)",
    "no_repeat_ngram_size": "never generate an n-gram of this many tokens twice (0 = off)",
    "loop_guard": "stop a generation whose text keeps repeating itself, with finish_reason 'loop' (default true; "
    "false, or a mapping of LoopGuard settings: repeats, min_chars, min_symbol_chars, max_period)",
}
_GUARD_KEYS = ("repeats", "min_chars", "min_symbol_chars", "max_period")


@dataclass(frozen=True)
class Repetition:
    """An alias's repetition controls, checked once when the model loads."""

    #: 1.0 leaves scores alone
    penalty: float = 1.0
    #: 0 allows any repeat
    no_repeat_ngram_size: int = 0
    #: LoopGuard keyword arguments, or None when the guard is off
    guard: Mapping[str, int] | None = None

    def new_guard(self) -> LoopGuard | None:
        """A fresh guard for one generation (None when off)."""
        return LoopGuard(**self.guard) if self.guard is not None else None


def repetition_settings(spec: ModelSpec) -> Repetition:
    """The repetition controls of ``spec`` (ConfigError naming the key for a bad value)."""
    options = spec.options
    penalty = options.get("repetition_penalty", 1.0)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 0 < penalty <= 10:
        raise ConfigError(
            f"{spec.where('repetition_penalty')} is {penalty!r}",
            hint="use a number like 1.1 (1.0 = off; above 1 discourages repeats)",
        )
    ngram = options.get("no_repeat_ngram_size", 0)
    if isinstance(ngram, bool) or not isinstance(ngram, int) or ngram < 0:
        raise ConfigError(f"{spec.where('no_repeat_ngram_size')} is {ngram!r}", hint="use 0 (off) or an n like 8")
    raw = options.get("loop_guard", True)
    guard: dict[str, int] | None
    if raw is True:
        guard = {}
    elif raw is False or raw is None:
        guard = None
    elif isinstance(raw, Mapping):
        unknown = [k for k in raw if k not in _GUARD_KEYS]
        if unknown:
            raise ConfigError(
                f"{spec.where('loop_guard')}: unknown setting {unknown[0]!r}", hint=f"use {', '.join(_GUARD_KEYS)}"
            )
        guard = {str(k): v for k, v in raw.items()}
        try:
            LoopGuard(**guard)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{spec.where('loop_guard')} is {dict(raw)!r}: {exc}") from None
    else:
        raise ConfigError(f"{spec.where('loop_guard')} is {raw!r}", hint="use true, false or a mapping of settings")
    return Repetition(float(penalty), ngram, guard)


def stream_text(
    token_ids: Iterator[int],
    *,
    decode: Callable[[list[int]], str],
    eos_ids: set[int],
    stop: StopFilter,
    guard: LoopGuard | None,
    ctx: TaskContext | None,
    state: dict[str, Any],
) -> Iterator[str]:
    """Turn generated token ids into text deltas; the generation ends when this generator returns or is closed.

    ``state`` receives ``completion`` (tokens generated), ``finish`` (left as the caller set it, normally "length",
    unless an end-of-sequence token, a stop string or the loop guard ends the text) and ``text``. ``ctx.check()``
    runs after every token, so a cancelled call raises within one token. The caller stops the model when this
    generator finishes, whatever the reason (normal end, error, ``close()``).
    """
    generated: list[int] = []
    # Incremental detokenization: decode a short window so multi-byte characters split across tokens
    # come out whole, and decoding stays O(1) per token.
    prefix, read = 0, 0
    for token in token_ids:
        if ctx is not None:
            ctx.check()
        generated.append(token)
        state["completion"] = len(generated)
        if token in eos_ids:
            state["finish"] = FINISH_STOP
            break
        before = decode(generated[prefix:read])
        after = decode(generated[prefix:])
        if len(after) > len(before) and not after.endswith("\ufffd"):
            prefix, read = read, len(generated)
            out = stop.feed(after[len(before) :])
            if out:
                yield out
            if stop.stopped:
                state["finish"] = FINISH_STOP
                break
            if guard is not None and guard.feed(out):
                state["finish"] = FINISH_LOOP
                break
    if ctx is not None:
        ctx.check()
    if not stop.stopped and state["finish"] != FINISH_LOOP:
        # Whatever the window still holds (a character cut short by max_tokens), then held-back text.
        tail = decode(generated[prefix:])[len(decode(generated[prefix:read])) :]
        out = stop.feed(tail) + stop.flush()
        if stop.stopped:
            state["finish"] = FINISH_STOP
        if out:
            yield out
    state["text"] = stop.text


#: what a decoder thread puts on its queue after the last token
END = object()
# How often a caller waiting for the next token looks at its deadline and cancellation.
_POLL_SECONDS = 0.05


def until_deadline(items: queue.SimpleQueue[Any], ctx: TaskContext | None) -> Iterator[int]:
    """The token ids a decoder thread puts on ``items`` until :data:`END`; each wait honours the call's deadline
    and cancellation (``ctx.check()`` raises), so a caller is never held by a decoder busy with a long prompt.
    An exception put on the queue is raised here."""
    while True:
        if ctx is None:
            item = items.get()
        else:
            try:
                item = items.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                ctx.check()
                continue
        if item is END:
            return
        if isinstance(item, BaseException):
            raise ChipmateError(f"generation failed: {type(item).__name__}: {item}") from item
        yield item


class PromptTiming:
    """How fast a loaded model reads prompts, learnt from the calls it served (seconds a prompt token, smoothed).

    A decoder cannot be stopped while it reads a prompt, so a long prompt whose call has too little time left would
    burn the model for nothing after its caller has gone; :meth:`check` refuses it before it starts. Only prompts of
    at least :attr:`MIN_TOKENS` teach the rate or are refused: for shorter ones fixed costs dominate.
    """

    MIN_TOKENS = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds_per_token: float | None = None

    def record(self, tokens: int, seconds: float) -> None:
        """A prompt of ``tokens`` took ``seconds`` until its first generated token."""
        if tokens < self.MIN_TOKENS or seconds <= 0:
            return
        rate = seconds / tokens
        with self._lock:
            old = self.seconds_per_token
            self.seconds_per_token = rate if old is None else 0.7 * old + 0.3 * rate

    def check(self, tokens: int, ctx: TaskContext | None) -> None:
        """DeadlineExceededError when reading ``tokens`` would outlast the call's deadline, by what was learnt."""
        rate = self.seconds_per_token
        if ctx is None or ctx.deadline is None or rate is None or tokens < self.MIN_TOKENS:
            return
        need, left = tokens * rate, ctx.deadline - time.monotonic()
        if need > left:
            raise DeadlineExceededError(
                f"reading the {tokens}-token prompt takes this model about {need:.1f} s and the call has "
                f"{max(left, 0):.1f} s left, so it was not started",
                hint="give the call a longer deadline, or send a shorter prompt",
            )


class LocalTokenizerPrompts:
    """``count_tokens`` and ``prompt_ids`` of a local generator (``hf``, ``ct2``), written once over the four
    things each backend defines its own way: ``_encode`` / ``_decode`` (token ids without special tokens, under the
    backend's tokenizer lock), ``render`` (the chat template) and ``context_length``."""

    context_length: int

    def _encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def _decode(self, ids: list[int]) -> str:
        raise NotImplementedError

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt text for ``messages`` under the chat template, ending with the assistant's turn."""
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` (without special tokens)."""
        return len(self._encode(text))

    def prompt_ids(self, messages: list[dict[str, Any]], max_tokens: int) -> tuple[list[int], int]:
        """Token ids of the prompt after the truncation policy, and the max_tokens that fits with them."""
        last: dict[str, Any] = {}

        def count(msgs: list[dict[str, Any]]) -> int:
            last["messages"], last["ids"] = [dict(m) for m in msgs], self._encode(self.render(msgs))
            return len(last["ids"])

        def cut_left(text: str, n: int) -> str:
            return self._decode(self._encode(text)[n:])

        fitted = fit_messages(
            messages, max_tokens=max_tokens, context_length=self.context_length, count=count, cut_left=cut_left
        )
        # The last count() rendered the final messages already, unless truncation changed them afterwards.
        ids = last["ids"] if last.get("messages") == fitted.messages else self._encode(self.render(fitted.messages))
        if fitted.overflow:
            ids = ids[-(self.context_length - fitted.max_tokens) :]
        return ids, fitted.max_tokens


class LocalGenerator(LocalTokenizerPrompts, Generator):
    """A local generator (``hf``, ``ct2``): ``stream`` written once over the backend's ``_deltas``, its decoding
    loop. A subclass of :class:`Generator` (not a mixin) so that ``Generator.__init_subclass__`` puts this
    ``stream`` behind the generation queue, which the backends inherit."""

    def _deltas(
        self,
        ids: list[int],
        max_tokens: int,
        temperature: float,
        stop: StopFilter,
        ctx: TaskContext | None,
        state: dict[str, Any],
        finished: threading.Event,
    ) -> Iterator[str]:
        """Text deltas of the completion of ``ids``; fills ``state`` (completion tokens, finish, text) and sets
        ``finished`` once the decoder has stopped."""
        raise NotImplementedError

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> TokenStream:
        """Yield text deltas as the model produces them (see :class:`chipmate.models.Generator`)."""
        validate_messages(messages)
        check_prompt_size(messages, context_length=self.context_length, count=self.count_tokens)
        ids, max_tokens = self.prompt_ids(messages, max_tokens)
        state: dict[str, Any] = {"completion": 0, "finish": FINISH_LENGTH, "text": ""}
        # Set until the decoder starts (a stream never iterated holds nothing), then until it has stopped.
        finished = threading.Event()
        finished.set()
        deltas = self._deltas(ids, max_tokens, temperature, StopFilter(stop), ctx, state, finished)
        return TokenStream(
            deltas,
            lambda: Generation(state["text"], len(ids), state["completion"], state["finish"]),
            finished=finished,
        )
