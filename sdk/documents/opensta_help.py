"""Harvest OpenSTA's command list and usages (the ``sta`` binary, Debian/Ubuntu package ``opensta``).

OpenSTA has no JSON dump like Yosys; its ``help`` command with no pattern prints every command it defines with
its argument synopsis (the first line names the command, indented lines continue the synopsis). One ``sta`` run
gives the whole reference, which is cached per OpenSTA version in the user cache, so later processes read a file.
The reference has the shape of Yosys's (``{"generator", "cmds": {name: {"title", "usage"}}}``) so documentation
grounding and indexes treat both tools alike.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from chipmate.errors import BackendUnavailableError

from .chunks import Document, chunk_blocks
from .loaders import Block

INSTALL_HINT = "install OpenSTA (Debian/Ubuntu: apt-get install opensta) so that `sta` is on PATH"
_QUERY = 'puts "@@version [sta::version]"\nhelp\n'
_COMMAND = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*))?$")


def sta_binary(binary: str | None = None) -> str:
    """The ``sta`` executable; BackendUnavailableError (with the install hint) when it is not installed."""
    found = binary or shutil.which("sta")
    if not found:
        raise BackendUnavailableError("OpenSTA is not installed: no `sta` on PATH", hint=INSTALL_HINT)
    return found


def parse_help(text: str) -> dict[str, str]:
    """``help``'s output as ``{command: usage}``: a line at column 0 starts a command, indented lines continue it."""
    usages: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("@@"):
            continue
        if line[0].isspace():
            if current is not None:
                current.append(" ".join(line.split()))
            continue
        match = _COMMAND.match(line.rstrip())
        if match is None:
            current = None
            continue
        current = usages.setdefault(match.group(1), [])
        if match.group(2):
            current.append(" ".join(match.group(2).split()))
    return {name: " ".join(parts) for name, parts in usages.items()}


def dump_command_reference(binary: str | None = None, timeout: float = 60.0) -> dict[str, Any]:
    """The command reference of the installed OpenSTA; BackendUnavailableError when ``sta`` is missing or fails."""
    executable = sta_binary(binary)
    with tempfile.TemporaryDirectory(prefix="chipmate-sta-help-") as tmp:
        query = Path(tmp) / "help.tcl"
        query.write_text(_QUERY, encoding="utf-8")
        try:
            result = subprocess.run(
                [executable, "-no_init", "-no_splash", "-exit", str(query)],
                capture_output=True,
                timeout=timeout,
                cwd=tmp,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BackendUnavailableError(f"could not run OpenSTA's help: {exc}", hint=INSTALL_HINT) from exc
    text = result.stdout.decode("utf-8", "replace")
    version = next((x.split(None, 1)[1] for x in text.splitlines() if x.startswith("@@version ")), "")
    usages = parse_help(text)
    if not usages:
        raise BackendUnavailableError(
            f"OpenSTA's `help` printed no commands (exit status {result.returncode})", hint=INSTALL_HINT
        )
    cmds = {name: {"title": "", "usage": f"{name} {usage}".strip()} for name, usage in sorted(usages.items())}
    return {"generator": f"OpenSTA {version}".strip(), "cmds": cmds}


def cached_reference(cache: Path, binary: str | None = None) -> dict[str, Any]:
    """:func:`dump_command_reference`, kept in ``cache/documents/`` per OpenSTA version (``sta -version``)."""
    executable = sta_binary(binary)
    try:
        version = (
            subprocess.run([executable, "-version"], capture_output=True, timeout=30, check=False)
            .stdout.decode()
            .strip()
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendUnavailableError(f"could not run `sta -version`: {exc}", hint=INSTALL_HINT) from exc
    path = cache / "documents" / f"opensta-commands-{re.sub(r'[^A-Za-z0-9_.-]', '_', version) or 'unknown'}.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    reference = dump_command_reference(executable)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(reference), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs the harvest next time
    return reference


def opensta_documents(reference: dict[str, Any], *, chunk_size: int = 512, chunk_overlap: int = 64) -> list[Document]:
    """One document per OpenSTA command, cited as ``opensta help <command>``."""
    documents = []
    for name, entry in sorted(reference.get("cmds", {}).items()):
        source = f"opensta help {name}"
        chunks = chunk_blocks(
            [Block(entry.get("usage") or name, name)],
            source,
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            fmt="opensta-help",
        )
        documents.append(Document(source, chunks, fingerprint=str(reference.get("generator", "OpenSTA"))))
    return documents
