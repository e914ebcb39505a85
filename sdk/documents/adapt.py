"""A linear query adapter: the question's vector is multiplied by a learnt matrix before the dense search.

The index keeps its passage vectors: only the question moves, toward where the embedder put the passages that
answer questions phrased like it. That makes it the cheapest adaptation there is: no re-embedding of the KB,
no extra model at query time (one 384×384 matrix product), and small enough to ship (295 KB in float16).
``chipmate train query-adapter`` (``chipmate.trainer.recipes.query_adapter``) writes one; designqa applies it
(``tasks.designqa.query_adapter``) and ships one for its default Yosys-help KB. In the core because the trainer
writes what the plugin reads, and neither may import the other.

An adapter belongs to one embedder (the vectors it maps come from it): :meth:`QueryAdapter.load` records the
embedder's alias and dimension, and :meth:`QueryAdapter.check` refuses another.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from chipmate.errors import ConfigError, ModelNotFoundError


class QueryAdapter:
    """``adapt(vectors)``: rows multiplied by ``matrix.T`` and L2-normalised again (cosine search expects it)."""

    def __init__(self, matrix: np.ndarray, *, embedder: str = "", meta: dict[str, Any] | None = None) -> None:
        matrix = np.asarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ConfigError(f"a query adapter is a square matrix, got shape {matrix.shape}")
        self.matrix = matrix
        self.embedder = embedder
        self.meta = dict(meta or {})

    @property
    def dimension(self) -> int:
        return int(self.matrix.shape[0])

    def adapt(self, vectors: np.ndarray) -> np.ndarray:
        """The adapted, L2-normalised query vectors (rows)."""
        out = np.asarray(vectors, dtype=np.float32) @ self.matrix.T
        norms = np.linalg.norm(out, axis=-1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def check(self, embedder: str, dimension: int) -> None:
        """ConfigError unless this adapter was trained for ``embedder`` vectors of ``dimension``."""
        if dimension != self.dimension or (self.embedder and embedder and embedder != self.embedder):
            raise ConfigError(
                f"the query adapter was trained for embedder {self.embedder!r} ({self.dimension} dimensions), "
                f"the knowledge base uses {embedder!r} ({dimension})",
                hint="set tasks.designqa.query_adapter to none, or train one for this embedder "
                "(chipmate train query-adapter)",
            )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``path`` (``.npz``: the matrix in float16, which costs nothing measurable, and the metadata)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"embedder": self.embedder, **self.meta})
        with open(path, "wb") as fh:
            np.savez_compressed(fh, matrix=self.matrix.astype(np.float16), meta=np.array(meta))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> QueryAdapter:
        """Read an adapter written by :meth:`save`; ModelNotFoundError when there is none."""
        path = Path(path).expanduser()
        if path.is_dir():
            path = path / "query_adapter.npz"
        if not path.is_file():
            raise ModelNotFoundError(
                f"no query adapter at {path}",
                hint="train one with `chipmate train query-adapter`, or set tasks.designqa.query_adapter to none",
            )
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            matrix = data["matrix"].astype(np.float32)
        return cls(matrix, embedder=meta.pop("embedder", ""), meta=meta)
