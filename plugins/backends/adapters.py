"""peft (LoRA) adapters on a base model, shared by the ``hf`` backend (applied at load) and ``ct2`` (merged once,
at conversion): where they must be, whether they were trained on this base, and how a mismatch is reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.models.base import ModelSpec


def check_adapter_dir(adapter: Path, spec: ModelSpec) -> str:
    """The ``base_model_name_or_path`` the adapter at ``adapter`` names; errors when it is not a peft adapter."""
    if not adapter.exists():
        raise ModelNotFoundError(
            f"{spec.where('adapter')}: {adapter} does not exist",
            hint="point 'adapter' at the directory the trainer wrote the adapter to",
        )
    config_file = adapter / "adapter_config.json"
    if not config_file.is_file():
        raise ConfigError(f"{spec.where('adapter')}: {adapter} is not a peft adapter (no adapter_config.json)")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{spec.where('adapter')}: {config_file} is not valid JSON: {exc}") from exc
    return str(config.get("base_model_name_or_path") or "") if isinstance(config, dict) else ""


def apply_adapter(model: Any, base: Path, adapter: Path, spec: ModelSpec, *, merge: bool) -> Any:
    """``model`` with the peft adapter at ``adapter`` applied (and merged into the weights when ``merge``).

    ConfigError, naming the alias's ``adapter`` setting, when the adapter was not trained on this base.
    """
    adapter_base = check_adapter_dir(adapter, spec)
    check_adapter_base(model, base, adapter, adapter_base, spec)
    from peft import PeftModel

    try:
        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False)
    except (RuntimeError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"{spec.where('adapter')}: the adapter {adapter} does not fit the base model {base} "
            f"(it was trained on {adapter_base or 'an unnamed base'}): {str(exc).splitlines()[0][:300]}",
            hint="pair the adapter with the base model it was trained on",
        ) from exc
    # Merged weights make generation as fast as the base model; the adapter cannot be switched off then.
    return model.merge_and_unload() if merge else model


def check_adapter_base(model: Any, base: Path, adapter: Path, adapter_base: str, spec: ModelSpec) -> None:
    """When the adapter names a local base directory, its architecture must match the loaded base."""
    other = Path(adapter_base).expanduser()
    if not adapter_base or not (other / "config.json").is_file():
        return  # a hub name or a moved directory: the shape check at load time decides
    theirs = json.loads((other / "config.json").read_text(encoding="utf-8"))
    ours = model.config.to_dict()
    keys = ("model_type", "hidden_size", "num_hidden_layers", "vocab_size", "intermediate_size")
    diff = [k for k in keys if k in theirs and k in ours and theirs[k] != ours[k]]
    if diff:
        raise ConfigError(
            f"{spec.where('adapter')}: the adapter {adapter} was trained on {adapter_base}, whose "
            + ", ".join(f"{k}={theirs[k]}" for k in diff)
            + f" differ from the base model {base} ("
            + ", ".join(f"{k}={ours[k]}" for k in diff)
            + ")",
            hint="pair the adapter with the base model it was trained on",
        )
