"""Models behind one interface: generators (chat LMs) and embedders, configured by alias.

Plugins ask the host for a model by alias and never load one themselves::

    generator = ctx.host.models.generator()            # the default: embedded Qwen2.5-Coder-0.5B-Instruct
    for delta in generator.stream([{"role": "user", "content": "What does `opt -full` do?"}], ctx=ctx):
        ctx.token(delta)
    vectors = ctx.host.models.embedder().embed(["setup time", "hold time"])   # all-MiniLM-L6-v2

Backend kinds (``ct2``, ``hf``, ``openai``, ``sentence-transformers``) and the embedded default aliases are
registered by the built-in ``backends`` plugin through ``chipmate_register_models``, like any plugin's; see
docs/models.md.
Nothing here imports torch.
"""

from __future__ import annotations

from .base import (
    EMBEDDER,
    FINISH_LENGTH,
    FINISH_LOOP,
    FINISH_STOP,
    GENERATOR,
    Embedder,
    FittedPrompt,
    Generation,
    Generator,
    LoopGuard,
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
    "FINISH_LENGTH",
    "FINISH_LOOP",
    "FINISH_STOP",
    "GENERATOR",
    "Embedder",
    "FittedPrompt",
    "Generation",
    "Generator",
    "LoopGuard",
    "ModelAlias",
    "ModelBackend",
    "ModelRegistry",
    "ModelSpec",
    "StopFilter",
    "TokenStream",
    "fit_messages",
]
