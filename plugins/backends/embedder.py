"""The ``sentence-transformers`` backend: a local sentence-transformers model directory as an embedder.

Loading never touches the network (``local_files_only``). ``encode`` runs under a lock: the Rust tokenizer
inside is not safe to share across threads, and on CPU one encode already uses every core, so serialising
calls costs no throughput.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.models.base import Embedder, ModelSpec
from chipmate.tasks import TaskContext

from .embedded import DEFAULT_EMBEDDER_ALIAS, default_embedder_path

OPTIONS = {
    "path": "directory of a sentence-transformers model (modules.json, or a plain Hugging Face encoder)",
    "embedded": f"an embedded default to use instead of path: {DEFAULT_EMBEDDER_ALIAS}",
    "device": "auto (cuda when available, else cpu), cpu, cuda, cuda:N or mps",
    "max_seq_length": "tokens of a text the model reads; longer texts are cut (default: the model's)",
}


def model_path(spec: ModelSpec) -> Path:
    """The directory ``spec`` loads from."""
    path, embedded = spec.options.get("path"), spec.options.get("embedded")
    if bool(path) == bool(embedded):
        raise ConfigError(f"{spec.where()}: set exactly one of 'path' or 'embedded'")
    if embedded:
        if embedded != DEFAULT_EMBEDDER_ALIAS:
            raise ConfigError(
                f"{spec.where('embedded')}: unknown embedded model {embedded!r}",
                hint=f"the embedded embedder is {DEFAULT_EMBEDDER_ALIAS!r}",
            )
        return default_embedder_path()
    folder = Path(str(path)).expanduser()
    if not folder.exists():
        raise ModelNotFoundError(
            f"{spec.where('path')}: {folder} does not exist",
            hint="point 'path' at a sentence-transformers model directory, e.g. a retriever trainer output",
        )
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ConfigError(
            f"{spec.where('path')}: {folder} is not a Hugging Face model directory (no modules.json or config.json)",
            hint="use the directory SentenceTransformer.save() wrote",
        )
    return folder


def describe(spec: ModelSpec) -> dict[str, Any]:
    """Where the model's files are, without loading it."""
    try:
        path = model_path(spec)
    except (ConfigError, ModelNotFoundError) as exc:
        return {"path": str(spec.options.get("path", "")), "state": str(exc)}
    return {"path": str(path), "state": "present"}


def load(spec: ModelSpec) -> SentenceTransformerEmbedder:
    """Load the sentence-transformers model of ``spec`` (the registry calls this once per alias)."""
    path = model_path(spec)
    import torch
    from sentence_transformers import SentenceTransformer

    device = str(spec.options.get("device", "auto"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        model = SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"{spec.where('path')}: {path} could not be loaded as a sentence-transformers model: {exc}"
        ) from exc
    if spec.options.get("max_seq_length"):
        model.max_seq_length = int(spec.options["max_seq_length"])
    return SentenceTransformerEmbedder(model)


def open_embedder(
    path: str | Path | None = None, *, name: str | None = None, device: str = "cpu"
) -> SentenceTransformerEmbedder:
    """A :class:`SentenceTransformerEmbedder` over the model directory ``path`` (None: the embedded default).

    For callers with no model registry at hand (benchmarks measuring a raw model, tests, re-embedding with a model
    just trained); with a host, ``host.models.embedder(alias)`` is the way. ``name`` is what an index built with
    it records as its embedder.
    """
    from sentence_transformers import SentenceTransformer

    folder = default_embedder_path() if path is None else Path(path).expanduser()
    model = SentenceTransformer(str(folder), device=device, local_files_only=True)
    return SentenceTransformerEmbedder(model, name=name or (DEFAULT_EMBEDDER_ALIAS if path is None else None))


class SentenceTransformerEmbedder(Embedder):
    """A loaded sentence-transformers model; rows come back L2-normalised, float32."""

    def __init__(self, model: Any, *, name: str | None = None) -> None:
        self.model = model
        self.name = name  # recorded in an index manifest when the caller names no embedder (None: the class name)
        self._lock = threading.Lock()
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self._dimension = int(dimension())

    @property
    def dimension(self) -> int:
        """Length of each embedding vector (384 for all-MiniLM-L6-v2)."""
        return self._dimension

    @property
    def max_seq_length(self) -> int:
        """Tokens of a text the model reads (256 for all-MiniLM-L6-v2)."""
        return int(self.model.max_seq_length)

    def embed(
        self,
        texts: list[str],
        *,
        batch_size: int = 64,
        show_progress: bool = False,
        ctx: TaskContext | None = None,
    ) -> Any:
        """Embed ``texts``: shape ``(len(texts), dimension)``, float32, unit rows (see :class:`Embedder`)."""
        import numpy as np

        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not a single string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if ctx is None:
            return self._encode(list(texts), batch_size, show_progress)
        # With a context, encode a few batches at a time so cancellation is noticed between them.
        step = batch_size * 4
        parts = []
        for start in range(0, len(texts), step):
            ctx.check()
            parts.append(self._encode(list(texts[start : start + step]), batch_size, show_progress))
        return np.concatenate(parts)

    def _encode(self, texts: list[str], batch_size: int, show_progress: bool) -> Any:
        import numpy as np

        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32)
