"""The alias store: recipes and `chipmate models add` record trained models; the registry and CLI show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chipmate.cli import cli
from chipmate.config import Config
from chipmate.errors import ConfigError
from chipmate.host import Host
from chipmate.models.store import add_alias, read_aliases, record_alias, remove_alias, store_path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache whose alias store is the default <cache>/aliases.json."""
    monkeypatch.delenv("CHIPMATE_ALIAS_STORE", raising=False)
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def model_dir(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    return folder


def adapter_dir(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "x"}))
    return folder


def test_recorded_alias_is_served_with_its_base_and_recipe(cache, tmp_path):
    record_alias(cache, "smol-dapt", {"backend": "hf", "path": str(model_dir(tmp_path / "m"))},
                 base="smollm2-135m-instruct", recipe="dapt")  # fmt: skip
    assert store_path(cache) == cache / "aliases.json"
    rows = {r["alias"]: r for r in Host(Config(cache_dir=str(cache))).models.list()}
    assert rows["smol-dapt"]["recipe"] == "dapt" and rows["smol-dapt"]["base"] == "smollm2-135m-instruct"
    assert rows["smol-dapt"]["source"].startswith("<alias store")
    assert rows["smollm2-135m-instruct"]["recipe"] is None


def test_config_aliases_win_over_stored_ones_and_stored_over_plugins(cache, tmp_path):
    path = str(model_dir(tmp_path / "m"))
    record_alias(cache, "smollm2-135m-instruct", {"backend": "hf", "path": path, "default": True})
    record_alias(cache, "mine", {"backend": "hf", "path": path})
    registry = Host(Config(cache_dir=str(cache), models={"mine": {"backend": "hf", "path": "/elsewhere"}})).models
    assert registry.info("smollm2-135m-instruct")["options"]["path"] == path  # the store replaced the plugin's
    assert registry.info("mine")["options"]["path"] == "/elsewhere"  # the config replaced the store's
    assert registry.default_alias("generator") == "smollm2-135m-instruct"


def test_adapter_on_a_base_alias_copies_the_base_settings(cache, tmp_path):
    registry = Host(Config(cache_dir=str(cache))).models
    adapter = adapter_dir(tmp_path / "sft" / "adapter")
    settings = add_alias(registry, "smol-eda", adapter, base="smollm2-135m-instruct", recipe="sft")
    base = registry.spec("smollm2-135m-instruct")
    assert settings == {"backend": base.backend, **base.options, "adapter": str(adapter.resolve())}
    assert settings["embedded"] == "smollm2-135m-instruct"
    assert read_aliases(cache)["smol-eda"]["recipe"] == "sft"


@pytest.mark.parametrize(
    ("name", "make", "kwargs", "fragment"),
    [
        ("bad name!", "model", {}, "not a valid model alias"),
        ("x", "adapter", {}, "needs the model it was trained on"),
        ("x", "empty", {}, "neither a Hugging Face model directory"),
        ("smollm2-135m-instruct", "model", {}, "already defined by a plugin"),
        ("x", "model", {"backend": "nope"}, "not a registered backend kind"),
        ("x", "adapter", {"base": "no-such-alias"}, "no model with alias"),
    ],
)
def test_bad_additions_are_refused_with_what_to_do(cache, tmp_path, name, make, kwargs, fragment):
    folder = {"model": model_dir, "adapter": adapter_dir, "empty": lambda p: (p.mkdir(), p)[1]}[make](tmp_path / "d")
    with pytest.raises(Exception, match=fragment):
        add_alias(Host(Config(cache_dir=str(cache))).models, name, folder, **kwargs)
    assert read_aliases(cache) == {}


def test_a_name_clash_needs_replace_and_remove_forgets(cache, tmp_path):
    registry = Host(Config(cache_dir=str(cache))).models
    first, second = model_dir(tmp_path / "a"), model_dir(tmp_path / "b")
    add_alias(registry, "mine", first)
    with pytest.raises(ConfigError, match="already recorded"):
        add_alias(Host(Config(cache_dir=str(cache))).models, "mine", second)
    add_alias(Host(Config(cache_dir=str(cache))).models, "mine", second, replace=True)
    assert read_aliases(cache)["mine"]["settings"]["path"] == str(second.resolve())
    assert remove_alias(cache, "mine")["settings"]["path"] == str(second.resolve())
    with pytest.raises(ConfigError, match="not in the alias store"):
        remove_alias(cache, "mine")


def test_a_broken_store_file_is_a_config_error_naming_it(cache):
    cache.mkdir()
    (cache / "aliases.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"aliases\.json: the alias store is not valid JSON"):
        Host(Config(cache_dir=str(cache))).models  # noqa: B018 - building the registry reads the store


def test_cli_models_add_list_remove(cache, tmp_path):
    runner = CliRunner()
    adapter = adapter_dir(tmp_path / "adapter")
    result = runner.invoke(cli, ["models", "add", "smol-eda", str(adapter), "--base", "smollm2-135m-instruct"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["models", "list"])
    assert "smol-eda" in listed.output and "[manual of smollm2-135m-instruct]" in listed.output
    rows = {r["alias"]: r for r in json.loads(runner.invoke(cli, ["models", "list", "--json"]).output)}
    assert rows["smol-eda"]["base"] == "smollm2-135m-instruct"
    again = runner.invoke(cli, ["models", "add", "smol-eda", str(adapter), "--base", "smollm2-135m-instruct"])
    assert again.exit_code == 1 and "Error: model alias 'smol-eda' is already recorded" in again.output
    assert runner.invoke(cli, ["models", "remove", "smol-eda"]).exit_code == 0
    gone = runner.invoke(cli, ["models", "remove", "smol-eda"])
    assert gone.exit_code == 1 and "not in the alias store" in gone.output


def test_a_stored_alias_that_no_longer_fits_is_skipped_not_fatal(cache, tmp_path, caplog):
    # e.g. recorded while a plugin was installed that provides its backend, read after it was removed
    record_alias(cache, "gone-backend", {"backend": "no-such-backend", "path": str(tmp_path)}, recipe="sft")
    registry = Host(Config(cache_dir=str(cache))).models
    assert "gone-backend" not in {row["alias"] for row in registry.list()}
    assert registry.default_alias("generator")  # everything else still works
    assert "skipping stored model alias 'gone-backend'" in caplog.text and "chipmate models remove" in caplog.text
