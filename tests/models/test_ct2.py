"""The ``ct2`` backend on the tiny config-built Llama: conversion (cache key, rebuild, atomic write, adapters),
serving without torch, streaming, usage, stop strings, truncation, cancellation, concurrency, and config errors."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chipmate.config import Config
from chipmate.errors import (
    BackendUnavailableError,
    CancelledError,
    ConfigError,
    DeadlineExceededError,
    InvalidInputError,
    ModelNotFoundError,
)
from chipmate.host import Host
from chipmate.plugins.backends import ct2, ct2_convert, embedded
from chipmate.tasks import TaskContext

TINY_CONTEXT = 96  # max_position_embeddings of the tiny model (conftest.py)
HELLO = [{"role": "user", "content": "Setup time and hold time"}]


def host_for(tmp_path: Path, cache: Path | None = None, **spec) -> Host:
    return Host(Config(models={"m": {"backend": "ct2", **spec}}, cache_dir=str(cache or tmp_path / "cache")))


def conversions(cache: Path) -> list[str]:
    folder = cache / "ct2"
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) if folder.exists() else []


# -- generation ------------------------------------------------------------------------------------------------


def test_stream_yields_deltas_that_add_up_to_the_text(tiny_ct2_host):
    generator = tiny_ct2_host.models.generator("tiny")
    assert isinstance(generator, ct2.CT2Generator)
    stream = generator.stream(HELLO, max_tokens=12)
    deltas = list(stream)
    result = stream.generation
    assert len(deltas) > 1 and all(deltas)
    assert "".join(deltas) == result.text
    assert result.completion_tokens == 12
    assert result.finish_reason == "length"
    assert result.prompt_tokens == len(generator.prompt_ids(HELLO, 12)[0])


def test_greedy_text_and_prompt_match_the_hf_backend(tiny_ct2_host):
    fast, reference = tiny_ct2_host.models.generator("tiny"), tiny_ct2_host.models.generator("tiny-hf")
    assert fast.render(HELLO) == reference.render(HELLO)
    assert fast.prompt_ids(HELLO, 20) == reference.prompt_ids(HELLO, 20)
    assert fast.count_tokens("setup time, hold time") == reference.count_tokens("setup time, hold time")
    # float32 weights: the same greedy tokens as transformers (docs/models.md, Fidelity).
    assert fast.generate(HELLO, max_tokens=20) == reference.generate(HELLO, max_tokens=20)


def test_sampling_runs(tiny_ct2_host):
    result = tiny_ct2_host.models.generator("tiny").generate(HELLO, max_tokens=6, temperature=1.0)
    assert result.completion_tokens == 6


def test_stop_string_ends_generation_and_is_not_returned(tiny_ct2_host):
    generator = tiny_ct2_host.models.generator("tiny")
    full = generator.generate(HELLO, max_tokens=30).text
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    assert stop.strip(), f"pick a visible stop string from {full!r}"
    result = generator.generate(HELLO, max_tokens=30, stop=[stop])
    assert result.finish_reason == "stop"
    assert result.text == full[: full.index(stop)]
    assert result.completion_tokens < 30


def test_long_prompt_is_truncated_never_rejected(tiny_ct2_host):
    generator = tiny_ct2_host.models.generator("tiny")
    assert generator.context_length == TINY_CONTEXT
    # Several times the context, within the MAX_PROMPT_CONTEXTS times it that a call may send.
    history = [{"role": "system", "content": "be brief"}]
    for i in range(6):
        history += [{"role": "user", "content": f"question {i} " * 3}, {"role": "assistant", "content": "ok " * 3}]
    history.append({"role": "user", "content": "the newest question " * 8})
    result = generator.generate(history, max_tokens=16)
    assert result.prompt_tokens + result.completion_tokens <= TINY_CONTEXT
    assert result.completion_tokens == 16
    capped = generator.generate(HELLO, max_tokens=10_000)
    assert capped.prompt_tokens + capped.completion_tokens <= TINY_CONTEXT


def paced_decoder(ctx_seen: list[bool], ctx: TaskContext | None, before_step, monkeypatch) -> None:
    """Run ``before_step()`` before each decoding step and record whether the call was cancelled by then."""
    should_stop = ct2._stop_requested

    def paced(halt, call_ctx):
        ctx_seen.append(ctx is not None and ctx.cancelled.is_set())
        before_step()
        return should_stop(halt, call_ctx)

    monkeypatch.setattr(ct2, "_stop_requested", paced)


def test_cancellation_stops_the_decoder_within_one_token(tiny_ct2_host, monkeypatch, lockstep):
    generator = tiny_ct2_host.models.generator("tiny")
    ctx = TaskContext()
    steps: list[bool] = []
    pace = lockstep()  # the decoder never runs more than two steps ahead: cancellation lands mid-generation
    paced_decoder(steps, ctx, pace.step, monkeypatch)
    stream = generator.stream(HELLO, max_tokens=80, ctx=ctx)
    received = 0
    with pytest.raises(CancelledError):
        for _ in stream:
            received += 1
            if received == 3:
                ctx.cancelled.set()
            pace.took()
    # Steps the decoder finished after the cancel: the one under way when it landed, at most.
    assert stream.finished is not None and stream.finished.wait(30)
    assert sum(steps) <= 1
    assert len(steps) < 10


def test_deadline_stops_generation(tiny_ct2_host, monkeypatch):
    generator = tiny_ct2_host.models.generator("tiny")
    paced_decoder([], None, lambda: time.sleep(0.02), monkeypatch)  # a slow model: 80 steps take 1.6 s at least
    with pytest.raises(DeadlineExceededError):
        generator.generate(HELLO, max_tokens=80, ctx=TaskContext(deadline=time.monotonic() + 0.3))


def test_closing_the_stream_stops_the_decoder(tiny_ct2_host, monkeypatch, lockstep):
    generator = tiny_ct2_host.models.generator("tiny")
    steps: list[bool] = []
    pace = lockstep()
    paced_decoder(steps, None, pace.step, monkeypatch)
    stream = generator.stream(HELLO, max_tokens=80)
    next(stream)
    stream.close()
    pace.open()  # the decoder, held two steps ahead, runs on and must notice the close at its next step
    # close() returns at once; the decoder stops at its next step and then reports itself finished.
    assert stream.finished is not None and stream.finished.wait(30), "the decoder never stopped"
    assert len(steps) < 10


def test_concurrent_requests_share_one_model_safely(tiny_ct2_host):
    generator = tiny_ct2_host.models.generator("tiny")
    prompts = [[{"role": "user", "content": f"prompt number {i}"}] for i in range(6)]
    expected = [generator.generate(p, max_tokens=10).text for p in prompts]
    got: dict[int, str] = {}

    def run(i: int) -> None:
        got[i] = generator.generate(prompts[i], max_tokens=10).text

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(6)] == expected


def test_bad_messages_are_invalid_input(tiny_ct2_host):
    with pytest.raises(InvalidInputError):
        tiny_ct2_host.models.generator("tiny").generate([{"role": "robot", "content": "x"}])


def test_serving_imports_neither_torch_nor_transformers(tiny_ct2_host, tiny_model_dir):
    tiny_ct2_host.models.generator("tiny")  # the conversion exists in the session cache
    cache = tiny_ct2_host.models.cache_dir
    script = f"""
