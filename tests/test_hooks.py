"""The hook API: every hook documented and tested, registration validated, lifecycle order fixed."""

from __future__ import annotations

import inspect
import pathlib
import re

import click
import pytest
from click.testing import CliRunner

from chipmate import Task, hookimpl, hookspecs, plugin_manager
from chipmate.client import Client
from chipmate.config import Config
from chipmate.errors import PermissionDeniedError, PluginError
from chipmate.host import Host
from chipmate.tools import ToolRun

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, fn in vars(hookspecs).items() if name.startswith("chipmate_") and callable(fn))


def test_there_are_hooks():
    assert "chipmate_register_tasks" in HOOKS and len(HOOKS) >= 8


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_signature(name):
    signature = f"{name}{inspect.signature(getattr(hookspecs, name))}"
    assert f"### {signature}" in (ROOT / "docs" / "plugins.md").read_text(), signature


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name):
    tests = "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"def test_hook_{name}\b", tests), f"write test_hook_{name}"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_docstring(name):
    assert (getattr(hookspecs, name).__doc__ or "").strip()


def test_hook_chipmate_register_tasks(register_plugin):
    class Plugin:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(Task("demo.upper", lambda i, ctx: {"text": i["text"].upper()}, description="Upper-case."))

    register_plugin(Plugin(), name="demo")
    host = Host(Config())
    task = host.tasks.get("demo.upper")
    assert task.plugin == "demo" and task.description == "Upper-case."
    from chipmate.tasks import TaskContext

    assert host.run_task("demo.upper", {"text": "nand"}, TaskContext()) == {"text": "NAND"}


def test_hook_chipmate_register_tools(register_plugin):
    class FakeSynth:
        name = "fakesynth"
        description = "Counts lines."

        def run(self, script, *, files, timeout):
            return ToolRun(ok=True, log=f"{len(script.splitlines())} commands")

    class Plugin:
        @hookimpl
        def chipmate_register_tools(self, register):
            register(FakeSynth())

    register_plugin(Plugin(), name="fake-tools")
    tool = Host(Config()).tools.get("fakesynth")
    assert tool.run("read_verilog a.v\nsynth", files={}, timeout=1).log == "2 commands"


def test_hook_chipmate_register_commands(register_plugin):
    from chipmate.cli import cli

    class Plugin:
        @hookimpl
        def chipmate_register_commands(self, cli):
            @cli.command(name="hello-test")
            def hello():
                "Say hello."
                click.echo("hello from a plugin")

    register_plugin(Plugin(), name="cmds")
    group = click.Group(commands=dict(cli.commands))
    Host(Config()).register_commands(group)
    result = CliRunner().invoke(group, ["hello-test"])
    assert result.exit_code == 0 and result.output == "hello from a plugin\n"


class Recorder:
    """Records every lifecycle and request hook call, in order."""

    def __init__(self):
        self.calls: list[tuple] = []

    @hookimpl
    def chipmate_startup(self, host):
        self.calls.append(("startup", type(host).__name__))

    @hookimpl
    def chipmate_shutdown(self, host):
        self.calls.append(("shutdown",))

    @hookimpl
    def chipmate_before_task(self, call):
        self.calls.append(("before", call.task, call.input.get("text")))
        if call.input.get("text") == "forbidden":
            raise PermissionDeniedError("the audit plugin refuses this input")

    @hookimpl
    def chipmate_after_task(self, call, output, error):
        self.calls.append(("after", call.task, output, type(error).__name__ if error else None))


def test_hook_chipmate_startup(register_plugin, make_server):
    recorder = register_plugin(Recorder(), name="recorder")
    make_server()
    assert recorder.calls == [("startup", "Host")]


def test_hook_chipmate_shutdown(register_plugin, make_server):
    recorder = register_plugin(Recorder(), name="recorder")
    make_server().stop(0)
    assert recorder.calls[-1] == ("shutdown",)


