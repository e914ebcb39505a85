"""Models behind one interface: generators (chat LMs) and embedders, configured by alias.

Plugins ask the host for a model by alias and never load one themselves::

    generator = ctx.host.models.generator()            # the default: embedded SmolLM2-135M-Instruct
    for delta in generator.stream([{"role": "user", "content": "What does `opt -full` do?"}], ctx=ctx):
        ctx.token(delta)
    vectors = ctx.host.models.embedder().embed(["setup time", "hold time"])   # all-MiniLM-L6-v2

Backend kinds (``hf``, ``openai``, ``sentence-transformers``) and the embedded default aliases are registered by
the built-in ``backends`` plugin through ``chipmate_register_models``, like any plugin's; see docs/models.md.
Nothing here imports torch.
"""

from __future__ import annotations

from .base import (
    EMBEDDER,
    GENERATOR,
    Embedder,
    FittedPrompt,
    Generation,
    Generator,
    ModelAlias,
    ModelBackend,
    ModelSpec,
    StopFilter,
    TokenStream,
    fit_messages,
)
from .registry import ModelRegistry

__all__ = [
    "EMBEDDER",
    "GENERATOR",
    "Embedder",
    "FittedPrompt",
    "Generation",
    "Generator",
    "ModelAlias",
    "ModelBackend",
    "ModelRegistry",
    "ModelSpec",
    "StopFilter",
    "TokenStream",
    "fit_messages",
]
