"""Grounded answers: one citation per source, the support rule, the loop guard, the extractive fallback for every
way a generator can fail (looping, off-topic, empty, unsupported), and the ``mode`` field in both APIs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipmate.config import config_from_dict
from chipmate.documents.chunks import Chunk
from chipmate.host import Host
from chipmate.models import Generation, TokenStream
from chipmate.plugins.designqa import OUTPUT_SCHEMA
from chipmate.plugins.designqa import service as service_module
from chipmate.plugins.designqa.answer import AnswerSettings, answer
from chipmate.plugins.designqa.grounding import (
    NEUTRAL,
    SUPPORTED,
    UNSUPPORTED,
    SupportChecker,
    diversify,
    extractive_answer,
    has_loop,
    split_sentences,
)
from chipmate.plugins.designqa.retrieve import Hit
from chipmate.tasks import Event, TaskContext

OPT_CLEAN = (
    "opt_clean — remove unused cells and wires. Usage: opt_clean [options] [selection]. "
    "This pass identifies wires and cells that are unused and removes them. "
    "Other passes often remove cells but leave the wires in the design or reconnect the wires but leave the old "
    "cells in the design. This pass can be used to clean up after the passes that do the actual work."
)
OPT_CLEAN_2 = "-purge: also remove internal nets if they have a public name."
FLATTEN = "flatten — flatten design. This pass flattens the design by replacing cells by their implementation."


def hit(text: str, source: str, section: str = "", score: float = 0.6, line: int = 0) -> Hit:
    chunk = Chunk(id=f"{abs(hash(text)) % 10**16:016d}", text=text, source=source, section=section)
    chunk.start_line = chunk.end_line = line
    return Hit(chunk, score, score, 0.0)


def opt_clean_hits() -> list[Hit]:
    return [
        hit(OPT_CLEAN, "yosys help opt_clean", "opt_clean", 0.7),
        hit(FLATTEN, "yosys help flatten", "flatten", 0.5),
        hit(OPT_CLEAN_2, "yosys help opt_clean", "opt_clean", 0.45),
    ]


class Scripted:
    """A generator streaming fixed deltas, recording how it was called."""

    context_length = 2048

    def __init__(self, deltas: list[str], finish: str = "stop") -> None:
        self.deltas = deltas
        self.finish = finish
        self.calls = 0
        self.closed = False

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> TokenStream:
        self.calls += 1
        self.messages = messages

        def deltas() -> Iterator[str]:
            try:
                yield from self.deltas
            finally:
                self.closed = True

        text = "".join(self.deltas)
        return TokenStream(deltas(), lambda: Generation(text, 10, len(self.deltas), self.finish))


def ask(generator: Any, embedder: Any, **settings: Any) -> tuple[dict[str, Any], list[Event]]:
    events: list[Event] = []
    ctx = TaskContext(emit=events.append)
    output = answer(
        "How do I remove unused cells?",
        opt_clean_hits(),
        generator=generator,
        embedder=embedder,
        ctx=ctx,
        settings=AnswerSettings(**{"answer_mode": "auto", **settings}),
    )
    return output, events


def tokens(events: list[Event]) -> str:
    return "".join(e.text for e in events if e.kind == "token")


# -- building blocks ------------------------------------------------------------------------------------------


def test_two_chunks_of_one_command_are_one_citation():
    sources = diversify(opt_clean_hits(), limit=3)
    assert [s.best.chunk.source for s in sources] == ["yosys help opt_clean", "yosys help flatten"]
    assert [s.number for s in sources] == [1, 2]
    merged = sources[0].citation()
    assert OPT_CLEAN in merged["text"] and OPT_CLEAN_2 in merged["text"]
    assert merged["score"] == 0.7 and merged["chunk_id"] == sources[0].best.chunk.id
    assert len(diversify(opt_clean_hits(), limit=1)) == 1


def test_merged_citation_spans_its_lines_in_document_order():
    hits = [hit("later part.", "a.md", "Setup", 0.7, line=20), hit("earlier part.", "a.md", "Setup", 0.6, line=3)]
    (source,) = diversify(hits, limit=3)
    citation = source.citation()
    assert citation["text"] == "earlier part.\n\nlater part."
    assert (citation["start_line"], citation["end_line"]) == (3, 20)


def test_sentences_split_at_ends_blank_lines_and_list_items():
    text = "First one. Second one!\n\nA paragraph\nthat wraps.\n- item one\n- item two"
    assert split_sentences(text) == ["First one.", "Second one!", "A paragraph that wraps.", "- item one", "- item two"]


def test_loops_are_repeated_4grams_or_sentences():
    assert has_loop("It is used to remove cells that are not used. " * 3)
    assert has_loop('"top", "top", "top", "top", "top", "top", "top"')
    assert has_loop("Run the opt_clean pass first. Then check the design. Run the opt_clean pass first.")
    assert not has_loop("Use opt_clean to remove unused cells [1]. Add -purge to also remove named nets [1].")


def test_support_rule(embedder):
    checker = SupportChecker(diversify(opt_clean_hits(), 3), embedder)
    assert checker.judge("To remove unused cells in Yosys, use the opt_clean pass [1].") == SUPPORTED
    assert checker.judge("This pass identifies unused wires and cells and removes them.") == SUPPORTED
    assert checker.judge("Yes.") == NEUTRAL
    assert checker.judge("def remove_unused(top): return top.cells.filter(lambda c: c.used)") == UNSUPPORTED
    assert checker.judge("Set the clock period to 2 ns with create_clock before timing analysis.") == UNSUPPORTED


def test_extractive_answer_quotes_the_closest_sentences_with_citations(embedder):
    sources = diversify(opt_clean_hits(), 3)
    text = extractive_answer("How do I remove unused cells?", sources, embedder, max_chars=200)
    assert text.startswith('"') and text.endswith("[1]")
    assert "removes them" in text or "remove unused cells" in text
    assert len(text) <= 240
    assert extractive_answer("anything", [], embedder) == ""


def test_extractive_answer_quotes_a_sentence_once_across_overlapping_passages(embedder):
    # Two documents that share a sentence (as overlapping chunks of one document do): it is quoted once, and the
    # answer is not flagged as a loop. Seen on EDA Corpus, where 6 of 196 extractive answers repeated themselves.
    shared = "The opt_clean pass removes unused cells and wires from the design."
    hits = [
        hit(f"{shared} It runs after most other passes.", "doc a", "a", 0.7),
        hit(f"Use it to tidy the netlist. {shared}", "doc b", "b", 0.6),
    ]
    text = extractive_answer("How do I remove unused cells?", diversify(hits, 3), embedder, max_chars=400)
    assert text.count("removes unused cells") == 1
    assert not has_loop(text)


# -- answers with generators that fail ------------------------------------------------------------------------


def test_supported_answer_is_generated_and_streamed_sentence_by_sentence(embedder):
    generator = Scripted(
        ["To remove unused ", "cells, use the opt_clean pass [1]. ", "Add -purge to also ", "remove internal nets [1]."]
    )
    output, events = ask(generator, embedder)
    assert output["mode"] == "generated" and output["answered"]
    assert (
        output["answer"]
        == "To remove unused cells, use the opt_clean pass [1]. Add -purge to also remove internal nets [1]."
    )
    assert [e.text for e in events if e.kind == "token"] == [
        "To remove unused cells, use the opt_clean pass [1]. ",
        "Add -purge to also remove internal nets [1].",
    ]
    assert [c["source"] for c in output["citations"]] == ["yosys help opt_clean", "yosys help flatten"]
    assert "Passages:\n[1] (yosys help opt_clean, opt_clean)" in generator.messages[-1]["content"]


@pytest.mark.parametrize(
    ("deltas", "finish"),
    [
        (["It is used to remove cells that are not used. "] * 25, "length"),  # the loop the issue saw
        (['def top():\n    return ["top", ', '"top", ' * 40], "length"),  # invented Python, repeating
        (["Python is a programming language created by Guido van Rossum in 1991."], "stop"),  # off-topic
        ([], "stop"),  # empty
        (["  \n"], "stop"),  # whitespace only
        (["The passages do not say how to do this in Vivado or Quartus."], "stop"),  # unsupported refusal
    ],
    ids=["looping", "python-loop", "off-topic", "empty", "blank", "unsupported"],
)
def test_degenerate_generation_falls_back_to_quotes(embedder, deltas, finish):
    generator = Scripted(deltas, finish)
    output, events = ask(generator, embedder)
    assert output["mode"] == "extractive" and output["answered"]
    assert output["answer"].startswith('"') and "[1]" in output["answer"]
    assert not has_loop(output["answer"])
    # Nothing of the failed generation was streamed: the only text shown is the final answer.
    assert tokens(events) == output["answer"]
    assert generator.closed
    assert any(e.kind == "progress" and "not used" in e.text for e in events)


def test_generation_stops_at_the_first_unsupported_sentence(embedder):
    generator = Scripted(
        [
            "Use the opt_clean pass to remove unused cells [1]. ",
            "Then export the netlist to SPICE for simulation. ",
            "x" * 50,
        ]
    )
    output, events = ask(generator, embedder)
    assert output["mode"] == "generated"
    assert output["answer"] == "Use the opt_clean pass to remove unused cells [1]."
    assert tokens(events).strip() == output["answer"]


def test_a_loop_after_good_sentences_is_cut(embedder):
    good = "Use the opt_clean pass to remove unused cells [1]. "
    generator = Scripted([good, "This pass removes unused wires and cells. " * 5], "length")
    output, _ = ask(generator, embedder, answer_chars=2000)
    assert output["mode"] == "generated" and not has_loop(output["answer"])


def test_length_budget_stops_generation(embedder):
    sentence = "The opt_clean pass removes unused cells and wires [1]. "
    variants = [sentence.replace("The", w) for w in ("The", "Yosys", "Its", "Each", "Any", "One")]
    output, _ = ask(Scripted(variants), embedder, answer_chars=120)
    assert output["mode"] == "generated" and len(output["answer"]) <= 120 + len(sentence)


def test_extractive_mode_never_calls_the_generator(embedder):
    generator = Scripted(["Use opt_clean [1]."])
    output, _ = ask(generator, embedder, answer_mode="extractive")
    assert output["mode"] == "extractive" and generator.calls == 0


def test_answer_mode_is_a_checked_setting(tmp_path):
    from chipmate.errors import ConfigError
    from chipmate.plugins.designqa.service import DesignQASettings
    from chipmate.sections import task_settings

    config = config_from_dict({"tasks": {"designqa": {"answer_mode": "poetry"}}})
    with pytest.raises(ConfigError, match=r"tasks\.designqa\.answer_mode must be one of auto, extractive"):
        task_settings(config, "designqa", DesignQASettings)


# -- the mode field in both APIs ------------------------------------------------------------------------------


def test_response_message_and_output_schema_have_the_same_fields():
    from chipmate.plugins.designqa.v1 import designqa_pb2

    fields = {f.name for f in designqa_pb2.AskResponse.DESCRIPTOR.fields}
    assert fields == set(OUTPUT_SCHEMA["properties"]) == set(OUTPUT_SCHEMA["required"])
    assert set(OUTPUT_SCHEMA["properties"]["mode"]["enum"]) == {"generated", "extractive", "none"}


def test_mode_reaches_typed_and_generic_callers(make_server, index_copy: Path, tmp_path, monkeypatch):
    import grpc

    from chipmate.client import Client
    from chipmate.plugins.designqa.v1 import designqa_pb2, designqa_pb2_grpc

    scripted = Scripted(["Set the target density ", "to 0.65 for the aurora block [1]."])
    monkeypatch.setattr(service_module, "get_generator", lambda host, alias: scripted)
    designqa = {"index_dir": str(index_copy), "answer_mode": "auto"}
    host = Host(config_from_dict({"cache_dir": str(tmp_path / "cache"), "tasks": {"designqa": designqa}}))
    server = make_server(host)
    question = "Which density target should the aurora block use?"
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        typed = designqa_pb2_grpc.DesignQAServiceStub(channel).Ask(
            designqa_pb2.AskRequest(question=question), timeout=60
        )
    with Client(f"127.0.0.1:{server.port}", timeout=60) as client:
        generic = client.call("designqa.ask", {"question": question})
        scripted.deltas = ["Bananas are yellow and grow in bunches on tall plants."]
        fallback = client.call("designqa.ask", {"question": question})
    assert typed.mode == generic["mode"] == "generated"
    assert typed.answer == generic["answer"] == "Set the target density to 0.65 for the aurora block [1]."
    assert fallback["mode"] == "extractive" and "0.65" in fallback["answer"]


def test_passages_too_long_for_the_context_are_quoted(embedder):
    generator = Scripted(["Use the opt_clean pass to remove unused cells [1]."])
    generator.context_length = 120  # max_tokens (96) leaves no room for any passage
    output, _ = ask(generator, embedder)
    assert output["mode"] == "extractive" and generator.calls == 0
    assert [c["source"] for c in output["citations"]] == ["yosys help opt_clean", "yosys help flatten"]


def test_checking_costs_one_generation_and_few_embedder_calls(embedder):
    """The latency path: one generator call per answer, the passages' sentences embedded once, then at most one
    embedder call per generated sentence (no timing here; benchmarks/designqa_answers.py times it)."""

    class Counting:
        def __init__(self, inner: Any) -> None:
            self.inner, self.calls = inner, 0

        def embed(self, texts, **kwargs):
            self.calls += 1
            return self.inner.embed(texts, **kwargs)

    counting = Counting(embedder)
    sentences = ["Use the opt_clean pass to remove unused cells [1]. ", "It also removes unused wires [1]."]
    generator = Scripted(sentences)
    output, _ = ask(generator, counting)
    assert output["mode"] == "generated" and generator.calls == 1
    assert counting.calls <= 1 + len(sentences)
