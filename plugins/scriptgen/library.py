"""The script library: validated (instruction, files, script) records, retrieved as few-shot examples.

Two sources, read together:

- the **seed library** shipped with chipmate, over the small designs in ``seed/designs/``: ``seed/library.jsonl``,
  examples written for this project, and ``seed/harvested.jsonl``, scripts harvested from Yosys's and OpenSTA's
  own tests and examples by ``python -m chipmate.plugins.scriptgen.harvest`` (docs/scriptgen.md), each record
  with its ``provenance`` (repository, path, commit) and ``license``. Every seed record was validated by running
  it (a test re-runs them all);
- the user's **local store**, a JSONL file (``tasks.scriptgen.library``, default
  ``<cache>/scriptgen/library.jsonl``) that ``chipmate scripts add|import`` append to.

One record per line (the format ``chipmate scripts import`` reads and ``export`` writes)::

    {"id": "counter-synth", "tool": "yosys", "level": "easy",
     "instruction": "Synthesize counter.v and write the netlist to counter_syn.v.",
     "files": [{"name": "counter.v", "content": "module counter(...); ... endmodule"}],
     "script": "read_verilog counter.v\\nsynth -top counter\\nwrite_verilog counter_syn.v\\n"}

In the seed file ``files`` lists plain names, resolved against ``seed/designs/``; everywhere else each file
carries its ``content``. ``level`` is optional (easy, medium, hard), and so are ``provenance`` (where the script
came from: ``{"repo", "path", "commit"}``), ``license`` and ``instruction_by`` (``model`` or ``rules``: who wrote
the instruction of a harvested record).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipmate.errors import InvalidInputError

SEED_DIR = Path(__file__).with_name("seed")
SEED_FILE = SEED_DIR / "library.jsonl"
#: the records harvested from scripts written outside chipmate (rebuilt by ``harvest.py``)
HARVEST_FILE = SEED_DIR / "harvested.jsonl"
DESIGNS_DIR = SEED_DIR / "designs"
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
LEVELS = ("", "easy", "medium", "hard")


@dataclass
class ScriptRecord:
    """One validated example: what was asked, on which files, and the script that did it."""

    id: str
    tool: str
    instruction: str
    #: ``{"name": ..., "content": ...}`` per input file
    files: list[dict[str, str]]
    script: str
    level: str = ""
    #: where the script came from (``repo``, ``path``, ``commit``); empty for records written for chipmate
    provenance: dict[str, str] = field(default_factory=dict, compare=False)
    #: the licence of the script (SPDX identifier), when it came from elsewhere
    license: str = field(default="", compare=False)
    #: who wrote the instruction of a harvested record: "model" (reviewed by rules) or "rules"
    instruction_by: str = field(default="", compare=False)
    #: "seed" (shipped with chipmate) or "user" (the local store); not stored in the file
    source: str = field(default="user", compare=False)
    _digest: str = field(default="", init=False, repr=False, compare=False)

    @property
    def file_names(self) -> list[str]:
        """The names of the record's input files."""
        return [f["name"] for f in self.files]

    def to_json(self, *, inline: bool = True) -> dict[str, Any]:
        """The record as one JSONL object (``inline=False`` lists file names only)."""
        files: list[Any] = list(self.files) if inline else self.file_names
        data: dict[str, Any] = {"id": self.id, "tool": self.tool}
        if self.level:
            data["level"] = self.level
        data.update(instruction=self.instruction, files=files, script=self.script)
        if self.provenance:
            data["provenance"] = dict(self.provenance)
        if self.license:
            data["license"] = self.license
        if self.instruction_by:
            data["instruction_by"] = self.instruction_by
        return data

    @classmethod
    def from_json(cls, data: Any, *, where: str, source: str = "user", base_dir: Path | None = None) -> ScriptRecord:
        """Build a record from a decoded JSONL object; InvalidInputError names ``where`` and the bad field.

        A file given as a plain string is a name (or a path relative to ``base_dir``) whose content is read.
        """
        if not isinstance(data, dict):
            raise InvalidInputError(f"{where}: a record must be a JSON object")
        for key in ("instruction", "script"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise InvalidInputError(f"{where}: '{key}' must be a non-empty string")
        tool = data.get("tool", "yosys")
        level = data.get("level", "")
        if level not in LEVELS:
            raise InvalidInputError(f"{where}: 'level' must be one of easy, medium, hard")
        files = [file_entry(item, where, base_dir) for item in data.get("files", [])]
        record_id = str(data.get("id") or "")
        if record_id and not RECORD_ID.match(record_id):
            raise InvalidInputError(f"{where}: id {record_id!r} must be letters, digits, '_', '.', ':' or '-'")
        script = data["script"] if data["script"].endswith("\n") else data["script"] + "\n"
        provenance = data.get("provenance") or {}
        if not isinstance(provenance, dict) or not all(isinstance(v, str) for v in provenance.values()):
            raise InvalidInputError(f"{where}: 'provenance' must be an object of strings")
        record = cls(record_id, str(tool), data["instruction"].strip(), files, script, level, source=source)
        record.provenance = {str(k): v for k, v in provenance.items()}
        record.license = str(data.get("license") or "")
        record.instruction_by = str(data.get("instruction_by") or "")
        if not record.id:
            record.id = "user-" + record.digest()[:12]
        return record

    def digest(self) -> str:
        """A hash of what the record says (tool, instruction, files, script); kept once computed, because the
        example retriever fingerprints the whole library on every search (records are not changed in place)."""
        if not self._digest:
            payload = json.dumps([self.tool, self.instruction, self.files, self.script], sort_keys=True)
            self._digest = hashlib.sha256(payload.encode()).hexdigest()
        return self._digest


def file_entry(item: Any, where: str, base_dir: Path | None) -> dict[str, str]:
    if isinstance(item, str):
        path = (base_dir or Path.cwd()) / item
        try:
            return {"name": Path(item).name, "content": path.read_text(encoding="utf-8")}
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{where}: cannot read file {item!r}: {exc}") from None
    if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("content"), str):
        return {"name": item["name"], "content": item["content"]}
    raise InvalidInputError(f"{where}: each file must be a name or a {{'name', 'content'}} object")


