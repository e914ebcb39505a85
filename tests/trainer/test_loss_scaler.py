"""Loss scalers: growth, backoff, hysteresis, the floor, and equality with torch.amp.GradScaler."""

from __future__ import annotations

import pytest
import torch

from chipmate.errors import ChipmateError, ConfigError
from chipmate.trainer.precision import (
    DynamicLossScaler,
    LossScaleUnderflowError,
    PrecisionConfig,
    StaticLossScaler,
    TrainingError,
    make_precision,
)


def test_dynamic_scale_starts_at_2_16_and_grows_after_interval() -> None:
    scaler = DynamicLossScaler(growth_interval=3)
    assert scaler.scale == 2.0**16
    for _ in range(2):
        scaler.update(found_inf=False)
    assert scaler.scale == 2.0**16
    scaler.update(found_inf=False)
    assert scaler.scale == 2.0**17


def test_dynamic_scale_backs_off_on_overflow_and_resets_the_clean_streak() -> None:
    scaler = DynamicLossScaler(init_scale=1024.0, growth_interval=2)
    scaler.update(found_inf=False)
    scaler.update(found_inf=True)
    assert scaler.scale == 512.0
    scaler.update(found_inf=False)  # streak restarted: one clean step is not enough to grow
    assert scaler.scale == 512.0
    scaler.update(found_inf=False)
    assert scaler.scale == 1024.0


def test_hysteresis_tolerates_overflows_before_backing_off() -> None:
    scaler = DynamicLossScaler(init_scale=1024.0, hysteresis=2)
    scaler.update(found_inf=True)
    assert scaler.scale == 1024.0
    scaler.update(found_inf=True)
    assert scaler.scale == 512.0
    scaler.update(found_inf=True)  # hysteresis counter was refilled after the backoff
    assert scaler.scale == 512.0


def test_scale_is_capped_at_max_scale() -> None:
    scaler = DynamicLossScaler(init_scale=4.0, growth_interval=1, max_scale=8.0)
    for _ in range(5):
        scaler.update(found_inf=False)
    assert scaler.scale == 8.0


def test_floor_raises_a_clear_error_instead_of_collapsing_to_zero() -> None:
    scaler = DynamicLossScaler(init_scale=4.0, min_scale=1.0)
    scaler.update(found_inf=True)
    scaler.update(found_inf=True)
    assert scaler.scale == 1.0
    with pytest.raises(LossScaleUnderflowError) as info:
        scaler.update(found_inf=True)
    assert isinstance(info.value, TrainingError) and isinstance(info.value, ChipmateError)
    assert "min_scale=1.0 after 3 consecutive overflowing steps" in str(info.value)
    assert "lower the learning rate" in str(info.value)
    assert scaler.scale == 1.0


def test_static_scaler_never_moves() -> None:
    scaler = StaticLossScaler(128.0)
    scaler.update(found_inf=True)
    scaler.update(found_inf=False)
    assert scaler.scale == 128.0


def test_scaler_state_dict_round_trip_continues_the_same_sequence() -> None:
    a = DynamicLossScaler(init_scale=64.0, growth_interval=3, hysteresis=2)
    for flag in (False, True, False):
        a.update(flag)
    b = DynamicLossScaler(growth_interval=3, hysteresis=2)  # hyperparameters come from the config
    b.load_state_dict(a.state_dict())
    for flag in (False, False, True, True, False):
        a.update(flag)
        b.update(flag)
        assert a.scale == b.scale


PATTERN = [False, False, True, False, False, False, True, True, False, False, False, False, True, False]


def _grad_scaler_sequence(pattern: list[bool]) -> list[float]:
    param = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([param], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    scales = []
    for overflow in pattern:
        scaler.scale(param.sum()).backward()
        if overflow:
            param.grad[0] = float("inf")
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        scales.append(scaler.get_scale())
    return scales


def test_dynamic_scaler_matches_torch_grad_scaler_sequence() -> None:
    scaler = DynamicLossScaler(init_scale=4.0, growth_interval=2)
    ours = []
    for overflow in PATTERN:
        scaler.update(overflow)
        ours.append(scaler.scale)
    assert ours == _grad_scaler_sequence(PATTERN)


def test_fp16_optimizer_end_to_end_matches_grad_scaler_sequence_and_skips() -> None:
    model = torch.nn.Linear(3, 1, bias=False)
    prec = make_precision("fp16", model, lambda ps: torch.optim.SGD(ps, lr=0.1), init_scale=4.0, growth_interval=2)
    scales, stepped = [], []
    for overflow in PATTERN:
        x = torch.ones(1, 3, dtype=torch.float16)
        if overflow:
            x[0, 1] = float("inf")
        prec.backward(model(x).sum())
        stepped.append(prec.step())
        scales.append(prec.scale)
    assert scales == _grad_scaler_sequence(PATTERN)
    assert stepped == [not o for o in PATTERN]
    assert prec.skipped_steps == sum(PATTERN)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mode", "fp8", "precision.mode must be one of fp32, fp16, bf16, amp, auto, got 'fp8'"),
        ("init_scale", 0.0, "precision.init_scale must be a finite number > 0"),
        ("init_scale", float("inf"), "precision.init_scale must be a finite number > 0"),
        ("min_scale", -1.0, "precision.min_scale must be a finite number > 0"),
        ("growth_interval", 0, "precision.growth_interval must be at least 1, got 0"),
        ("hysteresis", 0, "precision.hysteresis must be at least 1, got 0"),
        ("backoff_factor", 1.5, "precision.backoff_factor must be in (0, 1), got 1.5"),
        ("growth_factor", 1.0, "precision.growth_factor must be > 1"),
        ("static_scale", -2.0, "precision.static_scale must be a finite number > 0 or null"),
        ("amp_dtype", "fp64", "precision.amp_dtype must be one of fp16, bf16"),
        ("init_scale", 2.0**30, "precision.init_scale must lie in [min_scale, max_scale]"),
    ],
)
def test_bad_precision_config_values_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        PrecisionConfig(**{field: value})
    assert message in str(info.value)


def test_make_precision_rejects_bad_mode_and_grad_norm() -> None:
    model = torch.nn.Linear(2, 2)
    with pytest.raises(ConfigError, match=r"precision\.mode must be one of"):
        make_precision("fp8", model, torch.optim.AdamW)
    with pytest.raises(ConfigError, match=r"max_grad_norm must be a finite number > 0"):
        make_precision("fp16", model, torch.optim.AdamW, max_grad_norm=0.0)
