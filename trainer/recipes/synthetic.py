"""Synthetic questions generated from the indexed passages themselves (ChipNeMo's recipe): the training data of
``chipmate train retriever`` and the tuning set of designqa's hybrid fusion weight, never real user (or benchmark)
queries. It lives with the trainer, which makes training data; the passages come from the plugins' offers.

Two generators, each returning :class:`SyntheticQuery` (question text, position of the passage it came from):

- :func:`generated_queries` asks a generator model for questions a user would ask that a passage answers (a
  one-shot prompt; the first greedy, further ones sampled), and drops unusable output: no question shape, too
  short or long, a copy of the passage (:func:`copies_passage`), or a duplicate.
- :func:`keyphrase_queries` is the deterministic heuristic: a sentence of the passage reduced to a random ordered
  subset of its content words, wrapped in a question template ("how does ... work?"). Free to make, but they
  share more words with their passage than a human paraphrase does, so they overrate BM25 as a tuning set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chipmate.training_data import Passage

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
    chunks: Sequence[Passage], *, per_chunk: int = 2, keep: float = 0.5, seed: int = 0, drop_section: bool = False
) -> list[SyntheticQuery]:
    """``per_chunk`` keyphrase questions per chunk, deterministic for a given ``seed``. With ``drop_section`` the
    words of the chunk's section (a command's name, a heading) are left out: users rarely know the name they
    are asking for, and a retriever trained on named questions learns to match names, which BM25 already does."""
    rng = random.Random(seed)
    queries = []
    for position, chunk in enumerate(chunks):
        sentences = [s for s in _SENTENCES.split(" ".join(chunk.text.split())) if len(s.split()) >= 4]
        if not sentences:
            continue
        banned = {w.lower() for w in _WORD.findall(chunk.section)} if drop_section else set()
        for _ in range(per_chunk):
            sentence = rng.choice(sentences)
            words = [w for w in _WORD.findall(sentence) if w.lower() not in _STOP and w.lower() not in banned]
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


def copies_passage(question: str, passage: str, *, run: int = 6) -> bool:
    """True when ``question`` repeats ``run`` or more consecutive words of ``passage`` (case folded): a question
    that copies its passage teaches the retriever word matching, which BM25 already does."""
    words = re.findall(r"\w+", question.lower())
    text = " " + " ".join(re.findall(r"\w+", passage.lower())) + " "
    return any(f" {' '.join(words[i : i + run])} " in text for i in range(len(words) - run + 1))


def generated_queries(
    chunks: Sequence[Passage],
    generator: Any,
    *,
    per_passage: int = 1,
    max_tokens: int = 32,
    temperature: float = 0.8,
    positions: Iterable[int] | None = None,
    on_query: Callable[[SyntheticQuery], None] | None = None,
) -> list[SyntheticQuery]:
    """Up to ``per_passage`` generated questions per chunk (ChipNeMo's synthetic queries).

    The first question of a passage is greedy (reproducible), further ones are sampled at ``temperature``.
    ``positions`` limits the work to some chunks (e.g. those a resumed run still lacks); ``on_query`` sees every
    kept question as it is made (to append it to a file).
    """
    queries = []
    seen: set[str] = set()
    for position in range(len(chunks)) if positions is None else positions:
        chunk = chunks[position]
        for attempt in range(per_passage):
            result = generator.generate(
                question_messages(chunk.text),
                max_tokens=max_tokens,
                temperature=0.0 if attempt == 0 else temperature,
            )
            question = clean_question(result.text)
            if not question or question.lower() in seen or copies_passage(question, chunk.text):
                continue
            seen.add(question.lower())
            query = SyntheticQuery(question, position)
            queries.append(query)
            if on_query is not None:
                on_query(query)
    return queries
