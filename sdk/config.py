"""Configuration: YAML files mapped onto dataclasses, with defaults and errors that name the file and the key.

Lookup order for the file: an explicit path (``--config``), ``$CHIPMATE_CONFIG``, ``~/.config/chipmate/config.yaml``;
with none of them chipmate runs on its defaults. Sections owned by plugins (``models``, ``tasks``) are kept as
plain mappings here and read by the plugin that owns them, with the same helper, :func:`read_section`: one way
to turn a mapping into a typed dataclass, so every section's errors look alike (file, dotted key, did-you-mean).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .errors import ConfigError

DEFAULT_PORT = 50051
T = TypeVar("T")


@dataclass(frozen=True)
class Where:
    """Where a config value came from: the file (or another source) and the dotted key of the section."""

    source: str = ""
    key: str = ""

    def at(self, name: str = "") -> str:
        """``"source: key.name"``, the prefix of an error about field ``name`` (or the section itself)."""
        path = _join(self.key, name) if name else self.key or "(top level)"
        return f"{self.source}: {path}" if self.source else path

    def child(self, name: str) -> Where:
        """The location of the nested section ``name``."""
        return Where(self.source, _join(self.key, name))


def read_section(cls: type[T], data: Any, where: Where | None = None) -> T:
    """Turn the mapping ``data`` (a config section; None means all defaults) into the dataclass ``cls``.

    Unknown keys get a did-you-mean; a wrong type names the type expected; nested dataclasses, lists, tuples,
    dicts and optional values are converted. Every error is a ConfigError naming ``where`` (file and dotted key).
    When ``cls`` has a ``validate(where)`` method it runs last, for range and cross-field checks.
    """
    where = where or Where("<dict>")
    value = _build(cls, {} if data is None else data, where.key, where.source)
    validate = getattr(value, "validate", None)
    if callable(validate):
        validate(where)
    return value  # type: ignore[no-any-return]  # read_section builds the dataclass tp it was given


def cache_dir() -> Path:
    """Where chipmate keeps converted models and built indexes: ``$CHIPMATE_CACHE_DIR`` or ``~/.cache/chipmate``."""
    explicit = os.environ.get("CHIPMATE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "chipmate"


@dataclass
class TokenConfig:
    """One bearer token and the tasks it may call."""

    # The secret itself; prefer token_env so the secret stays out of the file.
    token: str | None = None
    # Name of an environment variable that holds the secret.
    token_env: str | None = None
    # Task names or fnmatch patterns this token may call; "*" is every task.
    tasks: list[str] = field(default_factory=lambda: ["*"])


@dataclass
class ServerConfig:
    """Settings of ``chipmate serve``."""

    # Loopback by default: auth may only be off there, and a tool on the same box is the common caller.
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # 4 MiB is gRPC's own default; large enough for a netlist excerpt or a long bug log.
    max_message_bytes: int = 4 * 1024 * 1024
    # Task calls the server works on at once, each on a thread of its own; past it a call is refused with
    # RESOURCE_EXHAUSTED. 64 because cheap calls (echo, health, retrieval) must find a thread while model calls
    # wait for a model (model_queue), and 64 idle threads cost little memory; gRPC's own limit is set above it.
    max_concurrent_requests: int = 64
    # Calls that may wait for a model (one busy generating, or still loading), all models together, first come
    # first served, each until its deadline; past it RESOURCE_EXHAUSTED with a retry estimate. 16 keeps the
    # waiting model calls well under max_concurrent_requests, so they can never take every thread.
    model_queue: int = 16
    # Seconds in-flight calls get to finish on SIGTERM/SIGINT before they are cancelled.
    grace_seconds: float = 5.0
    # Bearer tokens by name; empty means auth is off, which is only allowed on a loopback host.
    tokens: dict[str, TokenConfig] = field(default_factory=dict)
    # PEM files for TLS; both or neither.
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    # "json" (one object per line, for log shippers) or "text".
    log_format: str = "json"
    log_level: str = "INFO"
    # Put each call's input (prompts, bug records) into its audit line. Off: inputs may hold a design team's IP,
    # and the audit line (caller, task, status, duration) is enough to account for every call.
    log_inputs: bool = False
    # Model aliases to load in the background once the server reports SERVING, so the first call does not wait
    # for the weights to load (about a second for the default generator through CTranslate2, several for an `hf`
    # alias, which imports torch and transformers first).
    # Empty by default: a server whose tasks never touch a model should not pay for one.
    preload_models: list[str] = field(default_factory=list)

    def validate(self, where: Where) -> None:
        """Range and cross-field checks; ConfigError naming the key."""
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"{where.at('port')} must be between 0 and 65535, got {self.port}")
        for key in ("max_message_bytes", "max_concurrent_requests", "model_queue"):
            if getattr(self, key) < 1:
                raise ConfigError(f"{where.at(key)} must be at least 1, got {getattr(self, key)}")
        if self.grace_seconds < 0:
            raise ConfigError(f"{where.at('grace_seconds')} must not be negative")
        if self.log_format not in ("json", "text"):
            raise ConfigError(f"{where.at('log_format')} must be 'json' or 'text', got {self.log_format!r}")
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ConfigError(f"{where.at('tls_cert_file')} and tls_key_file must be set together")
        for name, token in self.tokens.items():
            if bool(token.token) == bool(token.token_env):
                raise ConfigError(f"{where.at('tokens.' + name)} needs exactly one of 'token' or 'token_env'")


@dataclass
class Config:
    """The whole configuration."""

    server: ServerConfig = field(default_factory=ServerConfig)
    # Model aliases -> backend settings (see docs/models.md); validated by the model registry.
    models: dict[str, Any] = field(default_factory=dict)
    # Per-task settings by task or plugin name; validated by the plugin that owns them.
    tasks: dict[str, Any] = field(default_factory=dict)
    # Overrides cache_dir() when set.
    cache_dir: str | None = None
    # The file this came from, for error messages; not a YAML key.
    source: str | None = field(default=None, metadata={"internal": True})

    def cache_path(self) -> Path:
        """The cache directory this configuration uses."""
        return Path(self.cache_dir).expanduser() if self.cache_dir else cache_dir()

    def validate(self, where: Where) -> None:
        """Checks of the sections this module owns (``models`` and ``tasks`` belong to their readers)."""
        self.server.validate(where.child("server"))


def default_config_path() -> Path | None:
    """The configuration file to read when none is given, or None."""
    env = os.environ.get("CHIPMATE_CONFIG")
    if env:
        return Path(env).expanduser()
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "chipmate" / "config.yaml"
    return home if home.exists() else None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read ``path`` (or the default file), fill in defaults and validate every key."""
    file = Path(path).expanduser() if path is not None else default_config_path()
    if file is None:
        return Config()
    if not file.is_file():
        raise ConfigError(f"config file {file} does not exist", hint="pass an existing file to --config")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}", hint="fix the syntax at the line shown") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read: {exc}") from exc
    return config_from_dict(data or {}, source=str(file))


