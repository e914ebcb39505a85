"""``chipmate.trainer.recipes.retriever``: synthetic pairs, hard negatives with the false-negative filter, a tiny
training run that saves a model designqa loads by alias, resume, and ``chipmate index build --embedder``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from chipmate.models import Generation
from chipmate.plugins.designqa.chunks import Chunk
from chipmate.trainer.recipes.retriever import load_config, run
from chipmate.trainer.recipes.retriever_data import (
    answerable,
    batches,
    generation_targets,
    make_queries,
    mine_hard_negatives,
    read_questions,
    split_dev,
)
from chipmate.trainer.recipes.synthetic import SyntheticQuery, copies_passage, generated_queries

pytestmark = pytest.mark.slow

CORPUS = [
    ("yosys help opt_clean", "opt_clean removes unused cells and wires from the design."),
    ("yosys help opt_clean", "opt_clean -purge also removes internal nets that have a public name."),
    ("yosys help flatten", "flatten merges every submodule into its parent so the design has one module."),
    ("yosys help abc", "abc maps the logic of the design to the gates of a cell library with ABC."),
    ("yosys help dfflibmap", "dfflibmap maps flip-flops to the flip-flop cells of a liberty library."),
    ("yosys help stat", "stat prints statistics: the number of cells, wires and the chip area."),
]


def chunks() -> list[Chunk]:
    return [Chunk(id=f"c{i}", text=text, source=source, section=source[11:]) for i, (source, text) in enumerate(CORPUS)]


class QuestionWriter:
    """A generator that answers the question prompt from a script, counting calls."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.calls = 0

    def generate(self, messages, *, max_tokens=32, temperature=0.0, stop=None, ctx=None) -> Generation:
        self.calls += 1
        assert "Write a short question" in messages[-1]["content"]
        return Generation(self.replies.pop(0) if self.replies else "", 0, 0, "stop")


def test_generated_questions_drop_copies_duplicates_and_junk():
    passages = chunks()[:3]
    writer = QuestionWriter(
        [
            "How do I get rid of logic nothing reads?",  # kept
            "Why does opt_clean removes unused cells and wires from the design?",  # copies its passage
            "How do I get rid of logic nothing reads?\nAnswer: use opt_clean",  # duplicate after cleaning
            "Yes",  # no question
            "How can I turn a hierarchy into a single module?",  # kept
            "What does it do?",  # kept (4 words)
        ]
    )
    queries = generated_queries(passages, writer, per_passage=2)
    assert [(q.text, q.gold) for q in queries] == [
        ("How do I get rid of logic nothing reads?", 0),
        ("How can I turn a hierarchy into a single module?", 2),
        ("What does it do?", 2),
    ]
    assert copies_passage("does opt_clean -purge also remove internal nets?", passages[1].text) is False
    assert copies_passage("why opt_clean -purge also removes internal nets that have?", passages[1].text)


def test_questions_file_is_reused_and_only_missing_passages_are_asked(tmp_path):
    passages = chunks()
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"chunk_id": "c0", "question": "How do I delete dangling cells?"}) + "\n")
    writer = QuestionWriter([f"Which command helps with task number {i}?" for i in range(10)])
    queries = make_queries(passages, generator=writer, generated_per_passage=1, keyphrase_per_passage=1,
                           questions_file=questions)  # fmt: skip
    assert writer.calls == len(passages) - 1
    origins = {origin for _, origin in queries}
    assert origins == {"generated", "keyphrase"}
    assert len(read_questions(questions, passages)[0]) == len(passages)
    again = QuestionWriter([])
    make_queries(passages, generator=again, generated_per_passage=1, keyphrase_per_passage=0, questions_file=questions)
    assert again.calls == 0


def test_questions_are_written_for_a_seeded_sample_of_passages_when_bounded(tmp_path, capsys):
    passages = chunks()
    targets = generation_targets(len(passages), 3, seed=7)
    assert len(targets) == 3 and targets == sorted(targets) == generation_targets(len(passages), 3, seed=7)
    assert generation_targets(len(passages), 0, seed=7) == list(range(len(passages)))
    writer = QuestionWriter([f"Which command helps with task number {i}?" for i in range(10)])
    queries = make_queries(passages, generator=writer, generated_per_passage=1, keyphrase_per_passage=1,
                           questions_file=tmp_path / "q.jsonl", generate_for=targets, show_progress=True)  # fmt: skip
    assert writer.calls == 3
    assert {q.gold for q, origin in queries if origin == "generated"} == set(targets)
    assert {q.gold for q, origin in queries if origin == "keyphrase"} == set(range(len(passages)))
    # off a terminal (pytest captures stderr) the progress is plain lines, not a redrawn bar
    assert "writing questions: 3/3 passage (100%)" in capsys.readouterr().err


