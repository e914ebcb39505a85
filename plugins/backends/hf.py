"""The ``hf`` backend: a local Hugging Face causal LM, optionally with a peft (LoRA) adapter.

Generation runs ``model.generate`` in a worker thread with a streamer that hands each new token id to the
calling thread, which decodes incrementally and yields text. A stopping criterion checks the call's
cancellation event, its deadline and a stop flag after every token, so a cancelled call stops within one token.
Only the tokenizer is guarded by a lock (the Rust tokenizer is not safe to share across threads); forward
passes of concurrent requests run in parallel.

Over 400 lines on purpose: resolving, checking and loading a model directory and the threaded streaming
generator are one backend the registry loads as a unit; each step stays a short function.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.models.base import (
    ModelSpec,
    StopFilter,
)
from chipmate.tasks import TaskContext

from . import embedded
from .adapters import apply_adapter
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

OPTIONS = {
    "path": "directory of a Hugging Face causal LM (config.json, safetensors weights, tokenizer files)",
    "embedded": f"an embedded model to use instead of path: {', '.join(embedded.MODELS)}",
    "adapter": "directory of a peft (LoRA) adapter trained on this base model",
    "merge_adapter": "merge the adapter into the weights at load time: faster generation (default true)",
    "dtype": "auto (float32 on CPU, bfloat16 on GPU), float32, bfloat16 or float16",
    "device": "auto (cuda when available, else cpu), cpu, cuda, cuda:N or mps",
    "chat_template": "a Jinja chat template, or the path of a .jinja file, replacing the tokenizer's",
    "max_context": "context length in tokens (default: the model's max_position_embeddings)",
    **REPETITION_OPTIONS,
}

# Used when neither the tokenizer nor the config brings a chat template (plain base models).
FALLBACK_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)
_DTYPES = ("auto", "float32", "bfloat16", "float16")


def model_path(spec: ModelSpec) -> Path:
    """The directory ``spec`` loads from (converting the embedded default on first use)."""
    path, embedded = spec.options.get("path"), spec.options.get("embedded")
    if bool(path) == bool(embedded):
        raise ConfigError(f"{spec.where()}: set exactly one of 'path' or 'embedded'")
    if embedded:
        return embedded_model(spec).ensure(spec.cache_dir)
    return check_model_dir(Path(str(path)).expanduser(), spec)


def pull(spec: ModelSpec, *, download: bool, source: Path | None) -> Path:
    """``chipmate models pull-defaults`` for an embedded ``hf`` alias: fetch, check and convert the GGUF now."""
    if spec.options.get("embedded"):
        return embedded_model(spec).ensure(spec.cache_dir, download=download, source=source)
    return model_path(spec)


def embedded_model(spec: ModelSpec) -> embedded.EmbeddedGGUF:
    """The embedded model named by ``spec.options['embedded']``; ConfigError listing the known ones otherwise."""
    name = str(spec.options.get("embedded"))
    if name not in embedded.MODELS:
        raise ConfigError(
            f"{spec.where('embedded')}: unknown embedded model {name!r}",
            hint=f"the embedded generators are {', '.join(embedded.MODELS)}",
        )
    return embedded.MODELS[name]


def check_model_dir(path: Path, spec: ModelSpec) -> Path:
    """``path`` if it is a Hugging Face model directory; ModelNotFoundError / ConfigError otherwise."""
    if not path.exists():
        raise ModelNotFoundError(
            f"{spec.where('path')}: {path} does not exist",
            hint="point 'path' at a Hugging Face model directory (one with config.json), e.g. a trainer output",
        )
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"{spec.where('path')}: {path} is not a Hugging Face model directory (no config.json)",
            hint="use the directory save_pretrained() wrote, or a snapshot downloaded with huggingface-cli",
        )
    return path


def describe(spec: ModelSpec) -> dict[str, Any]:
    """Where the model's files are and whether they are there, without loading it."""
    if spec.options.get("embedded"):
        model = embedded_model(spec)
        return {
            "engine": "transformers",
            "path": str(model.converted_dir(spec.cache_dir)),
            **model.state(spec.cache_dir),
        }
    path = Path(str(spec.options.get("path", ""))).expanduser()
    found = (path / "config.json").is_file()
    return {
        "engine": "transformers",
        "path": str(path),
        "state": "present" if found else "missing or not a model directory",
    }


