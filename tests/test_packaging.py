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


def folder_of(package: str) -> Path:
    root = max((name for name in PACKAGE_DIRS if package == name or package.startswith(name + ".")), key=len)
    return ROOT / PACKAGE_DIRS[root] / Path(*package[len(root) :].split(".")[1:])


def test_every_package_is_listed_in_pyproject():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert packages_on_disk() <= listed
    # The rest are data folders (no __init__.py), listed so that setuptools installs them without a warning.
    for package in listed - packages_on_disk():
        assert folder_of(package).is_dir(), package
        assert package in PYPROJECT["tool"]["setuptools"]["package-data"], f"{package}: a data folder with no data"


def test_editable_install_imports_every_package():
    import importlib

    for name in PYPROJECT["tool"]["setuptools"]["packages"]:
        module = importlib.import_module(name)
        where = module.__file__ or next(iter(module.__path__))  # data folders import as namespace packages
        assert Path(where).resolve().is_relative_to(ROOT), where


@pytest.mark.slow
def test_wheel_installs_and_imports_every_package(tmp_path):
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--verbose",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # A fresh install must be quiet: setuptools warns about every data folder missing from `packages`.
    assert "BuildBackendWarning" not in build.stdout + build.stderr
    (wheel,) = (tmp_path / "dist").glob("chipmate-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "chipmate/v1/tasks_pb2.pyi" in names and "chipmate/plugins/echo/__init__.py" in names
    # each built-in plugin's typed-service stubs ship inside the plugin, none of them in the core's chipmate.v1
    for plugin in ("bugtriage", "designqa", "scriptgen"):
        assert f"chipmate/plugins/{plugin}/v1/{plugin}_pb2_grpc.py" in names
        assert f"chipmate/v1/{plugin}_pb2.py" not in names
    # scriptgen's seed library and its designs are package data.
    assert "chipmate/plugins/scriptgen/seed/library.jsonl" in names
    assert "chipmate/plugins/scriptgen/seed/harvested.jsonl" in names
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
        "    where = module.__file__ or next(iter(module.__path__))\n"
        f"    assert where.startswith({str(target)!r}), where\n"
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


def _load_generate():
    import importlib.util

    spec = importlib.util.spec_from_file_location("proto_generate", ROOT / "proto" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_stub_grpc_stamp_is_the_pyproject_floor():
    generate = _load_generate()
    grpcio = next(d for d in PYPROJECT["project"]["dependencies"] if d.startswith("grpcio>="))
    assert grpcio.split(">=")[1].split(",")[0] == generate.GRPC_FLOOR
    stubs = [*(ROOT / "sdk" / "v1").glob("*_pb2_grpc.py"), *(ROOT / "plugins").glob("*/v1/*_pb2_grpc.py")]
    assert len(stubs) == 4
    for stub in stubs:
        assert f"GRPC_GENERATED_VERSION = '{generate.GRPC_FLOOR}'" in stub.read_text()


def test_every_proto_tree_is_generated_and_checked():
    generate = _load_generate()
    targets = {tree.target.relative_to(ROOT).as_posix() for tree in generate.TREES}
    assert {"sdk/v1", "plugins/designqa/v1", "plugins/scriptgen/v1", "plugins/bugtriage/v1"} <= targets
    # every .proto of the repository belongs to a tree, so `make proto-check` sees its drift
    protos = {p for folder in ("proto", "sdk", "plugins", "examples") for p in (ROOT / folder).rglob("*.proto")}
    covered = {p for tree in generate.TREES for p in (tree.sources or tree.proto_root / tree.package).glob("*.proto")}
    assert protos == covered


def test_the_drift_check_sees_a_plugin_stub_that_changed(tmp_path):
    generate = _load_generate()
    tree = next(t for t in generate.TREES if t.target.name == "v1" and t.target.parent.name == "designqa")
    fresh = generate.generate(tree, tmp_path)
    assert generate.drift(tree, fresh) == []  # the .proto beside the stubs is a source, not a stale stub
    stub = next(p for p in fresh if p.name == "designqa_pb2.py")
    stub.write_text(stub.read_text().replace("AskRequest", "AskRequestV2"))
    assert generate.drift(tree, fresh) == ["designqa_pb2.py"]


def test_drift_check_ignores_protobuf_stamps_but_not_messages(tmp_path):
    generate = _load_generate()
    committed = ROOT / "sdk" / "v1" / "tasks_pb2.py"
    text = committed.read_text()
    newer = text.replace("# Protobuf Python Version: 7.35.1", "# Protobuf Python Version: 7.35.9")
    newer = newer.replace("PUBLIC,\n    7,\n    35,\n    1,", "PUBLIC,\n    7,\n    35,\n    9,")
    assert newer != text
    (tmp_path / "stamp.py").write_text(newer)
    assert generate._comparable(tmp_path / "stamp.py") == generate._comparable(committed)
    (tmp_path / "message.py").write_text(text.replace("chipmate/v1/tasks.proto", "chipmate/v1/other.proto"))
    assert generate._comparable(tmp_path / "message.py") != generate._comparable(committed)


def test_import_chipmate_stays_light():
    # Plugins import chipmate for hookimpl; that must not pull in grpc servers, torch or transformers.
    code = "import sys, chipmate; print(','.join(m for m in ('torch', 'transformers', 'grpc') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == ""  # errors carry neutral codes: only the server and client import grpc
