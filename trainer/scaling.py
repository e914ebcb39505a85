"""Loss scaling (Micikevicius et al., 2018, section 3.2): multiply the loss before backward so small fp16 gradients
do not flush to zero, and move the scale with the overflows seen (dynamic) or keep it fixed (static).

The precision modes (``precision.py``) own one scaler each: ``update(found_inf)`` runs once per optimizer step,
``state_dict()`` makes a resumed run continue the exact same scale sequence.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, model_validator

from chipmate.errors import ConfigError, LossScaleUnderflowError
from chipmate.sections import Section, invalid


class LossScaling(Section):
    """The dynamic loss scaler's settings, declared once for :class:`DynamicLossScaler` and the ``precision``
    section of a run (:class:`chipmate.trainer.precision.PrecisionConfig` extends it)."""

    KEY = "loss_scaler"

    # 2^16: the paper found 8K–32K rescues most models; starting high costs only a few skipped steps at startup.
    init_scale: float = Field(default=2.0**16, gt=0, allow_inf_nan=False)
    # Doubling the scale every 2000 clean steps (torch GradScaler's default) probes for headroom rarely enough
    # that the overflow it eventually causes costs <0.1% of steps.
    growth_interval: int = Field(default=2000, ge=1)
    growth_factor: float = Field(default=2.0, gt=1)
    backoff_factor: float = Field(default=0.5, gt=0, lt=1)
    # Overflows tolerated before backing off; 1 backs off at once (GradScaler). Megatron uses 2 for noisy models.
    hysteresis: int = Field(default=1, ge=1)
    # Below a scale of 1 the loss scale no longer helps: every step overflows, so stop with a clear error.
    min_scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    # A scale past 2^24 only wastes overflow/backoff cycles; any realistic gradient overflows fp16 there.
    max_scale: float = Field(default=2.0**24, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _init_within_bounds(self) -> LossScaling:
        if not self.min_scale <= self.init_scale <= self.max_scale:
            raise invalid(
                "init_scale",
                f"must lie in [min_scale, max_scale] = [{self.min_scale}, {self.max_scale}], got {self.init_scale}",
            )
        return self


class LossScaler:
    """Multiplies the loss before backward; ``update(found_inf)`` is called once per optimizer step."""

    scale: float = 1.0

    def update(self, found_inf: bool) -> None:
        """Adjust the scale after a step: ``found_inf`` is True when the step overflowed and was skipped."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume the scale sequence exactly."""
        return {"scale": self.scale}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.scale = float(state["scale"])


class StaticLossScaler(LossScaler):
    """A constant loss scale; overflowing steps are still skipped, the scale never moves."""

    def __init__(self, scale: float) -> None:
        if not (math.isfinite(scale) and scale > 0):
            raise ConfigError(f"static loss scale must be a finite number > 0 (got {scale!r})")
        self.scale = float(scale)


class DynamicLossScaler(LossScaler):
    """Backs off ×``backoff_factor`` on overflow (after ``hysteresis`` overflows), grows ×``growth_factor``
    after ``growth_interval`` consecutive clean steps, and raises :class:`LossScaleUnderflowError` instead of
    letting the scale collapse below ``min_scale``. With ``hysteresis=1`` and no ``max_scale`` hit, the
    sequence of scales equals ``torch.amp.GradScaler``'s."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        hysteresis: int = 1,
        min_scale: float = 1.0,
        max_scale: float = 2.0**24,
    ) -> None:
        LossScaling(  # ConfigError naming the first bad setting
            init_scale=init_scale,
            growth_factor=growth_factor,
            backoff_factor=backoff_factor,
            growth_interval=growth_interval,
            hysteresis=hysteresis,
            min_scale=min_scale,
            max_scale=max_scale,
        )
        self.scale = float(init_scale)
        self.growth_factor = growth_factor
        self.backoff_factor = backoff_factor
        self.growth_interval = growth_interval
        self.hysteresis = hysteresis
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.clean_steps = 0  # consecutive non-overflowing steps since the last growth or overflow
        self.hysteresis_left = hysteresis
        self.consecutive_overflows = 0

    def update(self, found_inf: bool) -> None:
        if found_inf:
            self.clean_steps = 0
            self.consecutive_overflows += 1
            self.hysteresis_left -= 1
            if self.hysteresis_left > 0:
                return
            new_scale = self.scale * self.backoff_factor
            if new_scale < self.min_scale:
                raise LossScaleUnderflowError(
                    f"loss scale fell below min_scale={self.min_scale} after {self.consecutive_overflows} "
                    "consecutive overflowing steps",
                    hint="the model produces inf/NaN gradients at any scale, most likely in the forward pass; "
                    "lower the learning rate, check the data for bad tokens, or resume from an earlier checkpoint",
                )
            self.scale = new_scale
            self.hysteresis_left = self.hysteresis
            return
        self.consecutive_overflows = 0
        self.clean_steps += 1
        if self.clean_steps >= self.growth_interval:
            self.scale = min(self.scale * self.growth_factor, self.max_scale)
            self.clean_steps = 0
            self.hysteresis_left = self.hysteresis

    def state_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "clean_steps": self.clean_steps,
            "hysteresis_left": self.hysteresis_left,
            "consecutive_overflows": self.consecutive_overflows,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scale = float(state["scale"])
        self.clean_steps = int(state["clean_steps"])
        self.hysteresis_left = int(state["hysteresis_left"])
        self.consecutive_overflows = int(state["consecutive_overflows"])
