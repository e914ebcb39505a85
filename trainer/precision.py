"""Half-precision training with fp32 master weights and loss scaling (Micikevicius et al., ICLR 2018).

The paper's recipe, in the order a step runs:

1. weights, activations and gradients live in fp16 (or bf16): half the activation memory, fast matmuls;
2. the loss is multiplied by a *loss scale* before backward so small gradients do not flush to zero in fp16;
3. the scaled fp16 gradients are copied into fp32 *master* gradients, checked for inf/NaN and unscaled (one
   fused op); an overflowing step is skipped and the scale backs off, a clean streak grows it;
4. the global grad norm is clipped *after* unscaling (clipping scaled grads would clip at the wrong norm);
5. the inner optimizer (AdamW, or any ``torch.optim.Optimizer``) updates the fp32 masters, so its state is fp32
   and updates smaller than 2^-11 of a weight still accumulate;
6. the masters are rounded back into the half-precision model parameters.

:func:`make_precision` builds one object with the same interface for the four modes a run can choose:

========  ==========================================================================================
``fp32``  the baseline: fp32 weights, plain optimizer
``fp16``  fp16 weights + fp32 masters + dynamic loss scaling (the paper)
``bf16``  bf16 weights + fp32 masters, no scaling (bf16 has fp32's exponent range)
``amp``   ``torch.autocast`` + ``torch.amp.GradScaler``, fp32 weights: the standard PyTorch peer
========  ==========================================================================================

Every object has ``autocast()``, ``backward(loss)``, ``step() -> bool`` (False when the step was skipped, so the
caller does not advance its LR schedule), ``zero_grad()``, ``param_groups``, ``scale``, ``skipped_steps``,
``last_grad_norm``, ``state_dict()`` and ``load_state_dict()``.

(Over 400 lines on purpose: the four modes implement one interface and are meant to be read side by side; the
loss scalers they use live in ``scaling.py``.)
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal, get_args

import torch
import torch.distributed as dist
from pydantic import Field
from torch import nn

from chipmate.errors import ConfigError, LossScaleUnderflowError, TrainingError
from chipmate.trainer.scaling import DynamicLossScaler, LossScaler, LossScaling, StaticLossScaler

Mode = Literal["fp32", "fp16", "bf16", "amp"]
MODES: tuple[str, ...] = get_args(Mode)
ModeOrAuto = Literal["fp32", "fp16", "bf16", "amp", "auto"]
#: resolved by :func:`make_precision` from the model's device (see chipmate.trainer.hardware.auto_precision)
AUTO = "auto"
OptimizerFactory = Callable[[Any], torch.optim.Optimizer]


class PrecisionConfig(LossScaling):
    """How a run trades precision for speed and memory; the YAML key is ``precision``. The loss scaling keys
    (``init_scale``, ``growth_interval``, ...) are :class:`~chipmate.trainer.scaling.LossScaling`'s."""

    KEY = "precision"

    # fp16 is the paper's recipe; fp32 / amp are the baselines it is measured against, bf16 the modern default.
    # "auto" picks by hardware: bf16 where native, fp16 on other GPUs, fp32 on CPUs without bf16 (the recipes' default).
    mode: ModeOrAuto = "fp16"
    # Set to a number to use a constant (static) loss scale instead of the dynamic one (fp16 mode only).
    static_scale: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    # Dtype autocast runs matmuls in for ``amp`` mode; fp16 makes it the like-for-like peer of ``fp16`` mode.
    amp_dtype: Literal["fp16", "bf16"] = "fp16"


# --------------------------------------------------------------------------------------------- precision modes