def test_hard_negatives_skip_the_positive_its_source_and_near_ties(embedder):
    passages = chunks()
    queries = [(SyntheticQuery("how do I remove unused cells and wires?", 0), "generated")]
    (pair,) = mine_hard_negatives(queries, passages, embedder, negatives=3, margin=0.0)
    # c1 is opt_clean's other chunk: the same source, so never a negative however close it is.
    assert 0 not in pair.negatives and 1 not in pair.negatives and len(pair.negatives) == 3
    # A huge margin drops every candidate: all of them score within it of the positive.
    (strict,) = mine_hard_negatives(queries, passages, embedder, negatives=3, margin=2.0)
    assert strict.negatives == []


def test_round_trip_check_drops_questions_their_passage_does_not_answer(embedder):
    from chipmate.trainer.recipes.retriever_data import passage_vectors

    passages = chunks()
    good = (SyntheticQuery("How do I merge all submodules into their parent module?", 2), "generated")
    # Written "from" the stat passage, but about flip-flop mapping: the round trip does not come back to stat.
    bad = (SyntheticQuery("How do I map flip-flops to liberty library cells?", 5), "generated")
    vectors = passage_vectors(embedder, passages)
    kept, dropped = answerable([good, bad], passages, embedder, vectors, depth=2)
    assert kept == [good] and dropped == 1
    # Another passage of the positive's source counts (two chunks of opt_clean's help answer the same question).
    same_source = (SyntheticQuery("How do I remove unused cells and wires?", 1), "generated")
    assert answerable([same_source], passages, embedder, vectors, depth=1)[1] == 0


def test_in_batch_negatives_never_share_a_positive_source():
    passages = chunks()
    groups = [c.source for c in passages]
    queries = [(SyntheticQuery(f"question {i}", i % len(passages)), "keyphrase") for i in range(30)]
    pairs = [type("P", (), {"positive": q.gold, "query": q.text})() for q, _ in queries]
    for batch in batches(pairs, groups, batch_size=4, seed=3):
        sources = [groups[p.positive] for p in batch]
        assert len(sources) == len(set(sources)) and 2 <= len(batch) <= 4
    assert batches(pairs, groups, 4, seed=3)[0][0].query == batches(pairs, groups, 4, seed=3)[0][0].query


def test_dev_split_holds_out_generated_queries():
    queries = [(SyntheticQuery(f"q{i}", i % 3), "generated" if i < 10 else "keyphrase") for i in range(30)]
    from chipmate.trainer.recipes.retriever_data import TrainingPair

    pairs = [TrainingPair(q.text, q.gold, [], origin) for q, origin in queries]
    train, dev = split_dev(pairs, 0.2, seed=1)
    assert len(dev) == 2 and all(p.origin == "generated" for p in dev) and len(train) == 28


def test_config_errors_name_the_file_and_key(tmp_path):
    from chipmate.errors import ConfigError

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("epoch: 3\n")
    with pytest.raises(ConfigError, match=r"unknown key 'epoch'"):
        load_config(str(recipe))
    recipe.write_text("train:\n  batch_size: 1\n")
    with pytest.raises(ConfigError, match=r"recipe\.yaml: train\.batch_size must be at least 2"):
        load_config(str(recipe))
    assert load_config(None, {"train.learning_rate": 1e-4}).train.learning_rate == 1e-4


