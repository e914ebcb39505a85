"""designqa over gRPC end to end: a real server on port 0, the real embedder, a real (tiny) Hugging Face generator
through the model registry, the typed DesignQAService and the generic task service."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import grpc
import pytest

from chipmate.client import Client
from chipmate.config import config_from_dict
from chipmate.errors import BackendUnavailableError
from chipmate.host import Host
from chipmate.plugins.designqa.answer import NO_ANSWER
from chipmate.plugins.designqa.service import service_for
from chipmate.plugins.designqa.v1 import designqa_pb2, designqa_pb2_grpc

pytestmark = pytest.mark.slow


@pytest.fixture
def qa_server(make_server, index_copy: Path, tiny_generator_dir: Path, tmp_path: Path) -> Any:
    host = Host(
        config_from_dict(
            {
                "cache_dir": str(tmp_path / "cache"),
                "models": {"tiny": {"backend": "hf", "path": str(tiny_generator_dir)}},
                "tasks": {"designqa": {"index_dir": str(index_copy), "generator": "tiny", "max_tokens": 6}},
            }
        )
    )
    return make_server(host)


def test_typed_ask_stream_streams_tokens_then_the_cited_answer(qa_server, docs_dir):
    with grpc.insecure_channel(f"127.0.0.1:{qa_server.port}") as channel:
        stub = designqa_pb2_grpc.DesignQAServiceStub(channel)
        request = designqa_pb2.AskRequest(question="Which density target should the aurora block use?", top_k=2)
        events = list(stub.AskStream(request, timeout=120))
    tokens = [e.token for e in events if e.WhichOneof("event") == "token"]
    results = [e.result for e in events if e.WhichOneof("event") == "result"]
    assert tokens and len(results) == 1 and events[-1].WhichOneof("event") == "result"
    result = results[0]
    assert result.answered
    assert result.answer == "".join(tokens).strip()
    # The tiny random model writes nonsense: it never reaches the caller, the cited passages are quoted instead.
    assert result.mode == "extractive" and result.answer.startswith('"')
    assert result.citations[0].source == str((docs_dir / "flow.rst").resolve())
    assert result.citations[0].section == "Placement flow > Density target"
    assert 0 < result.citations[0].start_line <= result.citations[0].end_line  # line ranges reach typed callers
    assert len(result.citations) <= 2 and result.citations[0].score > 0


def test_typed_ask_no_answer_and_retrieval_only(qa_server):
    with grpc.insecure_channel(f"127.0.0.1:{qa_server.port}") as channel:
        stub = designqa_pb2_grpc.DesignQAServiceStub(channel)
        none = stub.Ask(designqa_pb2.AskRequest(question="What is a good recipe for banana bread?"), timeout=60)
        assert (none.answer, none.answered, len(none.citations), none.mode) == (NO_ANSWER, False, 0, "none")
        passages = stub.Ask(
            designqa_pb2.AskRequest(question="scan chain flop limit", top_k=3, retrieval_only=True), timeout=60
        )
    assert passages.answer == "" and len(passages.citations) == 3
    assert passages.citations[0].section == "page 1"


def test_generic_stream_carries_line_ranges(qa_server):
    with Client(f"127.0.0.1:{qa_server.port}", timeout=120) as client:
        events = list(client.stream("designqa.ask", {"question": "8-bit counter with active-low reset", "top_k": 1}))
    result = events[-1].output
    assert events[-1].kind == "result" and result["answered"] and result["mode"] in ("generated", "extractive")
    assert any(e.kind == "token" for e in events)
    (cited,) = result["citations"]
    assert (cited["section"], cited["start_line"], cited["end_line"]) == ("module counter", 1, 10)


def test_building_default_kb_is_unavailable_and_serving_is_immediate(make_server, tmp_path, monkeypatch):
    release = threading.Event()

    def held_harvest(*, chunk_size, chunk_overlap):
        release.wait(60)
        return []

    monkeypatch.setattr("chipmate.plugins.designqa.yosys_help.yosys_documents", held_harvest)
    host = Host(
        config_from_dict({"cache_dir": str(tmp_path / "cache"), "tasks": {"designqa": {"build_default": True}}})
    )
    server = make_server(host)  # start() returns once SERVING, while the KB is still being built
    try:
        with Client(f"127.0.0.1:{server.port}", timeout=30) as client:
            assert client.health() == "SERVING"
            with pytest.raises(BackendUnavailableError, match="knowledge base is being built"):
                client.call("designqa.ask", {"question": "what does opt_clean do?"})
    finally:
        release.set()
        service_for(host).wait_until_built(60)
