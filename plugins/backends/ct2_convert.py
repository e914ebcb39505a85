"""Converting a Hugging Face causal LM to CTranslate2 for the ``ct2`` backend, once per source.

The source directory (``path``, or an embedded model's converted copy), with its peft ``adapter`` merged in if one
is set, goes through CTranslate2's ``TransformersConverter`` into ``<cache>/ct2/<name>-<weights>-<key>/``, written
to a temporary directory and renamed into place. ``key`` hashes what the result depends on: the source (the
embedded GGUF's sha256, or the content of a directory's config/tokenizer files and the names, sizes and
modification times of its weight files — hashing gigabytes of weights at every start would cost seconds), the
adapter, the weight type, the ctranslate2 version and :data:`CONVERTER_REVISION`. A change of any of them makes a
new conversion; the stale one is removed.

Weights are stored in the type the compute type needs (int8 for ``int8`` / ``int8_float32``, float32 for
``float32``): CTranslate2 can run an int8 conversion with float32 compute, but the weights keep their int8 error,
which is what made a "float32" model disagree with transformers (docs/models.md, Fidelity).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from chipmate import progress
from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.models.base import (
    ModelSpec,
)

from .adapters import apply_adapter, check_adapter_dir
from .gguf import conversion_lock
from .hf import check_model_dir, check_weights, embedded_model

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

INSTALL_HINT = "pip install 'ctranslate2>=4.7,<5' (binary wheels for Linux, macOS and Windows)"


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
            check_adapter_dir(self.adapter, self.spec)
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
    with conversion_lock(target.parent, f"{plan.slug}-{plan.weights}"):
        converted = not _is_complete(target)
        if converted:
            _convert(plan, key, target)
    if converted and plan.embedded is not None:
        # The intermediate checkpoint, unless kept (EmbeddedGGUF.keep_checkpoint). Outside the lock above: the
        # discard takes the embedded model's own conversion lock, and the locks do not nest.
        plan.embedded.discard_checkpoint(spec.cache_dir)
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
    # After an embedded model's GGUF conversion (the first half of its first start, chipmate.progress) or alone.
    start = 0.5 if plan.embedded is not None else 0.0

    def step(index: int) -> None:
        bar.set_postfix_str(steps[index])
        progress.report(start + (1 - start) * index / len(steps), f"converting {plan.slug} once ({steps[index]})")

    try:
        source = plan.source
        check_weights(source, plan.spec.where("path"))
        if plan.adapter is not None:
            step(0)
            source = _merge_adapter(plan, tmp / "merged")
            bar.update()
        step(len(steps) - 2)
        model_dir = tmp / "model"
        _converter(source).convert(str(model_dir), quantization=plan.weights, force=True)
        bar.update()
        step(len(steps) - 1)
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

    class CheckedConverter(TransformersConverter):  # type: ignore[misc]  # ctranslate2 ships no type hints: its base class is Any
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
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert plan.adapter is not None
    model = AutoModelForCausalLM.from_pretrained(str(plan.source), dtype=torch.float32, local_files_only=True)
    merged = apply_adapter(model, plan.source, plan.adapter, plan.spec, merge=True)
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