def _dtype(spec: ModelSpec, device: str) -> Any:
    import torch

    name = str(spec.options.get("dtype", "auto"))
    if name not in _DTYPES:
        raise ConfigError(f"{spec.where('dtype')} is {name!r}", hint=f"use one of {', '.join(_DTYPES)}")
    if name == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        # CPU (and mps) kernels are fastest and exact in float32 for the small models that run there.
        return torch.float32
    return getattr(torch, name)


def _device(spec: ModelSpec) -> str:
    import torch

    device = str(spec.options.get("device", "auto"))
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(
            f"{spec.where('device')} is {device!r} but torch sees no CUDA device",
            hint="use device: cpu, or install a CUDA build of torch",
        )
    return device


def check_weights(folder: Path, where: str) -> None:
    """ConfigError naming the file when a ``*.safetensors`` file in ``folder`` is shorter (or longer) than its own
    header says: a truncated download or an interrupted copy, which the loaders report only as a deep error.

    Reads each file's header (8 bytes of length, then JSON), not the weights, so it costs next to nothing.
    """
    for file in sorted(folder.glob("*.safetensors")):
        try:
            with file.open("rb") as fh:
                head = fh.read(8)
                length = int.from_bytes(head, "little") if len(head) == 8 else -1
                header = json.loads(fh.read(length)) if 0 < length <= 100_000_000 else None
            size = file.stat().st_size
        except (OSError, ValueError):
            header, size = None, -1
        ends = [
            int(entry["data_offsets"][1])
            for entry in (header or {}).values()
            if isinstance(entry, dict) and isinstance(entry.get("data_offsets"), list)
        ]
        expected = 8 + length + max(ends, default=0)
        if header is None or size != expected:
            raise ConfigError(
                f"{where}: {file} is not a complete safetensors file"
                + (f" ({size} bytes, its header describes {expected})" if header is not None else ""),
                hint="the file is truncated or corrupt: copy or save the model again (save_pretrained())",
            )


def load(spec: ModelSpec) -> HFGenerator:
    """Load the model, tokenizer and adapter of ``spec`` (the registry calls this once per alias)."""
    path = model_path(spec)
    check_weights(path, spec.where("path"))
    device = _device(spec)
    dtype = _dtype(spec, device)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"{spec.where('path')}: {path} could not be loaded as a causal LM: {exc}",
            hint="check that the directory holds the weights and tokenizer files save_pretrained() writes",
        ) from exc
    adapter = spec.options.get("adapter")
    if adapter:
        model = apply_adapter(
            model, path, Path(str(adapter)).expanduser(), spec, merge=bool(spec.options.get("merge_adapter", True))
        )
    model.to(device)
    model.eval()
    template = spec.options.get("chat_template")
    if template and Path(str(template)).expanduser().is_file():
        template = Path(str(template)).expanduser().read_text(encoding="utf-8")
    template = template or getattr(tokenizer, "chat_template", None) or FALLBACK_TEMPLATE
    max_context = spec.options.get("max_context") or getattr(model.config, "max_position_embeddings", None) or 2048
    return HFGenerator(
        model,
        tokenizer,
        chat_template=str(template),
        context_length=int(max_context),
        repetition=repetition_settings(spec),
    )


class _IdStreamer:
    """Receives token ids from ``generate`` (a transformers streamer) and queues them for the caller."""

    def __init__(self, sink: queue.SimpleQueue[Any], on_first: Any = None) -> None:
        self.sink = sink
        self.prompt_seen = False
        #: called once, with the first generated token (the prompt has been read by then)
        self.on_first = on_first

    def put(self, value: Any) -> None:
        # generate() first puts the prompt, then one tensor per step with the new token of each sequence.
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        if self.on_first is not None:
            self.on_first()
            self.on_first = None
        self.sink.put(int(value.reshape(-1)[0]))

    def end(self) -> None:
        pass


