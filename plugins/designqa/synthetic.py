"""Synthetic queries generated from the indexed documents themselves, to choose the fusion weight without ever
looking at real user questions (or benchmark queries).

Each query is a keyphrase question: a sentence of the passage, reduced to a random ordered subset of its content
words, wrapped in a question template ("how does ... work?"). Such queries share fewer words with their passage
than a copied sentence does, but still more than a human paraphrase, so they favour BM25 somewhat; the weight
chosen on them is therefore a lower bound on the dense weight, and ties are broken towards the dense side.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chipmate.plugins.designqa.chunks import Chunk

TEMPLATES = (
    "what is {}?",
    "how does {} work?",
    "explain {}",
    "tell me about {}",
    "what should I know about {}?",
    "{}?",
)
_STOP = frozenset(
    re.findall(
        r"\S+",
        """a an the and or but if of to in on at by for with from into onto as is are was were be been being this
        that these those it its it's can could will would should may might must do does did done have has had not
        no so such than then there their they them we you your our i he she his her which who whom whose what when
        where why how all any each also only more most other some very via using use used""",
    )
)
_WORD = re.compile(r"[A-Za-z_][\w\-./]*")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


@dataclass
class SyntheticQuery:
    """A generated query and the index of the chunk it was generated from."""

    text: str
    gold: int


def keyphrase_queries(
    chunks: Sequence[Chunk], *, per_chunk: int = 2, keep: float = 0.5, seed: int = 0
) -> list[SyntheticQuery]:
    """``per_chunk`` keyphrase questions per chunk, deterministic for a given ``seed``."""
    rng = random.Random(seed)
    queries = []
    for position, chunk in enumerate(chunks):
        sentences = [s for s in _SENTENCES.split(" ".join(chunk.text.split())) if len(s.split()) >= 4]
        if not sentences:
            continue
        for _ in range(per_chunk):
            sentence = rng.choice(sentences)
            words = [w for w in _WORD.findall(sentence) if w.lower() not in _STOP]
            if len(words) < 2:
                continue
            count = max(2, min(8, round(len(words) * keep)))
            picked = sorted(rng.sample(range(len(words)), min(count, len(words))))
            phrase = " ".join(words[i] for i in picked)
            queries.append(SyntheticQuery(rng.choice(TEMPLATES).format(phrase), position))
    return queries


def hit_rate(rank_of_gold: Sequence[int | None], k: int) -> float:
    """Fraction of queries whose gold passage is within the first ``k`` results."""
    return sum(1 for r in rank_of_gold if r is not None and r < k) / max(1, len(rank_of_gold))


def choose_dense_weight(
    evaluate: Callable[[float], tuple[float, float]],
    grid: Sequence[float] = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0),
) -> tuple[float, dict[float, tuple[float, float]]]:
    """The weight with the best (hit@1 + hit@5) on synthetic queries; ties go to the larger dense weight.

    ``evaluate(weight)`` returns (hit@1, hit@5) on the synthetic queries. Returns the weight and all results.
    """
    results = {w: evaluate(w) for w in grid}
    best = max(grid, key=lambda w: (round(sum(results[w]), 6), w))
    return best, results


#: one-shot prompt for question generation; the example keeps a 135M model from answering or rambling
QUESTION_PROMPT = [
    {
        "role": "user",
        "content": "Passage: The flatten pass merges every submodule into its parent module, so later optimizations "
        "see the whole design.\n\nWrite a short question that this passage answers.",
    },
    {"role": "assistant", "content": "How do I merge submodules into the top module?"},
]


def question_messages(passage: str) -> list[dict[str, str]]:
    """Chat messages asking a generator for one question that ``passage`` answers."""
    return [
        *QUESTION_PROMPT,
        {"role": "user", "content": f"Passage: {passage}\n\nWrite a short question that this passage answers."},
    ]


def clean_question(text: str) -> str | None:
    """The first line of a generated question cut after its question mark; None for unusable output."""
    line = text.strip().split("\n")[0].strip()
    if "?" in line:
        line = line[: line.index("?") + 1]
    return line if 4 <= len(line.split()) <= 30 else None


def generated_queries(chunks: Sequence[Chunk], generator: Any, *, max_tokens: int = 32) -> list[SyntheticQuery]:
    """One generated question per chunk (ChipNeMo's synthetic queries), with ``generator.generate``."""
    queries = []
    seen: set[str] = set()
    for position, chunk in enumerate(chunks):
        result = generator.generate(question_messages(chunk.text), max_tokens=max_tokens, temperature=0.0)
        question = clean_question(result.text)
        if question and question not in seen:
            seen.add(question)
            queries.append(SyntheticQuery(question, position))
    return queries
