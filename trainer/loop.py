"""A small causal-LM training loop on top of :mod:`chipmate.trainer.precision`, readable top to bottom.

Every recipe trains with :func:`train` (DAPT and SFT on tokens, the retriever with its own contrastive loss);
this module's ``main`` trains a small random Llama on a token file (or, by default, on the bytes of Python's own
documentation, so its loss curve shows something learned) so the loop can be tried in one command:

    # one process (CPU or one GPU)
    python -m chipmate.trainer.loop --mode fp16 --max-iters 200 --out-dir out/demo
    # resume the same run after an interruption: bit-identical to never having stopped
    python -m chipmate.trainer.loop --mode fp16 --max-iters 400 --out-dir out/demo --resume
    # data parallel, two processes (gloo on CPU, nccl on CUDA); rank 0 alone logs and checkpoints
    torchrun --standalone --nproc_per_node=2 -m chipmate.trainer.loop --mode fp16 --device cuda
    # the same, sharded (FSDP2: each process holds half of the weights, gradients and optimizer state)
    torchrun --standalone --nproc_per_node=2 -m chipmate.trainer.loop --mode bf16 --parallel fsdp

``out_dir`` receives ``ckpt.pt`` (atomic writes), ``metrics.jsonl`` (loss, lr, loss scale, skipped steps, grad
norm, tokens/s) and ``metrics.png`` (loss and loss scale).

Over 400 lines on purpose: the loop's phases (set-up, resume, iterations, metrics, evaluation, checkpoints,
Ctrl-C) share one run's state and read best together; precision, sharding and checkpoint files live elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import torch
import torch.distributed as dist
import torch.nn.functional as F
from pydantic import AfterValidator, Field, model_validator
from torch import nn

from chipmate.errors import ConfigError, TrainingInterrupted
from chipmate.sections import Count, FromList, Section, Where, invalid, read_section
from chipmate.trainer.checkpoint import load_checkpoint, save_checkpoint
from chipmate.trainer.metrics import MetricsLog, plot_metrics, read_metrics
from chipmate.trainer.precision import PrecisionConfig, iter_master_pairs, make_precision
from chipmate.trainer.progress import Progress, say
from chipmate.trainer.schedule import schedule_lr
from chipmate.trainer.sharding import (
    PARALLEL,
    Parallel,
    full_model_state,
    load_full_model_state,
    make_sharded_precision,
)

# (iteration, micro_step, rank) -> (input_ids, targets), both (batch, seq_len) int64; target -100 is ignored
BatchFn = Callable[[int, int, int], tuple[torch.Tensor, torch.Tensor]]
# model -> {"name": value}: validation metrics (perplexities), run by the main process with the model in eval mode
EvalFn = Callable[[nn.Module], dict[str, float]]
# (model to call, whatever the BatchFn returned, autocast) -> scalar loss. The model is the DDP wrapper under
# torchrun, so a loss that calls it keeps the gradients in sync; the forward pass runs inside ``autocast()`` and the
# loss itself (a reduction) outside, in fp32. None: causal-LM cross-entropy on (input_ids, targets).
LossFn = Callable[[nn.Module, Any, Callable[[], AbstractContextManager[Any]]], torch.Tensor]
Schedule = Literal["cosine", "constant"]
SCHEDULES: tuple[str, ...] = get_args(Schedule)
# Constrained types of TrainConfig's fields, named so that a recipe's subclass that changes a default keeps the
# constraint (pydantic replaces a redeclared field whole; tests/trainer/test_train_loop.py checks they match).
Interval = Annotated[int, Field(ge=0)]  # iterations between events; 0 = only at the start and the end
Rate = Annotated[float, Field(gt=0)]
Beta = Annotated[float, Field(ge=0, lt=1)]


def _device(value: str) -> str:
    if value.split(":")[0] not in ("cpu", "cuda"):
        raise ValueError(f"must be one of cpu, cuda (or cuda:N), got {value!r}")
    return value


class TrainConfig(Section):
    """Everything a run needs besides the model and the data; every default says why it is what it is."""

    KEY = "train"

    out_dir: str = "out"  # checkpoint, metrics.jsonl and metrics.png go here
    precision: PrecisionConfig = Field(default_factory=PrecisionConfig)  # fp16 + masters + dynamic scaling
    max_iters: Count = 1000  # iterations (data batches), skipped steps included, so a run always ends
    batch_size: Count = 8  # sequences per micro-batch per process
    seq_len: Count = 256  # tokens per sequence
    grad_accum_steps: Count = 1  # micro-batches per optimizer step; effective batch = batch_size × this × world
    # under torchrun: "ddp" keeps a whole model per process (fastest while it fits); "fsdp" shards parameters,
    # gradients and optimizer state over the processes (chipmate.trainer.sharding) for models that do not fit
    parallel: Parallel = "ddp"
    learning_rate: Rate = 3e-4  # peak LR: a safe AdamW value for models of 10M–150M params
    min_lr: Annotated[float, Field(ge=0)] = 3e-5  # cosine floor, max/10 (Chinchilla); at most learning_rate
    warmup_iters: Interval = 50  # linear warmup: Adam's second moment is noisy in the first steps
    lr_decay_iters: int | None = None  # cosine length; None means max_iters
    # "cosine" decays to min_lr (pretraining from scratch); "constant" holds the LR after warmup (ChipNeMo's DAPT)
    lr_schedule: Schedule = "cosine"
    weight_decay: float = 0.1  # on matrices only; norms and biases are not decayed (nanoGPT, Llama)
    betas: Annotated[tuple[Beta, Beta], FromList] = (0.9, 0.95)  # beta2 0.95 keeps Adam steady with large LM batches
    max_grad_norm: Rate | None = 1.0  # global-norm clip on unscaled fp32 grads; None disables it
    log_interval: Count = 10  # iterations between metrics records
    checkpoint_interval: Interval = 200  # iterations between checkpoints; 0 writes one only at the end
    # iterations between validation runs of the evaluate hook; 0 runs it only before and after training
    eval_interval: Interval = 0
    # wall-clock budget in minutes: stop after the iteration that crosses it (final evaluation and checkpoint still
    # run; --resume continues). None trains for max_iters. For "a run that fits the night" on shared machines.
    time_limit_minutes: Rate | None = None
    resume: bool = False  # continue from out_dir/ckpt.pt
    seed: int = 1337  # seeds init, data order and dropout; the data order depends on it and the iteration
    device: Annotated[str, AfterValidator(_device)] = "cpu"  # "cuda" puts each process on cuda:LOCAL_RANK
    progress: bool = True  # main process: a tqdm bar on a terminal, else a plain line every log_interval iterations
    plot: bool = True  # write metrics.png at the end (main process)

    @model_validator(mode="after")
    def _floor_below_peak(self) -> TrainConfig:
        if self.min_lr > self.learning_rate:
            raise invalid("min_lr", f"must be at most learning_rate ({self.learning_rate}), got {self.min_lr}")
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "") -> TrainConfig:
        """Build from a YAML mapping; unknown keys are errors with a did-you-mean, not silently ignored typos."""
        return read_section(cls, data, Where(source, "train"))


@dataclass
class TrainResult:
    """What a finished run reports back to its recipe."""

    iterations: int  # data batches consumed (skipped steps included)
    steps: int  # optimizer updates applied
    skipped_steps: int
    final_loss: float
    losses: list[float]  # per-iteration mean micro-batch loss on this process
    out_dir: Path
    evals: list[dict[str, Any]] = field(default_factory=list)  # {"iter", "step", metric: value} per evaluation
    mode: str = ""  # the precision mode the run used (``auto`` resolved)
    tokens_per_s: float = 0.0  # mean training throughput over the run (batch × seq_len × accum × world per s)
    precision: Any = None  # the Precision object: its fp32 masters are the weights to save (iter_master_pairs)
    # FSDP only: the trained fp32 weights gathered from the shards (rank 0; the sharded model cannot be saved as is)
    state: dict[str, torch.Tensor] | None = None


def token_batches(tokens: torch.Tensor, batch_size: int, seq_len: int, seed: int, accum: int) -> BatchFn:
    """Random windows of a 1-D token tensor; the windows depend only on (seed, iteration, micro, rank), so a
    resumed run sees exactly the batches the uninterrupted run would have seen."""
    if tokens.ndim != 1 or len(tokens) <= seq_len + 1:
        raise ConfigError(f"training data must be a 1-D token tensor longer than seq_len+1={seq_len + 1}")

    def get(iteration: int, micro: int, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
        gen = torch.Generator().manual_seed(seed * 1_000_003 + (iteration * accum + micro) * 4099 + rank)
        starts = torch.randint(len(tokens) - seq_len - 1, (batch_size,), generator=gen)
        x = torch.stack([tokens[s : s + seq_len] for s in starts.tolist()]).long()
        y = torch.stack([tokens[s + 1 : s + 1 + seq_len] for s in starts.tolist()]).long()
        return x, y

    return get


def setup_distributed(device: str = "cpu") -> tuple[int, int, torch.device]:
    """(rank, world_size, torch device) of this process; joins the process group torchrun describes.

    The backend follows the configured ``device`` (nccl for cuda, gloo for cpu), not whether CUDA exists: a CPU
    run on a GPU machine must not start nccl. Every trainer entry point (the loop, the recipes) calls this one.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    rank = dist.get_rank() if dist.is_initialized() else 0
    world = dist.get_world_size() if dist.is_initialized() else 1
    if device.startswith("cuda"):
        local = int(os.environ.get("LOCAL_RANK", "0"))
        where = torch.device(device if ":" in device else f"cuda:{local}")
        torch.cuda.set_device(where)
    else:
        where = torch.device("cpu")
    return rank, world, where


