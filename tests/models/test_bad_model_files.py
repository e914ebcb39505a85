"""Broken model files behind a configured alias: FAILED_PRECONDITION naming the file and the fix, over a real
server on port 0, and nothing (no lock file) left in the cache."""

from __future__ import annotations

import pytest

from chipmate.client import Client
from chipmate.config import Config
from chipmate.errors import ConfigError
from chipmate.host import Host
from chipmate.tasks import TaskContext


def test_truncated_safetensors_is_failed_precondition_and_leaves_no_lock(tmp_path, make_server, build_tiny):
    model = build_tiny(tmp_path / "model")
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    cache = tmp_path / "cache"
    models = {"broken": {"backend": "hf", "path": str(model)}, "broken-ct2": {"backend": "ct2", "path": str(model)}}
    server = make_server(Host(Config(models=models, cache_dir=str(cache))))
    with Client(f"127.0.0.1:{server.port}", timeout=120) as client:
        for alias in models:
            with pytest.raises(ConfigError) as info:
                client.call("chat", {"model": alias, "messages": [{"role": "user", "content": "hi"}]})
            assert info.value.code == "FAILED_PRECONDITION"
            assert "model.safetensors is not a complete safetensors file" in str(info.value)
            assert "copy or save the model again" in str(info.value)
        assert client.health() == "SERVING"
    assert not [p for p in cache.rglob("*") if p.name.endswith(".lock")], "a lock file was left in the cache"


def test_safetensors_with_only_a_header_is_failed_precondition(tmp_path, build_tiny):
    model = build_tiny(tmp_path / "model")
    (model / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}")  # a header, then nothing
    host = Host(Config(models={"m": {"backend": "hf", "path": str(model)}}, cache_dir=str(tmp_path / "c")))
    with pytest.raises(ConfigError, match="not a complete safetensors file"):
        host.run_task("chat", {"model": "m", "messages": [{"role": "user", "content": "hi"}]}, TaskContext(host=host))
