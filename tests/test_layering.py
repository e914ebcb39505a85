"""The import rule of docs/architecture.md: the core (``chipmate``) and the trainer import no plugin, the core below
the CLI imports no trainer module, and no plugin imports another plugin's modules; they meet through the host
(registries, training data, plugin state)."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: folder -> the import package it is (pyproject's package-dir)
PACKAGES = {"sdk": "chipmate", "plugins": "chipmate.plugins", "trainer": "chipmate.trainer"}
PLUGINS = "chipmate.plugins"
TRAINER = "chipmate.trainer"
#: the top layer, which may start the trainer's recipes (``chipmate train``)
CLI = "chipmate.cli"
#: The Yosys-help harvest still inside designqa, which scriptgen reads too: it moves to the core's shared document
#: layer, and then leaves this list.
MOVING_TO_CORE = {"chipmate.plugins.designqa.yosys_help"}


def module_name(path: pathlib.Path) -> str:
    """The dotted import name of a source file of the repository."""
    relative = path.relative_to(ROOT)
    parts = [PACKAGES[relative.parts[0]], *relative.parts[1:]]
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved; ``from a import b``
    counts as ``a.b`` too (``b`` may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def plugin_of(module: str) -> str | None:
    """The built-in plugin a module belongs to (``chipmate.plugins.designqa.index`` -> ``designqa``), or None."""
    if not module.startswith(PLUGINS + "."):
        return None
    return module.split(".")[2]


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """What ``module`` imports against the rule."""
    own = plugin_of(module)
    core = own is None and not within(module, TRAINER) and not within(module, CLI)
    bad: dict[str, str] = {}
    for target in sorted(imported_modules(module, source, is_package=is_package)):
        if core and within(target, TRAINER):
            bad[target] = f"{module} (core) imports trainer module {target}"
        other = plugin_of(target)
        if other is None:
            continue
        if own is None:
            bad[target] = f"{module} (core or trainer) imports plugin module {target}"
        elif other != own and not any(target == m or target.startswith(m + ".") for m in MOVING_TO_CORE):
            bad[target] = f"{module} (plugin {own}) imports {target}, a module of plugin {other}"
    # ``from a import b`` yields a and a.b (b may be a module): a.b is said once a is
    return [line for target, line in bad.items() if target.rpartition(".")[0] not in bad]


def sources() -> list[pathlib.Path]:
    files = []
    for folder in PACKAGES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.parent.name == "v1":  # generated gRPC stubs
                continue
            files.append(path)
    return files


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_no_module_breaks_the_import_rule(folder):
    bad = []
    for path in sources():
        if path.relative_to(ROOT).parts[0] != folder:
            continue
        bad += violations(module_name(path), path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not bad, "\n".join(bad)


def test_the_scan_sees_every_package():
    names = {module_name(p) for p in sources()}
    assert {"chipmate.host", "chipmate.trainer.recipes.retriever", "chipmate.plugins.scriptgen.yosys"} <= names


@pytest.mark.parametrize(
    ("module", "source", "is_package"),
    [
        ("chipmate.trainer.recipes.corpus", "from chipmate.plugins.designqa.yosys_help import command_blocks", False),
        ("chipmate.trainer.recipes.corpus", "import chipmate.plugins.scriptgen.library", False),
        ("chipmate.host", "from .plugins import designqa", False),
        ("chipmate.plugins.scriptgen.yosys", "from ..backends import ct2", False),
        ("chipmate.plugins.scriptgen", "from ..backends.embedded import SMOLLM2", True),
        ("chipmate.plugins.scriptgen", "from chipmate.plugins import backends", True),
        ("chipmate.models.store", "from ..trainer.checkpoint import save_checkpoint", False),
    ],
)
def test_the_rule_catches_a_forbidden_import(module, source, is_package):
    assert violations(module, source, is_package=is_package)


@pytest.mark.parametrize(
    ("module", "source", "is_package"),
    [
        ("chipmate.trainer.recipes.corpus", "from chipmate.training_data import DOCUMENTS", False),
        ("chipmate.plugins.designqa.writer", "from .chunks import Chunk", False),
        ("chipmate.plugins.designqa", "from .training_data import offers", True),
        ("chipmate.plugins.scriptgen.yosys", "from chipmate.models import ModelAlias", False),
        ("chipmate.cli.train_commands", "from chipmate.trainer.recipes import load_recipe_config", False),
        ("chipmate.plugins.scriptgen.cli", "from chipmate.trainer.data import read_jsonl", False),
    ],
)
def test_the_rule_allows_core_and_own_modules(module, source, is_package):
    assert violations(module, source, is_package=is_package) == []
