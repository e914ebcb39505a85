"""The history store: idempotent imports, history versions, stored embeddings and models."""

from __future__ import annotations

import json
import sqlite3

import numpy as np

from chipmate.plugins.bugtriage.importers import read_paths
from chipmate.plugins.bugtriage.service import service_for
from chipmate.plugins.bugtriage.store import BugStore, StoredModel

from .conftest import FIXTURES


def test_reimport_is_idempotent_and_changes_bump_the_version(tmp_path):
    store = BugStore(tmp_path / "h.sqlite3")
    assert store.version == 0 and len(store) == 0
    first = store.import_parsed(read_paths([str(FIXTURES / "history.jsonl")]))
    assert (first.imported, first.updated, first.unchanged, first.skipped, first.version) == (4, 0, 0, 3, 1)
    again = store.import_parsed(read_paths([str(FIXTURES / "history.jsonl")]))
    assert (again.imported, again.updated, again.unchanged, again.version) == (0, 0, 4, 1)
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({"id": "CHIP-102", "title": "report_checks slack differs (re-titled)"}) + "\n")
    update = store.import_parsed(read_paths([str(changed)]))
    assert (update.imported, update.updated, update.version) == (0, 1, 2)
    assert store.get("CHIP-102").title.endswith("(re-titled)")
    assert len(store) == 4


def test_malformed_records_do_not_lose_the_rest(tmp_path):
    store = BugStore(tmp_path / "h.sqlite3")
    report = store.import_parsed(read_paths([str(FIXTURES / "history.jsonl"), str(FIXTURES / "jira.csv")]))
    assert report.usable == 6 and report.skipped == 5
    assert {r.id for r in store.records()} == {"CHIP-101", "CHIP-102", "CHIP-103", "CHIP-106", "SYN-7", "SYN-9"}


def test_a_repeated_id_keeps_the_later_record_and_says_so(tmp_path):
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps({"id": "A-1", "title": "first"}) + "\n" + json.dumps({"id": "A-1", "title": "second"}))
    store = BugStore(tmp_path / "h.sqlite3")
    report = store.import_parsed(read_paths([str(path)]))
    assert report.imported == 1 and store.get("A-1").title == "second"
    assert any(p.field == "id" and not p.skipped and "already read" in p.message for p in report.problems)


def test_github_comments_attach_to_stored_issues_in_time_order(tmp_path):
    store = BugStore(tmp_path / "h.sqlite3")
    store.import_parsed(read_paths([str(FIXTURES / "github_issues.json")]))
    assert store.get("acme/chipflow#12").comments == []
    report = store.import_parsed(read_paths([str(FIXTURES / "github_comments.json")]))
    assert report.updated == 1
    issue = store.get("acme/chipflow#12")
    assert [c.author for c in issue.comments] == ["frank", "gina", "alice"]
    assert issue.responder() == "frank"
    # Importing the comments again adds nothing.
    assert store.import_parsed(read_paths([str(FIXTURES / "github_comments.json")])).updated == 0


def test_embeddings_are_stored_and_only_new_or_changed_bugs_are_embedded(host, history_file, tmp_path):
    service = service_for(host)
    service.import_paths([str(history_file)])
    embedder = host.models.embedder("hashing")
    assert embedder.texts == 36
    history = service.history()
    assert history.vectors.shape == (36, 256)
    np.testing.assert_allclose(np.linalg.norm(history.vectors, axis=1), 1.0, rtol=1e-5)
    service.import_paths([str(history_file)])
    service.history()
    assert embedder.texts == 36  # unchanged: nothing re-embedded
    changed = tmp_path / "one.jsonl"
    changed.write_text(json.dumps({"id": "STA-1", "title": "a new title for this bug"}) + "\n")
    service.import_paths([str(changed)])
    assert embedder.texts == 37
    # A second service on the same file (another process, say) reads the vectors instead of embedding.
    fresh = type(service)(host)
    assert fresh.history().vectors.shape == (36, 256) and embedder.texts == 37


def test_models_round_trip_without_pickles(tmp_path):
    store = BugStore(tmp_path / "h.sqlite3")
    arrays = {"coef": np.arange(6, dtype=np.float32).reshape(2, 3), "classes": np.array(["a", "b"])}
    store.save_model(StoredModel("category", 3, {"field": "category", "metrics": {"cv_accuracy": 0.5}}, arrays))
    loaded = store.load_model("category")
    assert loaded.history_version == 3 and loaded.meta["metrics"] == {"cv_accuracy": 0.5}
    np.testing.assert_array_equal(loaded.arrays["coef"], arrays["coef"])
    assert list(loaded.arrays["classes"]) == ["a", "b"]
    assert store.model_metas()["category"][0] == 3
    store.delete_model("category")
    assert store.load_model("category") is None


def test_the_file_is_plain_sqlite(tmp_path):
    store = BugStore(tmp_path / "h.sqlite3")
    store.import_parsed(read_paths([str(FIXTURES / "threads")]))
    store.close()
    with sqlite3.connect(tmp_path / "h.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM bugs").fetchone()[0] == 2
        assert db.execute("SELECT value FROM meta WHERE key = 'history_version'").fetchone()[0] == "1"
