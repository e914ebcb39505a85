"""Harvest Yosys's built-in help for every command (through ``pyosys``) as documents (designqa's default knowledge
base, scriptgen's documentation grounding, the trainer's corpus).

Yosys writes its whole command reference as JSON with ``help -dump-cmds-json <file>``. It runs in a child
process because Yosys keeps global state and prints the help of every command on stdout while dumping; the
child's output is discarded and only the JSON file is read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from chipmate.errors import BackendUnavailableError

from .chunks import Document, chunk_blocks
from .loaders import Block

#: how the help is chunked, part of every document's fingerprint: a knowledge base built by an older chunking is
#: rebuilt (the server's default KB in the background; ``chipmate index add --yosys-help`` re-embeds)
CHUNKING = "titled-1"

_DUMP = (
    "import sys\nfrom pyosys import libyosys as ys\nys.run_pass('help -dump-cmds-json ' + sys.argv[1], ys.Design())\n"
)


def dump_command_reference(timeout: float = 300.0) -> dict[str, Any]:
    """The JSON command reference of the installed Yosys (``pyosys``); BackendUnavailableError when it is missing."""
    with tempfile.TemporaryDirectory(prefix="chipmate-yosys-help-") as tmp:
        out = Path(tmp) / "cmds.json"
        try:
            result = subprocess.run(
                [sys.executable, "-c", _DUMP, str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
                cwd=tmp,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BackendUnavailableError(f"yosys did not dump its help within {timeout:.0f} s") from exc
        if result.returncode != 0 or not out.is_file():
            detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise BackendUnavailableError(
                f"could not harvest Yosys help through pyosys: {detail[0]}",
                hint="pip install pyosys (it bundles Yosys), or index your own documents with `chipmate index build`",
            )
        return json.loads(out.read_text(encoding="utf-8"))


def _node_text(node: dict[str, Any], indent: str = "") -> str:
    body = str(node.get("body", "")).strip("\n")
    children = [_node_text(child, indent + "    ") for child in node.get("content", [])]
    if node.get("type") == "option":
        described = " ".join(" ".join(c.split()) for c in children if c.strip())
        return f"{indent}{body}: {described}" if described else f"{indent}{body}"
    return "\n".join([body, *children]).strip("\n")


def command_blocks(name: str, entry: dict[str, Any]) -> list[Block]:
    """The blocks of one command's help: a heading line with usage, its description paragraphs, one per option."""
    blocks: list[Block] = []
    title = entry.get("title", "")
    for node in entry.get("content", []):
        text = _node_text(node)
        if not text.strip():
            continue
        if node.get("type") == "usage":
            text = f"{name} — {title}. Usage: {text}"
        # Help text has no file lines; 0 tells citations (and `index search`) not to show any.
        blocks.append(Block(text, name, 0, 0))
    if not blocks:
        blocks.append(Block(f"{name} — {title}", name, 0, 0))
    return blocks


def yosys_documents(
    reference: dict[str, Any] | None = None, *, chunk_size: int = 512, chunk_overlap: int = 64
) -> list[Document]:
    """One document per Yosys command, cited as ``yosys help <command>``; fingerprinted with the Yosys version and
    the chunking (``CHUNKING``)."""
    reference = reference if reference is not None else dump_command_reference()
    version = reference.get("generator", "yosys")
    documents = []
    for name, entry in sorted(reference.get("cmds", {}).items()):
        source = f"yosys help {name}"
        # The title ("remove unused cells and wires") rides along with every passage of the command's help, so a
        # question about what the command does finds its option list too, and ranks the command, not the option.
        title = " ".join(str(entry.get("title", "")).split())
        chunks = chunk_blocks(
            command_blocks(name, entry),
            source,
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            fmt="yosys-help",
            context=title,
        )
        documents.append(Document(source, chunks, fingerprint=f"{version} ({CHUNKING})"))
    return documents
