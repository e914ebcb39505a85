"""The ``ct2`` engine against transformers on the real SmolLM2-135M-Instruct: log-prob fidelity, identical prompts,
and the repetition controls and loop guard on a real loop. Qwen is checked only where its copy is already cached."""

from __future__ import annotations

import pytest

from chipmate.config import Config
from chipmate.host import Host
from chipmate.plugins.backends import embedded

# Each test generates with the real model on both engines; a busy 2-core machine needs more than the default 300 s.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: the measured float32 difference is below 2e-5 nats per token (benchmarks/results/generation_engines.md); an
#: int8-weight model run with float32 compute differs by 0.02-0.5, so this bound tells the two apart
FLOAT32_BOUND_NATS = 1e-3
PROMPTS = [
    [{"role": "user", "content": "Write a Yosys script that reads top.v and synthesizes it."}],
    [
        {"role": "system", "content": "You answer questions about static timing analysis."},
        {"role": "user", "content": "Explain setup and hold time."},
    ],
]
CONVERSATIONS = [
    *PROMPTS,
    [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello! 你好"},
        {"role": "user", "content": "x"},
    ],
    [{"role": "user", "content": "Quotes \"'<tags>' & {{ braces }} {% raw %}\n\n  indented\ttab"}],
]
# A conversation whose assistant turn is a loop: a small model copies it until max_tokens.
LOOPING = [
    {"role": "user", "content": "Print the Yosys synthesis command many times."},
    {"role": "assistant", "content": "synth -top top\n" * 12},
    {"role": "user", "content": "More, please. Same format."},
]
LINE = "synth -top top"


@pytest.fixture(scope="module")
def engines(default_cache):
    models = {
        "fast": {"backend": "ct2", "embedded": "smollm2-135m-instruct", "compute_type": "float32"},
        "reference": {"backend": "hf", "embedded": "smollm2-135m-instruct"},
    }
    host = Host(Config(models=models, cache_dir=str(default_cache)))
    return host.models.generator("fast"), host.models.generator("reference")


def test_float32_log_probs_match_transformers(engines):
    import numpy as np
    import torch

    fast, reference = engines
    for messages in PROMPTS:
        ids, _ = reference.prompt_ids(messages, 16)
        with torch.no_grad():
            out = reference.model.generate(**reference.generation_kwargs(ids, 16, 0.0))[0].tolist()
            logp = torch.log_softmax(reference.model(torch.tensor([out])).logits[0].float(), -1)
        new = out[len(ids) :]
        expected = np.array([logp[len(ids) + i - 1, t].item() for i, t in enumerate(new)])
        scored = fast.generator.score_batch([fast._tokens(out)])[0].log_probs[len(ids) - 1 :]
        assert np.abs(expected - np.array(scored[: len(new)])).max() < FLOAT32_BOUND_NATS
        # ... and the same greedy text, which depends on it.
        assert fast.generate(messages, max_tokens=16).text == reference.tokenizer.decode(new, skip_special_tokens=True)


def tokenizer_pairs(default_cache):
    from transformers import AutoTokenizer

    from chipmate.plugins.backends import ct2

    for model in (embedded.SMOLLM2, embedded.QWEN):
        folder = model.converted_dir(default_cache)
        if model is embedded.QWEN and not model.is_converted(default_cache):
            continue  # the 0.5B copy is never made by tests; checked where a user's cache has it
        ct2_dirs = sorted((default_cache / "ct2").glob(f"{model.name}-*"))
        ct2_dirs = [d for d in ct2_dirs if (d / ct2.MARKER).is_file()]
        if ct2_dirs:
            yield model.name, AutoTokenizer.from_pretrained(str(folder)), ct2_dirs[0]


def test_prompts_and_ids_are_those_of_apply_chat_template(engines, default_cache):
    from chipmate.plugins.backends.ct2 import CT2Generator

    checked = []
    for name, tokenizer, folder in tokenizer_pairs(default_cache):
        generator = CT2Generator(folder, compute_type="int8" if "-int8-" in folder.name else "float32")
        for messages in CONVERSATIONS:
            text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            assert generator.render(messages) == text, name
            assert generator._encode(text) == tokenizer(text, add_special_tokens=False)["input_ids"], name
        generator.close()
        checked.append(name)
    assert "smollm2-135m-instruct" in checked


@pytest.mark.parametrize("engine", ["ct2", "hf"])
def test_the_loop_guard_stops_a_real_loop(default_cache, engine):
    spec = {
        "backend": engine,
        "embedded": "smollm2-135m-instruct",
        **({"compute_type": "float32"} if engine == "ct2" else {}),
    }
    models = {"guarded": spec, "unguarded": {**spec, "loop_guard": False}}
    host = Host(Config(models=models, cache_dir=str(default_cache)))
    free = host.models.generator("unguarded").generate(LOOPING, max_tokens=64)
    assert free.finish_reason == "length" and free.text.count(LINE) >= 8
    stream = host.models.generator("guarded").stream(LOOPING, max_tokens=64)
    text = "".join(stream)
    guarded = stream.generation
    assert guarded.finish_reason == "loop" and guarded.text == text
    assert 4 <= text.count(LINE) <= 6 and guarded.completion_tokens < 40


@pytest.mark.parametrize("engine", ["ct2", "hf"])
def test_repetition_settings_reach_the_decoder(default_cache, engine):
    spec = {"backend": engine, "embedded": "smollm2-135m-instruct", "loop_guard": False}
    if engine == "ct2":
        spec["compute_type"] = "float32"
    models = {"ngram": {**spec, "no_repeat_ngram_size": 3}, "penalty": {**spec, "repetition_penalty": 1.5}}
    host = Host(Config(models=models, cache_dir=str(default_cache)))
    # No 3-token n-gram twice: the line (about 5 tokens) cannot come back whole.
    assert host.models.generator("ngram").generate(LOOPING, max_tokens=48).text.count(LINE) <= 1
    assert host.models.generator("penalty").generate(LOOPING, max_tokens=48).text.count(LINE) < 8
