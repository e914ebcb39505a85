"""Reranking the fused candidates: relevance scores that look at the question and the passage together.

:class:`CrossEncoderReranker` reads the question and each passage in one encoder pass and outputs a relevance
logit: a cross-encoder trained by ``chipmate train reranker`` (``chipmate.trainer.recipes.reranker``) from the
embedded MiniLM, either a whole model directory or a LoRA adapter over the embedded MiniLM (a few MB).

:class:`GeneratorReranker` scores a passage by how likely the embedded generator finds the question after
reading it (query likelihood, as in UPR, Sachan et al. 2022): the mean log-probability of the question's
tokens given ``Passage: ... Question:``, computed for the whole candidate list in one batched CTranslate2
``score_batch`` call. It needs no training; its cost is one forward pass over every candidate's tokens.

A reranker is anything with ``score(query, texts) -> sequence of floats`` (higher = more relevant);
``HybridRetriever(reranker=...)`` reorders its fused top ``rerank_depth`` by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chipmate.errors import BackendUnavailableError, ConfigError, ModelNotFoundError

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


def load_cross_encoder(
    model_dir: str | Path, *, base_dir: str | Path | None = None, device: str = "cpu"
) -> tuple[Any, Any]:
    """(tokenizer, sequence-classification model) of ``model_dir``: a whole model directory, or a peft LoRA
    adapter directory (``adapter_config.json``) over ``base_dir`` (the embedded MiniLM the recipe starts from, as
    the model registry resolves it), merged into it for inference."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = Path(model_dir).expanduser()
    if (path / "adapter_config.json").is_file():
        from peft import PeftModel

        # The adapter names no base path (it would be this machine's): it sits on the default embedder.
        if base_dir is None:
            raise ConfigError(
                f"{path} is a LoRA adapter: its base model is needed to load it",
                hint="load it through designqa (tasks.designqa.reranker), which resolves the default embedder",
            )
        base = AutoModelForSequenceClassification.from_pretrained(str(base_dir), num_labels=1)
        model = PeftModel.from_pretrained(base, str(path)).merge_and_unload()
        tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    elif (path / "config.json").is_file():
        model = AutoModelForSequenceClassification.from_pretrained(str(path))
        tokenizer = AutoTokenizer.from_pretrained(str(path))
    else:
        raise ModelNotFoundError(
            f"{path} is not a cross-encoder (no config.json or adapter_config.json)",
            hint="train one with `chipmate train reranker`, or set tasks.designqa.reranker to none",
        )
    model.to(device).eval()
    return tokenizer, model


class CrossEncoderReranker:
    """Relevance of each passage to the question from a cross-encoder (higher = more relevant).

    ``max_length`` caps question + passage in tokens: 256 covers a default 512-character chunk with its section
    line and the question; longer only costs time.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        base_dir: str | Path | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        self.tokenizer, self.model = load_cross_encoder(model_dir, base_dir=base_dir, device=device)
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """One logit per passage of ``texts``."""
        import torch

        scores = np.empty(len(texts), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                chunk = list(texts[start : start + self.batch_size])
                features = self.tokenizer(
                    [query] * len(chunk),
                    chunk,
                    truncation="only_second",
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                ).to(self.device)
                logits = self.model(**features).logits
                scores[start : start + len(chunk)] = logits[:, 0].float().cpu().numpy()
        return scores
