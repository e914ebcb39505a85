"""Generate the Python stubs (and .pyi) of every .proto tree of this repository, or check they are current.

python proto/generate.py          # regenerate
python proto/generate.py --check  # exit 1 when committed stubs drift from their .proto files (used by CI)

The trees: chipmate's core wire API (proto/chipmate/v1 -> sdk/v1, imported as chipmate.v1: the generic
TaskService); each built-in plugin's typed service, whose .proto sits next to its stubs in the plugin's own package
(plugins/<name>/v1/<name>.proto -> plugins/<name>/v1, imported as chipmate.plugins.<name>.v1; proto package
chipmate.v1, so the wire names did not change when they moved out of sdk/); and the example plugin's typed service
(examples/chipmate-example-plugin/proto/chipmate_verilog_stats/v1 -> chipmate_verilog_stats/v1), which shows a
third-party plugin generating its stubs the same way.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The grpcio floor of pyproject.toml (tests/test_packaging.py checks they agree). grpcio-tools stamps the stubs with
# its own version and the stubs refuse an older grpcio at import, so a regeneration with a newer 1.85.x patch
# release would raise the runtime floor; stamping the floor keeps the stubs the same whichever patch generated them.
GRPC_FLOOR = "1.85.1"
_GRPC_STAMP = re.compile(r"^GRPC_GENERATED_VERSION = '[^']*'$", re.M)
# What the drift check ignores: the protobuf release that protoc names in the header and in the runtime check.
# A patch release of grpcio-tools may bundle a newer protoc; the messages and services are what must not drift.
_PROTOBUF_STAMPS = (
    re.compile(r"^# Protobuf Python Version: .*$", re.M),
    re.compile(r"(_runtime_version\.Domain\.PUBLIC,\n)\s*\d+,\n\s*\d+,\n\s*\d+,\n\s*'[^']*',"),
)


@dataclass(frozen=True)
class ProtoTree:
    """``proto_root/package/*.proto`` compiled into ``target`` (``package`` is also the Python import path).

    ``sources``: the folder the .proto files really sit in, when it is not ``proto_root/package``. A built-in
    plugin's folder (plugins/designqa/v1) is imported as chipmate.plugins.designqa.v1 through pyproject's
    package-dir, a path no folder of the repository has; protoc derives the stubs' imports from the file's path,
    so the files are laid out under that import path in a scratch include folder first.
    """

    proto_root: Path
    package: Path
    target: Path
    sources: Path | None = None


EXAMPLE = ROOT / "examples" / "chipmate-example-plugin"
BUILTIN_PLUGINS = ("bugtriage", "designqa", "scriptgen")


def _plugin_tree(name: str) -> ProtoTree:
    """A built-in plugin's typed service: plugins/<name>/v1/*.proto -> stubs beside it (chipmate.plugins.<name>.v1)."""
    folder = ROOT / "plugins" / name / "v1"
    return ProtoTree(ROOT / "proto", Path("chipmate", "plugins", name, "v1"), folder, sources=folder)


TREES = (
    ProtoTree(ROOT / "proto", Path("chipmate") / "v1", ROOT / "sdk" / "v1"),
    *(_plugin_tree(name) for name in BUILTIN_PLUGINS),
    ProtoTree(EXAMPLE / "proto", Path("chipmate_verilog_stats") / "v1", EXAMPLE / "chipmate_verilog_stats" / "v1"),
)


def generate(tree: ProtoTree, out_dir: Path) -> list[Path]:
    """Run protoc on every ``*.proto`` of ``tree``, writing ``<package>/*_pb2*.py(i)`` under ``out_dir``."""
    import grpc_tools
    from grpc_tools import protoc

    proto_root = tree.proto_root
    if tree.sources is not None:
        proto_root = out_dir / "_include"
        (proto_root / tree.package).mkdir(parents=True)
        for source in tree.sources.glob("*.proto"):
            shutil.copy2(source, proto_root / tree.package / source.name)
    protos = sorted(str(p.relative_to(proto_root)) for p in (proto_root / tree.package).glob("*.proto"))
    well_known = str(Path(grpc_tools.__file__).parent / "_proto")
    # with staged sources, the core tree is on the path too, so a plugin's .proto can import chipmate/v1/tasks.proto
    includes = [proto_root] if proto_root == tree.proto_root else [proto_root, tree.proto_root]
    args = [
        "grpc_tools.protoc",
        *(f"-I{folder}" for folder in includes),
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed: {' '.join(args)}")
    generated = out_dir / tree.package
    name = ".".join(tree.package.parts)
    (generated / "__init__.py").write_text(f'"""Generated gRPC stubs of {name} (proto/generate.py)."""\n')
    for stub in generated.glob("*_pb2_grpc.py"):
        stub.write_text(_GRPC_STAMP.sub(f"GRPC_GENERATED_VERSION = '{GRPC_FLOOR}'", stub.read_text()))
    return sorted(generated.iterdir())


def _comparable(path: Path) -> str:
    text = path.read_text()
    for stamp in _PROTOBUF_STAMPS:
        text = stamp.sub(lambda m: (m.group(1) if m.groups() else "") + "<protobuf version>", text)
    return text


def drift(tree: ProtoTree, files: list[Path]) -> list[str]:
    """Names of stubs that differ between a fresh generation (``files``) and what is committed."""
    fresh = {p.name for p in files}
    # a plugin's .proto lives among its stubs: it is the source, not a generated file
    on_disk = tree.target.glob("*") if tree.target.exists() else []
    committed = {p.name for p in on_disk if p.is_file() and p.suffix != ".proto"}
    changed = sorted(fresh ^ committed)
    changed += [p.name for p in files if p.name in committed and _comparable(p) != _comparable(tree.target / p.name)]
    return sorted(set(changed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when committed stubs differ from a fresh run")
    args = parser.parse_args(argv)
    failed = False
    for tree in TREES:
        where = tree.target.relative_to(ROOT)
        with tempfile.TemporaryDirectory() as tmp:
            files = generate(tree, Path(tmp))
            if args.check:
                changed = drift(tree, files)
                if changed:
                    print(f"{where}: stubs drift from their .proto files: {', '.join(changed)}", file=sys.stderr)
                    failed = True
                continue
            tree.target.mkdir(parents=True, exist_ok=True)
            for old in tree.target.iterdir():  # the stubs of a .proto that is gone go too; the sources stay
                if old.is_file() and old.suffix != ".proto":
                    old.unlink()
            for path in files:
                shutil.copy2(path, tree.target / path.name)
            print(f"wrote {len(files)} files to {where}")
    if failed:
        print("run `make proto` (python proto/generate.py) and commit the stubs", file=sys.stderr)
        return 1
    if args.check:
        print("stubs are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
