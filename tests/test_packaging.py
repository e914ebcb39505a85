"""Packaging: a regular wheel carries every subpackage; the committed stubs match proto/."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE_DIRS = PYPROJECT["tool"]["setuptools"]["package-dir"]


def packages_on_disk() -> set[str]:
    """Every directory with an __init__.py under the mapped folders, as its import name."""
    found = set()
    for package, folder in PACKAGE_DIRS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    # chipmate.plugins and chipmate.trainer live in their own folders, not under sdk/.
    return found


def test_every_package_is_listed_in_pyproject():
    assert packages_on_disk() == set(PYPROJECT["tool"]["setuptools"]["packages"])


def test_editable_install_imports_every_package():
    import importlib

    for name in PYPROJECT["tool"]["setuptools"]["packages"]:
        module = importlib.import_module(name)
        assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__


@pytest.mark.slow
def test_wheel_installs_and_imports_every_package(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("chipmate-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "chipmate/v1/tasks_pb2.pyi" in names and "chipmate/plugins/echo/__init__.py" in names
    # scriptgen's seed library and its designs are package data.
    assert "chipmate/plugins/scriptgen/seed/library.jsonl" in names
    assert "chipmate/plugins/scriptgen/seed/designs/counter.v" in names
    assert "chipmate/plugins/scriptgen/seed/designs/seed_cells.lib" in names
    # ... and so is its LoRA adapter for SmolLM2 (the smollm2-135m-scriptgen alias)
    adapter = "chipmate/plugins/scriptgen/adapters/smollm2-135m-scriptgen/"
    for name in ("adapter_config.json", "adapter_model.safetensors", "README.md"):
        assert adapter + name in names
    # The Tcl package (`lappend auto_path [exec chipmate tcl-path]; package require chipmate`).
    assert "chipmate/tcl/chipmate.tcl" in names and "chipmate/tcl/pkgIndex.tcl" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    packages = sorted(PYPROJECT["tool"]["setuptools"]["packages"])
    code = (
        "import importlib, sys\n"
        f"for name in {packages!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(target)!r}), module.__file__\n"
        "print('ok', len(sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_proto_stubs_match_proto_sources():
    result = subprocess.run(
        [sys.executable, str(ROOT / "proto" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_import_chipmate_stays_light():
    # Plugins import chipmate for hookimpl; that must not pull in grpc servers, torch or transformers.
    code = "import sys, chipmate; print(','.join(m for m in ('torch', 'transformers', 'grpc') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == ""  # errors carry neutral codes: only the server and client import grpc