def finish_distributed() -> None:
    """Wait for every rank, then leave the process group (no-op on one process).

    The barrier first: a rank that tears its gloo group down while rank 0 still writes the checkpoint or the
    outputs aborted ("terminate called without an active exception") about one run in three.
    """
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def param_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups of ``model``'s trainable parameters: matrices decay, norms and biases do not (nanoGPT, BERT)."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in trainable if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0},
    ]


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass
class _Run:
    """The state of one :func:`train` call, shared by the phases it is split into (set-up, iterations, events).

    ``iteration`` counts data batches (skipped steps included), ``step`` applied optimizer updates; the window
    fields time the training iterations since the last metrics record, evaluation time excluded.
    """

    cfg: TrainConfig
    model: nn.Module
    fwd_model: nn.Module  # the DDP wrapper under torchrun with parallel=ddp, else the model itself
    precision: Any
    get_batch: BatchFn
    objective: LossFn
    evaluate: EvalFn | None
    rank: int
    world: int
    device: torch.device
    sharded: bool
    iteration: int = 0
    step: int = 0
    evals: list[dict[str, Any]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    metrics: MetricsLog | None = None
    bar: Progress | None = None
    window_start: float = 0.0
    window_iters: int = 0
    train_seconds: float = 0.0
    train_iters: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def out_dir(self) -> Path:
        return Path(self.cfg.out_dir)

    @property
    def ckpt_path(self) -> Path:
        return self.out_dir / "ckpt.pt"

    @property
    def tokens_per_iter(self) -> int:
        cfg = self.cfg
        return cfg.batch_size * cfg.seq_len * cfg.grad_accum_steps * self.world

    def with_epoch(self, record: dict[str, Any]) -> dict[str, Any]:
        per_epoch = getattr(self.get_batch, "iterations_per_epoch", None)
        return {"epoch": record["iter"] / per_epoch, **record} if per_epoch else record

    def rng_states(self) -> dict[str, Any]:
        return {
            "cpu": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }

    def checkpoint(self, rng: dict[str, Any] | None = None) -> dict[str, torch.Tensor] | None:
        """Write ckpt.pt from rank 0; returns the model state. Under FSDP gathering the full state is a collective,
        so every rank takes part and rank 0 writes. ``rng``: the RNG states to record instead of the current ones
        (those of the start of an iteration that an interrupt abandoned)."""
        if not (self.main or self.sharded):
            return None
        model = self.model
        state = {
            "model": full_model_state(model) if self.sharded else model.state_dict(),
            "precision": self.precision.state_dict(),
            "iteration": self.iteration,
            "step": self.step,
            "evals": self.evals,
            "train_config": _json_safe(self.cfg.model_dump()),
            "model_config": _json_safe(model.config.to_dict()) if hasattr(model, "config") else None,
            "rng": rng or self.rng_states(),
        }
        if self.main:
            save_checkpoint(state, self.ckpt_path)
        return state["model"]

    def run_eval(self) -> None:
        # under FSDP every rank runs the forward passes (each holds a shard); rank 0 alone records
        evals, iteration, bar = self.evals, self.iteration, self.bar
        if self.evaluate is None or not (self.main or self.sharded) or (evals and evals[-1]["iter"] == iteration):
            return
        was_training = self.model.training
        self.model.eval()
        started = time.monotonic()
        if bar is not None:  # evaluation can take minutes on a CPU: say so before and after, in logs too
            say(f"evaluate at iteration {iteration}...")
        with torch.no_grad():
            record = {"iter": iteration, "step": self.step, **self.evaluate(self.model)}
        self.model.train(was_training)
        if bar is not None:
            values = " ".join(f"{k}={v:.4f}" for k, v in record.items() if isinstance(v, float))
            say(f"evaluate at iteration {iteration}: {values} ({time.monotonic() - started:.0f} s)")
        evals.append(record)
        if self.metrics is not None:
            self.metrics.write(self.with_epoch({"kind": "eval", **record}))

    def log_metrics(self, loss_value: float, lr: float) -> None:
        """One metrics record: the loss averaged over ranks, and the throughput of the window since the last."""
        mean_loss = torch.tensor([loss_value], device=self.device)
        if self.world > 1:
            dist.all_reduce(mean_loss)
            mean_loss /= self.world
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        elapsed = time.perf_counter() - self.window_start
        self.train_seconds, self.train_iters = self.train_seconds + elapsed, self.train_iters + self.window_iters
        if self.metrics is not None:
            precision = self.precision
            self.metrics.write(
                self.with_epoch(
                    {
                        "iter": self.iteration,
                        "step": self.step,
                        "loss": float(mean_loss),
                        "lr": lr,
                        "scale": precision.scale,
                        "skipped": precision.skipped_steps,
                        "grad_norm": precision.last_grad_norm,
                        "tokens_per_s": self.tokens_per_iter * self.window_iters / max(elapsed, 1e-9),
                    }
                )
            )
        self.window_start, self.window_iters = time.perf_counter(), 0

    def result(self, final_state: dict[str, torch.Tensor] | None) -> TrainResult:
        return TrainResult(
            iterations=self.iteration,
            steps=self.step,
            skipped_steps=self.precision.skipped_steps,
            final_loss=self.losses[-1] if self.losses else float("nan"),
            losses=self.losses,
            out_dir=self.out_dir,
            evals=self.evals,
            mode=self.precision.mode,
            precision=self.precision,
            tokens_per_s=self.tokens_per_iter * self.train_iters / self.train_seconds
            if self.train_seconds > 0
            else 0.0,
            state=final_state if self.sharded and self.main else None,
        )


def train(
    cfg: TrainConfig,
    model: nn.Module,
    data: torch.Tensor | BatchFn,
    evaluate: EvalFn | None = None,
    loss: LossFn | None = None,
) -> TrainResult:
    """Train ``model`` (returns logits, or an object with ``.logits``) on ``data`` (1-D tokens or a BatchFn).

    ``evaluate(model)``, if given, runs on the main process before the first step, every ``eval_interval``
    iterations and after the last, in eval mode and without gradients; its metrics go to ``metrics.jsonl``
    (records with ``"kind": "eval"``), the plot and :attr:`TrainResult.evals`. ``loss``: another objective than
    next-token cross-entropy (the retriever's contrastive loss), given the model and the BatchFn's batch as is.
    A BatchFn with an ``iterations_per_epoch`` attribute adds ``epoch`` (iterations / that) to every record.
    """
    run = _start_run(cfg, model, data, evaluate, loss)
    if cfg.resume:
        _resume(run)
    run.metrics = MetricsLog(run.out_dir / "metrics.jsonl") if run.main else None
    if run.main and cfg.progress:  # a bar on a terminal; a line every log_interval iterations in a log or pipe
        run.bar = Progress(cfg.max_iters, f"train {run.precision.mode}", initial=run.iteration, every=cfg.log_interval)
    interrupt = _Interrupt()
    deadline = time.monotonic() + 60 * cfg.time_limit_minutes if cfg.time_limit_minutes else None
    final_state = None
    try:
        if not run.evals:
            run.run_eval()  # 0) the "before" numbers (a resumed run has them from its checkpoint)
            if run.bar is not None:
                run.bar.restart_clock()  # the time-left estimate is about training iterations
        run.window_start = time.perf_counter()
        abandoned_rng = _iterate(run, interrupt, deadline)
        if interrupt.requested and run.iteration < cfg.max_iters:
            run.checkpoint(abandoned_rng)
            raise TrainingInterrupted(
                f"training interrupted at iteration {run.iteration} of {cfg.max_iters}: "
                f"checkpoint saved to {run.ckpt_path}",
                hint="continue with the same command plus --resume",
            )
        run.run_eval()  # a resumed run that had already finished still reports its "after" numbers
        final_state = run.checkpoint()
    finally:
        interrupt.restore()
        if run.bar is not None:
            run.bar.close()
        if run.metrics is not None:
            run.metrics.close()
    if run.main and cfg.plot:
        plot_metrics(read_metrics(run.out_dir / "metrics.jsonl"), run.out_dir / "metrics.png")
    return run.result(final_state)


def _causal_lm_loss(device: torch.device) -> LossFn:
    """The default objective: next-token cross-entropy of the model's logits on an (input_ids, targets) batch."""

    def lm_loss(m: nn.Module, batch: tuple[torch.Tensor, torch.Tensor], autocast: Any) -> torch.Tensor:
        x, y = (t.to(device, non_blocking=True) for t in batch)
        with autocast():
            out = m(x)
        logits = out.logits if hasattr(out, "logits") else out
        return F.cross_entropy(logits.float().flatten(0, -2), y.flatten())

    return lm_loss


def _start_run(
    cfg: TrainConfig, model: nn.Module, data: torch.Tensor | BatchFn, evaluate: EvalFn | None, loss: LossFn | None
) -> _Run:
    """Join the process group, move the model, and wrap it for the precision mode and the parallelism."""
    rank, world, device = setup_distributed(cfg.device)
    get_batch = (
        token_batches(data, cfg.batch_size, cfg.seq_len, cfg.seed, cfg.grad_accum_steps)
        if isinstance(data, torch.Tensor)
        else data
    )
    torch.manual_seed(cfg.seed)
    model.to(device)

    def make_optimizer(groups: Any) -> torch.optim.Optimizer:
        return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=cfg.betas)

    sharded = world > 1 and cfg.parallel == "fsdp"
    if sharded:
        precision = make_sharded_precision(
            cfg.precision,
            model,
            make_optimizer,
            param_groups=lambda m: param_groups(m, cfg.weight_decay),  # sharding replaces the parameters
            max_grad_norm=cfg.max_grad_norm,
        )
    else:
        precision = make_precision(
            cfg.precision,
            model,
            make_optimizer,
            param_groups=param_groups(model, cfg.weight_decay),
            max_grad_norm=cfg.max_grad_norm,
        )
    fwd_model: nn.Module = model
    if world > 1 and not sharded:
        # DDP after the cast: it registers hooks on the half-precision params. It broadcasts rank 0's params;
        # broadcast the fp32 masters too, so every rank starts from the same full-precision weights.
        fwd_model = nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
        for _, master in iter_master_pairs(precision):
            dist.broadcast(master.data, src=0)
    return _Run(
        cfg=cfg, model=model, fwd_model=fwd_model, precision=precision, get_batch=get_batch,
        objective=loss or _causal_lm_loss(device), evaluate=evaluate, rank=rank, world=world, device=device,
        sharded=sharded,
    )  # fmt: skip


