"""The ``echo`` diagnostic task: returns its input text and streams it back word by word.

It exercises the whole path (schema validation, streaming, cancellation, deadlines) without a model, so tests,
benchmarks and smoke checks use it.
"""

from __future__ import annotations

from typing import Any

from chipmate import Task, TaskContext, hookimpl

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "Text to echo back."},
        "delay_ms": {
            "type": "number",
            "minimum": 0,
            "maximum": 10_000,
            "description": "Pause before each word, to exercise deadlines and cancellation.",
        },
    },
    "required": ["text"],
    "additionalProperties": False,
}

OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {"text": {"type": "string"}, "words": {"type": "integer", "minimum": 0}},
    "required": ["text", "words"],
}


def echo(input: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    """Stream the words of ``input['text']`` as tokens, then return the text and its word count."""
    text = input["text"]
    delay = input.get("delay_ms", 0) / 1000
    result = {"text": text, "words": len(text.split())}
    if not ctx.streaming and not delay:
        return result
    words = text.split(" ")
    for i, word in enumerate(words):
        if delay:
            # Wait on the cancellation event so a cancelled call stops at once, not after the delay.
            ctx.cancelled.wait(delay)
        ctx.check()
        ctx.token(word if i == 0 else " " + word)
        ctx.progress((i + 1) / len(words))
    return result


@hookimpl(trylast=True)
def chipmate_register_tasks(register):
    register(
        Task(
            name="echo",
            handler=echo,
            description="Echo the input text back, streaming it word by word (diagnostics).",
            input_schema=INPUT_SCHEMA,
            output_schema=OUTPUT_SCHEMA,
            streaming=True,
        )
    )
