"""Keeping answers grounded: one citation per source, the support rule, the loop guard and the extractive answer.

- **Diversification** (:func:`diversify`): retrieved chunks are grouped by (source, section); a group is one
  citation whose text is its chunks in document order. Two chunks of one command's help are one citation, so
  the passages a generator sees come from distinct sources.
- **Support** (:class:`SupportChecker`): a sentence of a generated answer is *supported* when most of its content
  words occur in the cited passages (lexical ≥ ``lexical_min``), or when it is close in meaning to one of their
  sentences (the embedder's cosine ≥ ``semantic_min``) with at least some words in common (lexical ≥
  ``lexical_floor``). Sentences with fewer than three content words ("Yes.", "Here is how:") are *neutral*.
- **Loops** (:func:`has_loop`): a word 4-gram seen three times, or a sentence said twice, is a loop.
- **Extractive answer** (:func:`extractive_answer`): the cited passages' sentences most similar to the question,
  quoted with their citation numbers, within a character budget.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .retrieve import Hit, topic

#: word n-gram length and count that make a loop (the answers benchmark counts the same thing)
LOOP_NGRAM = 4
LOOP_REPEATS = 3

_STOP = frozenset(
    re.findall(
        r"\S+",
        """a an the and or but if of to in on at by for with from into onto as is are was were be been being this that
        these those it its can could will would should may might must do does did have has had not no so such than then
        there their they them we you your our i he she his her which who what when where why how all any each also only
        more most other some very via use used using please here following above below passage passages answer""",
    )
)
_WORD = re.compile(r"[a-z0-9_][a-z0-9_\-./]*")
#: where a sentence, list item or paragraph ends (after . ! ? and closing quotes/brackets, blank lines, list items)
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` that carry meaning (stop words and one-letter words dropped)."""
    words = (w.strip("-./") for w in _WORD.findall(text.lower()))
    return [w for w in words if len(w) > 1 and w not in _STOP]


def _stem(word: str) -> str:
    # Crude suffix folding, enough for "removes"/"removed"/"removing" to meet "remove".
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items, option lines, paragraphs) of ``text``, whitespace collapsed."""
    units = []
    for piece in SENTENCE_BOUNDARY.split(text):
        piece = " ".join(piece.split())
        if piece:
            units.append(piece)
    return units


def _words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``, as the loop check counts them."""
    return re.findall(r"\w+", text.lower())


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def has_loop(text: str, *, n: int = LOOP_NGRAM, repeats: int = LOOP_REPEATS) -> bool:
    """True when a word ``n``-gram occurs ``repeats`` times in ``text``, or one sentence (of 4+ words) twice."""
    counts: dict[tuple[str, ...], int] = {}
    for gram in _ngrams(_words(text), n):
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= repeats:
            return True
    seen: set[str] = set()
    for sentence in split_sentences(text):
        key = " ".join(_words(sentence))
        if len(key.split()) >= 4:
            if key in seen:
                return True
            seen.add(key)
    return False


# -- diversification ------------------------------------------------------------------------------------------


@dataclass
class Source:
    """One citation: the retrieved chunks of one (source, section), best first, and its number in the answer."""

    hits: list[Hit]
    number: int = 0

    @property
    def best(self) -> Hit:
        """The highest-ranked chunk of the group."""
        return self.hits[0]

    @property
    def text(self) -> str:
        """The group's chunks in document order (line order where known, else retrieval order)."""
        ordered = sorted(self.hits, key=lambda h: h.chunk.start_line or 0) if self.best.chunk.start_line else self.hits
        return "\n\n".join(h.chunk.text for h in ordered)

    def citation(self) -> dict[str, Any]:
        """The citation the task returns: the best chunk's fields, the group's text and line span."""
        chunk = self.best.chunk
        starts = [h.chunk.start_line for h in self.hits if h.chunk.start_line]
        ends = [h.chunk.end_line for h in self.hits if h.chunk.end_line]
        return {
            "source": chunk.source,
            "section": chunk.section,
            "chunk_id": chunk.id,
            "score": round(float(self.best.score), 4),
            "text": self.text,
            "start_line": min(starts) if starts else 0,
            "end_line": max(ends) if ends else 0,
        }


def diversify(hits: Sequence[Hit], limit: int) -> list[Source]:
    """At most ``limit`` citations from ``hits`` (best first), one per topic (source and section, a command's
    option table and example counting as the command: ``retrieve.topic``), numbered from 1."""
    groups: dict[tuple[str, str], Source] = {}
    for hit in hits:
        key = topic(hit.chunk)
        if key in groups:
            groups[key].hits.append(hit)
        elif len(groups) < limit:
            groups[key] = Source([hit])
    sources = list(groups.values())
    for number, source in enumerate(sources, start=1):
        source.number = number
    return sources


