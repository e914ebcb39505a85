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

import functools
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


# -- paths and modules named in prose ----------------------------------------------------------------------------

# Where each import prefix lives in the repository (pyproject's package-dir), longest first.
PACKAGE_DIRS = [("chipmate.plugins", "plugins"), ("chipmate.trainer", "trainer"), ("chipmate", "sdk")]
TOP_LEVEL = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")}
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CODE = re.compile(r"`([^`\n]+)`")
MODULE = re.compile(r"^chipmate(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
# A repo path as prose writes it: a folder or file with a slash, made of path characters only (no globs or
# placeholders such as <name>, {a,b} or ...).
PATH = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/?$")


def _module_file(module: str) -> Path | None:
    """The file of ``module`` in this repository, or None when no such module file exists."""
    for prefix, folder in PACKAGE_DIRS:
        if module == prefix or module.startswith(prefix + "."):
            rest = module[len(prefix) + 1 :].split(".") if module != prefix else []
            base = ROOT.joinpath(folder, *rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():  # (sdk.py and the like do not exist: a package is its __init__.py)
                    return candidate
            return None
    return None


@functools.cache
def _proto_names() -> set[str]:
    """``chipmate.v1.Service``, ``chipmate.v1.Service.Method`` and ``chipmate.v1.Message`` of every .proto here."""
    names = set()
    for proto in (p for folder in ("proto", "plugins", "sdk") for p in (ROOT / folder).rglob("*.proto")):
        text = proto.read_text(encoding="utf-8")
        package = re.search(r"^package ([\w.]+);", text, re.M)
        if not package:
            continue
        for block in re.finditer(r"^(service|message) (\w+) \{(.*?)^\}", text, re.M | re.S):
            names.add(f"{package.group(1)}.{block.group(2)}")
            names.update(
                f"{package.group(1)}.{block.group(2)}.{rpc}" for rpc in re.findall(r"rpc (\w+)", block.group(3))
            )
    return names


@functools.cache
def _logger_names() -> set[str]:
    """The names chipmate's code gives its loggers (``logging.getLogger("chipmate...")``)."""
    pattern = re.compile(r"getLogger\(\"(chipmate[\w.]*)\"\)")
    return {m for folder in ("sdk", "plugins", "trainer") for f in (ROOT / folder).rglob("*.py")
            for m in pattern.findall(f.read_text(encoding="utf-8"))}  # fmt: skip


def _names_something(module: str) -> bool:
    """True when ``module`` is a module of the repo, a module's attribute (``chipmate.models.ModelAlias``), a
    gRPC service, method or message (``chipmate.v1.AskRequest``) or a logger name."""
    if module in _proto_names() or module in _logger_names():
        return True
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        found = _module_file(".".join(parts[:cut]))
        if found is None:
            continue
        attributes = parts[cut:]
        if not attributes:
            return True
        # One attribute deep is checked against the module's text (a def, class, assignment or import of it).
        name = re.escape(attributes[0])
        text = found.read_text(encoding="utf-8")
        return bool(
            re.search(rf"(def|class) {name}\b|^{name}\b.*=|\bimport .*\b{name}\b|\b{name},|\"{name}\"", text, re.M)
        )
    return False


def named_references(document: Path) -> list[tuple[str, str]]:
    """``("path"|"module", text)`` for every repo path (links and code spans) and chipmate module in ``document``."""
    text = document.read_text(encoding="utf-8")
    prose = FENCE.sub("", text)  # commands inside fenced blocks are checked by the block tests
    found: set[tuple[str, str]] = set()
    for target in LINK.findall(prose):
        if "://" not in target and not target.startswith("mailto:"):
            found.add(("link", target))
    for span in CODE.findall(prose):
        span = span.strip()
        if MODULE.match(span):
            found.add(("module", span))
        elif PATH.match(span) and "/" in span and span.split("/")[0] in TOP_LEVEL:
            found.add(("path", span))
    return sorted(found)


@pytest.mark.parametrize("document", DOCUMENTS, ids=ids(DOCUMENTS))
def test_every_path_and_module_named_in_the_docs_exists(document):
    missing = []
    for kind, ref in named_references(document):
        if kind == "link":
            ok = (document.parent / ref).exists()
        elif kind == "path":
            ok = (ROOT / ref).exists()
        else:
            ok = _names_something(ref)
        if not ok:
            missing.append(f"{kind} {ref}")
    assert not missing, f"{document.relative_to(ROOT)} names what does not exist: {missing}"


def test_the_reference_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("See `sdk/nope.py`, [here](nowhere.md), `chipmate.nothing_here` and `chipmate.models.Nope`.\n")
    refs = named_references(page)
    assert ("path", "sdk/nope.py") in refs and ("link", "nowhere.md") in refs
    assert not (ROOT / "sdk/nope.py").exists() and not _names_something("chipmate.nothing_here")
    assert not _names_something("chipmate.models.Nope") and _names_something("chipmate.models.ModelAlias")
