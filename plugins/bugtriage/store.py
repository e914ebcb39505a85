"""The bug history: one SQLite file holding the records, their embeddings and the fitted models.

Tables::

    meta        key/value: schema version, history_version (bumped by every import that changes a record)
    bugs        one row per record id: the record as JSON, its content hash, the version that last changed it
    embeddings  (bug id, embedder alias) -> float32 vector of title + first post, with the hash of that text
    models      name -> arrays (npz) + JSON metadata, including the history version it was fit on

Keeping all of it in one file makes an import atomic (records and their version change in one transaction) and
lets a server read while the CLI imports (WAL mode). Vectors are stored per embedder alias, so switching the
alias re-embeds once and switching back costs nothing. Models are arrays and JSON, never pickles: a newer
scikit-learn reads them, and opening a shared history file cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chipmate.errors import BackendUnavailableError, ConfigError

from .records import BugRecord, Comment, ImportProblem, ParseResult
from .shorten import shorten_text

SCHEMA_VERSION = 1
# Characters of title + first post that are embedded; the default embedder reads ~256 tokens anyway.
EMBED_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bugs (
    id TEXT PRIMARY KEY, record TEXT NOT NULL, content_hash TEXT NOT NULL, version INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS embeddings (
    bug_id TEXT NOT NULL, embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (bug_id, embedder)
);
CREATE TABLE IF NOT EXISTS models (
    name TEXT PRIMARY KEY, history_version INTEGER NOT NULL, meta TEXT NOT NULL, arrays BLOB NOT NULL
);
"""


def embedding_text(record: BugRecord) -> str:
    """What is embedded for a record: title and first post, paths and log lines shortened, capped."""
    return shorten_text(record.query_text())[:EMBED_CHARS]


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:20]


