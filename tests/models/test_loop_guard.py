"""LoopGuard on plain text, and the repetition settings of an alias."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipmate.errors import ConfigError
from chipmate.models import LoopGuard, ModelSpec
from chipmate.plugins.backends.decoding import Repetition, repetition_settings


def feed_all(guard: LoopGuard, text: str, step: int = 3) -> int | None:
    """Feed ``text`` in small deltas; the character count at which the guard fired, or None."""
    for end in range(step, len(text) + step, step):
        if guard.feed(text[end - step : end]):
            return min(end, len(text))
    return None


def test_a_repeated_line_stops_at_its_fifth_copy():
    line = "synth -top top\n"
    fired = feed_all(LoopGuard(), "read_verilog top.v\n" + line * 20)
    assert fired is not None
    copies = (fired - len("read_verilog top.v\n")) / len(line)
    assert 4 < copies <= 5.2  # 5 copies (75 characters >= 64), within one delta


def test_a_repeated_word_needs_the_full_span():
    guard = LoopGuard()
    fired = feed_all(guard, "the " * 40, step=4)
    assert fired == 64 and guard.unit in ("the ", " the")


def test_multi_line_cycles_are_caught():
    block = "opt_clean\nopt_expr\nabc -g AND\n"
    assert feed_all(LoopGuard(), "hierarchy -top cpu\n" + block * 6) is not None


def test_legitimate_text_is_not_stopped():
    script = "".join(f"read_verilog src/module_{i}.v\n" for i in range(30))
    script += "# " + "=" * 120 + "\n" + "| a | b | c |\n|---|---|---|\n" + "end\nend\nend\nend\n"
    script += "\n" * 10 + "-" * 200
    guard = LoopGuard()
    assert feed_all(guard, script) is None and not guard.looped


def test_symbol_runs_stop_only_when_very_long():
    assert feed_all(LoopGuard(), "=" * 255, step=1) is None
    assert feed_all(LoopGuard(), "=" * 300, step=1) == 256


def test_settings_are_checked():
    with pytest.raises(ValueError):
        LoopGuard(repeats=1)
    guard = LoopGuard(repeats=2, min_chars=10)
    assert feed_all(guard, "abcdefghij" * 3, step=1) == 20


def spec(**options) -> ModelSpec:
    return ModelSpec("m", "ct2", options, Path("."), "test.yaml")


def test_repetition_settings_defaults_and_errors():
    assert repetition_settings(spec()) == Repetition(1.0, 0, {})
    assert repetition_settings(spec(loop_guard=False)).new_guard() is None
    custom = repetition_settings(spec(repetition_penalty=1.1, no_repeat_ngram_size=6, loop_guard={"repeats": 3}))
    assert custom.penalty == 1.1 and custom.no_repeat_ngram_size == 6 and custom.new_guard().repeats == 3
    for bad, key in (
        ({"repetition_penalty": 0}, "repetition_penalty"),
        ({"repetition_penalty": True}, "repetition_penalty"),
        ({"no_repeat_ngram_size": -1}, "no_repeat_ngram_size"),
        ({"no_repeat_ngram_size": 2.5}, "no_repeat_ngram_size"),
        ({"loop_guard": "yes"}, "loop_guard"),
        ({"loop_guard": {"repeats": 1}}, "loop_guard"),
        ({"loop_guard": {"window": 9}}, "loop_guard"),
    ):
        with pytest.raises(ConfigError, match=f"models.m.{key}"):
            repetition_settings(spec(**bad))
