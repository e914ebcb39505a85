"""A pyosys flow that asks chipmate between passes: elaborate, ask, synthesize with chipmate's script, count.

chipmate serve &          # in another shell
cd <directory with counter.v> && python examples/python/pyosys_flow.py counter.v

pyosys (the `pyosys` package, Yosys as a Python module) runs the passes in this process; chipmate.Client asks the
server between them: designqa for advice with its sources, scriptgen for a synthesis script that already ran in a
sandboxed Yosys, which this flow then runs on its own design.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyosys import libyosys as ys

from chipmate import Client
from chipmate.errors import ChipmateError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("design", type=Path, help="a Verilog file whose top module has the file's name")
    parser.add_argument("--target", default=None, help="host:port (default $CHIPMATE_TARGET or localhost:50051)")
    args = parser.parse_args()
    top = args.design.stem

    design = ys.Design()
    ys.run_pass(f"read_verilog {args.design}", design)
    ys.run_pass(f"hierarchy -top {top}", design)
    ys.run_pass("proc", design)
    print(f"after proc: {len(design.top_module().cells_)} cells")

    try:
        with Client(args.target, timeout=300) as client:
            advice = client.call("designqa.ask", {"question": "How do I flatten the design?", "top_k": 1})
            for citation in advice["citations"]:
                print(f"designqa cites {citation['source']}")
            reply = client.call(
                "scriptgen.generate",
                {
                    "instruction": f"Synthesize {args.design.name} with top module {top}",
                    "files": [{"name": args.design.name, "content": args.design.read_text()}],
                },
            )
    except ChipmateError as exc:
        print(f"error {exc.code}: {exc}", file=sys.stderr)
        return 1
    if not reply["passed"]:
        print("scriptgen found no working script: " + "; ".join(reply["problems"]), file=sys.stderr)
        return 2

    # Run chipmate's script on a fresh design, command by command, in this process.
    synthesized = ys.Design()
    for command in reply["script"].splitlines():
        if command.strip() and not command.lstrip().startswith("#"):
            ys.run_pass(command, synthesized)
    print(f"after chipmate's script: {len(synthesized.top_module().cells_)} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