@dataclass
class ImportReport:
    """What an import did: counts, the problems found and the history version after it."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    files: int = 0
    version: int = 0

    @property
    def skipped(self) -> int:
        """Records dropped because they were malformed."""
        return sum(1 for p in self.problems if p.skipped)

    @property
    def usable(self) -> int:
        """Records the history now holds from this import (new, changed or already identical)."""
        return self.imported + self.updated + self.unchanged


@dataclass
class StoredModel:
    """A fitted model as stored: its metadata and arrays."""

    name: str
    history_version: int
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]


class BugStore:
    """One history file. Thread-safe: one connection guarded by a lock (SQLite serialises writers anyway)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.commit()
            elif int(row[0]) != SCHEMA_VERSION:
                raise ConfigError(
                    f"bug history {self.path} has schema {row[0]}, this chipmate reads {SCHEMA_VERSION}",
                    hint="import the history again into a new file (--db) with this version",
                )
        except sqlite3.Error as exc:
            raise BackendUnavailableError(
                f"cannot open the bug history {self.path}: {exc}",
                hint="check the path and its permissions, or choose another with --db / tasks.bugtriage.db",
            ) from exc
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # -- records ---------------------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The history version: 0 when empty, bumped by each import that adds or changes a record."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'history_version'").fetchone()
        return int(row[0]) if row else 0

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM bugs").fetchone()[0])

    def get(self, bug_id: str) -> BugRecord | None:
        """The stored record ``bug_id``, or None."""
        with self._lock:
            row = self._db.execute("SELECT record FROM bugs WHERE id = ?", (bug_id,)).fetchone()
        return _load(row[0]) if row else None

    def records(self) -> list[BugRecord]:
        """Every stored record, in import order."""
        with self._lock:
            rows = self._db.execute("SELECT record FROM bugs ORDER BY rowid").fetchall()
        return [_load(r[0]) for r in rows]

    def import_parsed(self, parsed: ParseResult) -> ImportReport:
        """Add or update the records of ``parsed`` in one transaction; identical records are left alone.

        GitHub comments that came in separate files are attached to their issue, whether that issue is in
        the same import or already stored. A record id seen twice keeps the later record (with a problem noted).
        """
        report = ImportReport(problems=list(parsed.problems), ignored=Counter(parsed.ignored), files=parsed.files)
        latest: dict[str, tuple[BugRecord, str, str]] = {}
        for record, file, where in parsed.records:
            if record.id in latest:
                _, first_file, first_where = latest[record.id]
                message = f"id {record.id!r} was already read at {first_file}: {first_where}; this one is kept"
                report.problems.append(ImportProblem(file, where, "id", message, skipped=False))
            latest[record.id] = (record, file, where)
        with self._lock, self._db:
            for key, comments in parsed.comments.items():
                entry = latest.get(key)
                base = entry[0] if entry else self.get(key)
                if base is None:
                    report.problems.append(
                        ImportProblem(
                            "comments", key, "issue_url", f"{len(comments)} comments of an issue not in the history"
                        )
                    )
                    continue
                ordered = [c for _, c in sorted(comments, key=lambda item: item[0])]
                known = {(c.author, c.text) for c in base.comments}
                base.comments = [*base.comments, *(c for c in ordered if (c.author, c.text) not in known)]
                latest[key] = (base, entry[1] if entry else "", entry[2] if entry else "")
            version = self.version + 1
            for bug_id, (record, file, _) in latest.items():
                digest = record.content_hash()
                row = self._db.execute("SELECT content_hash FROM bugs WHERE id = ?", (bug_id,)).fetchone()
                if row is not None and row[0] == digest:
                    report.unchanged += 1
                    continue
                data = json.dumps(record.to_dict(), ensure_ascii=False)
                self._db.execute(
                    "INSERT INTO bugs (id, record, content_hash, version, source) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET record = excluded.record, content_hash = excluded.content_hash, "
                    "version = excluded.version, source = excluded.source",
                    (bug_id, data, digest, version, file),
                )
                if row is None:
                    report.imported += 1
                else:
                    report.updated += 1
            if report.imported or report.updated:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('history_version', ?)", (str(version),))
        report.version = self.version
        return report

    # -- embeddings ------------------------------------------------------------------------------------------

    def embeddings(
        self,
        embedder: Any,
        alias: str,
        *,
        records: list[BugRecord] | None = None,
        show_progress: bool = False,
        ctx: Any = None,
    ) -> np.ndarray:
        """Vectors of every record (or of ``records``, in their order), embedding and storing the missing ones.

        A stored vector is reused while the record's embedded text is unchanged; ``alias`` names the embedder,
        so vectors of different embedders never mix.
        """
        records = self.records() if records is None else records
        texts = [embedding_text(r) for r in records]
        hashes = [_text_hash(t) for t in texts]
        with self._lock:
            rows = self._db.execute(
                "SELECT bug_id, text_hash, vector FROM embeddings WHERE embedder = ?", (alias,)
            ).fetchall()
        stored = {bug_id: (text_hash, vector) for bug_id, text_hash, vector in rows}
        vectors: list[np.ndarray | None] = []
        for record, digest in zip(records, hashes, strict=True):
            hit = stored.get(record.id)
            vectors.append(np.frombuffer(hit[1], dtype=np.float32) if hit and hit[0] == digest else None)
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            from tqdm import tqdm

            batch = 64
            bar = tqdm(total=len(missing), desc="embedding", unit="bug", disable=not show_progress)
            for start in range(0, len(missing), batch):
                if ctx is not None:
                    ctx.check()
                chunk = missing[start : start + batch]
                new = np.asarray(embedder.embed([texts[i] for i in chunk], ctx=ctx), dtype=np.float32)
                with self._lock, self._db:
                    for i, vector in zip(chunk, new, strict=True):
                        vectors[i] = vector
                        self._db.execute(
                            "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                            (records[i].id, alias, hashes[i], vector.tobytes()),
                        )
                bar.update(len(chunk))
            bar.close()
        if not vectors:
            return np.zeros((0, int(getattr(embedder, "dimension", 0) or 0)), dtype=np.float32)
        return np.vstack([v for v in vectors if v is not None]).astype(np.float32, copy=False)

    # -- models ----------------------------------------------------------------------------------------------

    def save_model(self, model: StoredModel) -> None:
        """Store (replace) a fitted model."""
        buffer = io.BytesIO()
        savez: Any = np.savez_compressed  # numpy's stub types **arrays as if one could be allow_pickle
        savez(buffer, **model.arrays)
        meta = {**model.meta, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?)",
                (model.name, model.history_version, json.dumps(meta), buffer.getvalue()),
            )

    def load_model(self, name: str) -> StoredModel | None:
        """The stored model ``name``, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT history_version, meta, arrays FROM models WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        with np.load(io.BytesIO(row[2]), allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        return StoredModel(name, int(row[0]), json.loads(row[1]), arrays)

    def model_metas(self) -> dict[str, tuple[int, dict[str, Any]]]:
        """name -> (history version, metadata) of every stored model, without loading the arrays."""
        with self._lock:
            rows = self._db.execute("SELECT name, history_version, meta FROM models ORDER BY name").fetchall()
        return {name: (int(version), json.loads(meta)) for name, version, meta in rows}

    def delete_model(self, name: str) -> None:
        """Drop a stored model (when a refit finds too little labelled history for it)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM models WHERE name = ?", (name,))

    # -- statistics ------------------------------------------------------------------------------------------

    def counts(self, records: list[BugRecord] | None = None) -> dict[str, Any]:
        """Records, labelled records per field, and the most common labels and owners."""
        records = self.records() if records is None else records
        out: dict[str, Any] = {"records": len(records), "history_version": self.version}
        getters: dict[str, Callable[[BugRecord], str]] = {
            "category": lambda r: r.category,
            "component": lambda r: r.component,
            "owner": lambda r: r.history_owner(),
            "severity": lambda r: r.severity,
        }
        for name, get in getters.items():
            values = Counter(v for v in map(get, records) if v)
            out[name] = {"labelled": sum(values.values()), "classes": len(values), "top": values.most_common(8)}
        return out


def _load(data: str) -> BugRecord:
    raw = json.loads(data)
    raw["comments"] = [Comment(**c) for c in raw.get("comments", [])]
    return BugRecord(**raw)
