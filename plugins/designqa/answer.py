"""Answering: a short grounded prompt over numbered passages, streamed generation, citations, and the no-answer path.

The default generator (SmolLM2-135M-Instruct) is tiny, so the prompt is short and plain: numbered passages, then
the question, with one instruction to answer only from them and cite ``[n]``. Passages are added best first
until the token budget (context length minus the answer's tokens) is used up. When no retrieved passage is
relevant enough (its cosine similarity below ``min_score``) the model is not called at all: the answer says the
knowledge base has none, because a small model asked anyway would invent one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .retrieve import Hit

NO_ANSWER = "The knowledge base has no answer to this question."
SYSTEM = (
    "You answer questions about chip-design tools using only the numbered passages. "
    "Cite the passages you use like [1]. If the passages do not answer the question, say so."
)
#: most earlier chat turns kept in the prompt; older ones matter little and cost a tiny model its context
HISTORY_TURNS = 4


def citation(hit: Hit) -> dict[str, Any]:
    """The citation of one passage as the task returns it (proto Citation fields plus its line range)."""
    chunk = hit.chunk
    return {
        "source": chunk.source,
        "section": chunk.section,
        "chunk_id": chunk.id,
        "score": round(float(hit.score), 4),
        "text": chunk.text,
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
    }


def relevant(hits: Sequence[Hit], min_score: float) -> list[Hit]:
    """The hits whose dense similarity to the question reaches ``min_score``, best first."""
    return [h for h in hits if h.dense >= min_score]


def _count(generator: Any, text: str) -> int:
    counter = getattr(generator, "count_tokens", None)
    # Without a tokenizer, ~4 characters per token is the usual estimate for English and code.
    return int(counter(text)) if counter else len(text) // 4 + 1


def build_messages(
    question: str, hits: Sequence[Hit], history: Sequence[dict[str, str]], generator: Any, *, max_tokens: int
) -> tuple[list[dict[str, str]], list[Hit]]:
    """Chat messages for the generator and the hits that fit the budget (the ones the numbers refer to)."""
    context_length = int(getattr(generator, "context_length", 2048) or 2048)
    turns = [
        {"role": m["role"], "content": m["content"]}
        for m in list(history)[-HISTORY_TURNS:]
        if m.get("role") in ("user", "assistant") and m.get("content")
    ]
    fixed = SYSTEM + question + "".join(t["content"] for t in turns)
    # 32 tokens of slack for the chat template's role markers.
    budget = context_length - max_tokens - _count(generator, fixed) - 32
    used: list[Hit] = []
    parts: list[str] = []
    for hit in hits:
        where = hit.chunk.source + (f", {hit.chunk.section}" if hit.chunk.section else "")
        part = f"[{len(used) + 1}] ({where}) {hit.chunk.text}"
        cost = _count(generator, part)
        if cost > budget:
            break
        budget -= cost
        used.append(hit)
        parts.append(part)
    user = "Passages:\n" + "\n\n".join(parts) + f"\n\nQuestion: {question}\nAnswer:"
    return [{"role": "system", "content": SYSTEM}, *turns, {"role": "user", "content": user}], used


def answer(
    question: str,
    hits: Sequence[Hit],
    *,
    generator: Any,
    ctx: Any,
    history: Sequence[dict[str, str]] = (),
    min_score: float = 0.35,
    max_tokens: int = 256,
    retrieval_only: bool = False,
) -> dict[str, Any]:
    """Answer ``question`` from ``hits``, streaming tokens through ``ctx.token``; returns the task output."""
    grounded = relevant(hits, min_score)
    if retrieval_only:
        return {"answer": "", "citations": [citation(h) for h in hits], "answered": bool(grounded)}
    if not grounded:
        ctx.token(NO_ANSWER)
        return {"answer": NO_ANSWER, "citations": [], "answered": False}
    messages, used = build_messages(question, grounded, history, generator, max_tokens=max_tokens)
    if not used:
        ctx.token(NO_ANSWER)
        return {"answer": NO_ANSWER, "citations": [], "answered": False}
    pieces: list[str] = []
    for delta in generator.stream(messages, max_tokens=max_tokens, temperature=0.0, ctx=ctx):
        ctx.check()
        pieces.append(delta)
        ctx.token(delta)
    return {"answer": "".join(pieces).strip(), "citations": [citation(h) for h in used], "answered": True}
