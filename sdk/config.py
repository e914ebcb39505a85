"""Configuration: YAML files read into declared sections, with defaults and errors that name the file and the key.

Lookup order for the file: an explicit path (``--config``), ``$CHIPMATE_CONFIG``, ``~/.config/chipmate/config.yaml``;
with none of them chipmate runs on its defaults. Sections owned by plugins (``models``, ``tasks``) are kept as
plain mappings here and read by the plugin that owns them (task settings with
:func:`chipmate.sections.task_settings`): every section is a :class:`chipmate.sections.Section`, so every
section's errors look alike (file, dotted key, what the key accepts, did-you-mean).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, PrivateAttr, model_validator

from .errors import ConfigError
from .sections import Section, Where, invalid, read_section

DEFAULT_PORT = 50051


def cache_dir() -> Path:
    """Where chipmate keeps converted models and built indexes: ``$CHIPMATE_CACHE_DIR`` or ``~/.cache/chipmate``."""
    explicit = os.environ.get("CHIPMATE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "chipmate"


class TokenConfig(Section):
    """One bearer token and the tasks it may call."""

    KEY = "server.tokens.<name>"

    # The secret itself; prefer token_env so the secret stays out of the file.
    token: str | None = None
    # Name of an environment variable that holds the secret.
    token_env: str | None = None
    # Task names or fnmatch patterns this token may call; "*" is every task.
    tasks: list[str] = Field(default_factory=lambda: ["*"])

    @model_validator(mode="after")
    def _one_secret(self) -> TokenConfig:
        if bool(self.token) == bool(self.token_env):
            raise invalid("", "needs exactly one of 'token' or 'token_env'")
        return self


class ServerConfig(Section):
    """Settings of ``chipmate serve``."""

    KEY = "server"

    # Loopback by default: auth may only be off there, and a tool on the same box is the common caller.
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    # 4 MiB is gRPC's own default; large enough for a netlist excerpt or a long bug log.
    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1)
    # Task calls the server works on at once, each on a thread of its own; past it a call is refused with
    # RESOURCE_EXHAUSTED. 64 because cheap calls (echo, health, retrieval) must find a thread while model calls
    # wait for a model (model_queue), and 64 idle threads cost little memory; gRPC's own limit is set above it.
    max_concurrent_requests: int = Field(default=64, ge=1)
    # Calls that may wait for a model (one busy generating, or still loading), all models together, first come
    # first served, each until its deadline; past it RESOURCE_EXHAUSTED with a retry estimate. 16 keeps the
    # waiting model calls well under max_concurrent_requests, so they can never take every thread.
    model_queue: int = Field(default=16, ge=1)
    # Seconds in-flight calls get to finish on SIGTERM/SIGINT before they are cancelled.
    grace_seconds: float = Field(default=5.0, ge=0)
    # Bearer tokens by name; empty means auth is off, which is only allowed on a loopback host.
    tokens: dict[str, TokenConfig] = Field(default_factory=dict)
    # PEM files for TLS; both or neither.
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    # "json" (one object per line, for log shippers) or "text".
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # Put each call's input (prompts, bug records) into its audit line. Off: inputs may hold a design team's IP,
    # and the audit line (caller, task, status, duration) is enough to account for every call.
    log_inputs: bool = False
    # Model aliases to load in the background once the server reports SERVING, so the first call does not wait
    # for the weights to load (about a second for the default generator through CTranslate2, several for an `hf`
    # alias, which imports torch and transformers first).
    # Empty by default: a server whose tasks never touch a model should not pay for one.
    preload_models: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tls_pair(self) -> ServerConfig:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise invalid("tls_cert_file", "and tls_key_file must be set together")
        return self


class Config(Section):
    """The whole configuration."""

    server: ServerConfig = Field(default_factory=ServerConfig)
    # Model aliases -> backend settings (see docs/models.md); validated by the model registry.
    models: dict[str, Any] = Field(default_factory=dict)
    # Per-task settings by task or plugin name; validated by the plugin that owns them.
    tasks: dict[str, Any] = Field(default_factory=dict)
    # Overrides cache_dir() when set.
    cache_dir: str | None = None
    # The file this came from, for error messages; not a YAML key.
    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file (or other source) this configuration was read from, for error messages."""
        return self._source

    @source.setter
    def source(self, value: str | None) -> None:
        self._source = value

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
    config = read_section(Config, data, Where(source))
    config.source = source
    return config