def _resume(run: _Run) -> None:
    """Load out_dir/ckpt.pt: weights, precision state (masters, optimizer, loss scale), counters, RNG states."""
    device = run.device
    ckpt = load_checkpoint(run.ckpt_path, map_location=device)
    if run.sharded:
        load_full_model_state(run.model, ckpt["model"])
    else:
        run.model.load_state_dict(ckpt["model"])
    run.precision.load_state_dict(ckpt["precision"])
    run.iteration, run.step = ckpt["iteration"], ckpt["step"]
    run.evals = list(ckpt.get("evals") or [])
    torch.set_rng_state(ckpt["rng"]["cpu"].cpu())  # RNG states are CPU byte tensors, whatever map_location
    if device.type == "cuda" and ckpt["rng"].get("cuda") is not None:
        torch.cuda.set_rng_state(ckpt["rng"]["cuda"].cpu(), device)


def _iterate(run: _Run, interrupt: _Interrupt, deadline: float | None) -> dict[str, Any] | None:
    """Train until max_iters, the time budget or Ctrl-C; returns the RNG states of an iteration Ctrl-C abandoned."""
    cfg, precision = run.cfg, run.precision
    decay_iters = cfg.lr_decay_iters or cfg.max_iters
    while run.iteration < cfg.max_iters:
        # 1) LR from the count of applied updates: a skipped (overflowed) step does not advance it
        lr = schedule_lr(
            cfg.lr_schedule, run.step, max_lr=cfg.learning_rate, min_lr=cfg.min_lr, warmup_steps=cfg.warmup_iters,
            decay_steps=decay_iters,
        )  # fmt: skip
        for group in precision.param_groups:
            group["lr"] = lr
        # 2) forward/backward over the micro-batches
        loss_sum, abandoned_rng = _micro_batches(run, interrupt)
        if abandoned_rng is not None:
            return abandoned_rng
        # 3) one unscale + overflow check + (clip) + update for the whole accumulated batch
        stepped = precision.step()
        run.step += int(stepped)
        run.iteration += 1
        run.window_iters += 1
        loss_value = float(loss_sum) / cfg.grad_accum_steps
        run.losses.append(loss_value)
        if run.bar is not None:
            run.bar.set_postfix(loss=f"{loss_value:.4f}", scale=f"{precision.scale:g}", skip=precision.skipped_steps)
            run.bar.update(1)
        # 4) metrics every log_interval iterations (the loss averaged over ranks) and at the end
        if run.iteration % cfg.log_interval == 0 or run.iteration == cfg.max_iters:
            run.log_metrics(loss_value, lr)
        # 5) validation every eval_interval iterations and after the last (main process)
        if (cfg.eval_interval and run.iteration % cfg.eval_interval == 0) or run.iteration == cfg.max_iters:
            run.run_eval()
            run.window_start = time.perf_counter()  # evaluation time is not training throughput
        # 6) checkpoints, written atomically by the main process (under FSDP every rank helps gather them)
        if cfg.checkpoint_interval and run.iteration % cfg.checkpoint_interval == 0:
            run.checkpoint()
        # 7) the time budget: every rank stops at the same iteration (rank 0's clock decides)
        if deadline is not None and _out_of_time(deadline, run.world, run.device):
            break
        # 8) Ctrl-C: every rank stops after the same iteration (any rank's request counts)
        if _any_rank(interrupt.requested, run.world, run.device):
            interrupt.requested = True  # ranks that got no signal themselves stop and checkpoint alike
            break
    return None