class Precision:
    """The interface every mode shares; use :func:`make_precision` to build one."""

    mode: str
    model: nn.Module
    optimizer: torch.optim.Optimizer

    def __init__(self, max_grad_norm: float | None = None, process_group: Any = None) -> None:
        self.max_grad_norm = max_grad_norm
        self.process_group = process_group
        self.scaler: LossScaler | None = None  # the modes that keep their own loss scale (fp16) set one
        self.skipped_steps = 0
        self.last_grad_norm = float("nan")
        self.bookkeeping_seconds = 0.0  # time in master-weight bookkeeping (fp16/bf16 only)

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """The inner optimizer's param groups: set ``group["lr"]`` here to drive an LR schedule."""
        return self.optimizer.param_groups

    @property
    def scale(self) -> float:
        """The current loss scale (1.0 where the mode does not scale)."""
        return self.scaler.scale if self.scaler is not None else 1.0

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """Context for the forward pass (autocast in ``amp`` mode, a no-op otherwise)."""
        return contextlib.nullcontext()

    def backward(self, loss: torch.Tensor) -> None:
        """Backpropagate ``loss`` (already divided by the number of accumulation micro-batches), scaled."""
        # The scale multiplies the fp32 loss, so the scaled value cannot overflow before the backward starts.
        if self.scaler is not None:
            loss = loss.float() * self.scale
        loss.backward()

    def _skip(self) -> bool:
        """End a step whose gradients overflowed: drop them, back the scale off; returns False (skipped)."""
        self.skipped_steps += 1
        self.last_grad_norm = float("inf")
        self.zero_grad()
        if self.scaler is not None:
            self.scaler.update(True)
        return False

    def _stepped(self) -> bool:
        """End an applied step: drop the gradients, count a clean step for the scale; returns True."""
        self.zero_grad()
        if self.scaler is not None:
            self.scaler.update(False)
        return True

    def step(self) -> bool:
        """Apply one optimizer update from the accumulated gradients, then drop them (every mode), so the
        next backward starts from zero. Returns False if the step was skipped because gradients overflowed."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Drop the gradients (set to None, which frees their memory until the next backward)."""
        self.optimizer.zero_grad(set_to_none=True)

    def state_dict(self) -> dict[str, Any]:
        """Optimizer state (and masters and scaler where the mode has them)."""
        return {"mode": self.mode, "optimizer": self.optimizer.state_dict(), "skipped_steps": self.skipped_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; the mode must match."""
        if state.get("mode") != self.mode:
            raise ConfigError(
                f"checkpoint was written in precision.mode={state.get('mode')!r}, this run uses {self.mode!r}",
                hint="resume with the same precision.mode, or start a new run from the model weights only",
            )
        self.optimizer.load_state_dict(state["optimizer"])
        self.skipped_steps = int(state["skipped_steps"])

    def _all_reduce_max(self, flag: torch.Tensor) -> torch.Tensor:
        # Every rank must agree to skip, or their weights would silently diverge.
        if dist.is_available() and dist.is_initialized() and dist.get_world_size(self.process_group) > 1:
            dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=self.process_group)
        return flag

    def _unscale_and_check(self, grads: Sequence[torch.Tensor], device: torch.device) -> bool:
        """Multiply ``grads`` by 1/scale in place; True when any rank found inf/NaN in its gradients."""
        found_inf = torch.zeros(1, device=device)
        by_device: dict[torch.device, list[torch.Tensor]] = {}
        for g in grads:
            by_device.setdefault(g.device, []).append(g)
        for dev, dev_grads in by_device.items():
            dev_found = torch.zeros(1, device=dev)
            inv_scale = torch.full((1,), 1.0 / self.scale, device=dev)
            # One fused kernel per device: sets dev_found if any element is inf/NaN and multiplies by 1/scale.
            torch._amp_foreach_non_finite_check_and_unscale_(list(dev_grads), dev_found, inv_scale)
            found_inf += dev_found.to(device)
        return bool(self._all_reduce_max(found_inf).item())

    def _norm_and_clip(self, params: Sequence[torch.Tensor]) -> None:
        self._clip_grads([p.grad for p in params if p.grad is not None])

    def _clip_grads(self, grads: list[torch.Tensor], *, shards: bool = False) -> None:
        """Clip ``grads`` in place to ``max_grad_norm`` by their global norm and record the norm.

        ``shards``: each rank holds a shard of every gradient (FSDP), so the squared norms are summed over the ranks
        (every rank must call this, also one without gradients).
        """
        device = grads[0].device if grads else torch.device("cpu")
        # foreach norms of all grads, then the norm of those: one pass, and it works on torch >= 2.4
        norms = torch.stack([n.float() for n in torch._foreach_norm(grads)]) if grads else torch.zeros(0, device=device)
        if shards:
            squares = norms.pow(2).sum()
            dist.all_reduce(squares, group=self.process_group)
            norm = squares.sqrt()
        elif not grads:
            self.last_grad_norm = 0.0
            return
        else:
            norm = torch.linalg.vector_norm(norms)
        if self.max_grad_norm is not None and grads:
            coef = torch.clamp(self.max_grad_norm / (norm + 1e-6), max=1.0)
            torch._foreach_mul_(grads, coef)
        self.last_grad_norm = float(norm)


class FullPrecision(Precision):
    """``fp32`` mode: the baseline every other mode is measured against."""

    mode = "fp32"

    def __init__(self, model: nn.Module, optimizer_factory: OptimizerFactory, param_groups: Any = None, **kw: Any):
        super().__init__(**kw)
        self.model = model.float()
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = optimizer_factory(param_groups if param_groups is not None else self.params)

    def step(self) -> bool:
        self._norm_and_clip(self.params)
        self.optimizer.step()
        self.zero_grad()
        return True


class MixedPrecisionOptimizer(Precision):
    """fp16/bf16 model weights with fp32 master weights that any torch optimizer updates.

    The model's parameters are cast to ``dtype`` in place (buffers such as RoPE frequencies stay as they are).
    Only trainable parameters get a master copy, so a frozen peft base model costs nothing extra. Gradients of
    each micro-batch are moved into fp32 master gradients right after its backward, so accumulation over many
    micro-batches happens in fp32 and the half-precision gradient memory is freed between micro-batches.
    Under DDP do not use ``no_sync()`` with this wrapper: each micro-batch's gradients must be all-reduced
    before they are moved (the loop in :mod:`chipmate.trainer.loop` does so).
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer_factory: OptimizerFactory,
        *,
        dtype: torch.dtype = torch.float16,
        scaler: LossScaler | None = None,
        param_groups: Any = None,
        max_grad_norm: float | None = None,
        process_group: Any = None,
    ) -> None:
        super().__init__(max_grad_norm=max_grad_norm, process_group=process_group)
        if dtype not in (torch.float16, torch.bfloat16):
            raise ConfigError(f"MixedPrecisionOptimizer dtype must be torch.float16 or torch.bfloat16 (got {dtype})")
        self.mode = "fp16" if dtype == torch.float16 else "bf16"
        self.dtype = dtype
        self.scaler = scaler
        self.model = model
        with torch.no_grad():
            for p in model.parameters():
                if p.is_floating_point():
                    p.data = p.data.to(dtype)
        self.model_params = [p for p in model.parameters() if p.requires_grad]
        self.master_params = [nn.Parameter(p.detach().float().clone()) for p in self.model_params]
        self._master_of = {id(p): m for p, m in zip(self.model_params, self.master_params, strict=True)}
        self.optimizer = optimizer_factory(self._map_groups(param_groups))
        # Set True to synchronise CUDA around the bookkeeping timers (benchmarks); off in training, where the
        # extra syncs would cost more than they measure.
        self.sync_timing = False

    def _map_groups(self, param_groups: Any) -> Any:
        """Translate the caller's groups of model params into the same groups of master params."""
        if param_groups is None:
            return self.master_params
        groups = []
        for group in param_groups:
            group = dict(group)
            try:
                group["params"] = [self._master_of[id(p)] for p in group["params"]]
            except KeyError as e:
                raise ConfigError(
                    "a param group names a parameter that is frozen or not part of the model",
                    hint="build param_groups from [p for p in model.parameters() if p.requires_grad]",
                ) from e
            groups.append(group)
        return groups

    def backward(self, loss: torch.Tensor) -> None:
        super().backward(loss)
        self._move_grads_to_masters()

    def _clock(self) -> float:
        if self.sync_timing and torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter()

    @torch.no_grad()
    def _move_grads_to_masters(self) -> None:
        start = self._clock()
        for p, m in zip(self.model_params, self.master_params, strict=True):
            if p.grad is None:
                continue
            if m.grad is None:
                m.grad = p.grad.float()
            else:
                m.grad.add_(p.grad)
            p.grad = None
        self.bookkeeping_seconds += self._clock() - start

    def zero_grad(self) -> None:
        for p in self.model_params:
            p.grad = None
        for m in self.master_params:
            m.grad = None

    @torch.no_grad()
    def step(self) -> bool:
        self._move_grads_to_masters()  # in case the caller ran loss.backward() itself
        start = self._clock()
        grads = [m.grad for m in self.master_params if m.grad is not None]
        device = self.master_params[0].device if self.master_params else torch.device("cpu")
        skipped = self._unscale_and_check(grads, device)
        self.bookkeeping_seconds += self._clock() - start
        if skipped:
            return self._skip()
        self._norm_and_clip(self.master_params)
        self.optimizer.step()
        start = self._clock()
        torch._foreach_copy_(self.model_params, self.master_params)  # round to nearest into fp16/bf16
        self.bookkeeping_seconds += self._clock() - start
        return self._stepped()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["masters"] = [m.detach().clone() for m in self.master_params]
        state["scaler"] = self.scaler.state_dict() if self.scaler is not None else None
        return state

    @torch.no_grad()
    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        if len(state["masters"]) != len(self.master_params):
            raise ConfigError(
                f"checkpoint holds {len(state['masters'])} master tensors, the model has "
                f"{len(self.master_params)} trainable parameters",
                hint="resume with the same model and the same frozen/trainable split",
            )
        for m, saved in zip(self.master_params, state["masters"], strict=True):
            m.copy_(saved)
        torch._foreach_copy_(self.model_params, self.master_params)
        if self.scaler is not None and state["scaler"] is not None:
            self.scaler.load_state_dict(state["scaler"])


