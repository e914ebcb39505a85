"""Configuration: YAML files mapped onto dataclasses, with defaults and errors that name the file and the key.

Lookup order for the file: an explicit path (``--config``), ``$CHIPMATE_CONFIG``, ``~/.config/chipmate/config.yaml``;
with none of them chipmate runs on its defaults. Sections owned by plugins (``models``, ``tasks``) are kept as
plain mappings here and validated by the plugin that reads them.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

DEFAULT_PORT = 50051


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
    # Task calls running at once; more are refused with RESOURCE_EXHAUSTED instead of queueing without bound.
    max_concurrent_requests: int = 8
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
    # Model aliases to load in the background once the server reports SERVING, so the first call does not wait
    # for torch/transformers to import and the weights to load (~8 s for the default generator on 2 cores).
    # Empty by default: a server whose tasks never touch a model should not pay for one.
    preload_models: list[str] = field(default_factory=list)


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
    config = _build(Config, data, "", source)
    config.source = source
    _check(config, source)
    return config


def _check(config: Config, source: str) -> None:
    server = config.server
    if not 0 <= server.port <= 65535:
        raise ConfigError(f"{source}: server.port must be between 0 and 65535, got {server.port}")
    for key in ("max_message_bytes", "max_concurrent_requests"):
        if getattr(server, key) < 1:
            raise ConfigError(f"{source}: server.{key} must be at least 1, got {getattr(server, key)}")
    if server.grace_seconds < 0:
        raise ConfigError(f"{source}: server.grace_seconds must not be negative")
    if server.log_format not in ("json", "text"):
        raise ConfigError(f"{source}: server.log_format must be 'json' or 'text', got {server.log_format!r}")
    if bool(server.tls_cert_file) != bool(server.tls_key_file):
        raise ConfigError(f"{source}: server.tls_cert_file and server.tls_key_file must be set together")
    for name, token in server.tokens.items():
        if bool(token.token) == bool(token.token_env):
            raise ConfigError(f"{source}: server.tokens.{name} needs exactly one of 'token' or 'token_env'")


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
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: {where} must be {_describe(tp)}, got {type(value).__name__} {value!r}")
    return value


def _join(prefix: str, name: Any) -> str:
    return f"{prefix}.{name}" if prefix else str(name)