def _micro_batches(run: _Run, interrupt: _Interrupt) -> tuple[torch.Tensor, dict[str, Any] | None]:
    """Forward and backward over one iteration's micro-batches: (summed loss, None), or (partial sum, the RNG
    states of the iteration's start) when Ctrl-C on one process abandoned it."""
    cfg, precision = run.cfg, run.precision
    loss_sum = torch.zeros((), device=run.device)
    iteration_rng = run.rng_states() if run.world == 1 else None
    for micro in range(cfg.grad_accum_steps):
        if interrupt.requested and run.world == 1:
            # Ctrl-C on one process: drop this iteration's partial gradients (they are not in the
            # checkpoint) and save the state of its start, so --resume redoes it exactly
            return loss_sum, iteration_rng
        micro_loss = run.objective(run.fwd_model, run.get_batch(run.iteration, micro, run.rank), precision.autocast)
        precision.backward(micro_loss / cfg.grad_accum_steps)
        loss_sum += micro_loss.detach()
    return loss_sum, None


def _out_of_time(deadline: float, world: int, device: torch.device) -> bool:
    flag = torch.tensor([float(time.monotonic() > deadline)], device=device)
    if world > 1:
        dist.broadcast(flag, src=0)
    return bool(flag.item())


def _any_rank(flag: bool, world: int, device: torch.device) -> bool:
    """``flag`` ORed over the ranks (one tiny all-reduce per iteration under torchrun, none on one process)."""
    if world == 1:
        return flag
    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


