"""The ``chat`` task over real gRPC: streaming, usage, cancellation within one token, UNAVAILABLE endpoints."""

from __future__ import annotations

import threading

import pytest

from chipmate import hookimpl
from chipmate.client import Client
from chipmate.config import Config
from chipmate.errors import BackendUnavailableError, ChipmateError
from chipmate.host import Host

HELLO = [{"role": "user", "content": "Setup time and hold time"}]


def connect(server) -> Client:
    return Client(f"127.0.0.1:{server.port}", timeout=60)


def test_chat_streams_tokens_and_returns_usage(make_server, tiny_host):
    with connect(make_server(tiny_host)) as client:
        events = list(client.stream("chat", {"messages": HELLO, "max_tokens": 8}))
    tokens = [e.text for e in events if e.kind == "token"]
    result = events[-1].output
    assert events[-1].kind == "result"
    assert "".join(tokens) == result["text"]
    assert result["model"] == "tiny"
    assert result["usage"]["completion_tokens"] == 8 and result["usage"]["prompt_tokens"] > 0
    assert result["finish_reason"] == "length"


def test_cancelled_call_stops_generation_within_one_token(
    make_server, tiny_host, on_forward, register_plugin, monkeypatch
):
    generator = tiny_host.models.generator("tiny")
    contexts = []
    stream = generator.stream

    def capture(messages, **kwargs):  # the server-side context of the call, to watch its cancel flag
        contexts.append(kwargs["ctx"])
        return stream(messages, **kwargs)

    monkeypatch.setattr(generator, "stream", capture)
    after_cancel: list[bool] = []
    client_has_three = threading.Event()

    def held_forward() -> None:
        after_cancel.append(bool(contexts) and contexts[0].cancelled.is_set())
        if client_has_three.is_set():
            # From the client's third token on, each step waits until the server saw the cancel, so whatever the
            # load, the step after the cancel is the test's: an event, not a race against a sleep.
            contexts[0].cancelled.wait(30)

    on_forward(held_forward)
    finished = threading.Event()
    errors = []

    class Watch:
        @hookimpl
        def chipmate_after_task(self, call, output, error):
            errors.append(error)
            finished.set()

    register_plugin(Watch(), name="watch")
    with connect(make_server(tiny_host)) as client:
        events = client.stream("chat", {"messages": HELLO, "max_tokens": 200, "model": "tiny"})
        received = 0
        for event in events:
            received += event.kind == "token"
            if received == 3:
                client_has_three.set()
                break
        events.cancel()  # cancels the RPC
        assert finished.wait(30), "the task did not end after the cancel"
    assert type(errors[0]).__name__ == "CancelledError"
    assert sum(after_cancel) <= 1, f"{sum(after_cancel)} forward passes began after the cancel"
    assert len(after_cancel) < 200, "the generation ran to max_tokens: the cancel did not stop it"


def test_unknown_model_alias_is_not_found(client):
    with pytest.raises(ChipmateError) as info:
        client.call("chat", {"messages": HELLO, "model": "gpt-9"})
    assert info.value.code == "NOT_FOUND"
    assert "no model with alias 'gpt-9'" in str(info.value)


def test_unreachable_openai_endpoint_is_unavailable(make_server, closed_port):
    spec = {"backend": "openai", "base_url": f"http://127.0.0.1:{closed_port}/v1", "model": "m", "timeout": 5}
    host = Host(Config(models={"remote": spec}))
    with connect(make_server(host)) as client:
        with pytest.raises(BackendUnavailableError) as info:
            client.call("chat", {"messages": HELLO, "model": "remote"})
        assert info.value.code == "UNAVAILABLE"
        with pytest.raises(BackendUnavailableError):
            list(client.stream("chat", {"messages": HELLO, "model": "remote"}))


def test_chat_against_an_openai_server(make_server, openai_server):
    spec = {"backend": "openai", "base_url": openai_server.base_url, "model": "m"}
    with connect(make_server(Host(Config(models={"remote": spec})))) as client:
        events = list(client.stream("chat", {"messages": [{"role": "user", "content": "a b c"}], "model": "remote"}))
    assert [e.text for e in events if e.kind == "token"] == ["a", " b", " c"]
    assert events[-1].output["usage"] == {"prompt_tokens": 11, "completion_tokens": 3}


def test_bad_chat_input_is_invalid_argument(client):
    with pytest.raises(ChipmateError) as info:
        client.call("chat", {"messages": [{"role": "robot", "content": "x"}]})
    assert info.value.code == "INVALID_ARGUMENT"