# -- support --------------------------------------------------------------------------------------------------

SUPPORTED, NEUTRAL, UNSUPPORTED = "supported", "neutral", "unsupported"


@dataclass
class SupportChecker:
    """Judges sentences against the cited passages (see the module docstring for the rule)."""

    sources: Sequence[Source]
    embedder: Any
    #: share of a sentence's content words found in the passages that alone makes it supported
    lexical_min: float = 0.6
    #: cosine to the closest passage sentence that makes it supported, given ``lexical_floor``
    semantic_min: float = 0.6
    #: share of content words a semantically close sentence must still share with the passages
    lexical_floor: float = 0.3
    _vocabulary: set[str] = field(default_factory=set, init=False)
    _vectors: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        sentences = []
        for source in self.sources:
            self._vocabulary.update(_stem(w) for w in content_words(source.text))
            self._vocabulary.update(_stem(w) for w in content_words(source.best.chunk.section))
            sentences.extend(split_sentences(source.text))
        self._vectors = np.asarray(self.embedder.embed(sentences), dtype=np.float32) if sentences else None

    def lexical(self, sentence: str) -> float:
        """Share of the sentence's content words that occur in the cited passages."""
        words = content_words(sentence)
        if not words:
            return 0.0
        return sum(1 for w in words if _stem(w) in self._vocabulary) / len(words)

    def semantic(self, sentence: str) -> float:
        """Cosine of the sentence to the closest sentence of the cited passages."""
        if self._vectors is None:
            return 0.0
        vector = np.asarray(self.embedder.embed([sentence]), dtype=np.float32)[0]
        return float((self._vectors @ vector).max())

    def judge(self, sentence: str) -> str:
        """``supported``, ``neutral`` (too short to judge) or ``unsupported``."""
        if len(content_words(sentence)) < 3:
            return NEUTRAL
        lexical = self.lexical(sentence)
        if lexical >= self.lexical_min:
            return SUPPORTED
        if lexical >= self.lexical_floor and self.semantic(sentence) >= self.semantic_min:
            return SUPPORTED
        return UNSUPPORTED


# -- the extractive answer ------------------------------------------------------------------------------------


def extractive_answer(question: str, sources: Sequence[Source], embedder: Any, *, max_chars: int = 400) -> str:
    """The cited passages' sentences closest to ``question``, quoted in passage order with their citation
    numbers, as many as fit ``max_chars`` (at least one, cut at a word if it alone is longer)."""
    units: list[tuple[int, int, str]] = []  # (citation number, position, sentence)
    for source in sources:
        for position, sentence in enumerate(split_sentences(source.text)):
            if len(content_words(sentence)) >= 2:
                units.append((source.number, position, sentence))
    if not units:
        return ""
    vectors = np.asarray(embedder.embed([question, *(u[2] for u in units)]), dtype=np.float32)
    scores = vectors[1:] @ vectors[0]
    # Retrieval rank breaks near-ties: a sentence of the best passage wins over an equal one further down.
    order = sorted(range(len(units)), key=lambda i: (-(scores[i] - 0.01 * units[i][0]), i))
    chosen: list[int] = []
    quoted: set[tuple[str, ...]] = set()  # word 4-grams of the sentences chosen so far
    used = 0
    for i in order:
        cost = len(units[i][2]) + 6
        if chosen and used + cost > max_chars:
            continue
        # Overlapping chunks of one document (and documents that repeat themselves) hold the same sentence more
        # than once: quote it once. A sentence whose 4-grams are mostly quoted already adds nothing either.
        words = _words(units[i][2])
        grams = set(_ngrams(words, LOOP_NGRAM)) or {tuple(words)}
        if len(grams & quoted) * 2 >= len(grams):
            continue
        quoted |= grams
        chosen.append(i)
        used += cost
        if used >= max_chars:
            break
    chosen.sort(key=lambda i: (units[i][0], units[i][1]))
    parts: list[str] = []
    current: list[str] = []
    number = units[chosen[0]][0]
    for i in chosen:
        if units[i][0] != number and current:
            parts.append(f'"{" ".join(current)}" [{number}]')
            current = []
        number = units[i][0]
        current.append(units[i][2])
    parts.append(f'"{" ".join(current)}" [{number}]')
    text = " ".join(parts)
    if len(text) > max_chars + 40:  # one sentence longer than the whole budget
        text = text[:max_chars].rsplit(" ", 1)[0] + f' …" [{units[chosen[0]][0]}]'
    return text
