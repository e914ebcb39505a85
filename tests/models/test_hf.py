"""The ``hf`` backend on a tiny config-built Llama: streaming, usage, stop strings, truncation, cancellation,
concurrency, adapters, and the errors for bad paths."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from chipmate.config import Config
from chipmate.errors import CancelledError, ConfigError, DeadlineExceededError, ModelNotFoundError
from chipmate.host import Host
from chipmate.tasks import TaskContext

TINY_CONTEXT = 96  # max_position_embeddings of the tiny model (conftest.py)
HELLO = [{"role": "user", "content": "Setup time and hold time"}]


def test_stream_yields_deltas_that_add_up_to_the_text(tiny_host):
    generator = tiny_host.models.generator("tiny")
    stream = generator.stream(HELLO, max_tokens=12)
    deltas = list(stream)
    result = stream.generation
    assert len(deltas) > 1 and all(deltas)
    assert "".join(deltas) == result.text
    assert result.completion_tokens == 12
    assert result.finish_reason == "length"
    assert result.prompt_tokens == len(generator.prompt_ids(HELLO, 12)[0])


def test_greedy_generation_is_deterministic(tiny_host):
    generator = tiny_host.models.generator("tiny")
    first = generator.generate(HELLO, max_tokens=10)
    assert generator.generate(HELLO, max_tokens=10) == first


def test_sampling_runs(tiny_host):
    result = tiny_host.models.generator("tiny").generate(HELLO, max_tokens=6, temperature=1.0)
    assert result.completion_tokens == 6


def test_stop_string_ends_generation_and_is_not_returned(tiny_host):
    generator = tiny_host.models.generator("tiny")
    full = generator.generate(HELLO, max_tokens=30).text
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    assert stop.strip(), f"pick a visible stop string from {full!r}"
    result = generator.generate(HELLO, max_tokens=30, stop=[stop])
    assert result.finish_reason == "stop"
    assert result.text == full[: full.index(stop)]
    assert result.completion_tokens < 30


def test_long_prompt_is_truncated_never_rejected(tiny_host):
    generator = tiny_host.models.generator("tiny")
    assert generator.context_length == TINY_CONTEXT
    # Several times the context, within the MAX_PROMPT_CONTEXTS times it that a call may send.
    history = [{"role": "system", "content": "be brief"}]
    for i in range(6):
        history += [{"role": "user", "content": f"question {i} " * 3}, {"role": "assistant", "content": "ok " * 3}]
    history.append({"role": "user", "content": "the newest question " * 8})
    result = generator.generate(history, max_tokens=16)
    assert result.prompt_tokens + result.completion_tokens <= TINY_CONTEXT
    assert result.completion_tokens == 16
    # max_tokens larger than the whole context is capped, not an error.
    capped = generator.generate(HELLO, max_tokens=10_000)
    assert capped.prompt_tokens + capped.completion_tokens <= TINY_CONTEXT


def test_count_tokens(tiny_host):
    generator = tiny_host.models.generator("tiny")
    assert generator.count_tokens("") == 0
    assert generator.count_tokens("setup time setup time") > generator.count_tokens("setup time")


def test_cancellation_stops_generation_within_one_token(tiny_host, on_forward, lockstep):
    ctx = TaskContext()
    after_cancel: list[bool] = []
    pace = lockstep()  # the model never runs more than two steps ahead: cancellation lands mid-generation

    def paced_forward() -> None:
        after_cancel.append(ctx.cancelled.is_set())
        pace.step()

    on_forward(paced_forward)
    stream = tiny_host.models.generator("tiny").stream(HELLO, max_tokens=80, ctx=ctx)
    received = 0
    with pytest.raises(CancelledError):
        for _ in stream:
            received += 1
            if received == 3:
                ctx.cancelled.set()
            pace.took()
    # Forward passes that began after the cancel: at most the one step already under way when it landed.
    assert sum(after_cancel) <= 1
    assert len(after_cancel) < 10


def test_deadline_stops_generation(tiny_host, on_forward):
    on_forward(lambda: time.sleep(0.02))
    ctx = TaskContext(deadline=time.monotonic() + 0.3)
    with pytest.raises(DeadlineExceededError):
        tiny_host.models.generator("tiny").generate(HELLO, max_tokens=80, ctx=ctx)


def test_closing_the_stream_stops_the_worker(tiny_host, on_forward, lockstep):
    calls: list[None] = []
    pace = lockstep()
    on_forward(lambda: (calls.append(None), pace.step()))
    stream = tiny_host.models.generator("tiny").stream(HELLO, max_tokens=80)
    next(stream)
    stream.close()
    pace.open()  # the worker, held two steps ahead, runs on and must notice the close at its next step
    # close() returns at once; generate() stops at its next step and then reports itself finished.
    assert stream.finished is not None and stream.finished.wait(30), "generate() never stopped"
    assert len(calls) < 10


def test_concurrent_requests_share_one_model_safely(tiny_host):
    generator = tiny_host.models.generator("tiny")
    prompts = [[{"role": "user", "content": f"prompt number {i}"}] for i in range(6)]
    expected = [generator.generate(p, max_tokens=10).text for p in prompts]
    got: dict[int, str] = {}

    def run(i: int) -> None:
        got[i] = tiny_host.models.generator("tiny").generate(prompts[i], max_tokens=10).text

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(6)] == expected


def test_bad_messages_are_invalid_input(tiny_host):
    from chipmate.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        tiny_host.models.generator("tiny").generate([{"role": "robot", "content": "x"}])


# -- errors of the configuration -------------------------------------------------------------------------------


def host_for(tmp_path: Path, **spec) -> Host:
    return Host(Config(models={"m": {"backend": "hf", **spec}}, cache_dir=str(tmp_path / "cache")))


def test_missing_path_names_the_path_and_the_fix(tmp_path):
    with pytest.raises(ModelNotFoundError) as info:
        host_for(tmp_path, path=str(tmp_path / "nowhere")).models.generator("m")
    assert str(tmp_path / "nowhere") in str(info.value)
    assert "config.json" in str(info.value)


def test_directory_that_is_not_a_model(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("hi")
    with pytest.raises(ConfigError, match="not a Hugging Face model directory"):
        host_for(tmp_path, path=str(tmp_path / "notes")).models.generator("m")


def test_model_directory_without_weights(tmp_path, tiny_model_dir):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (broken / name).write_bytes((tiny_model_dir / name).read_bytes())
    with pytest.raises(ConfigError, match="could not be loaded"):
        host_for(tmp_path, path=str(broken)).models.generator("m")


def test_path_and_embedded_together_are_refused(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="exactly one of 'path' or 'embedded'"):
        host_for(tmp_path, path=str(tiny_model_dir), embedded="smollm2-135m-instruct").models.generator("m")


def test_unknown_dtype(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="dtype"):
        host_for(tmp_path, path=str(tiny_model_dir), dtype="int3").models.generator("m")


def test_custom_chat_template_file(tmp_path, tiny_model_dir):
    template = tmp_path / "plain.jinja"
    template.write_text("{% for m in messages %}{{ m['content'] }}\n{% endfor %}")
    generator = host_for(tmp_path, path=str(tiny_model_dir), chat_template=str(template)).models.generator("m")
    assert generator.render(HELLO) == "Setup time and hold time\n"


# -- peft adapters ---------------------------------------------------------------------------------------------


def make_adapter(base: Path, folder: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(base))
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.add_(0.5)  # a visible change, so the adapter provably takes part
    peft_model.save_pretrained(str(folder))
    return folder


def test_adapter_changes_the_output(tmp_path, tiny_model_dir, tiny_host):
    adapter = make_adapter(tiny_model_dir, tmp_path / "lora")
    tuned = host_for(tmp_path, path=str(tiny_model_dir), adapter=str(adapter)).models.generator("m")
    base = tiny_host.models.generator("tiny")
    assert tuned.generate(HELLO, max_tokens=10).text != base.generate(HELLO, max_tokens=10).text
    unmerged = host_for(tmp_path, path=str(tiny_model_dir), adapter=str(adapter), merge_adapter=False)
    assert unmerged.models.generator("m").generate(HELLO, max_tokens=10) == tuned.generate(HELLO, max_tokens=10)


def test_adapter_of_another_base_is_refused(tmp_path, tiny_model_dir, build_tiny):
    other_base = build_tiny(tmp_path / "wider", hidden=48, seed=1)
    adapter = make_adapter(other_base, tmp_path / "lora-wider")
    with pytest.raises(ConfigError, match="hidden_size=48"):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(adapter)).models.generator("m")
    # Without a local base to compare against, the shape check at load time catches it.
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "some-org/some-model"
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="does not fit the base model"):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(adapter)).models.generator("m")


def test_adapter_directory_without_adapter_config(tmp_path, tiny_model_dir):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="not a peft adapter"):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(tmp_path / "empty")).models.generator("m")
    with pytest.raises(ModelNotFoundError):
        host_for(tmp_path, path=str(tiny_model_dir), adapter=str(tmp_path / "gone")).models.generator("m")


def test_a_call_ends_at_its_deadline_while_the_prompt_is_processed(tiny_host, on_forward):
    # The prompt's forward pass cannot be interrupted; the caller must not wait for it, and the model's slot in the
    # generation queue stays taken until the pass is over (so no second generation piles onto the busy model).
    release = threading.Event()
    on_forward(lambda: release.wait(30))
    generator = tiny_host.models.generator("tiny")
    with pytest.raises(DeadlineExceededError):
        generator.generate(HELLO, max_tokens=4, ctx=TaskContext(deadline=time.monotonic() + 0.3))
    assert not release.is_set() and generator.gate is not None and generator.gate.running == 1
    release.set()
    for _ in range(1000):
        if generator.gate.running == 0:
            break
        time.sleep(0.01)
    assert generator.gate.running == 0