def config_from_dict(data: Any, source: str = "<dict>") -> Config:
    """Build a validated Config from a mapping, naming ``source`` and the dotted key in every error."""
    config = read_section(Config, data, Where(source))
    config.source = source
    return config


def _describe(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _build(tp: Any, value: Any, key: str, source: str) -> Any:
    """Convert ``value`` to type ``tp``; ``key`` is the dotted path used in error messages."""
    where = key or "(top level)"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _build(inner, value, key, source)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {where} must be a mapping, got {type(value).__name__}")
        hints = typing.get_type_hints(tp)
        fields = {f.name: f for f in dataclasses.fields(tp) if not f.metadata.get("internal")}
        kwargs = {}
        for name, item in value.items():
            if name not in fields:
                close = difflib.get_close_matches(str(name), fields, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(fields)}"
                raise ConfigError(f"{source}: unknown key {_join(key, name)!r}", hint=hint)
            kwargs[name] = _build(hints[name], item, _join(key, name), source)
        return tp(**kwargs)  # type: ignore[operator]  # tp is a dataclass type, checked just above
    if origin is dict:
        _, value_type = typing.get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {where} must be a mapping, got {type(value).__name__}")
        return {str(k): _build(value_type, v, _join(key, k), source) for k, v in value.items()}
    if origin is list:
        (item_type,) = typing.get_args(tp)
        if isinstance(value, str) or not isinstance(value, list):
            raise ConfigError(f"{source}: {where} must be a list, got {type(value).__name__}")
        return [_build(item_type, v, f"{key}[{i}]", source) for i, v in enumerate(value)]
    if origin is tuple:
        # Fixed-length tuples (``tuple[float, float]``) from YAML lists.
        item_types = typing.get_args(tp)
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or len(value) != len(item_types):
            raise ConfigError(f"{source}: {where} must be a list of {len(item_types)} items, got {value!r}")
        return tuple(
            _build(t, v, f"{key}[{i}]", source) for i, (t, v) in enumerate(zip(item_types, value, strict=True))
        )
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: {where} must be {_describe(tp)}, got {type(value).__name__} {value!r}")
    return value


def _join(prefix: str, name: Any) -> str:
    return f"{prefix}.{name}" if prefix else str(name)
