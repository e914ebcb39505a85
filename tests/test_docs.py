"""The code in README.md and docs/*.md runs, so the documentation cannot drift from the code again.

Each fenced block is checked by its language:

- ``python``: executed in order, one namespace per document. ``localhost:50051`` is replaced by a real server on
  port 0 (started on first need, with the plugins the document's earlier blocks registered). Functions named
  ``test_*`` that a block defines are called. A block whose first line is ``# name.py`` is a module: it is
  written into a temporary directory on ``sys.path`` for later blocks to import. A block whose first line is
  ``# path/in/the/repo.py`` is an excerpt: it must appear verbatim in that file, which its own tests run.
- ``yaml``: read as a chipmate config (``config_from_dict``) and its ``models``, ``tasks.designqa`` and
  ``tasks.scriptgen`` sections validated by their owners, exactly as ``chipmate serve -c`` would.
- ``bash``/``sh``/plain blocks: every ``chipmate ...`` command line must name an existing command, with options
  that command accepts.
"""

from __future__ import annotations

import re
import shlex
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from chipmate import plugin_manager
from chipmate.cli import cli
from chipmate.config import Config, config_from_dict
from chipmate.host import Host
from chipmate.server import ChipmateServer

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
EXAMPLE_PLUGIN = ROOT / "examples" / "chipmate-example-plugin"


def blocks(document: Path, *languages: str) -> list[str]:
    """The bodies of ``document``'s fenced blocks in ``languages`` ('' is a block without a language)."""
    return [body for lang, body in FENCE.findall(document.read_text(encoding="utf-8")) if lang in languages]


def ids(documents: list[Path]) -> list[str]:
    return [str(d.relative_to(ROOT)) for d in documents]


# -- python ------------------------------------------------------------------------------------------------------


class DocumentRun:
    """Runs the Python blocks of one document: shared namespace, modules on sys.path, a lazy server."""

    def __init__(self, document: Path, tmp_path: Path, make_server: Any) -> None:
        self.document = document
        self.modules = tmp_path / "modules"
        self.modules.mkdir()
        self.namespace: dict[str, Any] = {"__name__": "docs_example"}
        self.make_server = make_server
        self.server: ChipmateServer | None = None
        self.plugins: list[Any] = []

    def target(self) -> str:
        if self.server is None:
            self.server = self.make_server(Host(Config()))
        return f"127.0.0.1:{self.server.port}"

    def run(self, body: str) -> None:
        first = body.splitlines()[0].strip() if body.strip() else ""
        name = first[2:].strip() if first.startswith("# ") else ""
        if name.endswith(".py") and (ROOT / name.split()[0]).is_file():
            self.check_excerpt(ROOT / name.split()[0], body.split("\n", 1)[1])
            return
        if re.fullmatch(r"[A-Za-z_]\w*\.py", name):
            (self.modules / name).write_text(body, encoding="utf-8")
            return
        if "localhost:50051" in body:
            body = body.replace("localhost:50051", self.target())
        before = set(self.namespace)
        exec(compile(body, f"{self.document.name} block", "exec"), self.namespace)
        self.register_hooks(set(self.namespace) - before)
        for key in sorted(set(self.namespace) - before):
            if key.startswith("test_") and callable(self.namespace[key]):
                self.namespace[key]()

    def register_hooks(self, names: set[str]) -> None:
        """A block that defines hook implementations is a plugin: register it for the rest of the document."""
        hooks = {n: self.namespace[n] for n in names if n.startswith("chipmate_") and callable(self.namespace[n])}
        if hooks:
            plugin = types.SimpleNamespace(**hooks)
            plugin_manager.register(plugin, name=f"docs-{self.document.stem}-{len(self.plugins)}")
            self.plugins.append(plugin)

    @staticmethod
    def check_excerpt(path: Path, excerpt: str) -> None:
        source = path.read_text(encoding="utf-8")
        assert textwrap.dedent(excerpt).strip() in source, f"the excerpt of {path.relative_to(ROOT)} drifted"

    def close(self) -> None:
        for plugin in self.plugins:
            if plugin_manager.pm.is_registered(plugin):
                plugin_manager.pm.unregister(plugin)


WITH_PYTHON = [d for d in DOCUMENTS if blocks(d, "python")]


@pytest.mark.parametrize("document", WITH_PYTHON, ids=ids(WITH_PYTHON))
def test_python_examples_run(document, tmp_path, make_server, monkeypatch):
    sources = blocks(document, "python")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHIPMATE_CACHE_DIR", str(tmp_path / "cache"))
    run = DocumentRun(document, tmp_path, make_server)
    monkeypatch.syspath_prepend(str(run.modules))
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))  # docs/plugins.md imports the example plugin's stubs
    try:
        for body in sources:
            run.run(body)
    finally:
        run.close()
        for name in [m for m in list(sys.modules) if (run.modules / f"{m}.py").exists()]:
            del sys.modules[name]


# -- yaml --------------------------------------------------------------------------------------------------------

YAML_BLOCKS = [(d, body) for d in DOCUMENTS for body in blocks(d, "yaml")]


@pytest.mark.parametrize(
    ("document", "body"), YAML_BLOCKS, ids=[f"{ids([d])[0]}-{i}" for i, (d, _) in enumerate(YAML_BLOCKS)]
)
def test_yaml_examples_are_valid_configs(document, body, tmp_path, monkeypatch):
    from chipmate.plugins.designqa.service import DesignQASettings
    from chipmate.plugins.scriptgen.service import ScriptGenSettings
    from chipmate.sections import task_settings

    for name in re.findall(r"token_env: (\w+)", body):
        monkeypatch.setenv(name, "secret")
    config = config_from_dict(yaml.safe_load(body), source=f"{document.name} example")
    Host(config).models  # noqa: B018 - validates every alias: backend kind, option names, required options
    task_settings(config, "designqa", DesignQASettings)
    task_settings(config, "scriptgen", ScriptGenSettings)


# -- shell -------------------------------------------------------------------------------------------------------


def chipmate_lines(document: Path) -> list[str]:
    """Every ``chipmate ...`` command of the document's shell blocks (comments and env assignments dropped)."""
    found = []
    for body in blocks(document, "bash", "sh", "shell", ""):
        for line in body.replace("\\\n", " ").splitlines():
            if not re.match(r"\s*([A-Z_]+=\S*\s+)*chipmate\s", line):
                continue  # a listing or another tool's command
            words = shlex.split(line, comments=True)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words = words[1:]
            if words and words[0] == "chipmate":
                found.append(shlex.join(words))
    return found


SHELL_LINES = [(d, line) for d in DOCUMENTS for line in chipmate_lines(d)]


@pytest.mark.parametrize(("document", "line"), SHELL_LINES, ids=[line for _, line in SHELL_LINES])
def test_shell_examples_name_real_commands_and_options(document, line):
    words = shlex.split(line)[1:]
    command: click.Command = cli
    ctx = click.Context(cli)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.get_command(ctx, words[0])
        assert sub is not None, f"{document.name}: `{line}`: no command {words[0]!r}"
        command, words = sub, words[1:]
    accepted = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for word in words:
        option = word.split("=", 1)[0]
        if option.startswith("-") and option != "-":
            assert option in accepted, f"{document.name}: `{line}`: {command.name} has no option {option}"
