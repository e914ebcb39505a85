"""Answering: a grounded prompt over distinct cited sources, generation checked sentence by sentence, and the
extractive answer whenever the generated one is not good enough.

1. Only passages whose cosine similarity to the question reaches ``min_score`` count; with none, the answer says
   the knowledge base has none and no model is called (``mode: none``).
2. The relevant chunks are diversified (``grounding.diversify``): one citation per (source, section), at most
   ``answer_passages`` of them, added to the prompt best first while they fit the generator's context.
3. The generator answers from them within ``max_tokens``. Its text is released sentence by sentence, each once
   it is judged supported by the cited passages (``grounding.SupportChecker``). Generation stops at the first
   unsupported sentence, at a loop (a 4-gram seen three times, a repeated sentence), or when the answer reaches
   ``answer_chars``. Streamed text is therefore final: nothing shown is ever taken back.
4. When no supported sentence came out (empty, looping, unsupported or off-topic output, or a refusal), the
   answer is extractive (``mode: extractive``): the cited passages' sentences most similar to the question,
   quoted with their citation numbers. ``answer_mode: extractive``, the default, skips the generator altogether:
   steps 3 and 4 run with ``answer_mode: auto``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .grounding import (
    NEUTRAL,
    SENTENCE_BOUNDARY,
    SUPPORTED,
    Source,
    SupportChecker,
    diversify,
    extractive_answer,
    has_loop,
)
from .retrieve import Hit

log = logging.getLogger("chipmate.designqa")

NO_ANSWER = "The knowledge base has no answer to this question."
SYSTEM = (
    "You answer questions about chip-design tools for an engineer, using only the numbered passages. "
    "Answer in one to three short sentences, in your own words, naming the command or option to use. "
    "Cite the passages you use like [1]. If the passages do not answer the question, say so."
)
#: most earlier chat turns kept in the prompt; older ones matter little and cost a small model its context
HISTORY_TURNS = 4
#: the task's ``mode`` values
MODES = ("generated", "extractive", "none")
#: text held back without a sentence end before generation is stopped (a runaway list or code)
_MAX_PENDING = 1200


@dataclass
class AnswerSettings:
    """How one answer is produced (the answer-related keys of ``tasks.designqa``)."""

    min_score: float = 0.35
    max_tokens: int = 96
    answer_passages: int = 3
    answer_chars: int = 400
    answer_mode: str = "extractive"  # the designqa default (see ``DesignQASettings.answer_mode``)
    support_lexical: float = 0.6
    support_semantic: float = 0.6


def citation(hit: Hit) -> dict[str, Any]:
    """The citation of one passage as the task returns it (proto Citation fields plus its line range)."""
    return Source([hit]).citation()


def relevant(hits: Sequence[Hit], min_score: float) -> list[Hit]:
    """The hits whose dense similarity to the question reaches ``min_score``, best first."""
    return [h for h in hits if h.dense >= min_score]


def _count(generator: Any, text: str) -> int:
    counter = getattr(generator, "count_tokens", None)
    # Without a tokenizer, ~4 characters per token is the usual estimate for English and code.
    return int(counter(text)) if counter else len(text) // 4 + 1


def build_messages(
    question: str, sources: Sequence[Source], history: Sequence[dict[str, str]], generator: Any, *, max_tokens: int
) -> tuple[list[dict[str, str]], list[Source]]:
    """Chat messages for the generator and the sources that fit the budget (the ones ``[n]`` refers to)."""
    context_length = int(getattr(generator, "context_length", 2048) or 2048)
    turns = [
        {"role": m["role"], "content": m["content"]}
        for m in list(history)[-HISTORY_TURNS:]
        if m.get("role") in ("user", "assistant") and m.get("content")
    ]
    fixed = SYSTEM + question + "".join(t["content"] for t in turns)
    # 32 tokens of slack for the chat template's role markers.
    budget = context_length - max_tokens - _count(generator, fixed) - 32
    used: list[Source] = []
    parts: list[str] = []
    for source in sources:
        chunk = source.best.chunk
        where = chunk.source + (f", {chunk.section}" if chunk.section else "")
        part = f"[{len(used) + 1}] ({where}) {source.text}"
        cost = _count(generator, part)
        if cost > budget:
            break
        budget -= cost
        source.number = len(used) + 1
        used.append(source)
        parts.append(part)
    user = "Passages:\n" + "\n\n".join(parts) + f"\n\nQuestion: {question}\nAnswer:"
    return [{"role": "system", "content": SYSTEM}, *turns, {"role": "user", "content": user}], used


def _complete_units(pending: str) -> tuple[list[str], str]:
    """Split off the complete sentences of ``pending`` (raw text, separators kept); the rest stays pending.
    A fenced code block is one unit and is not split until it closes."""
    units: list[str] = []
    start = 0
    for match in SENTENCE_BOUNDARY.finditer(pending):
        if pending[start : match.start()].count("```") % 2:
            continue  # inside an open code fence
        units.append(pending[start : match.end()])
        start = match.end()
    return units, pending[start:]


@dataclass
class CheckedGeneration:
    """What :func:`generate_checked` kept and why it stopped."""

    text: str
    supported: int
    reason: str


def generate_checked(
    generator: Any,
    messages: list[dict[str, str]],
    checker: SupportChecker,
    ctx: Any,
    *,
    max_tokens: int,
    answer_chars: int,
) -> CheckedGeneration:
    """Stream the generator's answer, releasing (``ctx.token``) each sentence once it is judged supported; neutral
    sentences wait for a supported one. Stops at the first unsupported sentence, a loop, or ``answer_chars``."""
    stream = generator.stream(messages, max_tokens=max_tokens, temperature=0.0, ctx=ctx)
    emitted: list[str] = []
    held: list[str] = []
    pending = ""
    supported = 0
    reason = "end"

    def take(unit: str) -> bool:
        """Judge one unit; False when generation must stop."""
        nonlocal supported, reason
        sentence = " ".join(unit.split())
        if not sentence:
            return True
        if has_loop(" ".join([*emitted, *held, sentence])):
            reason = "loop"
            return False
        verdict = checker.judge(sentence)
        if verdict == NEUTRAL:
            held.append(unit)
            return True
        if verdict != SUPPORTED:
            reason = "unsupported"
            return False
        for part in [*held, unit]:
            ctx.token(part)
            emitted.append(part)
        held.clear()
        supported += 1
        if len("".join(emitted)) >= answer_chars:
            reason = "length budget"
            return False
        return True

    try:
        going = True
        for delta in stream:
            ctx.check()
            pending += delta
            units, pending = _complete_units(pending)
            for unit in units:
                going = take(unit)
                if not going:
                    break
            if going and (has_loop(pending) or len(pending) > _MAX_PENDING):
                reason, going = "loop", False
            if not going:
                break
        else:
            generation = getattr(stream, "generation", None)
            finish = getattr(generation, "finish_reason", "stop")
            # A last sentence the model ended is judged; one cut by max_tokens (or by the backend's loop guard,
            # finish_reason "loop") is incomplete and dropped.
            if finish == "stop" and pending.strip():
                take(pending)
            elif pending.strip():
                reason = "max_tokens" if finish == "length" else str(finish)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return CheckedGeneration("".join(emitted).strip(), supported, reason)


def answer(
    question: str,
    hits: Sequence[Hit],
    *,
    generator: Any,
    embedder: Any,
    ctx: Any,
    history: Sequence[dict[str, str]] = (),
    settings: AnswerSettings | None = None,
    retrieval_only: bool = False,
) -> dict[str, Any]:
    """Answer ``question`` from ``hits``, streaming text through ``ctx.token``; returns the task output."""
    settings = settings or AnswerSettings()
    grounded = relevant(hits, settings.min_score)
    if retrieval_only:
        return {"answer": "", "citations": [citation(h) for h in hits], "answered": bool(grounded), "mode": "none"}
    if not grounded:
        ctx.token(NO_ANSWER)
        return {"answer": NO_ANSWER, "citations": [], "answered": False, "mode": "none"}
    sources = diversify(grounded, settings.answer_passages)
    if generator is not None and settings.answer_mode != "extractive":
        messages, fitted = build_messages(question, sources, history, generator, max_tokens=settings.max_tokens)
        if fitted:
            # The prompt's passages are the citations; when none fits the context, quotes use all of them.
            sources = fitted
            checker = SupportChecker(
                sources, embedder, lexical_min=settings.support_lexical, semantic_min=settings.support_semantic
            )
            result = generate_checked(
                generator,
                messages,
                checker,
                ctx,
                max_tokens=settings.max_tokens,
                answer_chars=settings.answer_chars,
            )
            if result.supported:
                return _output(result.text, sources, "generated")
            why = "no supported sentence" if result.reason == "end" else result.reason
            log.info("designqa: generated answer not used (%s); answering with quotes", why)
            ctx.progress(0.9, f"generated answer not used ({why}); quoting the passages")
    for number, source in enumerate(sources, start=1):
        source.number = number
    text = extractive_answer(question, sources, embedder, max_chars=settings.answer_chars)
    ctx.token(text)
    return _output(text, sources, "extractive")


def _output(text: str, sources: Sequence[Source], mode: str) -> dict[str, Any]:
    return {"answer": text, "citations": [s.citation() for s in sources], "answered": True, "mode": mode}
