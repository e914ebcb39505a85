"""Loss scaling (Micikevicius et al., 2018, section 3.2): multiply the loss before backward so small fp16 gradients
do not flush to zero, and move the scale with the overflows seen (dynamic) or keep it fixed (static).

The precision modes (``precision.py``) own one scaler each: ``update(found_inf)`` runs once per optimizer step,
``state_dict()`` makes a resumed run continue the exact same scale sequence.
"""

from __future__ import annotations

import math
from typing import Any

from chipmate.config import Where
from chipmate.errors import ConfigError, LossScaleUnderflowError


def check_scaling(
    where: Where,
    *,
    init_scale: float,
    growth_factor: float,
    backoff_factor: float,
    growth_interval: int,
    hysteresis: int,
    min_scale: float,
    max_scale: float,
    static_scale: float | None = None,
) -> None:
    """Raise :class:`ConfigError` naming the first bad loss-scaling setting and the values it accepts."""
    positive = {"init_scale": init_scale, "min_scale": min_scale, "max_scale": max_scale}
    for name, value in positive.items():
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ConfigError(f"{where.at(name)} must be a finite number > 0 (got {value!r})")
    if static_scale is not None and not (math.isfinite(static_scale) and static_scale > 0):
        raise ConfigError(f"{where.at('static_scale')} must be a finite number > 0 or null (got {static_scale!r})")
    if not (min_scale <= init_scale <= max_scale):
        raise ConfigError(
            f"{where.at('init_scale')} must lie in [min_scale, max_scale] = [{min_scale}, {max_scale}] "
            f"(got {init_scale})"
        )
    if not (isinstance(growth_interval, int) and growth_interval >= 1):
        raise ConfigError(f"{where.at('growth_interval')} must be an integer >= 1 (got {growth_interval!r})")
    if not (isinstance(hysteresis, int) and hysteresis >= 1):
        raise ConfigError(f"{where.at('hysteresis')} must be an integer >= 1 (got {hysteresis!r})")
    if not growth_factor > 1.0:
        raise ConfigError(f"{where.at('growth_factor')} must be > 1 (got {growth_factor!r})")
    if not 0.0 < backoff_factor < 1.0:
        raise ConfigError(f"{where.at('backoff_factor')} must lie in (0, 1) (got {backoff_factor!r})")


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
        check_scaling(
            Where(key="loss_scaler"),
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