def test_hook_chipmate_before_task(register_plugin, make_server):
    recorder = register_plugin(Recorder(), name="recorder")
    server = make_server()
    with (
        Client(f"127.0.0.1:{server.port}", timeout=10) as c,
        pytest.raises(PermissionDeniedError, match="audit"),
    ):
        c.call("echo", {"text": "forbidden"})
    assert ("before", "echo", "forbidden") in recorder.calls


def test_hook_chipmate_after_task(register_plugin, make_server):
    recorder = register_plugin(Recorder(), name="recorder")
    server = make_server()
    with Client(f"127.0.0.1:{server.port}", timeout=10) as c:
        c.call("echo", {"text": "ok"})
        with pytest.raises(PermissionDeniedError):
            c.call("echo", {"text": "forbidden"})
    after = [call for call in recorder.calls if call[0] == "after"]
    assert after == [
        ("after", "echo", {"text": "ok", "words": 1}, None),
        ("after", "echo", None, "PermissionDeniedError"),
    ]


def test_lifecycle_hook_order(register_plugin, make_server):
    recorder = register_plugin(Recorder(), name="recorder")
    server = make_server()
    with Client(f"127.0.0.1:{server.port}", timeout=10) as c:
        c.call("echo", {"text": "one"})
        list(c.stream("echo", {"text": "two"}))
    server.stop(0)
    assert [call[0] for call in recorder.calls] == [
        "startup",
        "before",
        "after",
        "before",
        "after",
        "shutdown",
    ]


def test_wrong_hook_signature_fails_at_registration():
    class Bad:
        @hookimpl
        def chipmate_register_tasks(self, register, extra):
            pass

    bad = Bad()
    with pytest.raises(PluginError, match="extra"):
        plugin_manager.register(bad, name="bad")
    assert not plugin_manager.pm.is_registered(bad)


def test_misspelled_hook_fails_at_registration():
    class Typo:
        @hookimpl
        def chipmate_register_task(self, register):
            pass

    typo = Typo()
    with pytest.raises(PluginError, match="chipmate_register_task"):
        plugin_manager.register(typo, name="typo")
    assert not plugin_manager.pm.is_registered(typo)


@pytest.mark.parametrize(
    ("task", "fragment"),
    [
        (Task("Bad Name", lambda i, c: {}), "lower-case dotted"),
        (Task("ok.name", "not callable"), "not callable"),
        (Task("ok.schema", lambda i, c: {}, input_schema={"type": "objekt"}), "invalid input schema"),
        ("not a task", "not a chipmate.Task"),
    ],
)
def test_invalid_registrations_fail_naming_the_plugin(register_plugin, task, fragment):
    class Plugin:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(task)

    register_plugin(Plugin(), name="sloppy")
    with pytest.raises(PluginError, match=fragment) as info:
        Host(Config()).tasks  # noqa: B018 - collecting the tasks is the point
    assert "sloppy" in str(info.value)


def test_duplicate_task_names_fail_naming_both_plugins(register_plugin):
    class Shadow:
        @hookimpl
        def chipmate_register_tasks(self, register):
            register(Task("echo", lambda i, c: {}))

    register_plugin(Shadow(), name="shadow")
    with pytest.raises(PluginError, match="'echo' is registered by both") as info:
        Host(Config()).tasks  # noqa: B018 - collecting the tasks is the point
    assert "shadow" in str(info.value)


def test_plugin_crashing_in_a_register_hook_is_named(register_plugin):
    class Crashy:
        @hookimpl
        def chipmate_register_tasks(self, register):
            raise RuntimeError("boom")

    register_plugin(Crashy(), name="crashy")
    with pytest.raises(PluginError, match=r"crashy.*boom"):
        Host(Config()).tasks  # noqa: B018 - collecting the tasks is the point


def test_builtin_plugins_load_through_entry_points():
    names = {row["name"]: row for row in plugin_manager.plugin_list()}
    assert names["echo"]["distribution"] == "chipmate"
    assert "chipmate_register_tasks" in names["echo"]["hooks"]