import sys
from chipmate.config import Config
from chipmate.host import Host
models = {{"tiny": {{"backend": "ct2", "path": {str(tiny_model_dir)!r}, "compute_type": "float32"}}}}
generator = Host(Config(models=models, cache_dir={str(cache)!r})).models.generator("tiny")
print(generator.generate([{{"role": "user", "content": "hi"}}], max_tokens=3).completion_tokens)
print(sorted(m for m in ("torch", "transformers", "peft") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["3", "[]"], out.stdout + out.stderr


# -- conversion ------------------------------------------------------------------------------------------------


def test_conversion_is_keyed_by_source_and_records_it(tiny_ct2_host, tiny_model_dir):
    generator = tiny_ct2_host.models.generator("tiny")
    folder = generator.folder
    marker = json.loads((folder / ct2.MARKER).read_text())
    assert folder.parent == tiny_ct2_host.models.cache_dir / "ct2"
    assert folder.name.startswith(f"{tiny_model_dir.name}-") and folder.name.endswith(f"-float32-{marker['key']}")
    assert marker["weights"] == "float32" and marker["source"] == str(tiny_model_dir)
    assert marker["converter_revision"] == ct2.CONVERTER_REVISION and marker["ctranslate2"]
    for name in ("model.bin", "tokenizer.json", "config.json"):
        assert (folder / name).is_file()
    info = tiny_ct2_host.models.info("tiny")
    assert info["engine"] == "ctranslate2" and info["state"] == "converted" and info["ct2_path"] == str(folder)
    assert info["compute_type"] == "float32" and info["hf_path"] == str(tiny_model_dir)


def test_a_changed_source_is_converted_again(tmp_path, tiny_model_dir):
    source = tmp_path / "model"
    shutil.copytree(tiny_model_dir, source)
    cache = tmp_path / "cache"
    first = host_for(tmp_path, path=str(source), compute_type="float32").models.generator("m").folder
    assert host_for(tmp_path, path=str(source), compute_type="float32").models.info("m")["state"] == "converted"
    config = json.loads((source / "config.json").read_text())
    config["max_position_embeddings"] = 64
    (source / "config.json").write_text(json.dumps(config))
    host = host_for(tmp_path, path=str(source), compute_type="float32")
    assert host.models.info("m")["state"].startswith("will convert")
    second = host.models.generator("m")
    assert second.folder != first and second.context_length == 64
    assert conversions(cache) == [second.folder.name]  # the stale conversion is gone
    # Another weight type is another conversion, kept beside the first.
    int8 = host_for(tmp_path, path=str(source), compute_type="int8").models.generator("m")
    assert "-int8-" in int8.folder.name and int8.compute_type == "int8"
    assert conversions(cache) == sorted([second.folder.name, int8.folder.name])


def test_a_failed_conversion_leaves_nothing_behind(tmp_path, tiny_model_dir, monkeypatch):
    def crash(source):
        class Crashing:
            def convert(self, output_dir, **kwargs):
                Path(output_dir).mkdir(parents=True)
                (Path(output_dir) / "model.bin").write_bytes(b"half")
                raise RuntimeError("killed mid-write")

        return Crashing()

    monkeypatch.setattr(ct2_convert, "_converter", crash)
    # A load failing for a reason the backend did not foresee names the model and the fix (FAILED_PRECONDITION).
    with pytest.raises(ConfigError, match="model 'm' could not be loaded: RuntimeError: killed mid-write"):
        host_for(tmp_path, path=str(tiny_model_dir)).models.generator("m")
    assert conversions(tmp_path / "cache") == []
    assert not list((tmp_path / "cache").rglob("*.lock")), "the conversion lock file was left behind"
    monkeypatch.undo()
    generator = host_for(tmp_path, path=str(tiny_model_dir)).models.generator("m")
    assert generator.generate(HELLO, max_tokens=3).completion_tokens == 3


def test_a_corrupt_conversion_says_how_to_rebuild_it(tmp_path, tiny_model_dir):
    folder = host_for(tmp_path, path=str(tiny_model_dir), compute_type="float32").models.generator("m").folder
    (folder / "model.bin").write_bytes(b"garbage")
    with pytest.raises(ConfigError) as info:
        host_for(tmp_path, path=str(tiny_model_dir), compute_type="float32").models.generator("m")
    assert "could not be loaded" in str(info.value) and f"delete {folder}" in str(info.value)
    # A conversion whose marker is missing counts as unfinished and is redone.
    (folder / ct2.MARKER).unlink()
    generator = host_for(tmp_path, path=str(tiny_model_dir), compute_type="float32").models.generator("m")
    assert generator.generate(HELLO, max_tokens=2).completion_tokens == 2


def test_adapter_is_merged_at_conversion(tmp_path, tiny_model_dir, tiny_ct2_host, lora_maker):
    adapter = lora_maker(tiny_model_dir, tmp_path / "lora")
    spec = {"path": str(tiny_model_dir), "adapter": str(adapter)}
    tuned = host_for(tmp_path, compute_type="float32", **spec).models.generator("m")
    assert "+lora-" in tuned.folder.name
    reference = Host(
        Config(models={"m": {"backend": "hf", **spec}}, cache_dir=str(tmp_path / "cache"))
    ).models.generator("m")
    base = tiny_ct2_host.models.generator("tiny")
    assert tuned.generate(HELLO, max_tokens=10).text != base.generate(HELLO, max_tokens=10).text
    assert tuned.generate(HELLO, max_tokens=10) == reference.generate(HELLO, max_tokens=10)


# -- configuration errors ----------------------------------------------------------------------------------------


def test_unknown_compute_type(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="compute_type") as info:
        host_for(tmp_path, path=str(tiny_model_dir), compute_type="int4").models.generator("m")
    assert "int8_float32" in str(info.value)


def test_missing_path_names_the_path(tmp_path):
    with pytest.raises(ModelNotFoundError) as info:
        host_for(tmp_path, path=str(tmp_path / "nowhere")).models.generator("m")
    assert str(tmp_path / "nowhere") in str(info.value)


def test_path_and_embedded_together_and_unknown_embedded(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="exactly one of 'path' or 'embedded'"):
        host_for(tmp_path, path=str(tiny_model_dir), embedded="smollm2-135m-instruct").models.generator("m")
    with pytest.raises(ConfigError, match=r"qwen2\.5-coder-0\.5b-instruct"):
        host_for(tmp_path, embedded="gpt-9").models.generator("m")


def test_bad_threads_and_repetition_settings(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="threads"):
        host_for(tmp_path, path=str(tiny_model_dir), threads=0).models.generator("m")
    with pytest.raises(ConfigError, match="repetition_penalty"):
        host_for(tmp_path, path=str(tiny_model_dir), repetition_penalty="high").models.generator("m")
    with pytest.raises(ConfigError, match="loop_guard"):
        host_for(tmp_path, path=str(tiny_model_dir), loop_guard={"repeat": 3}).models.generator("m")


def test_adapter_errors(tmp_path, tiny_model_dir):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="not a peft adapter"):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(tmp_path / "empty")).models.generator("m")
    with pytest.raises(ModelNotFoundError):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(tmp_path / "gone")).models.generator("m")


