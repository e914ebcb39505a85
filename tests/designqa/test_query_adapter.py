"""The linear query adapter: the file it is shipped as, the retriever applying it to the question only, what its
training learns, and a tiny `chipmate train query-adapter` run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.plugins.designqa.adapt import YOSYS_HELP_QUERY_ADAPTER, QueryAdapter
from chipmate.plugins.designqa.retrieve import HybridRetriever
from chipmate.trainer.recipes.query_adapter import AdapterTrainConfig, group_metrics, train_matrix


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_adapter_file_round_trip_and_embedder_check(tmp_path):
    rng = np.random.default_rng(0)
    matrix = np.eye(8) + 0.1 * rng.standard_normal((8, 8))
    path = QueryAdapter(matrix, embedder="mini", meta={"steps": 3}).save(tmp_path / "a" / "query_adapter.npz")
    loaded = QueryAdapter.load(path.parent)  # a directory finds its query_adapter.npz
    assert loaded.embedder == "mini" and loaded.meta == {"steps": 3}
    assert np.allclose(loaded.matrix, matrix, atol=1e-2)  # stored in float16
    out = loaded.adapt(rng.standard_normal((3, 8)))
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    loaded.check("mini", 8)
    with pytest.raises(ConfigError, match="trained for embedder 'mini'"):
        loaded.check("other", 8)
    with pytest.raises(ConfigError, match="8 dimensions"):
        loaded.check("mini", 16)
    with pytest.raises(ModelNotFoundError, match="no query adapter"):
        QueryAdapter.load(tmp_path / "missing.npz")


def test_shipped_adapter_is_small_and_for_the_default_embedder():
    adapter = QueryAdapter.load(YOSYS_HELP_QUERY_ADAPTER)
    assert YOSYS_HELP_QUERY_ADAPTER.stat().st_size < 5_000_000
    assert adapter.embedder == "all-minilm-l6-v2" and adapter.dimension == 384
    assert (YOSYS_HELP_QUERY_ADAPTER.parent / "README.md").is_file()


class _Swap:
    """An adapter that swaps two coordinates: the retriever must search with the swapped vector."""

    def __init__(self, i: int, j: int) -> None:
        self.i, self.j = i, j

    def adapt(self, vectors: np.ndarray) -> np.ndarray:
        out = vectors.copy()
        out[:, [self.i, self.j]] = out[:, [self.j, self.i]]
        return out


def test_retriever_searches_with_the_adapted_query_vector(built_index, embedder):
    from chipmate.plugins.designqa.index import KnowledgeIndex

    index = KnowledgeIndex.open(built_index, embedder=embedder)
    plain = HybridRetriever(index, embedder, mode="dense")
    query = "how do I flatten the hierarchy?"
    vector = plain.embed_query(query)
    top = int(np.argmax(np.abs(vector)))
    other = (top + 1) % len(vector)
    adapted = HybridRetriever(index, embedder, mode="dense", query_adapter=_Swap(top, other))
    swapped = adapted.embed_query(query)
    assert swapped[other] == pytest.approx(vector[top]) and swapped[top] == pytest.approx(vector[other])
    assert [h.dense for h in adapted.search(query, 3)] != [h.dense for h in plain.search(query, 3)]


def test_training_undoes_a_systematic_shift_of_the_questions():
    rng = np.random.default_rng(1)
    passages = _unit(rng.standard_normal((60, 16)))
    groups = np.array([f"s{i // 2}" for i in range(60)])  # two passages a source
    rotation = np.linalg.qr(rng.standard_normal((16, 16)))[0]
    # questions are their passage seen through a fixed rotation, plus noise: the identity finds few of them
    positives = rng.integers(0, 60, size=400)
    questions = _unit(passages[positives] @ rotation.T + 0.05 * rng.standard_normal((400, 16)))
    before = group_metrics(questions @ passages.T, positives, groups)
    matrix = train_matrix(
        questions[:300],
        positives[:300],
        passages,
        groups,
        AdapterTrainConfig(steps=300, learning_rate=0.02, identity_weight=0.0),
    )
    after = group_metrics(QueryAdapter(matrix).adapt(questions[300:]) @ passages.T, positives[300:], groups)
    assert before["hit@1"] < 0.5 and after["hit@1"] > 0.9


def test_group_metrics_count_the_best_passage_of_the_source():
    groups = np.array(["a", "a", "b", "c"])
    scores = np.array([[0.1, 0.9, 0.5, 0.2], [0.3, 0.8, 0.1, 0.9]])
    got = group_metrics(scores, np.array([0, 2]), groups)
    # question 1: its source's other passage is best (rank 0); question 2: "b" is below three passages (rank 3)
    assert got["hit@1"] == 0.5 and got["hit@3"] == 0.5 and got["hit@5"] == 1.0
    assert got["mrr@10"] == pytest.approx((1 + 1 / 4) / 2)


@pytest.mark.slow
def test_tiny_recipe_run_writes_a_loadable_adapter(tmp_path, docs_dir):
    from chipmate.cli import cli

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        yaml.safe_dump(
            {
                "paths": [str(docs_dir / "guide.md"), str(docs_dir / "flow.rst"), str(docs_dir / "notes.txt")],
                "chunk_size": 200,
                "chunk_overlap": 20,
                "generated_per_passage": 0,
                "keyphrase_per_passage": 3,
                "dev_fraction": 0.2,
                "train": {"steps": 20, "progress": False},
            }
        )
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "query-adapter", "-c", str(recipe), "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert Path(summary["adapter"]) == out / "query_adapter.npz" and summary["size_bytes"] < 1_000_000
    assert QueryAdapter.load(out / "query_adapter.npz").embedder == "all-minilm-l6-v2"
    checked = summary["questions_checked"]
    assert checked["kept"] == summary["train_pairs"] + summary["dev_pairs"] > 0
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert "dev_hit@1" in records[0] and sum("loss" in r for r in records) == 20 and "dev_mrr@10" in records[-1]
    bad = CliRunner().invoke(cli, ["train", "query-adapter", "-c", str(recipe), "--alias", "x"])
    assert bad.exit_code != 0 and "not recorded as a model alias" in bad.output


def test_service_applies_a_configured_adapter_and_auto_only_on_the_default_kb(index_copy, tmp_path):
    from chipmate.config import config_from_dict
    from chipmate.host import Host
    from chipmate.plugins.designqa.service import service_for

    def service(**designqa):
        config = {"cache_dir": str(tmp_path / "cache"), "tasks": {"designqa": designqa}}
        return service_for(Host(config_from_dict(config)))

    # the default ("auto") on a configured KB: the Yosys-help adapter does not belong there; no reranker
    plain = service(index_dir=str(index_copy)).retriever()
    assert plain.query_adapter is None and plain.reranker is None
    # ... and on the default Yosys-help KB with the default embedder it is the shipped adapter; "none" turns it off
    embedder = plain.embedder
    shipped = service().query_adapter(embedder)
    assert isinstance(shipped, QueryAdapter) and shipped.embedder == "all-minilm-l6-v2"
    assert service(query_adapter="none").query_adapter(embedder) is None
    path = QueryAdapter(np.eye(384), embedder="all-minilm-l6-v2").save(tmp_path / "qa.npz")
    adapted = service(index_dir=str(index_copy), query_adapter=str(path)).retriever()
    assert isinstance(adapted.query_adapter, QueryAdapter)
    other = QueryAdapter(np.eye(384), embedder="someone-elses").save(tmp_path / "other.npz")
    with pytest.raises(ConfigError, match="trained for embedder 'someone-elses'"):
        service(index_dir=str(index_copy), query_adapter=str(other)).retriever()
    with pytest.raises(ConfigError, match="rerank_depth must be between 2 and 100"):
        service(index_dir=str(index_copy), rerank_depth=1)
