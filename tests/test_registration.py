"""Every registry refuses what a plugin should not register with the same three checks (chipmate.registration):
the wrong type, a malformed name, a name another plugin took."""

from __future__ import annotations

import pytest

from chipmate.errors import PluginError
from chipmate.models import EMBEDDER, ModelAlias, ModelBackend, ModelRegistry
from chipmate.services import Service, ServiceRegistry
from chipmate.tasks import Task, TaskRegistry
from chipmate.tools import ToolRegistry, ToolRun


class _Tool:
    description = "a fake tool"

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, script, *, files, timeout):
        return ToolRun(ok=True, log="")


def _registries():
    def noop(*args):
        return None

    return [
        (TaskRegistry(), lambda name: Task(name, noop), "task", "a.b"),
        (ToolRegistry(), _Tool, "tool", "yosys"),
        (ServiceRegistry(), lambda name: Service(name, noop, noop), "service", "x.v1.Thing"),
        (ModelRegistry(), lambda name: ModelBackend(name=name, kind=EMBEDDER, load=noop), "model backend", "st"),
        (ModelRegistry(), lambda name: ModelAlias(name, {"backend": "st"}), "model alias", "mini"),
    ]


@pytest.mark.parametrize(("registry", "make", "noun", "name"), _registries(), ids=lambda v: getattr(v, "__name__", ""))
def test_a_name_taken_by_another_plugin_is_refused_naming_both(registry, make, noun, name):
    registry.register(make(name), plugin="first")
    with pytest.raises(PluginError, match=f"{noun} '{name}' is registered by both 'first' and 'second'") as info:
        registry.register(make(name), plugin="second")
    assert info.value.hint == "disable one of them with CHIPMATE_DISABLE_PLUGINS=second"


@pytest.mark.parametrize(("registry", "make", "noun", "name"), _registries()[:3])
def test_a_malformed_name_and_the_wrong_type_are_refused(registry, make, noun, name):
    with pytest.raises(PluginError, match=f"plugin 'p' registered a {noun} named 'Bad Name'"):
        registry.register(make("Bad Name"), plugin="p")
    with pytest.raises(PluginError, match="plugin 'p' registered 42, not a"):
        registry.register(42, plugin="p")
