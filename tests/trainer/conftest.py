"""Fixtures for the trainer tests: tiny Llama models built from a config, and learnable token data (CPU)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from recipe_fixtures import build_tiny_model, write_corpus
from torch import nn

from chipmate.trainer.loop import small_llama
from chipmate.trainer.precision import Precision


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    # The machine is shared; two threads keep every test's numbers identical run to run.
    torch.set_num_threads(2)


@pytest.fixture
def make_llama() -> Callable[..., nn.Module]:
    """``make_llama(seed=0)`` -> a 2-layer, hidden-64, vocab-256 random Llama (about 100K params)."""

    def make(seed: int = 0, **kwargs: int) -> nn.Module:
        torch.manual_seed(seed)
        return small_llama(**kwargs)

    return make


@pytest.fixture(scope="session")
def tokens() -> torch.Tensor:
    """20K tokens of a noisy periodic sequence: a tiny LM's loss falls on it within tens of steps."""
    noise = torch.randint(0, 3, (20_000,), generator=torch.Generator().manual_seed(0))
    return torch.arange(20_000) * 7 % 61 + noise


@pytest.fixture
def lm_step() -> Callable[[Precision, nn.Module, torch.Tensor, torch.Tensor], tuple[float, bool]]:
    """``lm_step(precision, model, x, y, accum=1)``: forward, fp32 loss, backward, step -> (loss, stepped)."""

    def step(prec: Precision, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, bool]:
        with prec.autocast():
            logits = model(x).logits
        loss = F.cross_entropy(logits.float().flatten(0, -2), y.flatten())
        prec.backward(loss)
        return loss.item(), prec.step()

    return step


# -- the recipes' fixtures: a tiny model directory and a tiny corpus (helpers in recipe_fixtures.py) -----------


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random causal LM directory (Hugging Face format), built once a session; tests must not modify it."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A tiny corpus folder in the test's tmp dir."""
    return write_corpus(tmp_path / "corpus")


@pytest.fixture(autouse=True)
def _own_alias_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Recipes that record --alias write to this test's own store, never the user's.
    monkeypatch.setenv("CHIPMATE_ALIAS_STORE", str(tmp_path / "aliases.json"))
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))
