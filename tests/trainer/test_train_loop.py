"""The training loop: outputs, bit-identical resume, skipped steps vs the LR schedule, atomic checkpoints."""

from __future__ import annotations

import json

import pytest
import torch

from chipmate.errors import ChipmateError, ConfigError
from chipmate.sections import Section
from chipmate.trainer import checkpoint as checkpoint_module
from chipmate.trainer.checkpoint import load_checkpoint, save_checkpoint
from chipmate.trainer.loop import TrainConfig, token_batches, train
from chipmate.trainer.metrics import read_metrics
from chipmate.trainer.precision import PrecisionConfig
from chipmate.trainer.schedule import cosine_lr


def config(tmp_path, name: str, **overrides) -> TrainConfig:
    values = dict(
        out_dir=str(tmp_path / name), max_iters=6, batch_size=2, seq_len=16, learning_rate=1e-3,
        min_lr=1e-4, warmup_iters=2, log_interval=1, checkpoint_interval=0, progress=False, plot=False,
    )  # fmt: skip
    values.update(overrides)
    return TrainConfig(**values)


def test_train_writes_metrics_plot_and_checkpoint(tmp_path, make_llama, tokens) -> None:
    cfg = config(tmp_path, "run", plot=True, log_interval=2, progress=True)
    result = train(cfg, make_llama(), tokens)
    assert (result.iterations, result.steps, result.skipped_steps) == (6, 6, 0)
    records = read_metrics(tmp_path / "run" / "metrics.jsonl")
    assert [r["iter"] for r in records] == [2, 4, 6]
    assert set(records[0]) == {"iter", "step", "loss", "lr", "scale", "skipped", "grad_norm", "tokens_per_s"}
    assert records[-1]["scale"] == 2.0**16 and records[-1]["tokens_per_s"] > 0
    assert (tmp_path / "run" / "metrics.png").read_bytes()[:4] == b"\x89PNG"
    ckpt = load_checkpoint(tmp_path / "run" / "ckpt.pt")
    assert (ckpt["iteration"], ckpt["step"]) == (6, 6)
    assert ckpt["train_config"]["precision"]["mode"] == "fp16"
    assert ckpt["model_config"]["hidden_size"] == 64
    json.dumps(ckpt["train_config"])  # plain data, readable without chipmate


def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path, make_llama, tokens) -> None:
    common = dict(lr_decay_iters=8, precision=PrecisionConfig(mode="fp16", growth_interval=3), grad_accum_steps=2)
    full = train(config(tmp_path, "full", max_iters=8, **common), make_llama(), tokens)
    train(config(tmp_path, "split", max_iters=4, **common), make_llama(), tokens)
    resumed_model = make_llama(seed=123)  # different init: everything must come from the checkpoint
    resumed = train(config(tmp_path, "split", max_iters=8, resume=True, **common), resumed_model, tokens)
    assert resumed.losses == full.losses[4:]
    a = load_checkpoint(tmp_path / "full" / "ckpt.pt")
    b = load_checkpoint(tmp_path / "split" / "ckpt.pt")
    assert a["precision"]["scaler"] == b["precision"]["scaler"]
    for x, y in zip(a["precision"]["masters"], b["precision"]["masters"], strict=True):
        assert torch.equal(x, y)
    for key, value in a["model"].items():
        assert torch.equal(value, b["model"][key]), key
    for key, state in a["precision"]["optimizer"]["state"].items():
        for name, value in state.items():
            assert torch.equal(value, b["precision"]["optimizer"]["state"][key][name])
    metrics = read_metrics(tmp_path / "split" / "metrics.jsonl")
    assert [r["iter"] for r in metrics] == list(range(1, 9))  # the resumed run appends


