"""Call a chipmate server from Python: a unary call, a streamed call, and error handling.

chipmate serve &          # in another shell
python examples/python/ask.py --target localhost:50051
"""

from __future__ import annotations

import argparse

from chipmate import Client
from chipmate.errors import ChipmateError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=None, help="host:port (default $CHIPMATE_TARGET or localhost:50051)")
    args = parser.parse_args()
    with Client(args.target, timeout=30) as client:
        print("tasks:", ", ".join(task.name for task in client.tasks()))
        print(client.call("echo", {"text": "synth -top counter"}))
        for event in client.stream("echo", {"text": "abc -g AND,NAND,OR"}):
            if event.kind == "token":
                print(event.text, end="", flush=True)
            elif event.kind == "result":
                print("\nresult:", event.output)
        try:
            client.call("no.such.task", {})
        except ChipmateError as exc:
            print(f"handled {exc.code}: {exc}")


if __name__ == "__main__":
    main()
