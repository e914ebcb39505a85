"""The ``chat`` diagnostic task: messages in, a streamed completion out, from any configured generator.

It exercises the model path end to end (alias lookup, lazy loading, streaming, cancellation, usage counts) and
lets a tool script talk to a model directly.
"""

from __future__ import annotations

from typing import Any

from chipmate import Task, TaskContext
from chipmate.errors import ChipmateError
from chipmate.models import GENERATOR
from chipmate.models.base import MAX_MESSAGES

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "messages": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_MESSAGES,
            "items": {
                "type": "object",
                "properties": {
                    "role": {"enum": ["system", "user", "assistant"]},
                    "content": {"type": "string"},
                },
                "required": ["role", "content"],
                "additionalProperties": False,
            },
            "description": f"The conversation, oldest first (at most {MAX_MESSAGES} messages; a prompt of more "
            "than twice the model's context is refused, a shorter one that does not fit is truncated).",
        },
        "model": {"type": "string", "description": "Generator alias (default: the configured default)."},
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": 32768, "default": 256},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2, "default": 0},
        "stop": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 8},
    },
    "required": ["messages"],
    "additionalProperties": False,
}

OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "model": {"type": "string"},
        "usage": {
            "type": "object",
            "properties": {
                "prompt_tokens": {"type": "integer", "minimum": 0},
                "completion_tokens": {"type": "integer", "minimum": 0},
            },
            "required": ["prompt_tokens", "completion_tokens"],
        },
        "finish_reason": {
            "enum": ["stop", "length", "loop"],
            "description": "stop: end of sequence or a stop string; length: max_tokens reached; loop: the text "
            "kept repeating itself and the model's loop guard ended it",
        },
    },
    "required": ["text", "model", "usage", "finish_reason"],
}


def chat(input: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    """Generate a reply to ``input['messages']``, streaming each text delta with ``ctx.token``."""
    if ctx.host is None:
        raise ChipmateError("the chat task needs a host (run it through Host.run_task or the server)")
    models = ctx.host.models
    alias = input.get("model") or models.default_alias(GENERATOR)
    generator = models.generator(alias)
    stream = generator.stream(
        input["messages"],
        max_tokens=int(input.get("max_tokens", 256)),
        temperature=float(input.get("temperature", 0.0)),
        stop=input.get("stop"),
        ctx=ctx,
    )
    for delta in stream:
        ctx.token(delta)
    result = stream.generation
    assert result is not None
    return {
        "text": result.text,
        "model": alias,
        "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens},
        "finish_reason": result.finish_reason,
    }


def chat_task() -> Task:
    """The ``chat`` task as registered by the backends plugin."""
    return Task(
        name="chat",
        handler=chat,
        description="Chat with a configured generator model; streams tokens (diagnostics, direct model use).",
        input_schema=INPUT_SCHEMA,
        output_schema=OUTPUT_SCHEMA,
        streaming=True,
    )
