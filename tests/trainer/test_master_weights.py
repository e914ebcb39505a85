"""fp32 master weights: the invariants of the optimizer wrapper and the paper's claims, on tiny models (CPU)."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from chipmate.errors import ConfigError
from chipmate.trainer.loop import token_batches
from chipmate.trainer.precision import MixedPrecisionOptimizer, iter_master_pairs, make_precision


def adamw(lr: float = 1e-3):
    return lambda params: torch.optim.AdamW(params, lr=lr, weight_decay=0.0)


def test_model_params_equal_fp16_rounding_of_masters_after_every_step(make_llama, tokens, lm_step) -> None:
    model = make_llama()
    prec = make_precision("fp16", model, adamw())
    batches = token_batches(tokens, 4, 16, seed=0, accum=1)
    for it in range(4):
        lm_step(prec, model, *batches(it, 0, 0))
        for param, master in iter_master_pairs(prec):
            assert param.dtype == torch.float16 and master.dtype == torch.float32
            assert torch.equal(param, master.half())
    # optimizer state is fp32 and belongs to the masters, never to the fp16 params
    states = list(prec.optimizer.state.values())
    assert states and all(s["exp_avg"].dtype == torch.float32 for s in states)
    assert all(any(m is p for m in prec.master_params) for p in prec.optimizer.state)


def test_frozen_params_get_no_master_copy(make_llama) -> None:
    model = make_llama()
    model.model.embed_tokens.weight.requires_grad_(False)
    prec = make_precision("bf16", model, adamw())
    assert isinstance(prec, MixedPrecisionOptimizer)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(prec.master_params) == len(trainable) == len(list(model.parameters())) - 1
    assert model.model.embed_tokens.weight.dtype == torch.bfloat16  # frozen weights are still half precision


def test_peft_lora_base_model_gets_no_masters(make_llama, tokens, lm_step) -> None:
    peft = pytest.importorskip("peft")
    model = peft.get_peft_model(make_llama(), peft.LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    base_before = model.base_model.model.model.layers[0].self_attn.q_proj.base_layer.weight.detach().half()
    prec = make_precision("fp16", model, adamw())
    lora = [p for n, p in model.named_parameters() if "lora_" in n]
    assert len(prec.master_params) == len(lora) == 8
    lm_step(prec, model, *token_batches(tokens, 2, 16, 0, 1)(0, 0, 0))
    base_after = model.base_model.model.model.layers[0].self_attn.q_proj.base_layer.weight
    assert torch.equal(base_before, base_after)


def test_update_below_2_pow_minus_11_survives_only_with_masters() -> None:
    """The paper's point: w=1 plus updates of 2^-13 stays 1 in fp16, but moves with fp32 masters."""
    steps, update = 64, 2.0**-13

    def train(mode: str, drop_masters: bool = False) -> float:
        model = torch.nn.Linear(1, 1, bias=False)
        torch.nn.init.ones_(model.weight)
        prec = make_precision(mode, model, lambda ps: torch.optim.SGD(ps, lr=update), static_scale=1.0)
        for _ in range(steps):
            x = torch.ones(1, 1, dtype=model.weight.dtype)
            prec.backward(-model(x).sum())  # d(loss)/dw = -1: every step adds lr = 2^-13
            prec.step()
            if drop_masters:  # fp16 storage without a master: the fp32 copy is re-read from fp16 each step
                for p, m in iter_master_pairs(prec):
                    m.data.copy_(p.data)
        return float(next(iter_master_pairs(prec))[1].detach())

    fp32 = train("fp32")
    assert fp32 == pytest.approx(1.0 + steps * update)
    assert train("fp16") == fp32  # exact: 1 + k·2^-13 is representable in fp32
    assert train("fp16", drop_masters=True) == 1.0  # every update rounded away


def _run_lm(mode: str, make_llama, tokens, lm_step, steps: int, lr: float, drop_masters: bool = False):
    model = make_llama()
    prec = make_precision(mode, model, adamw(lr))
    batches = token_batches(tokens, 4, 32, seed=1, accum=1)
    losses = []
    for it in range(steps):
        losses.append(lm_step(prec, model, *batches(it, 0, 0))[0])
        if drop_masters:
            with torch.no_grad():
                for p, m in iter_master_pairs(prec):
                    m.copy_(p)
    return losses, [m.detach().clone() for _, m in iter_master_pairs(prec)]


