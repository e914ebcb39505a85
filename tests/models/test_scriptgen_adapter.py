"""scriptgen's shipped LoRA adapter for SmolLM2-135M (alias ``smollm2-135m-scriptgen``): registered, small, and
working in the real pipeline on the real model, with the adapter in effect."""

from __future__ import annotations

import json

import pytest

from chipmate.config import Config
from chipmate.host import Host
from chipmate.plugins.backends.embedded import SMOLLM2
from chipmate.plugins.scriptgen import ADAPTED_ALIAS, ADAPTER_DIR
from chipmate.plugins.scriptgen.library import DESIGNS_DIR
from chipmate.plugins.scriptgen.service import ScriptGenService

ROOT = ADAPTER_DIR.parents[3]


def test_the_shipped_adapter_is_registered_small_and_names_its_base(tmp_path):
    spec = Host(Config(cache_dir=str(tmp_path))).models.spec(ADAPTED_ALIAS)
    assert spec.backend == "ct2" and spec.options["adapter"] == str(ADAPTER_DIR)
    assert spec.options["embedded"] == SMOLLM2.name
    assert (ADAPTER_DIR / "adapter_model.safetensors").stat().st_size < 5_000_000
    config = json.loads((ADAPTER_DIR / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == SMOLLM2.name  # a name, never a path of the machine that trained it
    readme = (ADAPTER_DIR / "README.md").read_text()
    recipe = "examples/recipes/sft-scriptgen.yaml"
    assert f"chipmate train sft -c {recipe}" in readme
    if (ROOT / "examples").is_dir():  # a source checkout (an installed wheel has no examples/)
        assert (ROOT / recipe).is_file()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_adapted_model_passes_a_task_in_yosys_and_differs_from_its_base(default_cache, tmp_path):
    # Reuse the converted base weights read-only; the merged CTranslate2 copy is written to this test's cache.
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / SMOLLM2.name).symlink_to(SMOLLM2.converted_dir(default_cache))
    host = Host(Config(cache_dir=str(cache), tasks={"designqa": {"build_default": False}}))
    request = {
        "instruction": "Synthesize counter.v with the generic synthesis flow and write the netlist to counter_syn.v.",
        "files": [{"name": "counter.v", "content": (DESIGNS_DIR / "counter.v").read_text()}],
        "model": ADAPTED_ALIAS,
    }
    outcome = ScriptGenService(host).outcome(request, None)
    assert outcome.passed, outcome.output()
    messages = [{"role": "user", "content": "Write a Yosys script that reads top.v and maps it to gates."}]
    adapted = "".join(host.models.generator(ADAPTED_ALIAS).stream(messages, max_tokens=48))
    base = "".join(host.models.generator(SMOLLM2.name).stream(messages, max_tokens=48))
    assert adapted != base  # the adapter was merged into the converted weights
