"""The built-in model backends (``ct2``, ``hf``, ``openai``, ``sentence-transformers``), the embedded default
models (``embedded.py``) and the ``chat`` diagnostic task.

Backend modules import torch, transformers, ctranslate2 and sentence-transformers only inside ``load``, so
registering them costs nothing until a model is first used.
"""

from __future__ import annotations

from chipmate import hookimpl
from chipmate.models import EMBEDDER, GENERATOR, ModelBackend

from . import ct2, embedded, embedder, hf, openai_compat
from .chat import chat_task


@hookimpl(trylast=True)
def chipmate_register_models(register):
    register(
        ModelBackend(
            name="ct2",
            kind=GENERATOR,
            load=ct2.load,
            description="a Hugging Face causal LM converted once to CTranslate2: fast CPU serving without torch",
            options=ct2.OPTIONS,
            describe=ct2.describe,
            pull=ct2.pull,
        )
    )
    register(
        ModelBackend(
            name="hf",
            kind=GENERATOR,
            load=hf.load,
            description="local Hugging Face causal LM (safetensors directory), optionally with a peft adapter",
            options=hf.OPTIONS,
            describe=hf.describe,
            local_path=hf.model_path,
            pull=hf.pull,
        )
    )
    register(
        ModelBackend(
            name="openai",
            kind=GENERATOR,
            load=openai_compat.load,
            description="OpenAI-compatible chat-completions server (vLLM, NIM, TGI, llama.cpp server)",
            options=openai_compat.OPTIONS,
            required=openai_compat.REQUIRED,
            describe=openai_compat.describe,
        )
    )
    register(
        ModelBackend(
            name="sentence-transformers",
            kind=EMBEDDER,
            load=embedder.load,
            description="local sentence-transformers embedder",
            options=embedder.OPTIONS,
            describe=embedder.describe,
            local_path=embedder.model_path,
        )
    )
    for alias in embedded.aliases():
        register(alias)


@hookimpl(trylast=True)
def chipmate_register_tasks(register):
    register(chat_task())
