"""The ``openai`` backend: any server speaking OpenAI's ``/v1/chat/completions`` (vLLM, NIM, TGI, llama.cpp).

This is how big models are used: they are served elsewhere, chipmate streams from them. It uses only the
standard library (``http.client``): one connection per request, server-sent events read line by line.

Errors: a refused connection, a timeout or an HTTP 5xx -> BackendUnavailableError (gRPC UNAVAILABLE); HTTP 401,
403 and 404 (bad key, unknown model name, wrong base_url) -> ConfigError; any other 4xx -> InvalidInputError
carrying the server's message. Token counts are estimated (4 characters a token) where the server reports none.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import ssl
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

from chipmate.errors import BackendUnavailableError, ChipmateError, ConfigError, InvalidInputError
from chipmate.models.base import (
    FINISH_LENGTH,
    FINISH_STOP,
    Generation,
    Generator,
    ModelSpec,
    StopFilter,
    TokenStream,
    check_prompt_size,
    fit_messages,
    validate_messages,
)
from chipmate.tasks import TaskContext

OPTIONS = {
    "base_url": "root of the server's OpenAI API, e.g. http://127.0.0.1:8000/v1",
    "model": "the model name the server serves (the request's 'model' field)",
    "api_key": "bearer token for the server; prefer api_key_env to keep it out of the file",
    "api_key_env": "name of the environment variable that holds the bearer token",
    "timeout": "seconds to wait to connect and for each streamed chunk (default 60)",
    "max_context": "the served model's context length in tokens, for prompt truncation (default 8192)",
    "stream_usage": "ask the server for usage counts in the stream (stream_options; default true)",
}
REQUIRED = ("base_url", "model")
# Rough characters per token of English text and code under BPE tokenizers; only used for budgeting.
CHARS_PER_TOKEN = 4


def load(spec: ModelSpec) -> OpenAIGenerator:
    """Check the settings of ``spec``; no connection is made until the first request."""
    url = urllib.parse.urlsplit(str(spec.options["base_url"]))
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"{spec.where('base_url')} is {spec.options['base_url']!r}",
            hint="use an http(s) URL such as http://127.0.0.1:8000/v1",
        )
    key = spec.options.get("api_key")
    env = spec.options.get("api_key_env")
    if env:
        key = os.environ.get(str(env))
        if not key:
            raise ConfigError(
                f"{spec.where('api_key_env')}: environment variable {env} is not set",
                hint=f"export {env}=<token> before starting chipmate",
            )
    return OpenAIGenerator(
        base_url=str(spec.options["base_url"]),
        model=str(spec.options["model"]),
        api_key=str(key) if key else None,
        timeout=float(spec.options.get("timeout", 60)),
        context_length=int(spec.options.get("max_context", 8192)),
        stream_usage=bool(spec.options.get("stream_usage", True)),
    )


def describe(spec: ModelSpec) -> dict[str, Any]:
    """The endpoint, without contacting it."""
    return {"endpoint": f"{str(spec.options.get('base_url', '')).rstrip('/')}/chat/completions"}


class OpenAIGenerator(Generator):
    """Streams chat completions from an OpenAI-compatible server. Thread-safe: no state is shared per request."""

    # A serving engine batches requests; a few at once keep it busy without queueing unboundedly on its side.
    max_concurrency = 8

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        context_length: int = 8192,
        stream_usage: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.context_length = context_length
        self.stream_usage = stream_usage
        self._url = urllib.parse.urlsplit(self.base_url)

    def count_tokens(self, text: str) -> int:
        """An estimate: one token per 4 characters (the server's tokenizer is not available here)."""
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def _fit(self, messages: list[dict[str, Any]], max_tokens: int) -> tuple[list[dict[str, Any]], int, int]:
        check_prompt_size(messages, context_length=self.context_length, count=self.count_tokens)

        def count(msgs: list[dict[str, Any]]) -> int:
            # ~4 tokens of chat-template framing per message, 3 for the assistant's turn.
            return sum(self.count_tokens(str(m.get("content", ""))) + 4 for m in msgs) + 3

        def cut_left(text: str, n: int) -> str:
            return text[n * CHARS_PER_TOKEN :]

        fitted = fit_messages(
            messages, max_tokens=max_tokens, context_length=self.context_length, count=count, cut_left=cut_left
        )
        return fitted.messages, fitted.max_tokens, fitted.prompt_tokens

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _post(self, body: dict[str, Any], ctx: TaskContext | None) -> tuple[http.client.HTTPConnection, Any]:
        timeout = self.timeout
        if ctx is not None and ctx.deadline is not None:
            timeout = max(0.001, min(timeout, ctx.deadline - time.monotonic()))
        url = self._url
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        conn = cls(url.hostname or "", url.port, timeout=timeout)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            conn.request("POST", f"{url.path.rstrip('/')}/chat/completions", json.dumps(body), headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            conn.close()
            raise self._unavailable(exc) from exc
        if response.status >= 400:
            try:
                raw = response.read(64 * 1024)
            except (OSError, http.client.HTTPException):
                raw = b""
            conn.close()
            raise self._http_error(response.status, raw)
        return conn, response

    def _unavailable(self, exc: BaseException) -> BackendUnavailableError:
        what = "timed out" if isinstance(exc, socket.timeout | TimeoutError) else f"{type(exc).__name__}: {exc}"
        return BackendUnavailableError(
            f"model server {self.base_url} is unreachable ({what})",
            hint="start the server (vLLM, NIM, TGI, llama.cpp) or fix base_url in the model's config",
        )

    def _http_error(self, status: int, raw: bytes) -> ChipmateError:
        message = raw.decode("utf-8", "replace").strip()
        try:
            data = json.loads(message)
            error = data.get("error", data) if isinstance(data, dict) else data
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
        except ValueError:
            pass
        text = f"model server {self.base_url} answered HTTP {status}: {message[:500] or 'no details'}"
        if status >= 500:
            return BackendUnavailableError(text, hint="the server failed; check its log and retry")
        if status in (401, 403):
            return ConfigError(text, hint="check api_key / api_key_env of the model's config")
        if status == 404:
            return ConfigError(text, hint="check base_url (it usually ends in /v1) and the model name")
        return InvalidInputError(text)

    # -- generation ------------------------------------------------------------------------------------------

    def _body(
        self, messages: list[dict[str, Any]], max_tokens: int, temperature: float, stop: list[str] | None, stream: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "max_tokens": max_tokens,
            "temperature": float(temperature),
            "stream": stream,
        }
        if stop:
            body["stop"] = list(stop)
        if stream and self.stream_usage:
            body["stream_options"] = {"include_usage": True}
        return body

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> TokenStream:
        """Stream the completion's text deltas (see :class:`chipmate.models.Generator`)."""
        validate_messages(messages)
        messages, max_tokens, estimate = self._fit(messages, max_tokens)
        state: dict[str, Any] = {"prompt": estimate, "completion": 0, "finish": FINISH_LENGTH, "text": ""}
        body = self._body(messages, max_tokens, temperature, stop, stream=True)
        deltas = self._deltas(body, StopFilter(stop), ctx, state)
        return TokenStream(
            deltas, lambda: Generation(state["text"], state["prompt"], state["completion"], state["finish"])
        )

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
        ctx: TaskContext | None = None,
    ) -> Generation:
        """One non-streaming request; with a ``ctx`` it streams instead, so cancellation stays prompt."""
        if ctx is not None:
            return super().generate(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, ctx=ctx)
        validate_messages(messages)
        messages, max_tokens, estimate = self._fit(messages, max_tokens)
        conn, response = self._post(self._body(messages, max_tokens, temperature, stop, stream=False), None)
        try:
            data = json.loads(response.read())
        except (OSError, http.client.HTTPException) as exc:
            raise self._unavailable(exc) from exc
        except ValueError as exc:
            raise BackendUnavailableError(f"model server {self.base_url} sent invalid JSON: {exc}") from exc
        finally:
            conn.close()
        choice = (data.get("choices") or [{}])[0]
        text = str((choice.get("message") or {}).get("content") or "")
        usage = data.get("usage") or {}
        finish = choice.get("finish_reason") or FINISH_STOP
        return Generation(
            text,
            int(usage.get("prompt_tokens", estimate)),
            int(usage.get("completion_tokens", self.count_tokens(text))),
            FINISH_LENGTH if finish == "length" else FINISH_STOP,
        )

    def _deltas(
        self, body: dict[str, Any], stop: StopFilter, ctx: TaskContext | None, state: dict[str, Any]
    ) -> Iterator[str]:
        if ctx is not None:
            ctx.check()
        try:
            conn, response = self._post(body, ctx)
        except BackendUnavailableError:
            if ctx is not None:
                ctx.check()  # a timeout caused by the call's own deadline is reported as such
            raise
        chunks = 0
        try:
            for data in _sse_events(response, self._unavailable):
                if ctx is not None:
                    ctx.check()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                except ValueError as exc:
                    raise BackendUnavailableError(f"model server {self.base_url} sent invalid JSON: {exc}") from exc
                if "error" in event:
                    raise self._http_error(500, data.encode())
                usage = event.get("usage")
                if usage:
                    state["prompt"] = int(usage.get("prompt_tokens", state["prompt"]))
                    state["usage_completion"] = int(usage.get("completion_tokens", chunks))
                for choice in event.get("choices") or ():
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta:
                        chunks += 1
                        state["completion"] = chunks
                        out = stop.feed(delta)
                        if out:
                            yield out
                    if choice.get("finish_reason"):
                        state["finish"] = FINISH_LENGTH if choice["finish_reason"] == "length" else FINISH_STOP
                if stop.stopped:
                    state["finish"] = FINISH_STOP
                    break
            out = stop.flush()
            if out:
                yield out
            state["completion"] = state.get("usage_completion", chunks)
            state["text"] = stop.text
        except BackendUnavailableError:
            if ctx is not None:
                ctx.check()
            raise
        finally:
            # Closing the connection is how the server learns the client went away (vLLM aborts the request).
            conn.close()


def _sse_events(response: Any, unavailable: Any) -> Iterator[str]:
    """The ``data:`` payloads of a server-sent-events body, one per event."""
    lines: list[str] = []
    while True:
        try:
            raw = response.readline()
        except (OSError, http.client.HTTPException) as exc:
            raise unavailable(exc) from exc
        if not raw:
            if lines:
                yield "\n".join(lines)
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if lines:
                yield "\n".join(lines)
                lines = []
        elif line.startswith("data:"):
            lines.append(line[5:].lstrip(" "))
