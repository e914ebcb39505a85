"""FSDP for models whose weights, gradients and optimizer state do not fit one process: torch's FSDP2.

``train.parallel: fsdp`` under ``torchrun`` shards every decoder layer (the classes a transformers model lists in
``_no_split_modules``) and then the rest of the model with ``torch.distributed.fsdp.fully_shard``: each process
keeps 1/world of every parameter, its gradient and its optimizer state, and a layer's full weights exist only
while it runs.

The precision recipe of :mod:`chipmate.trainer.precision` maps onto FSDP2's ``MixedPrecisionPolicy`` instead of
a second copy of the weights:

* the sharded fp32 parameters *are* the master weights: the optimizer updates them and its state stays fp32;
* they are all-gathered in fp16/bf16 (``param_dtype``) for forward and backward, so matmuls and activations run
  in half precision;
* gradients are reduce-scattered in fp32 (``reduce_dtype``) and accumulate across micro-batches on the fp32 shards;
* fp16 scales the loss and unscales, checks and skips exactly as :class:`MixedPrecisionOptimizer` does, with the
  overflow flag and the gradient norm all-reduced over the shards so every rank takes the same decision.

``amp`` mode has no sharded form here (autocast over fp32 weights is what the policy already does) and is refused.
Checkpoints hold the full, unsharded state (gathered to rank 0, written by it), the same layout as a DDP
checkpoint's model weights, and recipes save the gathered fp32 weights as an ordinary model or adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args

import torch
import torch.distributed as dist
from torch import nn

from chipmate.errors import ConfigError
from chipmate.trainer.precision import OptimizerFactory, Precision, PrecisionConfig, make_scaler, resolve_mode

Parallel = Literal["ddp", "fsdp"]
PARALLEL: tuple[str, ...] = get_args(Parallel)
_HALF = {"fp16": torch.float16, "bf16": torch.bfloat16}


def _state_options(**kw: Any) -> Any:
    from torch.distributed.checkpoint.state_dict import StateDictOptions

    return StateDictOptions(full_state_dict=True, **kw)


def shard_units(model: nn.Module) -> list[nn.Module]:
    """The submodules sharded as units: the ``_no_split_modules`` (decoder or encoder layers) of every transformers
    model inside ``model``, which may be one itself, or wrap one (peft, a sentence-transformers pipeline)."""
    names = {name for m in model.modules() for name in (getattr(m, "_no_split_modules", None) or ())}
    return [m for m in model.modules() if type(m).__name__ in names and m is not model]


class ShardedPrecision(Precision):
    """fp32, bf16 or fp16 training of a model sharded with FSDP2; the interface of every :class:`Precision`."""

    def __init__(
        self,
        model: nn.Module,
        optimizer_factory: OptimizerFactory,
        cfg: PrecisionConfig,
        *,
        param_groups: Callable[[nn.Module], Any] | None = None,
        max_grad_norm: float | None = None,
    ) -> None:
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

        super().__init__(max_grad_norm=max_grad_norm)
        if cfg.mode not in ("fp32", *_HALF):
            raise ConfigError(
                f"train.precision.mode {cfg.mode} cannot be used with train.parallel: fsdp",
                hint="use fp16 or bf16 (FSDP's sharded fp32 parameters are the master weights) or fp32",
            )
        if not (dist.is_available() and dist.is_initialized()):
            raise ConfigError(
                "train.parallel: fsdp needs a process group",
                hint="start the run with torchrun --nproc_per_node=N (FSDP shards across those processes)",
            )
        self.mode = cfg.mode
        self.scaler = make_scaler(cfg)
        self.model = model.float()
        # Every rank shards its own copy: start them all from rank 0's weights, as DDP does.
        with torch.no_grad():
            for tensor in model.state_dict().values():
                dist.broadcast(tensor, src=0)
        policy = MixedPrecisionPolicy(param_dtype=_HALF.get(cfg.mode), reduce_dtype=torch.float32)
        for unit in shard_units(model):
            fully_shard(unit, mp_policy=policy)
        fully_shard(model, mp_policy=policy)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = optimizer_factory(param_groups(model) if param_groups is not None else self.params)

    def _local_grads(self) -> list[torch.Tensor]:
        return [p.grad.to_local() if hasattr(p.grad, "to_local") else p.grad for p in self.params if p.grad is not None]

    @torch.no_grad()
    def step(self) -> bool:
        grads = self._local_grads()  # this rank's shards of the fp32 gradients
        if self._unscale_and_check(grads, grads[0].device if grads else torch.device("cpu")):
            return self._skip()
        self._clip_grads(grads, shards=True)
        self.optimizer.step()
        return self._stepped()

    def state_dict(self) -> dict[str, Any]:
        """The full optimizer state, gathered to rank 0 (a collective: every rank must call it)."""
        from torch.distributed.checkpoint.state_dict import get_optimizer_state_dict

        optimizer = get_optimizer_state_dict(self.model, self.optimizer, options=_state_options(cpu_offload=True))
        return {
            "mode": self.mode,
            "optimizer": optimizer,
            "skipped_steps": self.skipped_steps,
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "sharded": True,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        from torch.distributed.checkpoint.state_dict import set_optimizer_state_dict

        if state.get("mode") != self.mode or not state.get("sharded"):
            raise ConfigError(
                f"checkpoint was written by precision.mode={state.get('mode')!r} "
                f"{'with' if state.get('sharded') else 'without'} FSDP; this run uses {self.mode!r} with FSDP",
                hint="resume with the same train.precision.mode and train.parallel",
            )
        set_optimizer_state_dict(self.model, self.optimizer, state["optimizer"], options=_state_options())
        self.skipped_steps = int(state["skipped_steps"])
        if self.scaler is not None and state["scaler"] is not None:
            self.scaler.load_state_dict(state["scaler"])


def make_sharded_precision(
    cfg: PrecisionConfig,
    model: nn.Module,
    optimizer_factory: OptimizerFactory,
    *,
    param_groups: Callable[[nn.Module], Any] | None = None,
    max_grad_norm: float | None = None,
) -> ShardedPrecision:
    """Shard ``model`` (already on its device) and build its precision object; ``param_groups(model)`` is called
    after sharding, because sharding replaces the parameters."""
    first = next(model.parameters(), None)
    cfg = resolve_mode(cfg, first.device if first is not None else "cpu")
    return ShardedPrecision(model, optimizer_factory, cfg, param_groups=param_groups, max_grad_norm=max_grad_norm)


def full_model_state(model: nn.Module) -> dict[str, Any]:
    """The unsharded fp32 weights on rank 0's CPU (empty on other ranks); a collective."""
    from torch.distributed.checkpoint.state_dict import get_model_state_dict

    return get_model_state_dict(model, options=_state_options(cpu_offload=True))


def load_full_model_state(model: nn.Module, state: dict[str, Any]) -> None:
    """Load a full state dict (every rank passes the same one) into the sharded ``model``."""
    from torch.distributed.checkpoint.state_dict import set_model_state_dict

    set_model_state_dict(model, state, options=_state_options())


def is_sharded(precision: Precision) -> bool:
    return isinstance(precision, ShardedPrecision)
