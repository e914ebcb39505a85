"""Reranking the fused candidates: relevance scores that look at the question and the passage together.

:class:`GeneratorReranker` scores a passage by how likely the embedded generator finds the question after
reading it (query likelihood, as in UPR, Sachan et al. 2022): the mean log-probability of the question's
tokens given ``Passage: ... Question:``, computed for the whole candidate list in one batched CTranslate2
``score_batch`` call. It needs no training; its cost is one forward pass over every candidate's tokens.

A reranker is anything with ``score(query, texts) -> sequence of floats`` (higher = more relevant);
``HybridRetriever(reranker=...)`` reorders its fused top ``rerank_depth`` by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chipmate.errors import BackendUnavailableError

PROMPT = "Passage: {passage}\nA question this passage answers: "


class GeneratorReranker:
    """Query-likelihood reranking with a CTranslate2 generator (``generator.generator`` is a
    ``ctranslate2.Generator``, ``generator.tokenizer`` a ``tokenizers.Tokenizer``)."""

    def __init__(self, generator: Any, *, passage_tokens: int = 160, batch_size: int = 32) -> None:
        engine = getattr(generator, "generator", None)
        if engine is None or not hasattr(engine, "score_batch") or not hasattr(generator, "tokenizer"):
            raise BackendUnavailableError(
                "reranking with the generator needs a CTranslate2 generator (backend ct2)",
                hint="set tasks.designqa.reranker to none, or use a ct2 generator alias",
            )
        self.engine = engine
        self.tokenizer = generator.tokenizer
        self.passage_tokens = passage_tokens
        self.batch_size = batch_size

    def _tokens(self, text: str) -> list[str]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).tokens)

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Mean log-probability of ``query`` after each passage of ``texts``."""
        question = self._tokens(" " + query.strip())
        batch = []
        for text in texts:
            encoding = self.tokenizer.encode(text, add_special_tokens=False)
            ids = encoding.ids[: self.passage_tokens]
            passage = self.tokenizer.decode(ids)
            batch.append(self._tokens(PROMPT.format(passage=passage)) + question)
        scores = np.empty(len(batch), dtype=np.float64)
        for start in range(0, len(batch), self.batch_size):
            results = self.engine.score_batch(batch[start : start + self.batch_size])
            for offset, result in enumerate(results):
                logprobs = result.log_probs[-len(question) :]
                scores[start + offset] = float(np.mean(logprobs)) if logprobs else -1e9
        return scores
