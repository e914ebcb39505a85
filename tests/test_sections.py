"""Declared config sections (chipmate.sections): pydantic's checks, chipmate's wording, --set overrides."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field, StringConstraints, model_validator

from chipmate.config import Config
from chipmate.errors import ConfigError
from chipmate.sections import (
    Count,
    ExistingFile,
    FromList,
    Section,
    Where,
    apply_overrides,
    invalid,
    lookup,
    parse_overrides,
    read_section,
    task_settings,
)

Term = Annotated[str, StringConstraints(min_length=1)]


class Inner(Section):
    KEY = "inner"

    weight: float = Field(default=0.5, ge=0, le=1)
    pair: Annotated[tuple[float, float], FromList] = (0.1, 0.2)
    scale: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    files: list[ExistingFile] = Field(default_factory=list)


class Outer(Section):
    KEY = "outer"

    top_k: int = Field(default=8, ge=1, le=100)
    count: Count = 1
    ratio: float = Field(default=0.1, ge=0, lt=0.5)
    mode: Literal["fast", "exact"] = "fast"
    names: list[str] = Field(default_factory=list, min_length=1)
    inner: Inner = Field(default_factory=Inner)
    by_name: dict[str, Inner] = Field(default_factory=dict)
    tags: dict[Term, Term] = Field(default_factory=dict)
    low: int = 1
    high: int = 2

    @model_validator(mode="after")
    def _ordered(self) -> Outer:
        if self.low > self.high:
            raise invalid("high", f"must be at least low ({self.low}), got {self.high}")
        return self


def error(data) -> str:
    with pytest.raises(ConfigError) as info:
        read_section(Outer, {"names": ["a"], **data}, Where("team.yaml", "tasks.demo"))
    return str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"top_k": 0}, "top_k must be between 1 and 100, got 0"),
        ({"top_k": "8"}, "top_k must be int, got str '8'"),
        ({"top_k": True}, "top_k must be int, got bool True"),
        ({"top_k": 2.5}, "top_k must be int, got float 2.5"),
        ({"count": 0}, "count must be at least 1, got 0"),
        ({"ratio": 0.5}, "ratio must be in [0, 0.5), got 0.5"),
        ({"mode": "slow"}, "mode must be one of fast, exact, got 'slow'"),
        ({"names": []}, "names must be a list of at least 1 item, got []"),
        ({"names": "a"}, "names must be a list, got str"),
        ({"names": ["a", 3]}, "names[1] must be str, got int 3"),
        ({"inner": [1]}, "inner must be a mapping, got list"),
        ({"inner": {"weight": 2}}, "inner.weight must be in [0, 1], got 2.0"),
        ({"inner": {"pair": [1.0]}}, "inner.pair must be a list of 2 items, got [1.0]"),
        ({"inner": {"scale": 0}}, "inner.scale must be a finite number > 0 or null, got 0.0"),
        (
            {"inner": {"scale": float("inf")}},
            "inner.scale must be a finite number > 0 or null, got inf",
        ),
        (
            {"inner": {"files": ["nope.jsonl"]}},
            "inner.files[0] names 'nope.jsonl', which is not a file",
        ),
        ({"by_name": {"x": {"weight": -1}}}, "by_name.x.weight must be in [0, 1], got -1.0"),
        ({"tags": {"a": ""}}, "tags.a must be a non-empty string, got ''"),
        ({"tags": {"": "x"}}, "tags has the key ''; keys must be a non-empty string"),
        ({"tags": {3: "x"}}, "tags has the key 3; keys must be str"),
        ({"low": 3}, "high must be at least low (3), got 2"),
    ],
)
def test_errors_name_the_file_the_dotted_key_and_what_it_accepts(data, message):
    assert error(data) == f"team.yaml: tasks.demo.{message}"


def test_unknown_keys_get_a_did_you_mean_or_the_known_keys():
    assert error({"topk": 3}) == "team.yaml: unknown key 'tasks.demo.topk' (did you mean 'top_k'?)"
    assert error({"by_name": {"x": {"wieght": 1}}}).startswith("team.yaml: unknown key 'tasks.demo.by_name.x.wieght'")
    assert "(did you mean 'weight'?)" in error({"inner": {"wieght": 1}})
    assert error({"zzz": 1}).endswith("(known keys: top_k, count, ratio, mode, names, inner, by_name, tags, low, high)")
    # a typo explains the errors that follow it, so it is reported first
    assert "unknown key 'tasks.demo.topk'" in error({"top_k": 0, "topk": 3})


def test_values_are_read_and_lists_become_tuples(tmp_path):
    data = tmp_path / "a.jsonl"
    data.write_text("{}\n")
    section = read_section(
        Outer, {"names": ["a"], "ratio": 0, "inner": {"pair": [1, 2], "files": [str(data)]}, "by_name": {"x": {}}}
    )
    assert section.inner.pair == (1.0, 2.0) and section.ratio == 0.0 and section.by_name["x"] == Inner()
    assert read_section(Inner, None) == Inner()  # an absent section is all defaults


def test_a_section_built_or_changed_in_code_is_checked_and_names_its_key():
    with pytest.raises(ConfigError, match=r"^outer\.top_k must be between 1 and 100, got 0$"):
        Outer(top_k=0)
    with pytest.raises(ConfigError, match=r"^outer\.high must be at least low \(1\), got 0$"):
        Outer(high=0)
    section = Outer(names=["a"])
    with pytest.raises(ConfigError, match=r"^outer\.mode must be one of fast, exact"):
        section.mode = "slow"  # type: ignore[assignment]  # the wrong value is the point
    with pytest.raises(ConfigError, match=r"^outer\.high must be at least low"):
        section.high = 0
    assert section.mode == "fast" and section.high == 2  # a refused change leaves the old value
    section.inner.weight = 1
    assert section.inner.weight == 1.0


def test_task_settings_reads_tasks_section_of_a_config():
    config = Config(tasks={"demo": {"names": ["b"], "top_k": 3}})
    config.source = "team.yaml"
    assert task_settings(config, "demo", Outer).top_k == 3
    config.tasks["demo"]["top_k"] = 0
    with pytest.raises(ConfigError, match=r"^team\.yaml: tasks\.demo\.top_k must be between 1 and 100"):
        task_settings(config, "demo", Outer)
    assert task_settings(Config(), "other", Inner) == Inner()  # absent: the defaults
    with pytest.raises(ConfigError, match=r"^config: unknown key 'tasks\.other\.x'"):
        task_settings(Config(tasks={"other": {"x": 1}}), "other", Inner)  # no file: "config" names the source


def test_parse_overrides_reads_values_as_yaml():
    assert parse_overrides(["train.max_iters=4", "lora.target_modules=[q, v]", "alias=null", "name=a=b"]) == {
        "train.max_iters": 4,
        "lora.target_modules": ["q", "v"],
        "alias": None,
        "name": "a=b",
    }
    for bad in ("train.max_iters", "=4"):
        with pytest.raises(ConfigError, match="is not key=value"):
            parse_overrides([bad])
    with pytest.raises(ConfigError, match=r"--set 'data=\[a': the value is not valid YAML"):
        parse_overrides(["data=[a"])


def test_apply_overrides_sets_dotted_keys_without_changing_the_input():
    data = {"train": {"max_iters": 10, "precision": {"mode": "fp16"}}, "epochs": 3}
    merged = apply_overrides(data, {"train.precision.mode": "bf16", "lora.rank": 8, "epochs": None}, "sft.yaml")
    assert merged == {"train": {"max_iters": 10, "precision": {"mode": "bf16"}}, "epochs": None, "lora": {"rank": 8}}
    assert data["train"]["precision"]["mode"] == "fp16" and "lora" not in data
    assert lookup(merged, "train.precision.mode") == "bf16" and lookup(merged, "train.nope.x") is None
    with pytest.raises(ConfigError, match=r"^sft\.yaml: --set epochs\.x: epochs is not a section"):
        apply_overrides(data, {"epochs.x": 1}, "sft.yaml")


def test_an_override_of_an_unknown_key_gets_a_did_you_mean():
    merged = apply_overrides({"names": ["a"]}, {"inner.wieght": 0.3})
    with pytest.raises(ConfigError, match=r"unknown key 'inner\.wieght' \(did you mean 'weight'\?\)"):
        read_section(Outer, merged, Where("<demo defaults>"))