class _Interrupt:
    """Ctrl-C (SIGINT) as a flag the loop checks at safe points, so it can stop with a resumable checkpoint.

    The first Ctrl-C asks the loop to stop; a second one raises KeyboardInterrupt at once (no checkpoint). Python
    only lets the main thread handle signals: elsewhere (a training thread) Ctrl-C keeps its default behaviour.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        say("\ninterrupted: stopping at the next micro-batch to save a checkpoint (Ctrl-C again to quit without one)")

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def small_llama(vocab_size: int = 256, hidden: int = 64, layers: int = 2, heads: int = 4) -> nn.Module:
    """A small random Llama (transformers) for demos and tests."""
    from transformers import LlamaConfig, LlamaForCausalLM  # lazily: the loop itself does not need transformers

    config = LlamaConfig(
        vocab_size=vocab_size, hidden_size=hidden, intermediate_size=hidden * 2 + hidden // 2,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=max(1, heads // 2),
        max_position_embeddings=1024, tie_word_embeddings=True, attn_implementation="eager",
    )  # fmt: skip
    return LlamaForCausalLM(config)


def demo_tokens() -> torch.Tensor:
    """The UTF-8 bytes of Python's documentation (``pydoc_data.topics``, shipped with every CPython): real text,
    so the demo's loss falls from ln(256) ≈ 5.5 towards the ~2 nats per byte that spelling and common words allow,
    with nothing to download."""
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[name] for name in sorted(topics))
    return torch.frombuffer(bytearray(text.encode("utf-8")), dtype=torch.uint8).long()


def main(argv: list[str] | None = None) -> TrainResult:
    """Train a small random Llama on a token file (a 1-D uint16 .bin/.npy) or on the bytes of Python's docs."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--mode", default="fp16", help="precision mode: fp32, fp16, bf16 or amp")
    parser.add_argument("--data", help="1-D token file (.npy, or raw uint16 .bin); Python's docs as bytes if omitted")
    parser.add_argument("--out-dir", default="out/demo")
    parser.add_argument("--max-iters", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--parallel", default="ddp", choices=PARALLEL, help="under torchrun: replicate or shard")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    # the demo model has ~100K parameters: it takes larger steps than the defaults chosen for 10M-150M models
    cfg = TrainConfig(
        out_dir=args.out_dir, precision=PrecisionConfig(mode=args.mode), max_iters=args.max_iters,
        batch_size=args.batch_size, seq_len=args.seq_len, device=args.device, resume=args.resume,
        parallel=args.parallel, learning_rate=2e-3, min_lr=2e-4, warmup_iters=20,
    )  # fmt: skip
    if args.data:
        import numpy as np  # lazily: only token files need it

        arr = np.load(args.data) if args.data.endswith(".npy") else np.fromfile(args.data, dtype=np.uint16)
        tokens = torch.from_numpy(arr.astype(np.int64))
    else:
        tokens = demo_tokens()
    vocab = int(tokens.max()) + 1
    torch.manual_seed(cfg.seed)
    result = train(cfg, small_llama(vocab_size=max(vocab, 256)), tokens)
    finish_distributed()
    return result


if __name__ == "__main__":
    main()
