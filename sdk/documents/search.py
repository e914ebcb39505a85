"""Hybrid retrieval's shared parts: BM25 over passages and the weighted fusion of dense and lexical scores.

designqa's :class:`HybridRetriever` searches an on-disk knowledge index with them; scriptgen's documentation
grounding searches a tool's command help held in memory (:class:`HybridIndex`). One fusion rule for both::

    fused = w * cosine(query, passage) + (1 - w) * bm25(query, passage) / max_bm25(query)

The BM25 part is scaled by the query's best score so that it lies in [0, 1] like the cosine (docs/designqa.md,
"Retrieval", has the measurements behind the rule and designqa's default weight).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np


def tokenize(texts: list[str]) -> Any:
    """BM25 tokens of ``texts`` (English stopwords removed), as bm25s indexes and queries them."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def bm25_index(texts: list[str]) -> Any:
    """A bm25s index over ``texts`` (empty when there are none)."""
    import bm25s

    retriever = bm25s.BM25()
    if texts:
        retriever.index(tokenize(texts), show_progress=False)
    return retriever


def bm25_scores(retriever: Any, query: str, size: int) -> np.ndarray:
    """BM25 score of ``query`` against each of the ``size`` texts ``retriever`` indexed (zeros when no query term
    is in its vocabulary)."""
    import bm25s

    if size == 0:
        return np.zeros(0, dtype=np.float32)
    tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
    known = [t for t in tokens if t in retriever.vocab_dict]
    if not known:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)


def fuse_scores(
    dense: Mapping[int, float], lexical: np.ndarray, ids: Iterable[int], dense_weight: float
) -> list[tuple[int, float, float, float]]:
    """``(id, fused, dense, lexical)`` for each of ``ids``, best first; ``lexical`` is scaled by its maximum."""
    best = float(lexical.max()) if len(lexical) else 0.0
    scale = 1.0 / best if best > 0 else 0.0
    fused = []
    for i in ids:
        lex = float(lexical[i]) * scale
        fused.append((i, dense_weight * dense[i] + (1.0 - dense_weight) * lex, dense[i], lex))
    fused.sort(key=lambda row: (-row[1], -row[2]))
    return fused


class HybridIndex:
    """Dense vectors and BM25 over a few thousand passages in memory (a tool's command help, say)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray, *, dense_weight: float = 0.7) -> None:
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        self.texts = list(texts)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.dense_weight = dense_weight
        self._bm25 = bm25_index(self.texts)

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best passages for ``query`` as ``(position, fused score)``, best first."""
        if not self.texts or k <= 0:
            return []
        cosine = self.vectors @ np.asarray(query_vector, dtype=np.float32)
        dense = {i: float(s) for i, s in enumerate(cosine)}
        lexical = bm25_scores(self._bm25, query, len(self.texts))
        fused = fuse_scores(dense, lexical, range(len(self.texts)), self.dense_weight)
        return [(i, score) for i, score, _, _ in fused[:k]]
