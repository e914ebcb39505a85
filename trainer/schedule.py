"""Learning-rate schedules as pure functions of the optimizer step (no hidden state to checkpoint)."""

from __future__ import annotations

import math


def cosine_lr(step: int, *, max_lr: float, min_lr: float, warmup_steps: int, decay_steps: int) -> float:
    """Linear warmup to ``max_lr``, cosine decay to ``min_lr`` at ``decay_steps``, then constant ``min_lr``.

    ``step`` counts applied optimizer updates, so a step skipped for overflow does not advance the schedule.
    """
    # 1) linear warmup for warmup_steps steps (step 0 gets max_lr / warmup_steps, never 0: no wasted step)
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    # 2) after decay_steps, hold at the floor
    if step >= decay_steps:
        return min_lr
    # 3) in between, cosine from max_lr down to min_lr
    ratio = (step - warmup_steps) / max(1, decay_steps - warmup_steps)
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return min_lr + coeff * (max_lr - min_lr)


def constant_lr(step: int, *, max_lr: float, warmup_steps: int) -> float:
    """Linear warmup to ``max_lr``, then constant: ChipNeMo's DAPT schedule (a small, flat LR keeps the base
    model's general ability while it absorbs the domain; there is no end of training to decay towards)."""
    # 1) linear warmup, as in cosine_lr
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    # 2) then flat
    return max_lr


def schedule_lr(
    schedule: str, step: int, *, max_lr: float, min_lr: float, warmup_steps: int, decay_steps: int
) -> float:
    """The LR of ``schedule`` (``cosine`` or ``constant``) at ``step``."""
    if schedule == "constant":
        return constant_lr(step, max_lr=max_lr, warmup_steps=warmup_steps)
    return cosine_lr(step, max_lr=max_lr, min_lr=min_lr, warmup_steps=warmup_steps, decay_steps=decay_steps)
