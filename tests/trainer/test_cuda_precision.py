"""The same invariants on a CUDA device; skipped where no GPU is present (run them with benchmarks/gpu_check.sh)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from chipmate.trainer.loop import TrainConfig, token_batches, train
from chipmate.trainer.metrics import read_metrics
from chipmate.trainer.precision import PrecisionConfig, iter_master_pairs, make_precision

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("mode", ["fp16", "bf16", "amp"])
def test_cuda_modes_track_fp32_and_keep_params_equal_rounded_masters(make_llama, tokens, mode) -> None:
    batches = token_batches(tokens, 4, 32, seed=0, accum=1)

    def run(run_mode: str):
        model = make_llama().cuda()
        prec = make_precision(run_mode, model, lambda ps: torch.optim.AdamW(ps, lr=1e-3))
        losses = []
        for it in range(10):
            x, y = (t.cuda() for t in batches(it, 0, 0))
            with prec.autocast():
                logits = model(x).logits
            loss = F.cross_entropy(logits.float().flatten(0, -2), y.flatten())
            prec.backward(loss)
            assert prec.step()
            losses.append(loss.item())
            for p, m in iter_master_pairs(prec):
                assert m.dtype == torch.float32 and m.is_cuda
                if run_mode in ("fp16", "bf16"):
                    assert torch.equal(p, m.to(p.dtype))
        return losses

    ref, got = run("fp32"), run(mode)
    assert abs(got[-1] - ref[-1]) / ref[-1] < 0.01


def test_cuda_overflow_is_skipped_and_backs_off(make_llama, tokens) -> None:
    model = make_llama().cuda()
    prec = make_precision("fp16", model, lambda ps: torch.optim.AdamW(ps, lr=1e-3))
    x, y = (t.cuda() for t in token_batches(tokens, 2, 16, 0, 1)(0, 0, 0))
    before = [m.detach().clone() for m in prec.master_params]
    loss = F.cross_entropy(model(x).logits.float().flatten(0, -2), y.flatten())
    prec.backward(loss * float("inf"))
    assert prec.step() is False and prec.scale == 2.0**15 and prec.skipped_steps == 1
    assert all(torch.equal(a, b) for a, b in zip(before, prec.master_params, strict=True))


def test_cuda_train_loop(tmp_path, make_llama, tokens) -> None:
    cfg = TrainConfig(
        out_dir=str(tmp_path), precision=PrecisionConfig(mode="fp16"), max_iters=5, batch_size=2, seq_len=16,
        log_interval=1, progress=False, plot=False, device="cuda",
    )  # fmt: skip
    result = train(cfg, make_llama(), tokens)
    assert result.steps == 5
    assert read_metrics(tmp_path / "metrics.jsonl")[-1]["tokens_per_s"] > 0
