"""The ``openai`` backend against a local server speaking the chat-completions wire protocol."""

from __future__ import annotations

import time

import pytest

from chipmate.config import Config
from chipmate.errors import (
    BackendUnavailableError,
    CancelledError,
    ConfigError,
    DeadlineExceededError,
    InvalidInputError,
)
from chipmate.host import Host
from chipmate.tasks import TaskContext

ASK = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "report the worst setup slack please"}]


def remote(base_url: str, **options) -> Host:
    spec = {"backend": "openai", "base_url": base_url, "model": "big-eda-model", **options}
    return Host(Config(models={"big": spec}))


def test_streaming_chat_completion(openai_server):
    generator = remote(openai_server.base_url).models.generator("big")
    stream = generator.stream(ASK, max_tokens=50)
    deltas = list(stream)
    assert deltas == ["report", " the", " worst", " setup", " slack", " please"]
    result = stream.generation
    assert result.text == "report the worst setup slack please"
    assert (result.prompt_tokens, result.completion_tokens, result.finish_reason) == (11, 6, "stop")
    sent = openai_server.requests[-1]
    assert sent["stream"] is True and sent["model"] == "big-eda-model" and sent["max_tokens"] == 50
    assert sent["messages"] == ASK
    assert sent["stream_options"] == {"include_usage": True}


def test_length_finish_and_stop_strings(openai_server):
    generator = remote(openai_server.base_url, stream_usage=False).models.generator("big")
    assert generator.generate(ASK, max_tokens=3, ctx=TaskContext()).finish_reason == "length"
    result = generator.generate(ASK, max_tokens=50, stop=[" setup"], ctx=TaskContext())
    assert result.text == "report the worst" and result.finish_reason == "stop"
    assert openai_server.requests[-1]["stop"] == [" setup"]
    assert "stream_options" not in openai_server.requests[-1]


def test_non_streaming_generate(openai_server):
    result = remote(openai_server.base_url).models.generator("big").generate(ASK, max_tokens=2)
    assert openai_server.requests[-1]["stream"] is False
    assert (result.text, result.completion_tokens, result.finish_reason) == ("report the", 2, "length")


def test_api_key_from_environment(openai_server, monkeypatch):
    monkeypatch.setenv("TEST_LLM_KEY", "s3cret")
    remote(openai_server.base_url, api_key_env="TEST_LLM_KEY").models.generator("big").generate(ASK)
    assert openai_server.headers[-1]["Authorization"] == "Bearer s3cret"


def test_missing_api_key_variable_is_a_config_error(openai_server, monkeypatch):
    monkeypatch.delenv("TEST_LLM_KEY", raising=False)
    with pytest.raises(ConfigError, match="TEST_LLM_KEY is not set"):
        remote(openai_server.base_url, api_key_env="TEST_LLM_KEY").models.generator("big")


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (400, InvalidInputError, "max_tokens must be at most 4096"),
        (401, ConfigError, "invalid api key"),
        (404, ConfigError, "does not exist"),
        (500, BackendUnavailableError, "CUDA out of memory"),
    ],
)
def test_http_errors_carry_the_servers_message(openai_server, status, error, text):
    openai_server.mode = status
    generator = remote(openai_server.base_url).models.generator("big")
    with pytest.raises(error, match=text):
        list(generator.stream(ASK))
    with pytest.raises(error, match=text):
        generator.generate(ASK)


def test_wrong_base_url_path_is_a_config_error(openai_server):
    generator = remote(f"http://127.0.0.1:{openai_server.port}/api").models.generator("big")
    with pytest.raises(ConfigError, match="HTTP 404"):
        generator.generate(ASK)


def test_unreachable_endpoint_is_unavailable(closed_port):
    generator = remote(f"http://127.0.0.1:{closed_port}/v1", timeout=5).models.generator("big")
    with pytest.raises(BackendUnavailableError, match="unreachable") as info:
        list(generator.stream(ASK))
    assert info.value.code == "UNAVAILABLE"


def test_bad_base_url_is_a_config_error():
    with pytest.raises(ConfigError, match="base_url"):
        remote("localhost:8000").models.generator("big")


def test_cancellation_closes_the_connection(openai_server):
    openai_server.delay = 0.05
    words = " ".join(f"w{i}" for i in range(100))
    ctx = TaskContext()
    stream = (
        remote(openai_server.base_url)
        .models.generator("big")
        .stream([{"role": "user", "content": words}], max_tokens=100, ctx=ctx)
    )
    with pytest.raises(CancelledError):
        for i, _ in enumerate(stream):
            if i == 2:
                ctx.cancelled.set()
    assert openai_server.client_gone.wait(5), "the server never noticed the client went away"
    assert openai_server.chunks_sent < 50


def test_long_prompt_is_truncated_by_estimate(openai_server):
    generator = remote(openai_server.base_url, max_context=64).models.generator("big")
    history = [
        {"role": "user", "content": "old question " * 40},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "new question"},
    ]
    generator.generate(history, max_tokens=16)
    sent = openai_server.requests[-1]
    assert sent["messages"] == [{"role": "user", "content": "new question"}]
    assert sent["max_tokens"] == 16
    assert generator.count_tokens("abcdefgh") == 2


def test_generation_is_timed_out_by_the_deadline(openai_server):
    openai_server.delay = 0.5
    ctx = TaskContext(deadline=time.monotonic() + 0.3)
    with pytest.raises(DeadlineExceededError):
        remote(openai_server.base_url).models.generator("big").generate(ASK, ctx=ctx)
