"""The ``ct2`` backend: a Hugging Face causal LM converted once to CTranslate2 (``ct2_convert.py``) and served
without torch.

Serving imports only ``ctranslate2``, ``tokenizers`` and ``jinja2``: the prompt is rendered with the model's chat
template exactly as transformers' ``apply_chat_template`` renders it, and tokenized with its ``tokenizer.json``.
Tokens stream from ``Generator.generate_tokens``; a callback checks the call's cancellation, deadline and a stop
flag after every token and tells the C++ decoder to stop, so a cancelled call stops within one token.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from chipmate.errors import BackendUnavailableError, ConfigError
from chipmate.models.base import (
    Generator,
    ModelSpec,
    StopFilter,
)
from chipmate.tasks import TaskContext

from . import embedded
from .ct2_convert import (  # noqa: F401 - the conversion API is also the backend's (describe, pull)
    COMPUTE_TYPES,
    CONVERTER_REVISION,
    INSTALL_HINT,
    MARKER,
    Plan,
    available,
    describe,
    ensure_converted,
    pull,
)
from .decoding import (
    END,
    REPETITION_OPTIONS,
    LocalGenerator,
    PromptTiming,
    Repetition,
    repetition_settings,
    stream_text,
    until_deadline,
)
from .hf import FALLBACK_TEMPLATE

log = logging.getLogger(__name__)

OPTIONS = {
    "path": "directory of a Hugging Face causal LM (config.json, safetensors weights, tokenizer.json)",
    "embedded": f"an embedded model to use instead of path: {', '.join(embedded.MODELS)}",
    "adapter": "directory of a peft (LoRA) adapter; merged into the weights once, at conversion",
    "compute_type": "int8 (default), int8_float32 (the same on CPU) or float32",
    "threads": "threads per generation (default: the machine's cores)",
    "workers": "generations run at once; more queue (default 1: one generation uses every thread)",
    "chat_template": "a Jinja chat template, or the path of a .jinja file, replacing the tokenizer's",
    "max_context": "context length in tokens (default: the model's max_position_embeddings)",
    **REPETITION_OPTIONS,
}
_LIVE: weakref.WeakSet[CT2Generator] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Free every loaded model before the interpreter tears down: a CTranslate2 generator destroyed during
    finalization can abort the process ("terminate called without an active exception") as it exits."""
    for generator in list(_LIVE):
        generator.close()


# -- loading -------------------------------------------------------------------------------------------------


