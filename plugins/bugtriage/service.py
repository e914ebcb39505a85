"""The bugtriage service of one Host: settings, the history store, its embeddings and fitted models.

Settings come from ``tasks.bugtriage`` in the chipmate config (each default's reason is in docs/bugtriage.md)::

    tasks:
      bugtriage:
        db: null                   # history file; null = <cache>/bugtriage/history.sqlite3
        embedder: null             # model alias; null = the registry's default embedder
        generator: null            # model alias; null = the registry's default generator
        threshold: 0.6             # confidence below which category/component/owner say "unsure"
        duplicates: 5              # duplicate candidates returned at most
        duplicate_min_score: 0.6   # cosine below which a past bug is not a likely duplicate
        owners: 3                  # owners suggested
        neighbours: 10             # nearest labelled bugs voting when no classifier is fit
        summary_max_tokens: 192    # tokens of each generated summary (and of each chunk's notes)
        max_summary_calls: 16      # generator calls one summary may use; longer records are condensed first
        max_input_tokens: 2048     # record tokens one prompt carries at most (the model's context permitting)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from chipmate.sections import Section, task_settings

from .classify import MIN_LABELLED, MIN_SEVERITY_LABELLED, LabelModel, OwnerTable, fit_label_model
from .importers import read_paths
from .records import BugRecord
from .store import BugStore, ImportReport, embedding_text

if TYPE_CHECKING:
    from chipmate.host import Host

#: the models ``fit`` learns: three record fields and the owner (assignee, else first responder)
MODELS = ("category", "component", "severity", "owner")


class BugTriageSettings(Section):
    """``tasks.bugtriage`` of the config, validated."""

    KEY = "tasks.bugtriage"

    # The history file; one per user by default, shared by the CLI and a local server.
    db: str | None = None
    # Model aliases; null = the registry's defaults (all-MiniLM-L6-v2 embedder, the default generator).
    embedder: str | None = None
    generator: str | None = None
    # Below this confidence an answer is "unsure": bugbug assigns only above 0.6 (93 % accurate on what it assigns).
    threshold: float = Field(default=0.6, ge=0, le=1)
    # Duplicate candidates: a handful is what a triager reads; 0.6 cosine separates rephrasings from same-topic bugs.
    duplicates: int = Field(default=5, ge=0, le=100)
    duplicate_min_score: float = Field(default=0.6, ge=-1, le=1)
    # Owners suggested: a triager picks from a short list.
    owners: int = Field(default=3, ge=1, le=20)
    # Neighbours voting for a label when no classifier is fit yet.
    neighbours: int = Field(default=10, ge=1, le=200)
    # Long enough for 4 sentences or 6 bullets; each summary costs this many tokens of generation at most.
    summary_max_tokens: int = Field(default=192, ge=16, le=2048)
    # Bounds a summary's cost on CPU: a few minutes with a 0.5B model; longer records are condensed first.
    max_summary_calls: int = Field(default=16, ge=3, le=200)
    # Small models summarise short inputs better, and CPU prompt time grows with length; the context may cap it lower.
    max_input_tokens: int = Field(default=2048, ge=64, le=1_000_000)


@dataclass
class History:
    """The history as one triage reads it: records, their vectors (rows in the same order) and owner codes."""

    version: int
    embedder: str
    records: list[BugRecord]
    vectors: np.ndarray
    owners: OwnerTable
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def people(self) -> set[str]:
        """Everyone named on a history record."""
        return {p for r in self.records for p in r.people()}


class BugTriageService:
    """The history and models of one Host; the task handler and the CLI both go through it."""

    def __init__(self, host: Host, *, db: str | None = None) -> None:
        from chipmate.config import Config

        self.host = host
        self.config = getattr(host, "config", None) or Config()
        self.settings = task_settings(self.config, "bugtriage", BugTriageSettings)
        if db is not None:
            self.settings.db = db
        self._store: BugStore | None = None
        self._history: History | None = None
        self._models: dict[str, tuple[int, Any]] = {}
        self._lock = threading.RLock()

    @property
    def db_path(self) -> Path:
        """The history file in use."""
        if self.settings.db:
            return Path(self.settings.db).expanduser()
        return Path(self.config.cache_path()) / "bugtriage" / "history.sqlite3"

    @property
    def store(self) -> BugStore:
        """The history store, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = BugStore(self.db_path)
            return self._store

    def embedder(self) -> Any:
        """The configured embedder (loaded once by the model registry)."""
        return self.host.models.embedder(self.settings.embedder)

    def embedder_alias(self) -> str:
        """The embedder's alias, under which vectors and models are stored."""
        return self.settings.embedder or str(self.host.models.default_alias("embedder"))

    def generator(self) -> Any:
        """The configured generator (loaded once by the model registry)."""
        return self.host.models.generator(self.settings.generator)

    # -- history ----------------------------------------------------------------------------------------------

    def history(self, *, show_progress: bool = False, ctx: Any = None) -> History:
        """The current history with its vectors; rebuilt only when an import changed it (or the embedder)."""
        alias = self.embedder_alias()
        version = self.store.version
        with self._lock:
            cached = self._history
            if cached is not None and cached.version == version and cached.embedder == alias:
                return cached
            records = self.store.records()
            vectors = self.store.embeddings(
                self.embedder() if records else None, alias, records=records, show_progress=show_progress, ctx=ctx
            )
            history = History(
                version=version,
                embedder=alias,
                records=records,
                vectors=vectors,
                owners=OwnerTable([r.history_owner() for r in records]),
                rows={r.id: i for i, r in enumerate(records)},
            )
            self._history = history
            return history

    def import_paths(
        self, paths: list[str], *, fmt: str = "auto", folder_label: str = "category", show_progress: bool = False
    ) -> ImportReport:
        """Import files into the history, then embed what is new (the records are kept even if that fails)."""
        report = self.store.import_parsed(read_paths(paths, fmt, folder_label=folder_label))
        if report.imported or report.updated:
            self.history(show_progress=show_progress)
        return report

    # -- models -----------------------------------------------------------------------------------------------

    def label_model(self, name: str) -> LabelModel | None:
        """The stored classifier of ``name`` (category, component, severity, owner), or None."""
        metas = self.store.model_metas()
        if name not in metas:
            return None
        stamp = hash((metas[name][0], metas[name][1].get("saved_at")))
        with self._lock:
            cached = self._models.get(name)
            if cached is None or cached[0] != stamp:
                stored = self.store.load_model(name)
                cached = (stamp, LabelModel.from_stored(stored) if stored is not None else None)
                self._models[name] = cached
            return cached[1]

    def fit(self, *, show_progress: bool = False) -> dict[str, Any]:
        """Fit the category, component, severity and owner classifiers on the whole history; what each achieved."""
        from tqdm import tqdm

        history = self.history(show_progress=show_progress)
        texts = [embedding_text(r) for r in history.records]
        report: dict[str, Any] = {"history_version": history.version, "records": len(history.records), "models": {}}
        steps = tqdm(MODELS, desc="fitting", unit="model", disable=not show_progress)
        for name in steps:
            steps.set_postfix_str(name)
            if name == "owner":
                labels = [r.history_owner() for r in history.records]
            else:
                labels = [getattr(r, name) for r in history.records]
            needed_count = MIN_SEVERITY_LABELLED if name == "severity" else MIN_LABELLED
            model = None
            if sum(1 for label in labels if label) >= needed_count:
                model = fit_label_model(
                    name,
                    history.vectors,
                    texts,
                    labels,
                    history_version=history.version,
                    embedder=history.embedder,
                    threshold=self.settings.threshold,
                    # A reporter is never suggested as owner, so cross-validation does not count them either.
                    exclude=[r.reporter for r in history.records] if name == "owner" else None,
                )
            needed = f"{needed_count} labelled records in two classes or more"
            if model is None:
                self.store.delete_model(name)
                report["models"][name] = {"fitted": False, "reason": f"needs {needed}"}
                continue
            self.store.save_model(model.stored())
            report["models"][name] = {"fitted": True, **model.metrics}
        return report

    def stats(self) -> dict[str, Any]:
        """Counts of the history and, per fitted model, its history version and cross-validated quality."""
        info = self.store.counts()
        info["db"] = str(self.db_path)
        info["models"] = {
            name: {"history_version": version, "stale": version != info["history_version"], **meta.get("metrics", {})}
            for name, (version, meta) in self.store.model_metas().items()
        }
        return info


def service_for(host: Host) -> BugTriageService:
    """The service of ``host`` (its plugin state), created on first use and shared by its calls."""
    return host.plugin_state("bugtriage", BugTriageService)
