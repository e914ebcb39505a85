"""``chipmate train reranker`` and the cross-encoder reranker: a tiny real run from the embedded MiniLM (LoRA),
the adapter it writes loading as a reranker, resume, config errors, and reranking in the retriever."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from chipmate.errors import ConfigError, ModelNotFoundError
from chipmate.plugins.designqa.rerank import CrossEncoderReranker
from chipmate.trainer.recipes.reranker import Config, rank_metrics, run
from chipmate.trainer.recipes.retriever_data import TrainingPair

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "recipes"


def load_config(path: str | None, overrides: dict[str, Any] | None = None) -> Config:
    from chipmate.trainer.recipes import load_recipe_config

    return load_recipe_config(Config, path, overrides or {}, "reranker")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory, docs_dir: Path) -> tuple[Path, dict[str, Any]]:
    """A tiny real run through `chipmate train reranker`: keyphrase questions over three fixture documents, LoRA
    rank 4, one epoch of a few steps."""
    from chipmate.cli import cli

    out = tmp_path_factory.mktemp("reranker")
    recipe = out / "recipe.yaml"
    recipe.write_text(
        yaml.safe_dump(
            {
                "paths": [str(docs_dir / "guide.md"), str(docs_dir / "flow.rst"), str(docs_dir / "notes.txt")],
                "chunk_size": 200,
                "chunk_overlap": 20,
                "generated_per_passage": 0,
                "keyphrase_per_passage": 2,
                "negatives": 2,
                "dev_fraction": 0.2,
                "max_length": 96,
                "lora": {"rank": 4, "alpha": 8},
                "train": {"epochs": 1, "batch_size": 4, "progress": False},
            }
        )
    )
    result = CliRunner().invoke(cli, ["train", "reranker", "-c", str(recipe), "--out-dir", str(out / "run")])
    assert result.exit_code == 0, result.output
    return recipe, json.loads(result.stdout[result.stdout.index("{") :])


def test_tiny_run_writes_a_small_adapter_that_loads_as_a_reranker(trained_run):
    _, result = trained_run
    final = Path(result["model_dir"])
    out = final.parent
    assert (final / "adapter_config.json").is_file() and not (final / "config.json").exists()
    # no path of this machine in what could be shipped
    assert json.loads((final / "adapter_config.json").read_text())["base_model_name_or_path"].count("/") == 1
    assert result["size_bytes"] < 5_000_000
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert records[0]["epoch"] == 0 and "dev_hit@1" in records[0]
    assert any("loss" in r for r in records) and records[-1]["epoch"] == 1 and "dev_mrr@10" in records[-1]
    checked = result["questions_checked"]
    assert checked["kept"] == result["train_pairs"] + result["dev_pairs"] > 0
    assert checked["written"] == checked["kept"] + checked["duplicates"] + checked["unanswerable"]
    assert set(result["dev_reranked"]) == set(result["dev_embedder_order"]) == {"hit@1", "hit@3", "mrr@10"}
    pair = json.loads((out / "pairs.jsonl").read_text().splitlines()[0])
    assert len(pair["negatives"]) >= 1 and pair["positive"] not in pair["negatives"]

    from chipmate.host import Host

    with pytest.raises(ConfigError, match="LoRA adapter"):
        CrossEncoderReranker(final)  # an adapter alone: its base comes from the model registry
    models = Host().models
    reranker = CrossEncoderReranker(final, base_dir=models.local_path(models.default_alias("embedder")), max_length=96)
    scores = reranker.score("how do I flatten the design?", ["flatten merges submodules", "stat prints counts"])
    assert scores.shape == (2,) and scores[0] != scores[1]


def test_resume_continues_from_the_last_epoch(trained_run):
    recipe, result = trained_run
    out = Path(result["model_dir"]).parent
    overrides = {"out_dir": str(out), "train.epochs": 2, "train.resume": True, "train.plot": False}
    run(load_config(str(recipe), overrides))
    epochs = [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert epochs[0] == 0 and max(epochs) == 2 and epochs == sorted(epochs)


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"negatives must be at least 1, got 0"):
        load_config(None, {"negatives": 0})
    with pytest.raises(ConfigError, match=r"alias is not used: a reranker is not recorded as a model alias"):
        load_config(None, {"alias": "mine"})
    with pytest.raises(ConfigError, match=r"base_model must be null for a LoRA reranker"):
        load_config(None, {"base_model": str(tmp_path)})
    assert load_config(None, {"base_model": str(tmp_path), "lora.rank": 0}).lora.rank == 0


def test_example_recipe_is_cpu_sized_for_the_default_kb():
    config = load_config(str(EXAMPLES / "reranker.yaml"))
    assert config.yosys_help and 0 < config.max_generated_passages <= 200 and config.lora.rank > 0
    assert config.out_dir.startswith("runs/")


def test_rank_metrics_count_any_passage_of_the_positive_source():
    groups = ["a", "a", "b", "c"]
    pairs = [TrainingPair("q1", 0, [2]), TrainingPair("q2", 2, [3]), TrainingPair("q3", 3, [0])]
    orders = [[1, 2, 3], [3, 0, 2], [0, 1, 2]]  # q1: its source's other chunk first; q2 third; q3 missing
    got = rank_metrics(orders, pairs, groups)
    assert got == {"hit@1": 1 / 3, "hit@3": 2 / 3, "mrr@10": (1 + 1 / 3) / 3}


def test_a_missing_cross_encoder_says_how_to_get_one(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not a cross-encoder"):
        CrossEncoderReranker(tmp_path)
