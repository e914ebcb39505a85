"""Configuration files: defaults, validation errors that name the file and the key."""

from __future__ import annotations

import pytest

from chipmate.config import Config, cache_dir, config_from_dict, load_config
from chipmate.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "chipmate.yaml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("CHIPMATE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = load_config()
    assert config.server.host == "127.0.0.1" and config.server.port == 50051
    assert config.server.max_concurrent_requests >= 1 and config.models == {}


def test_values_are_read(tmp_path):
    path = write(
        tmp_path,
        "server:\n  port: 6000\n  grace_seconds: 2\n  tokens:\n    ci: {token_env: CI_TOKEN, tasks: [echo]}\n"
        "tasks:\n  designqa: {top_k: 8}\n",
    )
    config = load_config(path)
    assert config.server.port == 6000 and config.server.grace_seconds == 2.0
    assert config.server.tokens["ci"].token_env == "CI_TOKEN" and config.server.tokens["ci"].tasks == ["echo"]
    assert config.tasks == {"designqa": {"top_k": 8}} and config.source == str(path)


def test_env_var_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPMATE_CONFIG", str(write(tmp_path, "server: {port: 7001}\n")))
    assert load_config().server.port == 7001


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server:\n  prot: 1\n", r"unknown key 'server.prot' \(did you mean 'port'\?\)"),
        ("server:\n  port: fifty\n", r"server.port must be int, got str 'fifty'"),
        ("server:\n  port: true\n", r"server.port must be int"),
        ("server:\n  port: 70000\n", r"server.port must be between 0 and 65535"),
        ("server: [1, 2]\n", r"server must be a mapping"),
        ("server:\n  tokens:\n    ci: {tasks: '*', token: x}\n", r"server.tokens.ci.tasks must be a list"),
        ("server:\n  tokens:\n    ci: {tasks: ['*']}\n", r"exactly one of 'token' or 'token_env'"),
        ("server:\n  max_concurrent_requests: 0\n", r"max_concurrent_requests must be at least 1"),
        ("server:\n  log_format: xml\n", r"log_format must be one of json, text, got 'xml'"),
        ("server:\n  tls_cert_file: a.pem\n", r"must be set together"),
        ("modles: {}\n", r"unknown key 'modles' \(did you mean 'models'\?\)"),
        ("server: {port: [\n", r"not valid YAML"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")


def test_top_level_must_be_a_mapping():
    with pytest.raises(ConfigError, match=r"\(top level\) must be a mapping"):
        config_from_dict(["a"], source="x.yaml")


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    assert Config(cache_dir=str(tmp_path / "d")).cache_path() == tmp_path / "d"
