"""The ``designqa.ask`` task through the Host: settings, grounded answers, the no-answer path, the default KB."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipmate.config import config_from_dict
from chipmate.documents import Document
from chipmate.documents.chunks import chunk_blocks
from chipmate.documents.loaders import Block
from chipmate.documents.yosys_help import CHUNKING
from chipmate.errors import BackendUnavailableError, CancelledError, ConfigError, InvalidInputError
from chipmate.host import Host
from chipmate.plugins.designqa import service as service_module
from chipmate.plugins.designqa.answer import NO_ANSWER
from chipmate.plugins.designqa.index import KnowledgeIndex
from chipmate.plugins.designqa.service import DesignQASettings, service_for
from chipmate.plugins.designqa.writer import update_index
from chipmate.sections import task_settings
from chipmate.tasks import Event, TaskContext


class ScriptedGenerator:
    """A generator that records its prompt and streams a fixed answer."""

    context_length = 2048

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] | None = None

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> Iterator[str]:
        self.messages = messages
        yield from ["Set the target ", "density to 0.65 ", "for the aurora block [1]."]


def make_host(tmp_path: Path, **designqa: Any) -> Host:
    # Generated answers (answer_mode: auto) unless a test says otherwise: most tests here are about them.
    designqa = {"answer_mode": "auto", **designqa}
    return Host(config_from_dict({"cache_dir": str(tmp_path / "cache"), "tasks": {"designqa": designqa}}))


def run(host: Host, **input: Any) -> tuple[dict[str, Any], list[Event]]:
    events: list[Event] = []
    ctx = TaskContext(host=host, emit=events.append)
    return host.run_task("designqa.ask", {"question": "?", **input}, ctx), events


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> ScriptedGenerator:
    scripted = ScriptedGenerator()
    monkeypatch.setattr(service_module, "get_generator", lambda host, alias: scripted)
    return scripted


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"top_k": 0}, "tasks.designqa.top_k must be between 1 and 100"),
        ({"top_k": "8"}, "tasks.designqa.top_k must be int"),
        ({"dense_weight": 1.5}, "tasks.designqa.dense_weight must be in"),
        ({"mode": "magic"}, "tasks.designqa.mode must be one of"),
        ({"chunk_overlap": 400}, "tasks.designqa.chunk_overlap"),
        ({"topk": 3}, r"unknown key 'tasks.designqa.topk' \(did you mean 'top_k'\?\)"),
        ({"build_default": "yes"}, "tasks.designqa.build_default must be bool"),
    ],
)
def test_bad_settings_name_the_key(settings, message):
    config = config_from_dict({"tasks": {"designqa": settings}}, source="team.yaml")
    with pytest.raises(ConfigError, match=message) as info:
        task_settings(config, "designqa", DesignQASettings)
    assert "team.yaml" in str(info.value)


def test_default_answer_quotes_the_passages_without_the_generator(index_copy, tmp_path, generator):
    # The shipped default is answer_mode: extractive (chosen by benchmarks/designqa_answers.py).
    host = Host(
        config_from_dict({"cache_dir": str(tmp_path / "cache"), "tasks": {"designqa": {"index_dir": str(index_copy)}}})
    )
    output, _ = run(host, question="Which density target should the aurora block use?", top_k=3)
    assert output["mode"] == "extractive" and output["answered"]
    assert "0.65" in output["answer"] and output["answer"].startswith('"')
    assert generator.messages is None


def test_grounded_answer_streams_and_cites(index_copy, docs_dir, tmp_path, generator):
    host = make_host(tmp_path, index_dir=str(index_copy))
    output, events = run(host, question="Which density target should the aurora block use?", top_k=3)
    assert output["answered"] is True
    assert output["answer"] == "Set the target density to 0.65 for the aurora block [1]."
    assert output["mode"] == "generated"
    # Released sentence by sentence, once each is checked against the citations.
    assert [e.text for e in events if e.kind == "token"] == [output["answer"]]
    first = output["citations"][0]
    assert first["source"] == str((docs_dir / "flow.rst").resolve())
    assert first["section"] == "Placement flow > Density target"
    assert (first["start_line"], first["end_line"]) == (9, 13)
    assert len(first["chunk_id"]) == 16 and 0 < first["score"] <= 1
    # The prompt numbers the cited passages in citation order and asks for [n] citations.
    prompt = generator.messages[-1]["content"]
    assert prompt.startswith("Passages:\n[1] (" + first["source"])
    assert "Question: Which density target" in prompt
    assert "[n]" not in prompt and "Cite the passages" in generator.messages[0]["content"]


def test_history_is_passed_to_the_generator(index_copy, tmp_path, generator):
    host = make_host(tmp_path, index_dir=str(index_copy))
    history = [{"role": "user", "content": "We are placing aurora."}, {"role": "assistant", "content": "OK."}]
    run(host, question="Which density target should it use?", history=history)
    assert [m["role"] for m in generator.messages] == ["system", "user", "assistant", "user"]


def test_no_answer_when_nothing_is_relevant(index_copy, tmp_path, monkeypatch):
    def refuse(host, alias):
        raise AssertionError("the generator must not be called without relevant passages")

    monkeypatch.setattr(service_module, "get_generator", refuse)
    host = make_host(tmp_path, index_dir=str(index_copy))
    output, events = run(host, question="What is a good recipe for banana bread?")
    assert output == {"answer": NO_ANSWER, "citations": [], "answered": False, "mode": "none"}
    assert [e.text for e in events if e.kind == "token"] == [NO_ANSWER]


def test_retrieval_only_returns_passages(index_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(service_module, "get_generator", lambda host, alias: pytest.fail("no generation"))
    host = make_host(tmp_path, index_dir=str(index_copy))
    output, _ = run(host, question="how many flops can a scan chain have?", top_k=2, retrieval_only=True)
    assert output["answer"] == "" and output["answered"] is True and output["mode"] == "none"
    assert len(output["citations"]) == 2
    assert output["citations"][0]["section"] == "page 1"


def test_empty_question_and_unknown_field_are_rejected(index_copy, tmp_path):
    host = make_host(tmp_path, index_dir=str(index_copy))
    with pytest.raises(InvalidInputError, match="question is empty"):
        run(host, question="   ")
    with pytest.raises(InvalidInputError, match="temperature"):
        run(host, question="hi", temperature=1)


def test_missing_configured_index_says_how_to_build(tmp_path):
    host = make_host(tmp_path, index_dir=str(tmp_path / "none"))
    with pytest.raises(Exception, match="chipmate index build"):
        run(host, question="anything")


def test_default_kb_is_built_in_the_background(tmp_path, monkeypatch, generator):
    release = threading.Event()

    def fake_yosys_documents(*, chunk_size, chunk_overlap):
        # Stand-in for the pyosys harvest (tested on its own), held until the test has seen the build state.
        release.wait(60)
        blocks = [Block("opt_clean — remove unused cells and wires from the design.", "opt_clean", 1, 1)]
        return [Document("yosys help opt_clean", chunk_blocks(blocks, "yosys help opt_clean"), f"Yosys ({CHUNKING})")]

    monkeypatch.setattr("chipmate.documents.yosys_help.yosys_documents", fake_yosys_documents)
    host = make_host(tmp_path, build_default=True)
    host.startup()
    service = service_for(host)
    assert service.index_dir == tmp_path / "cache" / "designqa" / "yosys-help"
    with pytest.raises(BackendUnavailableError, match=r"knowledge base is being built \(\d+%\)"):
        run(host, question="what does opt_clean do?")
    release.set()
    service.wait_until_built(120)
    output, _ = run(host, question="what does opt_clean do?")
    assert output["answered"] is True
    assert output["citations"][0]["source"] == "yosys help opt_clean"
    # A second host over the same cache finds the KB and builds nothing.
    other = make_host(tmp_path, build_default=True)
    other.startup()
    assert service_for(other)._builder is None


def test_a_default_kb_of_an_older_chunking_is_rebuilt_while_it_answers(tmp_path, monkeypatch, embedder):
    release = threading.Event()

    def documents(fingerprint: str, text: str) -> list[Document]:
        blocks = [Block(text, "opt_clean", 1, 1)]
        return [Document("yosys help opt_clean", chunk_blocks(blocks, "yosys help opt_clean"), fingerprint)]

    def fake_yosys_documents(*, chunk_size, chunk_overlap):
        release.wait(60)
        return documents(f"Yosys ({CHUNKING})", "opt_clean — remove unused cells and wires, rebuilt.")

    monkeypatch.setattr("chipmate.documents.yosys_help.yosys_documents", fake_yosys_documents)
    host = make_host(tmp_path, build_default=True, answer_mode="extractive")
    service = service_for(host)
    old = documents("Yosys", "opt_clean — remove unused cells and wires from the design.")
    update_index(service.index_dir, embedder, add=old, name=service.embedder_name())
    assert service.default_kb_is_stale()
    host.startup()
    assert service._builder is not None and service._builder.is_alive()
    output, _ = run(host, question="what does opt_clean do?")  # the old KB answers during the rebuild
    assert output["answered"] and "from the design" in output["citations"][0]["text"]
    release.set()
    service.wait_until_built(120)
    assert not service.default_kb_is_stale()
    output, _ = run(host, question="what does opt_clean do?")
    assert "rebuilt" in output["citations"][0]["text"]


def test_shutdown_stops_a_running_build_cleanly(tmp_path, monkeypatch):
    release = threading.Event()
    texts = [f"command_{i} — does thing number {i} to the design." for i in range(600)]

    def fake_yosys_documents(*, chunk_size, chunk_overlap):
        release.wait(60)
        blocks = [Block(text, f"command_{i}", 1, 1) for i, text in enumerate(texts)]
        return [Document("yosys help", chunk_blocks(blocks, "yosys help", chunk_size=64, chunk_overlap=0), "v")]

    monkeypatch.setattr("chipmate.documents.yosys_help.yosys_documents", fake_yosys_documents)
    host = make_host(tmp_path, build_default=True)
    host.startup()
    service = service_for(host)
    stopper = threading.Thread(target=host.shutdown)  # the server's shutdown runs the plugin's hook
    stopper.start()
    release.set()
    stopper.join(120)
    assert not stopper.is_alive() and not service._builder.is_alive()
    assert isinstance(service._build_error, CancelledError)
    assert not KnowledgeIndex.exists(service.index_dir)  # stopped between slices: nothing half-published


def test_no_default_build_when_turned_off(tmp_path):
    host = make_host(tmp_path, build_default=False)
    host.startup()
    with pytest.raises(BackendUnavailableError, match="no knowledge base at"):
        run(host, question="what does opt_clean do?")