class AutocastPrecision(Precision):
    """``amp`` mode: fp32 weights, ``torch.autocast`` forward, ``torch.amp.GradScaler`` — the standard peer."""

    mode = "amp"

    def __init__(
        self,
        model: nn.Module,
        optimizer_factory: OptimizerFactory,
        config: PrecisionConfig,
        param_groups: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.model = model.float()
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = optimizer_factory(param_groups if param_groups is not None else self.params)
        self.device_type = next(model.parameters()).device.type
        self.amp_dtype = torch.float16 if config.amp_dtype == "fp16" else torch.bfloat16
        self.grad_scaler = torch.amp.GradScaler(
            self.device_type,
            init_scale=config.init_scale,
            growth_factor=config.growth_factor,
            backoff_factor=config.backoff_factor,
            growth_interval=config.growth_interval,
            enabled=self.amp_dtype == torch.float16,
        )

    @property
    def scale(self) -> float:
        return float(self.grad_scaler.get_scale()) if self.grad_scaler.is_enabled() else 1.0

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        return torch.autocast(self.device_type, dtype=self.amp_dtype)

    def backward(self, loss: torch.Tensor) -> None:
        self.grad_scaler.scale(loss.float()).backward()

    def step(self) -> bool:
        scale_before = self.scale
        self.grad_scaler.unscale_(self.optimizer)
        self._norm_and_clip(self.params)
        self.grad_scaler.step(self.optimizer)
        self.grad_scaler.update()
        # GradScaler does not report a skip; it backs off (factor < 1) exactly when it skipped.
        stepped = not (self.grad_scaler.is_enabled() and self.scale < scale_before)
        self.zero_grad()
        if not stepped:
            self.skipped_steps += 1
        return stepped

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["grad_scaler"] = self.grad_scaler.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.grad_scaler.load_state_dict(state["grad_scaler"])


def make_precision(
    mode: str | PrecisionConfig,
    model: nn.Module,
    optimizer_factory: OptimizerFactory,
    *,
    param_groups: Iterable[dict[str, Any]] | None = None,
    max_grad_norm: float | None = None,
    process_group: Any = None,
    **config: Any,
) -> Precision:
    """Build the precision object for ``mode`` (a mode name or a :class:`PrecisionConfig`).

    ``optimizer_factory`` receives the params (or ``param_groups`` mapped onto them) the optimizer must own:
    fp32 masters in fp16/bf16 mode, the model's params otherwise. Extra keyword arguments are
    :class:`PrecisionConfig` fields, e.g. ``make_precision("fp16", model, f, growth_interval=1000)``.
    The model must already be on its device.
    """
    cfg = mode if isinstance(mode, PrecisionConfig) else PrecisionConfig(mode=mode, **config)
    first = next(model.parameters(), None)
    cfg = resolve_mode(cfg, first.device if first is not None else "cpu")
    if max_grad_norm is not None and not (math.isfinite(max_grad_norm) and max_grad_norm > 0):
        raise ConfigError(f"max_grad_norm must be a finite number > 0 or None (got {max_grad_norm!r})")
    groups = list(param_groups) if param_groups is not None else None
    common = {"max_grad_norm": max_grad_norm, "process_group": process_group}
    if cfg.mode == "fp32":
        return FullPrecision(model, optimizer_factory, param_groups=groups, **common)
    if cfg.mode == "amp":
        return AutocastPrecision(model, optimizer_factory, cfg, param_groups=groups, **common)
    dtype = torch.float16 if cfg.mode == "fp16" else torch.bfloat16
    return MixedPrecisionOptimizer(
        model, optimizer_factory, dtype=dtype, scaler=make_scaler(cfg), param_groups=groups, **common
    )


def resolve_mode(cfg: PrecisionConfig, device: torch.device | str) -> PrecisionConfig:
    """``cfg`` with ``auto`` replaced by the mode the hardware of ``device`` runs best."""
    if cfg.mode != AUTO:
        return cfg
    from chipmate.trainer.hardware import auto_precision

    return cfg.model_copy(update={"mode": auto_precision(device)})


def make_scaler(cfg: PrecisionConfig) -> LossScaler | None:
    """The loss scaler ``cfg`` asks for: static or dynamic in fp16 mode, none in the others."""
    if cfg.mode != "fp16":
        return None
    if cfg.static_scale is not None:
        return StaticLossScaler(cfg.static_scale)
    return DynamicLossScaler(
        init_scale=cfg.init_scale,
        growth_factor=cfg.growth_factor,
        backoff_factor=cfg.backoff_factor,
        growth_interval=cfg.growth_interval,
        hysteresis=cfg.hysteresis,
        min_scale=cfg.min_scale,
        max_scale=cfg.max_scale,
    )


def iter_master_pairs(precision: Precision) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(model param, fp32 master) pairs; in fp32/amp modes the param is its own master."""
    if isinstance(precision, MixedPrecisionOptimizer):
        yield from zip(precision.model_params, precision.master_params, strict=True)
    else:
        for p in precision.params:  # type: ignore[attr-defined]  # every other Precision keeps its trained parameters in .params
            yield p, p


__all__ = [
    "MODES",
    "AutocastPrecision",
    "DynamicLossScaler",
    "FullPrecision",
    "LossScaleUnderflowError",
    "LossScaler",
    "MixedPrecisionOptimizer",
    "Precision",
    "PrecisionConfig",
    "StaticLossScaler",
    "TrainingError",
    "iter_master_pairs",
    "make_precision",
    "make_scaler",
    "resolve_mode",
]
