"""Hybrid retrieval: dense (faiss) and lexical (BM25) candidates, fused by a weighted sum of their scores.

Plain reciprocal-rank fusion treats both retrievers as equals; on paraphrased questions BM25 is much weaker than
the embedder, so equal votes drag the fused ranking below dense alone. Here each candidate gets::

    fused = w * cosine(query, chunk) + (1 - w) * bm25(query, chunk) / max_bm25(query)

with ``w`` = ``dense_weight``. The BM25 part is scaled by the query's best BM25 score so it lies in [0, 1] like the
cosine. The candidates are the union of the dense and the lexical top lists (``candidates`` each), and both
scores are computed exactly for every candidate, so no candidate is penalised for missing from one list.
The default weight was chosen on synthetic queries generated from the documents (see docs/designqa.md).

Two more stages run around the fusion, both on by default (docs/designqa.md, "Retrieval", has the measurements):

- **Query expansion** (``expand``): tool jargon and abbreviations in the question get their spelled-out forms
  appended, and spelled-out forms their abbreviations (``expand.py``, a curated table), for both retrievers.
- **Diversity** (``diverse``): the ranking is reordered so that the best passage of each *topic* (a source's
  section, a command's option table counting as the command: :func:`topic`) comes first, then the second-best
  passages in score order. k results then cover k topics where the index has them, instead of one command's
  help filling two or three slots.

And two topic signals after it (:mod:`chipmate.documents.prior`), added to the fused score: a **prior**
(``prior_weight`` times a topic's share of references from the rest of the knowledge base: its name written as
code in other topics), so
between two about equally close passages the one the documentation keeps pointing at wins; and a **title match**
(``title_weight`` times the IDF-weighted share of the topic's name the question says), so "write the design to a
BLIF file" finds ``write_blif`` before a passage that only talks about BLIF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from chipmate.documents.chunks import Chunk
from chipmate.documents.prior import mention_prior, title_match, words
from chipmate.documents.prior import rarity as idf_share
from chipmate.documents.search import fuse_scores
from chipmate.errors import InvalidInputError

from .expand import expand_query
from .index import KnowledgeIndex

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = get_args(Mode)
#: weight of the dense score in the fused score; chosen on synthetic document-generated queries
DEFAULT_DENSE_WEIGHT = 0.9
#: weight of the topic prior (0..1, added to a fused score in [0, 1]); chosen on the Yosys development questions,
#: checked on the OpenROAD and EDA Corpus sets (docs/designqa.md, "Retrieval")
DEFAULT_PRIOR_WEIGHT = 0.1
#: weight of the title match (0..1); chosen on the Yosys development questions like the prior's
DEFAULT_TITLE_WEIGHT = 0.1


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the two scores it was fused from."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float


#: trailing section names that describe a part of the section above them (a command's option table, its example),
#: compared lower-cased; their passages count as that section's topic
PART_SECTIONS = frozenset(
    {
        "options",
        "option",
        "arguments",
        "argument",
        "parameters",
        "switches",
        "flags",
        "usage",
        "synopsis",
        "description",
        "example",
        "examples",
        "example usage",
        "return value",
        "returns",
    }
)


def topic(chunk: Chunk) -> tuple[str, str]:
    """What results are diversified over and citations grouped by: the chunk's source and its section, with a
    trailing part-of-a-command heading (``Options``, ``Example``, ...) folded into the section above it, so a hit
    on a command's option table or example returns the command."""
    section = chunk.section
    while " > " in section:
        head, last = section.rsplit(" > ", 1)
        if last.strip().lower() not in PART_SECTIONS:
            break
        section = head
    return (chunk.source, section)


def topic_name(chunk: Chunk) -> str:
    """The last heading of the chunk's topic: a command's name in command help (what other topics cite)."""
    return topic(chunk)[1].rsplit(" > ", 1)[-1].strip()


def diversify_hits(hits: list[Hit]) -> list[Hit]:
    """``hits`` (best first) reordered: each topic's best hit in score order, then the rest in score order."""
    seen: set[tuple[str, str]] = set()
    first: list[Hit] = []
    rest: list[Hit] = []
    for hit in hits:
        key = topic(hit.chunk)
        if key in seen:
            rest.append(hit)
        else:
            seen.add(key)
            first.append(hit)
    return first + rest


