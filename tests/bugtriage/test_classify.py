"""The learned models: fitting, storing, the confidence threshold, and what triage does without them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chipmate.plugins.bugtriage.classify import (
    LabelModel,
    OwnerTable,
    Tfidf,
    fit_label_model,
    neighbour_votes,
    rank_labels,
)
from chipmate.plugins.bugtriage.service import service_for
from chipmate.tasks import TaskContext

BUG = {
    "title": "detailed_route drc short on metal2 via",
    "description": "The guide and spacing look wrong near the macro.",
    "reporter": "alice",
}


def triage(host, **extra):
    return host.run_task("bugtriage.triage", {**BUG, **extra}, TaskContext(host=host))


def test_tfidf_round_trip_and_features():
    texts = ["clock tree skew", "clock tree latency", "drc short metal2", "drc spacing metal2"]
    tfidf = Tfidf.fit(texts)
    again = Tfidf.from_arrays(tfidf.arrays("t_"), "t_")
    a, b = tfidf.transform(["clock skew metal2"]), again.transform(["clock skew metal2"])
    np.testing.assert_allclose(a.toarray(), b.toarray())
    assert abs(float(np.linalg.norm(a.toarray())) - 1.0) < 1e-5
    assert "clock tree" in tfidf.vocabulary  # bigrams are features too


def test_label_model_learns_stores_and_reports_cross_validation():
    rng = np.random.default_rng(0)
    centres = {"router": rng.normal(size=16), "sta": rng.normal(size=16)}
    labels, vectors, texts = [], [], []
    for label, centre in centres.items():
        for i in range(15):
            v = centre + 0.3 * rng.normal(size=16)
            vectors.append(v / np.linalg.norm(v))
            labels.append(label)
            texts.append(f"{label} bug {i}")
    x = np.asarray(vectors, dtype=np.float32)
    model = fit_label_model("component", x, texts, labels, history_version=4, embedder="e", threshold=0.6)
    assert model is not None and model.classes == ["router", "sta"]
    assert model.metrics["cv_accuracy"] >= 0.9 and model.metrics["labelled"] == 30
    assert 0 < model.metrics["cv_coverage_at_threshold"] <= 1
    restored = LabelModel.from_stored(model.stored())
    np.testing.assert_allclose(restored.proba(x[:3], texts[:3]), model.proba(x[:3], texts[:3]), rtol=1e-5)
    assert restored.history_version == 4 and restored.embedder == "e"
    assert (
        fit_label_model("component", x[:5], texts[:5], labels[:5], history_version=1, embedder="e", threshold=0.6)
        is None
    )


def test_neighbour_votes_weight_by_similarity():
    sims = np.array([0.9, 0.8, 0.1, 0.7, 0.0])
    votes = neighbour_votes(sims, ["a", "b", "a", "", "b"], k=3)
    assert list(votes) == ["a", "b"] and abs(sum(votes.values()) - 1) < 1e-9


def test_owner_votes_exclude_the_reporter():
    owners = ["carol", "carol", "dave", "dave", "dave", ""]
    table = OwnerTable(owners)
    sims = np.array([0.9, 0.85, 0.2, 0.1, 0.1, 0.99])
    ranked = table.scores(sims, exclude="", k=2, prior_weight=0.0)
    assert next(iter(ranked)) == "carol" and abs(sum(ranked.values()) - 1) < 1e-9
    assert "carol" not in table.scores(sims, exclude="carol", k=2, prior_weight=0.0)
    # Prior only: the most frequent owner wins whatever the neighbours say.
    assert next(iter(table.scores(sims, exclude="", k=2, prior_weight=1.0))) == "dave"
    assert list(table.rows_of("carol")) == [0, 1] and list(table.rows_of("nobody")) == []


def test_rank_labels_drops_the_excluded_label_and_renormalises():
    ranked = rank_labels(["alice", "bob", "carol"], np.array([0.5, 0.3, 0.2]), exclude="alice")
    assert ranked == [("bob", pytest.approx(0.6)), ("carol", pytest.approx(0.4))]


def test_fit_then_triage_uses_the_classifiers(make_host, history_file):
    host = make_host()
    service = service_for(host)
    service.import_paths([str(history_file)])
    report = service.fit()
    assert report["models"]["category"]["fitted"] and report["models"]["component"]["fitted"]
    assert report["models"]["owner"]["fitted"] and report["models"]["owner"]["cv_hit_at_3"] == 1.0
    assert report["models"]["severity"] == {
        "fitted": False,
        "reason": "needs 20 labelled records in two classes or more",
    }
    out = triage(host)
    assert out["component"]["source"] == "classifier" and out["component"]["label"] == "router"
    assert report["models"]["component"]["cv_accuracy"] > 0.8 and report["models"]["component"]["cv_hit_at_3"] == 1
    assert out["category"]["label"] == "crash" and not out["category"]["unsure"]
    assert out["owners"][0]["name"] == "carol" and not out["owners_unsure"]
    assert all(i.startswith("ROUTER-") for i in out["owners"][0]["supporting_bug_ids"])
    assert not any("chipmate bugs fit" in note for note in out["notes"])
    stats = service.stats()
    assert stats["models"]["component"]["stale"] is False and stats["models"]["component"]["cv_accuracy"] > 0.8


def test_threshold_turns_a_guess_into_unsure(make_host, history_file):
    host = make_host(threshold=0.999)
    service = service_for(host)
    service.import_paths([str(history_file)])
    service.fit()
    out = triage(host, parts=["category", "component"])
    for name in ("category", "component"):
        assert out[name]["unsure"] and out[name]["label"] == ""
        assert out[name]["candidates"][0]["label"] and out[name]["confidence"] < 0.999  # the guess is still shown
    confident = triage(make_host(threshold=0.5), parts=["component"])["component"]
    assert not confident["unsure"] and confident["label"] == "router"


def test_without_a_fit_the_nearest_bugs_vote_and_the_note_says_to_fit(make_host, history_file):
    host = make_host()
    service_for(host).import_paths([str(history_file)])
    out = triage(host, parts=["component", "owners"])
    assert out["component"]["source"] == "neighbours" and out["component"]["candidates"][0]["label"] == "router"
    assert out["owners"][0]["name"] == "carol"
    notes = [note for note in out["notes"] if "run `chipmate bugs fit`" in note]
    assert len(notes) == 2 and "nearest owned bugs voted" in notes[1]


def test_a_stale_model_is_used_and_flagged(make_host, history_file, tmp_path):
    host = make_host()
    service = service_for(host)
    service.import_paths([str(history_file)])
    service.fit()
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "NEW-1", "title": "a later bug", "component": "sta"}) + "\n")
    service.import_paths([str(extra)])
    out = triage(host, parts=["component"])
    assert out["component"]["source"] == "classifier"
    (note,) = [n for n in out["notes"] if "history version 1" in n]
    assert "at version 2" in note and "chipmate bugs fit" in note
    assert service.stats()["models"]["component"]["stale"] is True


def test_learned_severity_replaces_the_rule_when_confident(make_host, tmp_path):
    records = []
    for i in range(30):
        slow = i % 2 == 0
        records.append(
            {
                "id": f"S-{i}",
                "title": f"{'runtime is slow in cts' if slow else 'typo in the placer manual'} {i}",
                "severity": "critical" if slow else "low",
            }
        )
    path = tmp_path / "sev.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    host = make_host(threshold=0.55)
    service = service_for(host)
    service.import_paths([str(path)])
    assert service.fit()["models"]["severity"]["fitted"]
    out = host.run_task(
        "bugtriage.triage", {"title": "runtime is slow in cts again", "parts": ["severity"]}, TaskContext(host=host)
    )
    assert out["severity"]["source"] == "history" and out["severity"]["level"] == "critical"
    assert "the rule says medium" in out["severity"]["reason"]