def test_fp16_with_masters_tracks_fp32_and_without_masters_drifts(make_llama, tokens, lm_step) -> None:
    steps, lr = 10, 1e-4
    init = [p.detach().clone() for p in make_llama().parameters()]
    loss32, w32 = _run_lm("fp32", make_llama, tokens, lm_step, steps, lr)
    loss16, w16 = _run_lm("fp16", make_llama, tokens, lm_step, steps, lr)
    _, w16_no_master = _run_lm("fp16", make_llama, tokens, lm_step, steps, lr, drop_masters=True)

    def distance(a, b) -> float:
        return float(sum(((x - y) ** 2).sum() for x, y in zip(a, b, strict=True)) ** 0.5)

    moved = distance(w32, init)
    with_masters = distance(w16, w32) / moved
    without = distance(w16_no_master, w32) / moved
    # Stated tolerance: the fp16+masters weights stay within 1% of fp32's own movement and the loss within 0.1%.
    assert with_masters < 0.01
    assert abs(loss16[-1] - loss32[-1]) / loss32[-1] < 1e-3
    assert max(abs(a - b) for a, b in zip(loss16, loss32, strict=True)) < 5e-3
    # Without masters the weights measurably drift: norm weights (=1) lose every 1e-4 update outright.
    assert without > 0.03 and without > 5 * with_masters


@pytest.mark.parametrize("mode", ["bf16", "amp"])
def test_other_modes_track_fp32(make_llama, tokens, lm_step, mode: str) -> None:
    loss32, _ = _run_lm("fp32", make_llama, tokens, lm_step, 8, 1e-3)
    loss, _ = _run_lm(mode, make_llama, tokens, lm_step, 8, 1e-3)
    assert loss[-1] < loss[0]
    assert abs(loss[-1] - loss32[-1]) / loss32[-1] < 0.01


def _snapshot(prec):
    return (
        [p.detach().clone() for p, _ in iter_master_pairs(prec)],
        [m.detach().clone() for _, m in iter_master_pairs(prec)],
        copy.deepcopy(prec.optimizer.state_dict()),
    )


def _assert_same(a, b) -> None:
    for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True):
        assert torch.equal(x, y)
    for key, state in a[2]["state"].items():
        for name, value in state.items():
            assert torch.equal(value, b[2]["state"][key][name]), name


@pytest.mark.parametrize("poison", ["inf", "nan", "one_grad"])
def test_overflowing_step_is_skipped_bit_for_bit_and_backs_off(make_llama, tokens, lm_step, poison) -> None:
    model = make_llama()
    prec = make_precision("fp16", model, adamw(), growth_interval=1000)
    batches = token_batches(tokens, 2, 16, seed=0, accum=1)
    for it in range(2):
        lm_step(prec, model, *batches(it, 0, 0))
    before, scale = _snapshot(prec), prec.scale
    logits = model(batches(2, 0, 0)[0]).logits
    loss = F.cross_entropy(logits.float().flatten(0, -2), batches(2, 0, 0)[1].flatten())
    if poison == "one_grad":
        prec.backward(loss)
        prec.master_params[3].grad[0, 0] = float("inf")
    else:
        prec.backward(loss * float(poison))
    assert prec.step() is False
    _assert_same(before, _snapshot(prec))
    assert prec.scale == scale / 2
    assert prec.skipped_steps == 1
    assert all(m.grad is None for m in prec.master_params)  # the poisoned grads are gone
    assert lm_step(prec, model, *batches(3, 0, 0))[1] is True  # and the next clean step goes through


def test_amp_mode_reports_skipped_steps(make_llama, tokens) -> None:
    model = make_llama()
    prec = make_precision("amp", model, adamw())
    x, y = token_batches(tokens, 2, 16, seed=0, accum=1)(0, 0, 0)
    with prec.autocast():
        logits = model(x).logits
    prec.backward(F.cross_entropy(logits.float().flatten(0, -2), y.flatten()) * float("inf"))
    assert prec.step() is False and prec.skipped_steps == 1 and prec.scale == 2.0**15