class HybridRetriever:
    """Searches a :class:`KnowledgeIndex` with an embedder, in ``hybrid``, ``dense`` or ``lexical`` mode."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Any,
        *,
        mode: str = "hybrid",
        dense_weight: float = DEFAULT_DENSE_WEIGHT,
        candidates: int = 50,
        diverse: bool = True,
        expand: bool = True,
        expansions: dict[str, str] | None = None,
        reranker: Any = None,
        rerank_depth: int = 20,
        query_adapter: Any = None,
        prior_weight: float = DEFAULT_PRIOR_WEIGHT,
        title_weight: float = DEFAULT_TITLE_WEIGHT,
    ) -> None:
        if mode not in MODES:
            raise InvalidInputError(f"retrieval mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not 0.0 <= dense_weight <= 1.0:
            raise InvalidInputError(f"dense_weight must be in [0, 1], got {dense_weight}")
        for key, value in (("prior_weight", prior_weight), ("title_weight", title_weight)):
            if not 0.0 <= value <= 1.0:
                raise InvalidInputError(f"{key} must be in [0, 1], got {value}")
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.dense_weight = dense_weight
        self.candidates = candidates
        self.diverse = diverse
        self.expand = expand
        self.expansions = dict(expansions or {})
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        #: ``adapt.QueryAdapter`` (or anything with ``adapt(vectors)``) applied to the query vector only
        self.query_adapter = query_adapter
        self.prior_weight = prior_weight
        self.title_weight = title_weight
        self._prior: tuple[KnowledgeIndex, Any] | None = None  # (the index it was computed for, the prior)

    def refresh(self) -> None:
        """Pick up a generation another process published since the index was loaded."""
        self.index = self.index.refresh()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's L2-normalised vector (through the query adapter when there is one)."""
        vectors = np.asarray(self.embedder.embed([query]), dtype=np.float32)
        if self.query_adapter is not None:
            vectors = self.query_adapter.adapt(vectors)
        return vectors[0]

    def search(self, query: str, k: int = 8, *, query_vector: np.ndarray | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first (best of each topic first when ``diverse``)."""
        index = self.index
        if not len(index) or k <= 0:
            return []
        if self.expand:
            query = expand_query(query, self.expansions, frequency=index.document_frequency)
        vector = self.embed_query(query) if query_vector is None else query_vector
        pool = max(self.candidates, k)
        hits = self._fused(index, query, vector, pool)
        if self.reranker is not None and hits:
            hits = self._rerank(query, hits)
        if self.diverse:
            hits = diversify_hits(hits)
        return hits[:k]

    def _rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        """The fused top ``rerank_depth`` reordered by the reranker's relevance scores (the rest follow)."""
        head, tail = hits[: self.rerank_depth], hits[self.rerank_depth :]
        scores = np.asarray(self.reranker.score(query, [h.chunk.embedding_text() for h in head]), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")
        return [head[i] for i in order] + tail

    def _fused(self, index: KnowledgeIndex, query: str, vector: np.ndarray, pool: int) -> list[Hit]:
        """The candidate pool ranked by the fused score (or one retriever's score in its mode), best first."""
        dense = index.dense_search(vector, pool)
        if self.mode == "dense":
            ranked = sorted(dense.items(), key=lambda kv: -kv[1])
            return [Hit(index.chunks[i], s, s, 0.0) for i, s in ranked]
        lexical_all = index.lexical_scores(query)
        top_lexical = _top(lexical_all, pool)
        ids = set(dense) | {i for i in top_lexical if lexical_all[i] > 0}
        missing = [i for i in ids if i not in dense]
        dense.update(index.dense_scores(vector, missing))
        weight = 0.0 if self.mode == "lexical" else self.dense_weight
        hits = [Hit(index.chunks[i], s, d, lex) for i, s, d, lex in fuse_scores(dense, lexical_all, ids, weight)]
        return self._with_topic_signals(index, query, hits)

    def prior(self, index: KnowledgeIndex) -> Any:
        """The topic prior of ``index`` (:func:`.prior.mention_prior`), computed once per loaded generation."""
        cached = self._prior
        if cached is None or cached[0] is not index:
            cached = self._prior = (index, mention_prior(index.chunks, topic_name))
        return cached[1]

    def _with_topic_signals(self, index: KnowledgeIndex, query: str, hits: list[Hit]) -> list[Hit]:
        """``hits`` with the prior and the title match of their topics added to the score, best first again."""
        prior = self.prior(index) if self.prior_weight > 0 else {}
        if not prior and self.title_weight <= 0:
            return hits
        question = words(query)
        size = len(index.chunks)
        rarity: dict[str, float] = {}

        def idf(word: str) -> float:  # in [0, 1]: 1 for a word no passage has, ~0 for one every passage has
            if word not in rarity:
                rarity[word] = idf_share(index.document_frequency(word), size)
            return rarity[word]

        for hit in hits:
            name = topic_name(hit.chunk)
            hit.score += self.prior_weight * prior.get(name, 0.0)
            if self.title_weight > 0:
                hit.score += self.title_weight * title_match(question, name, idf)
        hits.sort(key=lambda hit: (-hit.score, -hit.dense))
        return hits


def _top(scores: np.ndarray, k: int) -> list[int]:
    if len(scores) <= k:
        return list(np.argsort(-scores))
    part = np.argpartition(-scores, k)[:k]
    return list(part[np.argsort(-scores[part])])
