"""Generate the Python stubs (and .pyi) of proto/chipmate/v1 into sdk/v1, or check that they are current.

python proto/generate.py          # regenerate
python proto/generate.py --check  # exit 1 when the committed stubs drift from proto/ (used by CI)
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
PACKAGE = Path("chipmate") / "v1"
TARGET = ROOT / "sdk" / "v1"


def generate(out_dir: Path) -> list[Path]:
    """Run protoc on every proto/chipmate/v1/*.proto, writing chipmate/v1/*_pb2*.py(i) under ``out_dir``."""
    import grpc_tools
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / PACKAGE).glob("*.proto"))
    well_known = str(Path(grpc_tools.__file__).parent / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed: {' '.join(args)}")
    generated = out_dir / PACKAGE
    (generated / "__init__.py").write_text('"""Generated gRPC stubs of chipmate.v1 (proto/generate.py)."""\n')
    return sorted(generated.iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when sdk/v1 differs from a fresh generation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp))
        if args.check:
            fresh = {p.name for p in files}
            committed = {p.name for p in TARGET.glob("*") if p.is_file()} if TARGET.exists() else set()
            drift = sorted(fresh ^ committed)
            drift += [p.name for p in files if p.name in committed and not filecmp.cmp(p, TARGET / p.name, False)]
            if drift:
                print(f"generated stubs drift from proto/: {', '.join(sorted(set(drift)))}", file=sys.stderr)
                print("run `make proto` (python proto/generate.py) and commit sdk/v1", file=sys.stderr)
                return 1
            print("stubs are current")
            return 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.mkdir(parents=True)
        for path in files:
            shutil.copy2(path, TARGET / path.name)
        print(f"wrote {len(files)} files to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