def tiny_recipe(path: Path, docs_dir: Path, **train: Any) -> Path:
    """A recipe file for a tiny run: keyphrase questions over three fixture documents, one epoch."""
    data = {
        "paths": [str(docs_dir / "guide.md"), str(docs_dir / "flow.rst"), str(docs_dir / "notes.txt")],
        "chunk_size": 200,
        "chunk_overlap": 20,
        "generated_per_passage": 0,
        "keyphrase_per_passage": 2,
        "dev_fraction": 0.2,
        "train": {"epochs": 1, "progress": False, **train},
    }
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory, docs_dir: Path) -> tuple[Path, dict[str, Any], Path]:
    """A tiny real run through `chipmate train retriever`: MiniLM, keyphrase questions over three fixture
    documents, one epoch of a few steps, recorded as alias ``tiny-retriever`` in an alias store of its own."""
    from chipmate.cli import cli

    out = tmp_path_factory.mktemp("retriever")
    store = out / "aliases.json"
    recipe = tiny_recipe(out / "recipe.yaml", docs_dir, batch_size=8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHIPMATE_ALIAS_STORE", str(store))
        result = CliRunner().invoke(
            cli, ["train", "retriever", "-c", str(recipe), "--out-dir", str(out / "run"), "--alias", "tiny-retriever"]
        )
    assert result.exit_code == 0, result.output
    return recipe, json.loads(result.stdout[result.stdout.index("{") :]), store


@pytest.fixture
def trained(trained_run: tuple[Path, dict[str, Any], Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    """The tiny run, with its alias store (holding ``tiny-retriever``) the one this test sees."""
    recipe, result, store = trained_run
    monkeypatch.setenv("CHIPMATE_ALIAS_STORE", str(store))
    return recipe, result


def test_tiny_training_run_saves_a_loadable_model(trained):
    _, result = trained
    out = Path(result["model_dir"]).parent
    assert (Path(result["model_dir"]) / "modules.json").is_file() and result["alias"] == "tiny-retriever"
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert any("loss" in r for r in records) and records[-1]["epoch"] == 1 and "dev_hit@1" in records[-1]
    assert (out / "metrics.png").stat().st_size > 0 and (out / "ckpt.pt").is_file()
    assert result["train_pairs"] > 0 and set(result["dev_after"]) == {"hit@1", "hit@5", "hit@10", "mrr@10"}
    checked = result["questions_checked"]
    assert checked["kept"] == result["train_pairs"] + result["dev_pairs"]
    assert checked["written"] == checked["kept"] + checked["duplicates"] + checked["unanswerable"]
    pair = json.loads((out / "pairs.jsonl").read_text().splitlines()[0])
    assert set(pair) == {"query", "origin", "positive", "negatives"}
    # The alias store has it as an embedder the registry loads.
    from chipmate.host import Host

    embedder = Host().models.embedder("tiny-retriever")
    assert embedder.embed(["how do I flatten?"]).shape == (1, embedder.dimension)


def test_resume_continues_from_the_last_epoch(trained):
    recipe, result = trained
    out = Path(result["model_dir"]).parent
    overrides = {"out_dir": str(out), "train.epochs": 2, "train.resume": True, "train.plot": False}
    run(load_config(str(recipe), overrides))
    epochs = [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert epochs[0] == 0 and max(epochs) == 2 and epochs == sorted(epochs)


def test_index_build_with_the_trained_embedder_alias(trained, docs_dir, tmp_path):
    from chipmate.cli import cli
    from chipmate.config import config_from_dict
    from chipmate.host import Host
    from chipmate.plugins.designqa.index import KnowledgeIndex
    from chipmate.plugins.designqa.service import DesignQAService

    kb = tmp_path / "kb"
    runner = CliRunner()
    built = runner.invoke(
        cli, ["index", "build", "--index-dir", str(kb), "--embedder", "tiny-retriever", str(docs_dir / "guide.md")]
    )
    assert built.exit_code == 0, built.output
    assert KnowledgeIndex.open(kb).manifest["embedder"]["name"] == "tiny-retriever"
    found = runner.invoke(cli, ["index", "search", "--index-dir", str(kb), "--embedder", "tiny-retriever", "flatten"])
    assert found.exit_code == 0, found.output
    # Served with the default embedder instead, the index is refused with the rebuild hint.
    config = config_from_dict({"tasks": {"designqa": {"index_dir": str(kb)}}})
    with pytest.raises(Exception, match="was built with embedder 'tiny-retriever'"):
        DesignQAService(Host(config)).retriever()
    served = config_from_dict({"tasks": {"designqa": {"index_dir": str(kb), "embedder": "tiny-retriever"}}})
    assert len(DesignQAService(Host(served)).retriever().search("flatten", 2)) == 2


def test_reindex_makes_the_kb_use_the_adapted_model(trained, docs_dir, tmp_path):
    from chipmate.plugins.backends.embedder import open_embedder
    from chipmate.plugins.designqa.index import IndexSettings, KnowledgeIndex
    from chipmate.plugins.designqa.writer import update_index
    from chipmate.training_data import PASSAGES

    from .conftest import documents

    _, result = trained
    kb = tmp_path / "kb"
    settings = IndexSettings(chunk_size=300, chunk_overlap=40)
    update_index(kb, open_embedder(), add=documents([docs_dir / "guide.md"], settings), settings=settings)
    before = KnowledgeIndex.open(kb)
    # through designqa's offer of the index's passages, as the recipe's reindex: true does
    from chipmate.host import Host

    host = Host()
    model_dir = Path(result["model_dir"])
    tuned = host.models.load_unlisted("tiny-retriever", {"backend": "sentence-transformers", "path": str(model_dir)})
    assert host.training_data.trained(PASSAGES, "index", model_dir=model_dir, alias="tiny-retriever",
                                      index_dir=str(kb), embedder=tuned) == str(kb)  # fmt: skip
    after = KnowledgeIndex.open(kb)
    assert after.manifest["embedder"]["name"] == "tiny-retriever"
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks] and after.sources == before.sources
    assert after.settings == before.settings


@pytest.mark.parametrize("parallel", ["ddp", "fsdp"])
def test_torchrun_two_processes_train_the_retriever(docs_dir, tmp_path, parallel):
    """The recipe on the trainer's loop gains its data parallelism: two gloo processes, rank 0 writes the result."""
    import os
    import socket
    import subprocess
    import sys

    recipe = tiny_recipe(tmp_path / "recipe.yaml", docs_dir, batch_size=4, device="cpu", parallel=parallel)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
           f"--master_port={port}", "-m", "chipmate", "train", "retriever", "-c", str(recipe),
           "--out-dir", str(out)]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["train_pairs"] > 0
    assert set(summary["dev_after"]) == {"hit@1", "hit@5", "hit@10", "mrr@10"}
    assert (out / "final" / "modules.json").is_file() and (out / "ckpt.pt").is_file()
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert records[-1]["epoch"] == 1 and "dev_hit@1" in records[-1]
