"""Fixtures of the integration tests: a live server on loopback whose scriptgen and designqa run for real (real
Yosys, OpenSTA where installed, a real knowledge index) with instant fake models, and the environment a tool
shell needs to reach it (``chipmate`` on PATH, CHIPMATE_TARGET).

Only the models are faked (a generator that replies with a fixed script, a hashed bag-of-words embedder), so the
examples run in seconds and their output is exact; everything between the tool shell and the plugins is real.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chipmate import hookimpl
from chipmate.config import config_from_dict
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, Embedder, Generation, Generator, ModelBackend, TokenStream
from chipmate.plugins.scriptgen.library import DESIGNS_DIR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
YOSYS_SCRIPT = "read_verilog counter.v\nsynth -top counter\nwrite_verilog netlist.v\n"
STA_SCRIPT = (
    "read_liberty seed_cells.lib\nread_verilog counter_netlist.v\nlink_design counter\nread_sdc counter.sdc\n"
    "report_checks -path_delay max\n"
)
# The knowledge base the designqa examples ask: two short documents, cited by file name.
KB_DOCUMENTS = {
    "flatten.md": "# Flattening\n\nThe flatten command merges the module hierarchy into the top module, so later "
    "passes see one module. Run flatten after hierarchy -top and before synth when cross-boundary optimisation "
    "matters.\n",
    "timing.md": "# Timing reports\n\nIn OpenSTA, report_checks -path_delay max prints the worst setup path and "
    "report_checks -path_delay min the worst hold path. read_sdc loads the clock constraints first.\n",
}


class FixedScriptGenerator(Generator):
    """Replies with the script for the requested tool (its system message names it), whatever the instruction."""

    context_length = 8192

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> TokenStream:
        system = str(messages[0].get("content", "")) if messages else ""
        text = STA_SCRIPT if "OpenSTA" in system else YOSYS_SCRIPT
        pieces = re.findall(r"[^\n]*\n|[^\n]+", text)
        return TokenStream(iter(pieces), lambda: Generation(text, 10, len(pieces), "stop"))

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class BagOfWordsEmbedder(Embedder):
    """Hashed bag of lower-case words, L2-normalised: deterministic and instant."""

    dimension = 256
    max_seq_length = 512
    name = "fake-embed"

    def embed(self, texts, *, batch_size=64, show_progress=False, ctx=None) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9_]+", text.lower()):
                rows[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            rows[i] /= np.linalg.norm(rows[i]) or 1.0
        return rows


class FakeModels:
    """A plugin offering the two fake backends."""

    def __init__(self) -> None:
        self.generator = FixedScriptGenerator()
        self.embedder = BagOfWordsEmbedder()

    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend("test-fixed", GENERATOR, lambda spec: self.generator, description="test"))
        register(ModelBackend("test-bow", EMBEDDER, lambda spec: self.embedder, description="test"))


@pytest.fixture(scope="session")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A designqa index over :data:`KB_DOCUMENTS`, built once with the bag-of-words embedder."""
    from chipmate.documents import Document
    from chipmate.documents.chunks import chunk_file
    from chipmate.plugins.designqa.index import IndexSettings
    from chipmate.plugins.designqa.writer import update_index

    docs = tmp_path_factory.mktemp("kb-docs")
    settings = IndexSettings(chunk_size=300, chunk_overlap=40)
    documents = []
    for name, text in KB_DOCUMENTS.items():
        (docs / name).write_text(text)
        documents.append(Document(name, chunk_file(docs / name, name, chunk_size=300, chunk_overlap=40)))
    root = tmp_path_factory.mktemp("kb") / "index"
    update_index(root, BagOfWordsEmbedder(), add=documents, settings=settings, name="fake-embed")
    return root


@pytest.fixture(scope="session")
def yosys_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Yosys's command reference, harvested once per session (scriptgen needs it to check scripts)."""
    from chipmate.plugins.scriptgen.yosys import YosysTool

    cache = tmp_path_factory.mktemp("yosys-cache")
    YosysTool(cache=cache).commands()
    return cache / "scriptgen"


@pytest.fixture
def live_host(register_plugin, tmp_path: Path, knowledge_base: Path, yosys_reference: Path, monkeypatch) -> Host:
    """A Host whose scriptgen and designqa use the fake models, with caches under the test's directory."""
    register_plugin(FakeModels(), name="fake-models")
    cache = tmp_path / "cache"
    shutil.copytree(yosys_reference, cache / "scriptgen")
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(cache))
    config = config_from_dict(
        {
            "cache_dir": str(cache),
            "models": {"fake-gen": {"backend": "test-fixed"}, "fake-embed": {"backend": "test-bow"}},
            "tasks": {
                "scriptgen": {"generator": "fake-gen", "embedder": "fake-embed", "timeout": 60},
                "designqa": {
                    "index_dir": str(knowledge_base),
                    "embedder": "fake-embed",
                    "build_default": False,
                    # bag-of-words scores are lower than a real embedder's; the questions still match their page
                    "min_score": 0.1,
                },
            },
        }
    )
    return Host(config)


@pytest.fixture
def live_server(make_server: Callable[..., Any], live_host: Host) -> Any:
    """A real server on 127.0.0.1:0 over :func:`live_host`."""
    return make_server(live_host)


@pytest.fixture
def shell_env(live_server: Any) -> dict[str, str]:
    """The environment of a tool shell: ``chipmate`` on PATH, CHIPMATE_TARGET at the live server."""
    bindir = str(Path(sys.executable).parent)  # where the `chipmate` console script is installed
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "CHIPMATE_TARGET": f"127.0.0.1:{live_server.port}"}


@pytest.fixture
def design_dir(tmp_path: Path) -> Iterator[Path]:
    """A working directory holding the seed designs the examples use (the scripts name them by file name)."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("counter.v", "counter_netlist.v", "counter.sdc", "seed_cells.lib"):
        shutil.copy(DESIGNS_DIR / name, work / name)
    yield work