def test_clipping_happens_after_unscaling() -> None:
    model = torch.nn.Linear(4, 1, bias=False)
    torch.nn.init.zeros_(model.weight)
    prec = make_precision("fp16", model, lambda ps: torch.optim.SGD(ps, lr=1.0), max_grad_norm=1.0, init_scale=1024.0)
    x = torch.full((1, 4), 3.0, dtype=torch.float16)  # grad = (3, 3, 3, 3): norm 6, scaled norm 6·1024
    prec.backward(model(x).sum())
    assert prec.step()
    assert prec.last_grad_norm == pytest.approx(6.0)  # measured on unscaled grads
    # clipped to norm 1: each of the 4 components is 0.5, so SGD(lr=1) moves each weight by -0.5
    assert torch.allclose(prec.master_params[0].detach(), torch.full((1, 4), -0.5), atol=1e-6)


@pytest.mark.parametrize(("mode", "tol"), [("fp32", 1e-5), ("fp16", 5e-3)])
def test_accumulation_equals_the_large_batch_step(make_llama, tokens, mode: str, tol: float) -> None:
    x, y = token_batches(tokens, 8, 16, seed=0, accum=1)(0, 0, 0)
    init = [p.detach().clone() for p in make_llama().parameters()]

    def one_step(micro_batches: int):
        model = make_llama()
        # SGD: the update is linear in the gradient, so it shows the accumulated gradient itself
        prec = make_precision(mode, model, lambda ps: torch.optim.SGD(ps, lr=1.0))
        for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            logits = model(xs).logits
            loss = F.cross_entropy(logits.float().flatten(0, -2), ys.flatten())
            prec.backward(loss / micro_batches)
        grad_norm_ok = prec.step()
        return grad_norm_ok, prec.last_grad_norm, [m.detach().clone() for _, m in iter_master_pairs(prec)]

    ok1, norm1, big = one_step(1)
    ok4, norm4, accumulated = one_step(4)
    assert ok1 and ok4
    assert norm4 == pytest.approx(norm1, rel=tol)
    big_update = torch.cat([(w - w0).flatten() for w, w0 in zip(big, init, strict=True)])
    acc_update = torch.cat([(w - w0).flatten() for w, w0 in zip(accumulated, init, strict=True)])
    assert float((big_update - acc_update).norm() / big_update.norm()) < tol


def test_state_dict_round_trip_restores_masters_optimizer_and_scaler(make_llama, tokens, lm_step) -> None:
    batches = token_batches(tokens, 2, 16, seed=0, accum=1)
    model_a = make_llama()
    a = make_precision("fp16", model_a, adamw(), growth_interval=3)
    for it in range(4):
        lm_step(a, model_a, *batches(it, 0, 0))
    model_b = make_llama(seed=5)
    b = make_precision("fp16", model_b, adamw(), growth_interval=3)
    b.load_state_dict(copy.deepcopy(a.state_dict()))  # as through torch.save/torch.load: no shared tensors
    for it in range(4, 7):
        assert lm_step(a, model_a, *batches(it, 0, 0)) == lm_step(b, model_b, *batches(it, 0, 0))
        assert a.scale == b.scale
    for (pa, ma), (pb, mb) in zip(iter_master_pairs(a), iter_master_pairs(b), strict=True):
        assert torch.equal(pa, pb) and torch.equal(ma, mb)


def test_loading_a_checkpoint_of_another_mode_is_a_config_error(make_llama) -> None:
    state = make_precision("fp16", make_llama(), adamw()).state_dict()
    with pytest.raises(ConfigError, match=r"precision\.mode='fp16'"):
        make_precision("bf16", make_llama(), adamw()).load_state_dict(state)


def test_param_groups_map_onto_masters(make_llama) -> None:
    model = make_llama()
    matrices = [p for p in model.parameters() if p.ndim >= 2]
    vectors = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": matrices, "weight_decay": 0.1}, {"params": vectors, "weight_decay": 0.0}]
    prec = make_precision("fp16", model, torch.optim.AdamW, param_groups=groups)
    assert [len(g["params"]) for g in prec.param_groups] == [len(matrices), len(vectors)]
    assert all(p.dtype == torch.float32 for g in prec.param_groups for p in g["params"])
    assert [g["weight_decay"] for g in prec.param_groups] == [0.1, 0.0]
