"""The ``ct2`` backend: a Hugging Face causal LM converted once to CTranslate2 and served without torch.

Conversion (needs torch and transformers, once): the source directory (``path``, or an embedded model's converted
copy), with its peft ``adapter`` merged in if one is set, goes through CTranslate2's ``TransformersConverter``
into ``<cache>/ct2/<name>-<weights>-<key>/``, written to a temporary directory and renamed into place. ``key``
hashes what the result depends on: the source (the embedded GGUF's sha256, or the content of a directory's
config/tokenizer files and the names, sizes and modification times of its weight files — hashing gigabytes of
weights at every start would cost seconds), the adapter, the weight type, the ctranslate2 version and
:data:`CONVERTER_REVISION`. A change of any of them makes a new conversion; the stale one is removed.

Weights are stored in the type the compute type needs (int8 for ``int8`` / ``int8_float32``, float32 for
``float32``): CTranslate2 can run an int8 conversion with float32 compute, but the weights keep their int8 error,
which is what made a "float32" model disagree with transformers (docs/models.md, Fidelity).

Serving imports only ``ctranslate2``, ``tokenizers`` and ``jinja2``: the prompt is rendered with the model's chat
template exactly as transformers' ``apply_chat_template`` renders it, and tokenized with its ``tokenizer.json``.
Tokens stream from ``Generator.generate_tokens``; a callback checks the call's cancellation, deadline and a stop
flag after every token and tells the C++ decoder to stop, so a cancelled call stops within one token.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from chipmate.errors import BackendUnavailableError, ConfigError, ModelNotFoundError
from chipmate.models.base import (
    FINISH_LENGTH,
    Generation,
    Generator,
    ModelSpec,
    StopFilter,
    TokenStream,
    fit_messages,
    validate_messages,
)
from chipmate.tasks import TaskContext

from . import embedded
from .decoding import REPETITION_OPTIONS, Repetition, repetition_settings, stream_text
from .hf import FALLBACK_TEMPLATE, check_model_dir, embedded_model

log = logging.getLogger(__name__)

#: compute type -> the weight type the conversion stores for it
COMPUTE_TYPES = {"int8": "int8", "int8_float32": "int8", "float32": "float32"}
#: bump when chipmate's conversion recipe changes, so existing conversions are rebuilt
CONVERTER_REVISION = 1
MARKER = "chipmate-ct2.json"
# Files copied next to the converted weights: serving reads these, never the source directory.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")
# Source files whose content is hashed; weights are fingerprinted by name, size and mtime.
HASHED_FILES = (*TOKENIZER_FILES, "config.json", "generation_config.json", "adapter_config.json")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")

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
INSTALL_HINT = "pip install 'ctranslate2>=4.7,<5' (binary wheels for Linux, macOS and Windows)"


@atexit.register
def _close_all() -> None:
    """Free every loaded model before the interpreter tears down: a CTranslate2 generator destroyed during
    finalization can abort the process ("terminate called without an active exception") as it exits."""
    for generator in list(_LIVE):
        generator.close()


def available() -> bool:
    """True when ``ctranslate2`` can be imported (checked without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


# -- where the conversion lives ------------------------------------------------------------------------------


class Plan:
    """What one alias converts from and to, worked out without loading anything."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        compute = str(spec.options.get("compute_type", "int8"))
        if compute not in COMPUTE_TYPES:
            raise ConfigError(
                f"{spec.where('compute_type')} is {compute!r}", hint=f"use one of {', '.join(COMPUTE_TYPES)}"
            )
        self.compute_type = compute
        self.weights = COMPUTE_TYPES[compute]
        path, name = spec.options.get("path"), spec.options.get("embedded")
        if bool(path) == bool(name):
            raise ConfigError(f"{spec.where()}: set exactly one of 'path' or 'embedded'")
        self.embedded = embedded_model(spec) if name else None
        adapter = spec.options.get("adapter")
        self.adapter = Path(str(adapter)).expanduser() if adapter else None
        if self.embedded is not None:
            self.source = self.embedded.converted_dir(spec.cache_dir)
            self.slug = self.embedded.name
        else:
            self.source = Path(str(path)).expanduser()
            # Two directories with the same base name must not share (and clean up) each other's conversions.
            where = hashlib.sha256(str(self.source.resolve()).encode()).hexdigest()[:8]
            self.slug = f"{self.source.name or 'model'}-{where}"
        if self.adapter is not None:
            self.slug += f"+{self.adapter.name or 'adapter'}"

    def fingerprint(self) -> str:
        """What the conversion depends on, as a sha256 hex digest (reads small files only)."""
        digest = hashlib.sha256()
        if self.embedded is not None:
            digest.update(f"embedded {self.embedded.name} {self.embedded.sha256}".encode())
        else:
            check_model_dir(self.source, self.spec)
            _fingerprint_dir(self.source, digest)
        if self.adapter is not None:
            _check_adapter(self.adapter, self.spec)
            _fingerprint_dir(self.adapter, digest)
        return digest.hexdigest()

    def key(self) -> str:
        import ctranslate2

        recipe = f"{self.fingerprint()} {self.weights} ctranslate2 {ctranslate2.__version__} rev {CONVERTER_REVISION}"
        return hashlib.sha256(recipe.encode()).hexdigest()[:12]

    def target(self, key: str) -> Path:
        return self.spec.cache_dir / "ct2" / f"{self.slug}-{self.weights}-{key}"

    def state(self) -> dict[str, Any]:
        """For ``chipmate models info``: engine, compute type, source, converted path and state."""
        # hf_path: the Hugging Face checkpoint it converts from (the trainer trains from it); ct2_path: the conversion.
        facts: dict[str, Any] = {"engine": "ctranslate2", "compute_type": self.compute_type}
        facts["hf_path"] = str(self.source)
        if self.adapter is not None:
            facts["adapter"] = str(self.adapter)
        if not available():
            if self.spec.source.startswith("<plugin"):
                facts["engine"] = "transformers (fallback: ctranslate2 is not installed)"
            facts["state"] = f"ctranslate2 is not installed: {INSTALL_HINT}"
            return facts
        try:
            target = self.target(self.key())
        except (ConfigError, ModelNotFoundError) as exc:
            facts["state"] = f"missing: {exc}"
            return facts
        facts["ct2_path"] = str(target)
        if _is_complete(target):
            facts["state"] = "converted"
        elif self.embedded is not None and not self.embedded.is_converted(self.spec.cache_dir):
            source_state = self.embedded.state(self.spec.cache_dir)["state"]
            if source_state.startswith("missing"):
                facts["state"] = source_state
            else:
                facts["state"] = (
                    "will convert on first use (GGUF, then CTranslate2; a few minutes), or run pull-defaults"
                )
        else:
            facts["state"] = "will convert on first use (under a minute for small models), or run pull-defaults"
        return facts


def _fingerprint_dir(folder: Path, digest: Any) -> None:
    for file in sorted(folder.iterdir()):
        if not file.is_file():
            continue
        if file.name in HASHED_FILES:
            digest.update(f"{file.name}\0".encode() + file.read_bytes())
        elif file.suffix in WEIGHT_SUFFIXES:
            stat = file.stat()
            digest.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())


def _check_adapter(adapter: Path, spec: ModelSpec) -> None:
    if not adapter.exists():
        raise ModelNotFoundError(
            f"{spec.where('adapter')}: {adapter} does not exist",
            hint="point 'adapter' at the directory the trainer wrote the adapter to",
        )
    if not (adapter / "adapter_config.json").is_file():
        raise ConfigError(f"{spec.where('adapter')}: {adapter} is not a peft adapter (no adapter_config.json)")


def _is_complete(target: Path) -> bool:
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("key") == target.name.rsplit("-", 1)[-1]


def describe(spec: ModelSpec) -> dict[str, Any]:
    """Engine, compute type, source and converted paths, and whether the conversion exists; loads nothing."""
    return Plan(spec).state()


# -- conversion ----------------------------------------------------------------------------------------------


def ensure_converted(spec: ModelSpec, *, download: bool = False, source: Path | None = None) -> Path:
    """The conversion directory of ``spec``, converting first when it is missing or stale (safe across processes)."""
    plan = Plan(spec)
    if plan.embedded is not None and not _is_complete(plan.target(plan.key())):
        plan.embedded.ensure(spec.cache_dir, download=download, source=source)
    key = plan.key()
    target = plan.target(key)
    if _is_complete(target):
        return target
    with embedded._conversion_lock(target.parent, f"{plan.slug}-{plan.weights}"):
        if not _is_complete(target):
            _convert(plan, key, target)
    return target


def pull(spec: ModelSpec, *, download: bool, source: Path | None) -> Path:
    """``chipmate models pull-defaults`` for a ``ct2`` alias: fetch, check and convert now."""
    return ensure_converted(spec, download=download, source=source)


def _convert(plan: Plan, key: str, target: Path) -> None:
    """Convert ``plan.source`` (+ adapter) into ``target``: a temporary directory renamed into place."""
    import ctranslate2
    from tqdm.auto import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    steps = ["merge adapter"] if plan.adapter is not None else []
    steps += [f"convert to CTranslate2 ({plan.weights})", "copy tokenizer"]
    bar = tqdm(total=len(steps), desc=f"Converting {plan.slug} for CTranslate2", unit="step")
    try:
        source = plan.source
        if plan.adapter is not None:
            bar.set_postfix_str(steps[0])
            source = _merge_adapter(plan, tmp / "merged")
            bar.update()
        bar.set_postfix_str(f"convert to CTranslate2 ({plan.weights})")
        model_dir = tmp / "model"
        _converter(source).convert(str(model_dir), quantization=plan.weights, force=True)
        bar.update()
        bar.set_postfix_str("copy tokenizer")
        for name in TOKENIZER_FILES:
            if (source / name).is_file():
                shutil.copyfile(source / name, model_dir / name)
        if not (model_dir / "tokenizer.json").is_file():
            raise ConfigError(
                f"{plan.spec.where('path')}: {source} has no tokenizer.json",
                hint="the ct2 backend reads the fast tokenizer file; save the tokenizer with transformers "
                "(AutoTokenizer.from_pretrained(...).save_pretrained(dir)) or use backend: hf",
            )
        hf_config = json.loads((source / "config.json").read_text(encoding="utf-8"))
        marker = {
            "key": key,
            "source": str(plan.source),
            "adapter": str(plan.adapter) if plan.adapter else None,
            "fingerprint": plan.fingerprint(),
            "weights": plan.weights,
            "ctranslate2": ctranslate2.__version__,
            "converter_revision": CONVERTER_REVISION,
            "context_length": hf_config.get("max_position_embeddings"),
            "eos_token_ids": _eos_ids(source, hf_config),
            "suppress_token_ids": _generation_config(source).get("suppress_tokens") or [],
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (model_dir / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        bar.update()
        os.chmod(model_dir, 0o755)
        for file in model_dir.iterdir():
            os.chmod(file, 0o644)
        if target.exists():  # a copy without a valid marker: a crash or a hand edit
            shutil.rmtree(target, ignore_errors=True)
        os.rename(model_dir, target)
        # Conversions of the same source with another key are stale now.
        prefix = target.name[: -len(key)]
        for other in target.parent.glob(f"{prefix}*"):
            if other != target and other.is_dir() and len(other.name) == len(target.name):
                shutil.rmtree(other, ignore_errors=True)
    finally:
        bar.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _converter(source: Path) -> Any:
    """CTranslate2's TransformersConverter, checked: RoPE base and norm epsilon must survive the conversion."""
    from ctranslate2.converters import TransformersConverter

    class CheckedConverter(TransformersConverter):  # type: ignore[misc]
        def _load(self) -> Any:
            spec = super()._load()
            _check_spec(spec, json.loads((source / "config.json").read_text(encoding="utf-8")))
            return spec

    # The source's own dtype (float32 for the embedded copies); int8 quantization happens in convert().
    return CheckedConverter(str(source), low_cpu_mem_usage=True)


def _check_spec(spec: Any, config: dict[str, Any]) -> None:
    """Set the RoPE base from the source config when the converter read another one.

    Converters that look for ``config.rope_theta`` miss the ``rope_parameters`` that transformers 5 writes and
    silently fall back to 10000 (SmolLM2 uses 100000, Qwen2.5 1000000): the model still runs, but every position
    is rotated wrongly, which shows as small log-prob differences that grow along the sequence.
    """
    theta = (config.get("rope_parameters") or {}).get("rope_theta") or config.get("rope_theta")
    if theta is None:
        return
    for layer in getattr(getattr(spec, "decoder", None), "layer", []):
        attention = getattr(layer, "self_attention", None)
        base = getattr(attention, "rotary_base", None)
        if base is not None and float(base) != float(theta):
            log.warning("ct2 conversion: RoPE base %s read as %s; set to the config's %s", theta, base, theta)
            attention.rotary_base = type(base)(theta)


def _merge_adapter(plan: Plan, out: Path) -> Path:
    """Merge the peft adapter into the base weights with transformers (once, at conversion time)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .hf import _check_adapter_base

    assert plan.adapter is not None
    model = AutoModelForCausalLM.from_pretrained(str(plan.source), dtype=torch.float32, local_files_only=True)
    adapter_config = json.loads((plan.adapter / "adapter_config.json").read_text(encoding="utf-8"))
    _check_adapter_base(
        model, plan.source, plan.adapter, adapter_config.get("base_model_name_or_path") or "", plan.spec
    )
    try:
        merged = PeftModel.from_pretrained(model, str(plan.adapter), is_trainable=False).merge_and_unload()
    except (RuntimeError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"{plan.spec.where('adapter')}: the adapter {plan.adapter} does not fit the base model {plan.source}: "
            f"{str(exc).splitlines()[0][:300]}",
            hint="pair the adapter with the base model it was trained on",
        ) from exc
    merged.save_pretrained(str(out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(plan.source), local_files_only=True).save_pretrained(str(out))
    for name in ("generation_config.json", "chat_template.jinja"):
        if (plan.source / name).is_file() and not (out / name).is_file():
            shutil.copyfile(plan.source / name, out / name)
    return out


def _generation_config(source: Path) -> dict[str, Any]:
    try:
        config = json.loads((source / "generation_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def _eos_ids(source: Path, hf_config: dict[str, Any]) -> list[int]:
    eos = _generation_config(source).get("eos_token_id")
    if eos is None:
        eos = hf_config.get("eos_token_id")
    return [int(e) for e in (eos if isinstance(eos, list) else [eos] if eos is not None else [])]


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


class CT2Generator(Generator):
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
        self._tokenizer_lock = threading.Lock()
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

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` (without special tokens)."""
        return len(self._encode(text))

    def prompt_ids(self, messages: list[dict[str, Any]], max_tokens: int) -> tuple[list[int], int]:
        """Token ids of the prompt after the truncation policy, and the max_tokens that fits with them."""
        last: dict[str, Any] = {}

        def count(msgs: list[dict[str, Any]]) -> int:
            last["messages"], last["ids"] = [dict(m) for m in msgs], self._encode(self.render(msgs))
            return len(last["ids"])

        def cut_left(text: str, n: int) -> str:
            return self._decode(self._encode(text)[n:])

        fitted = fit_messages(
            messages, max_tokens=max_tokens, context_length=self.context_length, count=count, cut_left=cut_left
        )
        ids = last["ids"] if last.get("messages") == fitted.messages else self._encode(self.render(fitted.messages))
        if fitted.overflow:
            ids = ids[-(self.context_length - fitted.max_tokens) :]
        return ids, fitted.max_tokens

    # -- generation ----------------------------------------------------------------------------------------------

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> TokenStream:
        """Yield text deltas as the model produces them (see :class:`chipmate.models.Generator`)."""
        validate_messages(messages)
        ids, max_tokens = self.prompt_ids(messages, max_tokens)
        state: dict[str, Any] = {"completion": 0, "finish": FINISH_LENGTH, "text": ""}
        deltas = self._deltas(ids, max_tokens, temperature, StopFilter(stop), ctx, state)
        return TokenStream(deltas, lambda: Generation(state["text"], len(ids), state["completion"], state["finish"]))

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
    ) -> Iterator[str]:
        if ctx is not None:
            ctx.check()
        halt = threading.Event()
        steps = self.generator.generate_tokens(
            self._tokens(ids),
            # The callback must not reference self: the decoder thread drops it last, and a CTranslate2
            # generator freed from its own thread aborts the process.
            callback=lambda step: _stop_requested(halt, ctx),
            **self.generation_kwargs(max_tokens, temperature),
        )
        try:
            yield from stream_text(
                (step.token_id for step in steps),
                decode=self._decode,
                eos_ids=self.eos_ids,
                stop=stop,
                guard=self.repetition.new_guard(),
                ctx=ctx,
                state=state,
            )
        finally:
            # Normal end, error, cancellation or a consumer that closed the stream: stop the decoder and wait for it.
            halt.set()
            steps.close()
