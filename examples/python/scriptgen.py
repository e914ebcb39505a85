"""Ask a chipmate server for a Yosys script that was run against Yosys before it comes back.

chipmate serve &          # in another shell
python examples/python/scriptgen.py "Synthesize counter.v and write the netlist to counter_syn.v" counter.v

Streams the pipeline's stages (ground, retrieve, generate, check, run, repair), then prints the script (or what is
still wrong with it) and writes it to --out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chipmate import Client
from chipmate.errors import ChipmateError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instruction", help="what the script should do; name the output files you want")
    parser.add_argument("files", nargs="+", type=Path, help="input files (Verilog, liberty, ...)")
    parser.add_argument("--tool", default="yosys", help="yosys (default) or opensta")
    parser.add_argument("--out", type=Path, default=Path("generated.ys"), help="where to write the script")
    parser.add_argument("--target", default=None, help="host:port (default $CHIPMATE_TARGET or localhost:50051)")
    args = parser.parse_args()
    request = {
        "instruction": args.instruction,
        "tool": args.tool,
        "files": [{"name": path.name, "content": path.read_text()} for path in args.files],
    }
    try:
        with Client(args.target, timeout=900) as client:
            for event in client.stream("scriptgen.generate", request):
                if event.kind == "progress":
                    print(f"[{event.text}]", file=sys.stderr)
                elif event.kind == "result":
                    result = event.output
    except ChipmateError as exc:
        print(f"error {exc.code}: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(result["script"])
    status = f"passed in {result['rounds']} round(s)" if result["passed"] else "did not pass"
    print(f"# {status}; written to {args.out}")
    print(result["script"], end="")
    for problem in result["problems"]:
        print(f"# problem: {problem}")
    return 0 if result["passed"] else 2


if __name__ == "__main__":
    sys.exit(main())