def test_without_ctranslate2_builtin_aliases_fall_back_to_hf(tmp_path, tiny_model_dir, monkeypatch, caplog):
    monkeypatch.setattr(ct2, "available", lambda: False)  # serving (load) and
    monkeypatch.setattr(ct2_convert, "available", lambda: False)  # conversion planning (describe) both ask
    with pytest.raises(BackendUnavailableError, match="pip install"):
        host_for(tmp_path, path=str(tiny_model_dir)).models.generator("m")
    from chipmate.models import ModelSpec
    from chipmate.plugins.backends.hf import HFGenerator

    spec = ModelSpec("x", "ct2", {"path": str(tiny_model_dir), "compute_type": "int8"}, tmp_path, "<plugin backends>")
    assert isinstance(ct2.load(spec), HFGenerator)
    assert "falls back to transformers" in caplog.text
    assert "fallback" in ct2.describe(spec)["engine"]


def test_an_embedded_models_intermediate_checkpoint_goes_once_its_ct2_copy_is_complete(
    tmp_path, tiny_model_dir, monkeypatch
):
    # A stand-in embedded model whose "GGUF conversion" is already in the cache: the tiny model with its marker.
    model = dataclasses.replace(embedded.SMOLLM2, name="tiny-embedded", keep_checkpoint=False)
    monkeypatch.setitem(embedded.MODELS, model.name, model)
    cache = tmp_path / "cache"
    checkpoint = model.converted_dir(cache)
    shutil.copytree(tiny_model_dir, checkpoint)
    (checkpoint / "chipmate-source.json").write_text(json.dumps({"sha256": model.sha256}))
    assert model.is_converted(cache)
    generator = host_for(tmp_path, cache, embedded=model.name).models.generator("m")
    assert generator.count_tokens("a b c") > 0
    assert len(conversions(cache)) == 1 and not checkpoint.exists()  # the CTranslate2 copy stays, its source goes
    kept = dataclasses.replace(model, keep_checkpoint=True)
    shutil.copytree(tiny_model_dir, checkpoint)
    kept.discard_checkpoint(cache)
    assert checkpoint.exists()
