"""Fixtures for the trainer tests: tiny Llama models built from a config, and learnable token data (CPU)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
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