def read_jsonl(path: Path, *, source: str = "user", base_dir: Path | None = None) -> list[ScriptRecord]:
    """The records of a JSONL file; InvalidInputError names the file and line of a bad one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{where}: not valid JSON: {exc}") from None
        records.append(ScriptRecord.from_json(data, where=where, source=source, base_dir=base_dir))
    return records


_seed_cache: list[ScriptRecord] | None = None
_seed_lock = threading.Lock()


def seed_records() -> list[ScriptRecord]:
    """The seed library shipped with chipmate: the hand-written records, then the harvested ones (read once per
    process)."""
    global _seed_cache
    with _seed_lock:
        if _seed_cache is None:
            records = read_jsonl(SEED_FILE, source="seed", base_dir=DESIGNS_DIR)
            if HARVEST_FILE.is_file():
                records += read_jsonl(HARVEST_FILE, source="seed", base_dir=DESIGNS_DIR)
            _seed_cache = records
        return list(_seed_cache)


class ScriptLibrary:
    """The seed records (optionally) plus the local store, which new records are appended to."""

    def __init__(self, store: Path | None, *, include_seed: bool = True) -> None:
        self.store = store
        self.include_seed = include_seed

    def records(self, tool: str | None = None) -> list[ScriptRecord]:
        """Every record, seed first, optionally only those for ``tool``."""
        records = seed_records() if self.include_seed else []
        if self.store is not None and self.store.is_file():
            records += read_jsonl(self.store)
        return [r for r in records if tool is None or r.tool == tool]

    def __iter__(self) -> Iterator[ScriptRecord]:
        return iter(self.records())

    def get(self, record_id: str) -> ScriptRecord | None:
        """The record with ``record_id``, or None."""
        return next((r for r in self.records() if r.id == record_id), None)

    def add(self, records: Iterable[ScriptRecord]) -> list[ScriptRecord]:
        """Append ``records`` to the local store; InvalidInputError for an id already in the library."""
        if self.store is None:
            raise InvalidInputError("this library has no local store to add to", hint="set tasks.scriptgen.library")
        known = {r.id for r in self.records()}
        added = []
        for record in records:
            if record.id in known:
                raise InvalidInputError(
                    f"a record with id {record.id!r} is already in the library", hint="give the record another id"
                )
            known.add(record.id)
            added.append(record)
        self.store.parent.mkdir(parents=True, exist_ok=True)
        with open(self.store, "a", encoding="utf-8") as handle:
            for record in added:
                handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        return added

    def fingerprint(self, tool: str | None = None) -> str:
        """A hash of the records' ids and contents: the example index is rebuilt when it changes."""
        digest = hashlib.sha256()
        for record in self.records(tool):
            digest.update(record.id.encode() + b"\0" + record.digest().encode())
        return digest.hexdigest()
