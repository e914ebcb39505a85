"""SFT data from the library: each record as the chat the pipeline would build for it, answered by its script.

``chipmate scripts export --format chat`` writes one ``{"id", "tool", "messages"}`` object per record, where
``messages`` is exactly :func:`build_messages` of the pipeline (system rules, ``k`` retrieved examples as earlier
turns, the request) plus the record's script as the final assistant turn. Examples are retrieved as for a live
request, except that records sharing a Verilog file with the record are left out: at inference the examples
come from other designs, so training prompts should too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .library import ScriptRecord
from .prompt import VERILOG, build_messages


def same_design(record: ScriptRecord, records: list[ScriptRecord]) -> list[str]:
    """Ids of the records that share a Verilog file name with ``record`` (itself included)."""
    mine = {name for name in record.file_names if name.endswith(VERILOG)} or {None}
    return [r.id for r in records if r.id == record.id or mine & set(r.file_names)]


def chat_records(service: Any, records: list[ScriptRecord], k: int) -> Iterator[dict[str, Any]]:
    """The chat-format SFT rows of ``records`` with ``k`` few-shot examples each."""
    library = service.library().records()
    for record in records:
        examples = []
        if k > 0:
            retriever = service.retriever(record.tool)
            found = retriever.search(record.instruction, record.files, k, exclude=same_design(record, library))
            examples = [e.record for e in found]
        messages = build_messages(record.instruction, record.files, record.tool, examples)
        messages.append({"role": "assistant", "content": record.script.strip()})
        yield {"id": record.id, "tool": record.tool, "messages": messages}
