"""Fixtures of the bugtriage tests: fake models registered through the models hook, a generated history of
invented bugs, and a Host whose config points the plugin at a private history file.

The fake embedder hashes words into a small vector (texts sharing words are similar), so history, classifier and
duplicate tests run in milliseconds and mean the same thing on every machine. The scripted generator answers
with a function the test sets, and records every prompt it saw.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chipmate import hookimpl
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, ModelBackend
from chipmate.models.base import Embedder, Generation, Generator, TokenStream

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
OPENROAD = ROOT.parent / "shared" / "benchmarks" / "openroad_discussions"


class HashingEmbedder(Embedder):
    """Bag of words hashed into 256 dimensions, L2-normalised."""

    dimension = 256
    max_seq_length = 512

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def embed(self, texts, *, batch_size=64, show_progress=False, ctx=None):
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9_]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest()[:6], 16) % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] /= norm or 1.0
        return out


class ScriptedGenerator(Generator):
    """Answers ``reply(messages)``; a token is a word. ``prompts`` keeps every user message it was sent."""

    def __init__(self, context_length: int = 4096) -> None:
        self.context_length = context_length
        self.reply: Callable[[list[dict[str, Any]]], str] = lambda messages: "A summary of the bug in one sentence."
        self.prompts: list[str] = []
        self.prompt_tokens: list[int] = []
        #: the finish reason to report instead of "stop"/"length" (e.g. "loop", as a backend's loop guard does)
        self.finish: str | None = None

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None):
        self.prompts.append(messages[-1]["content"])
        self.prompt_tokens.append(sum(self.count_tokens(m["content"]) for m in messages))
        words = self.reply(messages).split(" ")
        finish = self.finish or ("length" if len(words) > max_tokens else "stop")
        words = words[:max_tokens]
        deltas = [w if i == 0 else " " + w for i, w in enumerate(words)]
        text = "".join(deltas)
        return TokenStream(iter(deltas), lambda: Generation(text, self.prompt_tokens[-1], len(words), finish))


class FakeModels:
    """The test plugin: backends ``test-hashing`` (embedder) and ``test-scripted`` (generator)."""

    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend(name="test-hashing", kind=EMBEDDER, load=lambda spec: HashingEmbedder()))
        register(
            ModelBackend(
                name="test-scripted",
                kind=GENERATOR,
                load=lambda spec: ScriptedGenerator(int(spec.options.get("context", 4096))),
                options={"context": "context length in words"},
            )
        )


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing a bugtriage test writes may land in the user's real cache.
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def fake_models(register_plugin: Callable[..., Any]) -> FakeModels:
    """The fake model backends, registered for one test."""
    return register_plugin(FakeModels(), name="bugtriage-test-models")


def make_config(tmp_path: Path, *, context: int = 4096, **bugtriage: Any) -> dict[str, Any]:
    """A config mapping with the fake models as defaults and the history in ``tmp_path``."""
    return {
        "models": {
            "hashing": {"backend": "test-hashing", "default": True},
            "scripted": {"backend": "test-scripted", "default": True, "context": context},
        },
        "tasks": {"bugtriage": {"db": str(tmp_path / "history.sqlite3"), **bugtriage}},
        "cache_dir": str(tmp_path / "cache"),
    }


@pytest.fixture
def make_host(fake_models: FakeModels, tmp_path: Path) -> Callable[..., Host]:
    """Build a Host over the fake models whose bugtriage history lives in the test's tmp_path."""

    def make(**bugtriage: Any) -> Host:
        from chipmate.config import config_from_dict

        context = bugtriage.pop("context", 4096)
        return Host(config_from_dict(make_config(tmp_path, context=context, **bugtriage), source="test.yaml"))

    return make


@pytest.fixture
def host(make_host: Callable[..., Host]) -> Host:
    """A Host over the fake models with an empty bug history (overrides the suite-wide ``host``)."""
    return make_host()


# -- a generated history of invented bugs --------------------------------------------------------------------

TEAMS = {
    # component: (owner, category, words the team's bugs are about)
    "router": ("carol", "crash", ["detailed_route", "drc", "metal2", "via", "guide", "short", "spacing"]),
    "sta": ("dave", "wrong-result", ["report_checks", "slack", "spef", "setup", "hold", "clock", "derate"]),
    "placer": ("bob", "question", ["global_placement", "density", "overflow", "macro", "halo", "region", "legal"]),
}
REPORTERS = ["alice", "erin", "ivan", "jack"]


def generated_history(per_team: int = 12, seed: int = 0) -> list[dict[str, Any]]:
    """``per_team`` invented bugs per component, each answered by the component's owner."""
    rng = np.random.default_rng(seed)
    records = []
    for component, (owner, category, words) in TEAMS.items():
        for i in range(per_team):
            picked = [str(w) for w in rng.choice(words, size=4, replace=False)]
            reporter = REPORTERS[(i + len(records)) % len(REPORTERS)]
            records.append(
                {
                    "id": f"{component.upper()}-{i + 1}",
                    "title": f"{picked[0]} problem with {picked[1]} on block b{i}",
                    "description": f"When running {picked[0]} the {picked[2]} and {picked[3]} look wrong.",
                    "reporter": reporter,
                    "comments": [{"author": owner, "text": f"Looking at the {picked[1]} now."}],
                    "category": category,
                    "component": component,
                }
            )
    return records


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    """The generated history as a JSON Lines file."""
    path = tmp_path / "generated.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in generated_history()))
    return path


@pytest.fixture
def openroad() -> Iterator[Path]:
    """The labelled OpenROAD discussions of ../shared/benchmarks, or a skip when this checkout lacks them."""
    if not OPENROAD.is_dir():
        pytest.skip("../shared/benchmarks/openroad_discussions is not present")
    yield OPENROAD


@pytest.fixture
def config_file(tmp_path: Path, fake_models: FakeModels) -> Callable[..., Path]:
    """Write a YAML config for the CLI tests (fake models, private history) and return its path."""
    import yaml

    def write(**bugtriage: Any) -> Path:
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(make_config(tmp_path, **bugtriage)))
        return path

    return write