def test_skipped_step_does_not_advance_the_lr_schedule(tmp_path, make_llama, tokens) -> None:
    batches = token_batches(tokens, 2, 16, seed=0, accum=1)
    model = make_llama()
    calls = {"n": 0}

    def poison_third_iteration(module, args, output):
        calls["n"] += 1
        return output * float("inf") if calls["n"] == 3 else output

    model.lm_head.register_forward_hook(poison_third_iteration)
    result = train(config(tmp_path, "skip", warmup_iters=0), model, batches)
    assert (result.iterations, result.steps, result.skipped_steps) == (6, 5, 1)
    records = read_metrics(tmp_path / "skip" / "metrics.jsonl")
    assert [r["step"] for r in records] == [1, 2, 2, 3, 4, 5]
    assert [r["skipped"] for r in records] == [0, 0, 1, 1, 1, 1]
    assert records[2]["scale"] == 2.0**15 and records[2]["grad_norm"] is None  # inf is written as null
    assert records[3]["lr"] == records[2]["lr"]  # the retry of update 3 gets the LR update 3 would have had
    assert [r["lr"] for r in records] == [
        cosine_lr(s, max_lr=1e-3, min_lr=1e-4, warmup_steps=0, decay_steps=6) for s in (0, 1, 2, 2, 3, 4)
    ]


def test_interrupted_checkpoint_write_keeps_the_last_good_one(tmp_path, monkeypatch) -> None:
    path = tmp_path / "ckpt.pt"
    save_checkpoint({"step": 1, "w": torch.ones(3)}, path)

    def crash_midway(obj, f):
        f.write(b"partial garbage")
        raise KeyboardInterrupt  # e.g. the job was killed during the write

    monkeypatch.setattr(checkpoint_module.torch, "save", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"step": 2, "w": torch.zeros(3)}, path)
    monkeypatch.undo()
    state = load_checkpoint(path)
    assert state["step"] == 1 and torch.equal(state["w"], torch.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]  # no temp file left behind


def test_resume_without_checkpoint_says_what_to_do(tmp_path, make_llama, tokens) -> None:
    with pytest.raises(ChipmateError, match="no checkpoint at"):
        train(config(tmp_path, "empty", resume=True), make_llama(), tokens)


def test_cosine_schedule_cases() -> None:
    kw = dict(max_lr=1.0, min_lr=0.1, warmup_steps=4, decay_steps=14)
    assert cosine_lr(0, **kw) == 0.25  # 1) warmup starts above 0
    assert cosine_lr(3, **kw) == 1.0
    assert cosine_lr(4, **kw) == 1.0  # 3) cosine from the peak
    assert cosine_lr(9, **kw) == pytest.approx(0.55)
    assert cosine_lr(14, **kw) == 0.1  # 2) floor after decay_steps
    assert cosine_lr(1000, **kw) == 0.1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"precision": {"mode": "fp8"}}, "run.yaml: train.precision.mode must be one of fp32, fp16, bf16, amp"),
        ({"precision": {"mode": "int8"}}, "train.precision.mode must be one of fp32, fp16, bf16, amp, auto"),
        ({"max_iters": 0}, "run.yaml: train.max_iters must be at least 1, got 0"),
        ({"grad_accum_steps": 1.5}, "run.yaml: train.grad_accum_steps must be int, got float 1.5"),
        ({"learning_rate": -1.0}, "train.learning_rate must be > 0"),
        ({"max_grad_norm": 0.0}, "train.max_grad_norm must be > 0 or null"),
        ({"betas": [0.9, 1.5]}, "train.betas[1] must be in [0, 1), got 1.5"),
        ({"betas": [0.9]}, "train.betas must be a list of 2 items"),
        ({"device": "tpu"}, "train.device must be one of cpu, cuda"),
    ],
)
def test_bad_train_config_values_name_the_file_and_field(overrides, message) -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig.from_dict(overrides, source="run.yaml")
    assert message in str(info.value)