def load(spec: ModelSpec) -> Generator:
    """Convert if needed, then load the CTranslate2 model and tokenizer of ``spec`` (once per alias)."""
    plan = Plan(spec)
    if not available():
        if spec.source.startswith("<plugin"):
            from . import hf

            log.warning("ctranslate2 is not installed: %s falls back to transformers (%s)", spec.alias, INSTALL_HINT)
            keep = {k: v for k, v in spec.options.items() if k in hf.OPTIONS}
            return hf.load(ModelSpec(spec.alias, "hf", keep, spec.cache_dir, spec.source))
        raise BackendUnavailableError(f"{spec.where('backend')}: ct2 needs the ctranslate2 package", hint=INSTALL_HINT)
    threads = spec.options.get("threads")
    threads = (os.cpu_count() or 1) if threads is None else threads
    workers = spec.options.get("workers", 1)
    for key, value in (("threads", threads), ("workers", workers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{spec.where(key)} is {value!r}", hint="use a whole number of at least 1")
    repetition = repetition_settings(spec)
    folder = ensure_converted(spec)
    template = spec.options.get("chat_template")
    if template and Path(str(template)).expanduser().is_file():
        template = Path(str(template)).expanduser().read_text(encoding="utf-8")
    try:
        generator = CT2Generator(
            folder,
            compute_type=plan.compute_type,
            threads=int(threads),
            workers=int(workers),
            chat_template=str(template) if template else None,
            max_context=spec.options.get("max_context"),
            repetition=repetition,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ConfigError(
            f"{spec.where()}: the CTranslate2 conversion at {folder} could not be loaded: {exc}",
            hint=f"delete {folder} to convert it again",
        ) from exc
    return generator


class ChatTemplate:
    """A chat template rendered the way transformers' ``apply_chat_template`` renders it, without transformers.

    Same Jinja environment (sandboxed, ``trim_blocks``, ``lstrip_blocks``, loop controls), the same ``tojson``,
    ``raise_exception`` and ``strftime_now`` helpers, and the tokenizer's special tokens as variables.
    """

    def __init__(self, template: str, special_tokens: dict[str, str]) -> None:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message: str) -> None:
            raise jinja2.exceptions.TemplateError(message)

        def tojson(x: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None, sort_keys=False):
            return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
        env.filters["tojson"] = tojson
        env.globals["raise_exception"] = raise_exception
        env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        self.template = env.from_string(template)
        self.special_tokens = special_tokens

    def render(self, messages: list[dict[str, Any]]) -> str:
        return str(
            self.template.render(
                messages=messages, tools=None, documents=None, add_generation_prompt=True, **self.special_tokens
            )
        )


def _stop_requested(halt: threading.Event, ctx: TaskContext | None) -> bool:
    """Checked by the decoder after every token: True stops it (the caller left, cancelled, or ran late)."""
    return halt.is_set() or (
        ctx is not None and (ctx.cancelled.is_set() or (ctx.deadline is not None and time.monotonic() > ctx.deadline))
    )


def _special_tokens(tokenizer_config: dict[str, Any]) -> dict[str, str]:
    tokens = {}
    for name in ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"):
        value = tokenizer_config.get(name)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            tokens[name] = value
    return tokens


class CT2Generator(LocalGenerator):
    """A CTranslate2 generator with its tokenizer and chat template; see the module docstring."""

    def __init__(
        self,
        folder: Path,
        *,
        compute_type: str = "int8",
        threads: int = 1,
        workers: int = 1,
        chat_template: str | None = None,
        max_context: Any = None,
        repetition: Repetition | None = None,
    ) -> None:
        import ctranslate2
        from tokenizers import Tokenizer

        self.folder = folder
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer_config: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            tokenizer_config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        if chat_template is None and (folder / "chat_template.jinja").is_file():
            chat_template = (folder / "chat_template.jinja").read_text(encoding="utf-8")
        chat_template = chat_template or tokenizer_config.get("chat_template") or FALLBACK_TEMPLATE
        self.chat_template = str(chat_template)
        self._template = ChatTemplate(self.chat_template, _special_tokens(tokenizer_config))
        self.context_length = int(max_context or marker.get("context_length") or 2048)
        eos = set(marker.get("eos_token_ids") or [])
        if not eos and tokenizer_config.get("eos_token"):
            eos_id = self.tokenizer.token_to_id(_special_tokens(tokenizer_config)["eos_token"])
            eos = {eos_id} if eos_id is not None else set()
        self.eos_ids = eos
        # Tokens the model's generation_config forbids (transformers honours them in generate; so do we).
        self.suppress = [str(self.tokenizer.id_to_token(int(i))) for i in marker.get("suppress_token_ids") or []]
        self.repetition = repetition or Repetition()
        self.compute_type = compute_type
        self.generator = ctranslate2.Generator(
            str(folder), device="cpu", compute_type=compute_type, intra_threads=threads, inter_threads=workers
        )
        # More would wait inside CTranslate2, where no deadline reaches them; the generation queue waits instead.
        self.max_concurrency = workers
        self._tokenizer_lock = threading.Lock()
        self.prompt_timing = PromptTiming()
        _LIVE.add(self)

    def close(self) -> None:
        """Free the model's memory and its threads (the registry calls this on shutdown)."""
        with self._tokenizer_lock:
            generator, self.generator = self.generator, None
        del generator

    # -- tokenizer (guarded: the Rust tokenizer is not safe to share across threads) -----------------------------

    def _encode(self, text: str) -> list[int]:
        with self._tokenizer_lock:
            return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def _decode(self, ids: list[int]) -> str:
        with self._tokenizer_lock:
            return str(self.tokenizer.decode(ids, skip_special_tokens=True))

    def _tokens(self, ids: list[int]) -> list[str]:
        with self._tokenizer_lock:
            return [str(self.tokenizer.id_to_token(i)) for i in ids]

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt text for ``messages`` under the chat template, ending with the assistant's turn."""
        return self._template.render(messages)

    # -- generation ----------------------------------------------------------------------------------------------

    def generation_kwargs(self, max_tokens: int, temperature: float) -> dict[str, Any]:
        """Keyword arguments of ``generate_tokens`` / ``generate_batch`` (the benchmark calls them the same way)."""
        kwargs: dict[str, Any] = {
            "max_length": max_tokens,
            "end_token": sorted(self.eos_ids) or None,
            "repetition_penalty": self.repetition.penalty,
            "no_repeat_ngram_size": self.repetition.no_repeat_ngram_size,
        }
        if self.suppress:
            kwargs["suppress_sequences"] = [[token] for token in self.suppress]
        if temperature > 0:
            # topk 0: sample from the whole distribution, as the hf backend does.
            kwargs.update(sampling_topk=0, sampling_temperature=float(temperature))
        return kwargs

    def _deltas(
        self,
        ids: list[int],
        max_tokens: int,
        temperature: float,
        stop: StopFilter,
        ctx: TaskContext | None,
        state: dict[str, Any],
        finished: threading.Event,
    ) -> Iterator[str]:
        if ctx is not None:
            ctx.check()
        halt = threading.Event()
        items: queue.SimpleQueue[Any] = queue.SimpleQueue()
        generator = self.generator
        kwargs = self.generation_kwargs(max_tokens, temperature)
        tokens = self._tokens(ids)
        timing = self.prompt_timing
        timing.check(len(ids), ctx)

        def pump() -> None:
            # Runs the decoder on a thread of its own, so the caller waits for tokens with its deadline: the
            # decoder cannot be stopped before the prompt is processed (its callback first runs after one token),
            # and a long prompt takes seconds. The generation queue keeps the model's slot until ``finished``.
            try:
                started = time.monotonic()
                steps = generator.generate_tokens(
                    tokens,
                    # The callback must not reference self: the decoder thread drops it last, and a CTranslate2
                    # generator freed from its own thread aborts the process.
                    callback=lambda step: _stop_requested(halt, ctx),
                    **kwargs,
                )
                try:
                    for step in steps:
                        if started:
                            timing.record(len(tokens), time.monotonic() - started)
                            started = 0.0
                        items.put(step.token_id)
                        if halt.is_set():
                            break
                finally:
                    steps.close()
            except BaseException as exc:  # handed to the caller, which re-raises it
                items.put(exc)
            finally:
                items.put(END)
                finished.set()

        finished.clear()
        threading.Thread(target=pump, name="chipmate-ct2-generate", daemon=True).start()
        try:
            yield from stream_text(
                until_deadline(items, ctx),
                decode=self._decode,
                eos_ids=self.eos_ids,
                stop=stop,
                guard=self.repetition.new_guard(),
                ctx=ctx,
                state=state,
            )
        finally:
            # Normal end, error, cancellation, deadline or a consumer that closed the stream: stop the decoder.
            halt.set()
