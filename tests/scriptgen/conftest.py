"""Fixtures of the scriptgen tests: the real Yosys (pyosys), a scripted fake generator and a bag-of-words fake
embedder registered as model backends, and Hosts/servers configured to use them.

Tests use the real tool everywhere (the point of scriptgen is that scripts run against it); only the models are
faked, so the pipeline's behaviour is exact and fast. Caches go to a per-test directory.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chipmate import hookimpl
from chipmate.config import config_from_dict
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, Embedder, Generation, Generator, ModelBackend, TokenStream
from chipmate.plugins.scriptgen.isolation import probe as isolation_probe
from chipmate.plugins.scriptgen.library import DESIGNS_DIR
from chipmate.plugins.scriptgen.yosys import YosysTool

ROOT = Path(__file__).resolve().parents[2]
DEV_TASKS = ROOT / "benchmarks" / "data" / "scriptgen_dev.jsonl"
COUNTER = (DESIGNS_DIR / "counter.v").read_text()


class ScriptedGenerator(Generator):
    """Replies from a list (the last one repeats), or from ``reply(messages)``; records every prompt it got."""

    context_length = 8192

    def __init__(self) -> None:
        self.replies: list[str] = ["read_verilog counter.v\nsynth -top counter\n"]
        self.reply: Callable[[list[dict[str, Any]]], str] | None = None
        self.prompts: list[list[dict[str, Any]]] = []
        self.temperatures: list[float] = []

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None) -> TokenStream:
        self.prompts.append([dict(m) for m in messages])
        self.temperatures.append(temperature)
        if self.reply is not None:
            text = self.reply(messages)
        else:
            text = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        pieces = re.findall(r"[^\n]*\n|[^\n]+", text)

        def deltas() -> Iterator[str]:
            yield from pieces

        return TokenStream(deltas(), lambda: Generation(text, 10, len(pieces), "stop"))

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class BagOfWordsEmbedder(Embedder):
    """Hashed bag of lower-case words, L2-normalised: deterministic, instant, good enough to rank examples."""

    dimension = 256
    max_seq_length = 512

    def embed(self, texts, *, batch_size=64, show_progress=False, ctx=None) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9_]+", text.lower()):
                rows[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            norm = np.linalg.norm(rows[i])
            rows[i] /= norm or 1.0
        return rows


class FakeModels:
    """A plugin offering the ``test-scripted`` generator and ``test-bow`` embedder backends (one instance each)."""

    def __init__(self) -> None:
        self.generator = ScriptedGenerator()
        self.embedder = BagOfWordsEmbedder()

    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend("test-scripted", GENERATOR, lambda spec: self.generator, description="test"))
        register(ModelBackend("test-bow", EMBEDDER, lambda spec: self.embedder, description="test"))


def scriptgen_config(cache: Path, **settings: Any) -> Any:
    """A config whose scriptgen uses the fake models and keeps its caches and store under ``cache``."""
    return config_from_dict(
        {
            "cache_dir": str(cache),
            "models": {"fake-gen": {"backend": "test-scripted"}, "fake-embed": {"backend": "test-bow"}},
            "tasks": {
                "scriptgen": {
                    "generator": "fake-gen",
                    "embedder": "fake-embed",
                    "timeout": 60,
                    # One candidate: the tests of repairs see the model's repair turn right after the first failure
                    # (test_intent.py tests candidates).
                    "candidates": 1,
                    # Where this host has no bubblewrap the suite still runs the tools (test_isolation.py skips).
                    "allow_unisolated": not isolation_probe().available,
                    **settings,
                },
                "designqa": {"build_default": False},
            },
        }
    )


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yosys_reference: Path) -> None:
    # Nothing a scriptgen test writes may land in the user's cache; Yosys's command list is harvested once.
    cache = tmp_path / "cache"
    (cache / "scriptgen").mkdir(parents=True)
    for path in yosys_reference.iterdir():
        shutil.copy(path, cache / "scriptgen" / path.name)
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(cache))


@pytest.fixture(autouse=True)
def _runs_where_nothing_isolates(monkeypatch: pytest.MonkeyPatch) -> None:
    # A host with neither bubblewrap nor a working unshare runs no script ("not run"); there the suite runs its
    # tools without namespaces instead (test_isolation.py skips), so every other layer is still tested.
    if not isolation_probe().available:
        from chipmate.plugins.scriptgen import tool

        original = tool.limits_for
        monkeypatch.setattr(
            tool, "limits_for", lambda limits, timeout: replace(original(limits, timeout), allow_unisolated=True)
        )


@pytest.fixture(scope="session")
def yosys_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory holding Yosys's command reference, harvested once per session."""
    cache = tmp_path_factory.mktemp("yosys-cache")
    YosysTool(cache=cache).commands()
    return cache / "scriptgen"


@pytest.fixture
def yosys(tmp_path: Path) -> YosysTool:
    """The Yosys adapter with its command reference in the test's cache."""
    return YosysTool(cache=tmp_path / "cache")


@pytest.fixture
def fake_models(register_plugin) -> FakeModels:
    """The fake model backends, registered for one test."""
    return register_plugin(FakeModels(), name="fake-models")


@pytest.fixture
def make_host(fake_models: FakeModels, tmp_path: Path) -> Callable[..., Host]:
    """``make_host(**tasks.scriptgen settings)``: a Host whose scriptgen uses the fake models."""

    def make(**settings: Any) -> Host:
        return Host(scriptgen_config(tmp_path / "cache", **settings))

    return make


@pytest.fixture
def generator(fake_models: FakeModels) -> ScriptedGenerator:
    """The fake generator the Hosts of ``make_host`` use; set ``replies`` or ``reply``."""
    return fake_models.generator


def counter_request(instruction: str = "Synthesize counter.v and write the netlist to counter_syn.v.", **extra: Any):
    """A scriptgen.generate input over the seed counter design."""
    return {"instruction": instruction, "files": [{"name": "counter.v", "content": COUNTER}], **extra}