def test_a_config_built_or_changed_in_code_is_checked(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"^train\.max_iters must be at least 1, got 0$"):
        TrainConfig(out_dir=str(tmp_path), max_iters=0)
    cfg = TrainConfig(out_dir=str(tmp_path))
    with pytest.raises(ConfigError, match=r"^train\.min_lr must be at most learning_rate"):
        cfg.min_lr = 1.0  # a change is checked like a value read from a file: train() never sees a bad config
    assert cfg.min_lr == 3e-5


def test_from_dict_rejects_unknown_keys_and_builds_nested_precision() -> None:
    cfg = TrainConfig.from_dict({"max_iters": 5, "precision": {"mode": "bf16"}, "betas": [0.9, 0.99]})
    assert cfg.precision.mode == "bf16" and cfg.betas == (0.9, 0.99)
    with pytest.raises(ConfigError, match=r"unknown key 'train\.max_iter' \(did you mean 'max_iters'\?\)"):
        TrainConfig.from_dict({"max_iter": 5})
    with pytest.raises(ConfigError, match=r"unknown key 'train\.precision\.scale'"):
        TrainConfig.from_dict({"precision": {"scale": 5}})


def test_progress_is_plain_lines_when_output_is_not_a_terminal() -> None:
    import io

    from chipmate.trainer.progress import Progress

    out = io.StringIO()  # what a log file or pipe is: not a terminal, so no carriage-return bar
    bar = Progress(10, "train fp32", every=4, file=out)
    for i in range(10):
        bar.set_postfix(loss=f"{5 - i * 0.1:.4f}")
        bar.update()
    bar.close()
    lines = out.getvalue().splitlines()
    assert [line.split(" it")[0] for line in lines] == ["train fp32: 4/10", "train fp32: 8/10", "train fp32: 10/10"]
    assert "(40%) loss=4.7000 | 0m00s elapsed, ~0m00s left" in lines[0] and "\r" not in out.getvalue()


def test_the_demo_trains_on_text_it_can_learn(tmp_path, make_llama) -> None:
    from chipmate.trainer.loop import demo_tokens

    tokens = demo_tokens()
    assert len(tokens) > 100_000 and int(tokens.max()) < 256
    cfg = config(tmp_path, "demo", max_iters=40, batch_size=8, seq_len=64, learning_rate=3e-3, min_lr=3e-4,
                 warmup_iters=5, precision=PrecisionConfig(mode="fp32"))  # fmt: skip
    result = train(cfg, make_llama(), tokens)
    # random bytes would stay at ln(256) = 5.55; text drops well below it (byte frequencies, then spelling)
    assert result.losses[0] > 5.0 and sum(result.losses[-5:]) / 5 < 3.6


def test_a_section_that_changes_a_default_keeps_the_declared_type_and_bounds() -> None:
    # pydantic replaces a field redeclared in a subclass whole: a recipe's `max_iters: int = 200` would drop the
    # parent's bound (at least 1) without a word, so every redeclared field must carry its parent's declaration.
    import chipmate.trainer.recipes.dapt
    import chipmate.trainer.recipes.retriever
    import chipmate.trainer.recipes.sft  # noqa: F401 - imported for their Section subclasses

    def subclasses(cls: type) -> list[type]:
        return [s for sub in cls.__subclasses__() for s in (sub, *subclasses(sub))]

    checked = 0
    for child in subclasses(Section):
        for parent in child.__mro__[1:]:
            if not issubclass(parent, Section) or parent is Section:
                continue
            for name, declared in parent.model_fields.items():
                mine = child.model_fields[name]
                assert (mine.annotation, mine.metadata) == (declared.annotation, declared.metadata), (
                    f"{child.__name__}.{name} is declared as {mine.annotation} {mine.metadata}, "
                    f"{parent.__name__}.{name} as {declared.annotation} {declared.metadata}"
                )
                checked += 1
    assert checked > 50  # TrainConfig under RecipeTrain, DaptTrain and SftTrain; LossScaling, PrecisionConfig