class _Halt:
    """A stopping criterion: stop when the call is cancelled, past its deadline, or the caller asked to stop."""

    def __init__(self, halt: threading.Event, ctx: TaskContext | None) -> None:
        self.halt = halt
        self.ctx = ctx

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        ctx = self.ctx
        stop = self.halt.is_set() or (
            ctx is not None
            and (ctx.cancelled.is_set() or (ctx.deadline is not None and time.monotonic() > ctx.deadline))
        )
        return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)


class HFGenerator(LocalGenerator):
    """A loaded Hugging Face causal LM; see the module docstring for how streaming and cancellation work."""

    # Forward passes of concurrent requests run in parallel (torch releases the GIL); a few at once keep the cores
    # busy, more would only split them further, so they wait in the generation queue with their deadlines.
    max_concurrency = 4

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        chat_template: str,
        context_length: int,
        repetition: Repetition | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.chat_template = chat_template
        self.context_length = context_length
        self.repetition = repetition or Repetition()
        self._tokenizer_lock = threading.Lock()
        self.prompt_timing = PromptTiming()
        eos = model.generation_config.eos_token_id
        if eos is None:
            eos = tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        pad = model.generation_config.pad_token_id
        self.pad_id = pad if pad is not None else (tokenizer.pad_token_id or next(iter(self.eos_ids), 0))

    # -- tokenizer (guarded) ---------------------------------------------------------------------------------

    def _encode(self, text: str) -> list[int]:
        with self._tokenizer_lock:
            return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _decode(self, ids: list[int]) -> str:
        with self._tokenizer_lock:
            return str(self.tokenizer.decode(ids, skip_special_tokens=True))

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt text for ``messages`` under the chat template, ending with the assistant's turn."""
        with self._tokenizer_lock:
            return str(
                self.tokenizer.apply_chat_template(
                    messages, chat_template=self.chat_template, add_generation_prompt=True, tokenize=False
                )
            )

    # -- generation ------------------------------------------------------------------------------------------

    def generation_kwargs(self, ids: list[int], max_tokens: int, temperature: float) -> dict[str, Any]:
        """Arguments of ``model.generate`` for a prompt (the benchmark calls generate with the same)."""
        import torch

        input_ids = torch.tensor([ids], dtype=torch.long, device=self.model.device)
        kwargs: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": torch.ones_like(input_ids),
            "max_new_tokens": max_tokens,
            "pad_token_id": self.pad_id,
            "do_sample": temperature > 0,
        }
        if temperature > 0:
            kwargs.update(temperature=float(temperature), top_k=None, top_p=None)
        else:
            # Greedy: clear sampling settings a model's generation_config may carry, so generate() is silent.
            kwargs.update(temperature=None, top_k=None, top_p=None)
        # Set both ways: None would let a model's generation_config bring its own penalty back.
        kwargs.update(
            repetition_penalty=self.repetition.penalty, no_repeat_ngram_size=self.repetition.no_repeat_ngram_size
        )
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
        from transformers import StoppingCriteriaList

        if ctx is not None:
            ctx.check()
        tokens: queue.SimpleQueue[Any] = queue.SimpleQueue()
        halt = threading.Event()
        kwargs = self.generation_kwargs(ids, max_tokens, temperature)
        timing = self.prompt_timing
        timing.check(len(ids), ctx)
        started = time.monotonic()
        streamer = _IdStreamer(tokens, on_first=lambda: timing.record(len(ids), time.monotonic() - started))
        kwargs.update(streamer=streamer, stopping_criteria=StoppingCriteriaList([_Halt(halt, ctx)]))

        def work() -> None:
            try:
                self.model.generate(**kwargs)
            except BaseException as exc:  # handed to the caller, which re-raises it
                tokens.put(exc)
            finally:
                tokens.put(END)
                finished.set()

        worker = threading.Thread(target=work, name="chipmate-hf-generate", daemon=True)
        finished.clear()
        worker.start()
        try:
            # Each wait for a token honours the deadline: the prompt's forward pass cannot be stopped, and the
            # generation queue keeps the model's slot until ``finished`` instead of holding the caller.
            yield from stream_text(
                until_deadline(tokens, ctx),
                decode=self._decode,
                eos_ids=self.eos_ids,
                stop=stop,
                guard=self.repetition.new_guard(),
                ctx=ctx,
                state=state,
            )
        finally:
            # Reached on normal end, on an error, on cancellation and when the consumer closes the stream.
            halt.set()
