"""How designqa gets its models: from the host's model registry (``host.models``), by alias.

Code without a host (benchmarks measuring the raw model, tests) opens a model directory with
``chipmate.plugins.backends.embedder.open_embedder``: the registry's own embedder class, one of it.
"""

from __future__ import annotations

from typing import Any

from chipmate.errors import BackendUnavailableError

#: the registry's alias of the embedded default, so indexes built by either path are interchangeable
DEFAULT_EMBEDDER_NAME = "all-minilm-l6-v2"


def get_embedder(host: Any, alias: str | None) -> Any:
    """The embedder ``alias`` (None: the default) from the host's model registry."""
    return _registry(host, "embed passages", "run designqa inside a chipmate Host (it carries the registry)").embedder(
        alias
    )


def get_generator(host: Any, alias: str | None) -> Any:
    """The generator ``alias`` from the host's model registry (None = the embedded default)."""
    hint = "ask with retrieval_only: true to get the passages without an answer"
    return _registry(host, "generate answers", hint).generator(alias)


def _registry(host: Any, what: str, hint: str) -> Any:
    models = getattr(host, "models", None) if host is not None else None
    if models is None:
        raise BackendUnavailableError(f"designqa needs the chipmate model registry to {what}", hint=hint)
    return models


def embedder_alias(host: Any, alias: str | None) -> str:
    """The alias recorded in an index's manifest for embedder ``alias`` (None resolves to the default's alias)."""
    if alias:
        return alias
    models = getattr(host, "models", None) if host is not None else None
    if models is not None and hasattr(models, "default_alias"):
        return str(models.default_alias("embedder"))
    return DEFAULT_EMBEDDER_NAME
