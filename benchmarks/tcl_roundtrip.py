"""What a call from a Tcl shell costs through the Tcl package's persistent helper, against a direct Python client
call, in one run; the helper's start-up (the first call) reported separately; the old exec-per-call way for scale.

    python benchmarks/tcl_roundtrip.py                  # writes benchmarks/results/tcl_roundtrip.md
    python benchmarks/tcl_roundtrip.py --calls 200 --rounds 3

One `chipmate serve` (subprocess, defaults, designqa's background build off) serves both clients the `echo` task.
Each round runs the Python client (`chipmate.Client.call`, one channel, in this process) and a fresh tclsh
(`package require chipmate`, then `chipmate::call echo`) for --calls calls each, in alternating order; every call
is timed on its own (Python `perf_counter`, Tcl `clock microseconds`). The table gives medians over rounds of each
round's p50/p99. The first call of each tclsh (it starts `chipmate bridge`) is the start-up figure.
Targets (issue 24): helper p50 <= 10 ms and <= 1.5x the Python client; first call <= 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from grpc_overhead import start

from chipmate import Client

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHIPMATE = str(Path(sys.executable).with_name("chipmate"))

TCL_SCRIPT = """
lappend auto_path [exec {chipmate} tcl-path]
package require chipmate
chipmate::configure -command [list {chipmate} bridge]
set t0 [clock microseconds]
chipmate::call echo {{text hello}}
puts "first [expr {{[clock microseconds] - $t0}}]"
for {{set i 0}} {{$i < {calls}}} {{incr i}} {{
    set t [clock microseconds]
    chipmate::call echo {{text hello}}
    puts [expr {{[clock microseconds] - $t}}]
}}
"""

EXEC_SCRIPT = """
for {{set i 0}} {{$i < {calls}}} {{incr i}} {{
    set t [clock microseconds]
    exec {chipmate} call echo --input {{{{"text": "hello"}}}} --format tcl
    puts [expr {{[clock microseconds] - $t}}]
}}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def python_round(target: str, calls: int) -> list[float]:
    """Milliseconds per call of the Python client (one channel, warmed by one call first)."""
    with Client(target) as client:
        client.call("echo", {"text": "hello"})
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            client.call("echo", {"text": "hello"})
            times.append((time.perf_counter() - t) * 1000)
    return times


def tcl_round(target: str, calls: int) -> tuple[float, list[float]]:
    """(first call s, later calls ms) of one tclsh through the package's helper."""
    env = {**os.environ, "CHIPMATE_TARGET": target}
    out = subprocess.run(
        ["tclsh"], input=TCL_SCRIPT.format(chipmate=CHIPMATE, calls=calls), capture_output=True, text=True, env=env
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    lines = out.stdout.split()
    first = float(lines[1]) / 1e6  # seconds
    return first, [float(v) / 1000 for v in lines[2:]]


def exec_round(target: str, calls: int) -> list[float]:
    """Milliseconds per call of the old way: `exec chipmate call ... --format tcl` per call."""
    env = {**os.environ, "CHIPMATE_TARGET": target}
    out = subprocess.run(
        ["tclsh"], input=EXEC_SCRIPT.format(chipmate=CHIPMATE, calls=calls), capture_output=True, text=True, env=env
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return [float(v) / 1000 for v in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="timed calls per client per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--exec-calls", type=int, default=5, help="calls of the exec-per-call way (once)")
    parser.add_argument("--out", type=Path, default=RESULTS / "tcl_roundtrip.md")
    args = parser.parse_args()
    if shutil.which("tclsh") is None:
        sys.exit("tclsh is needed: apt-get install tcl")

    tmp = Path(tempfile.mkdtemp(prefix="chipmate-bench-"))
    config = tmp / "chipmate.yaml"
    config.write_text("tasks:\n  designqa:\n    build_default: false\n")
    serve = [sys.executable, "-m", "chipmate", "serve", "-c", str(config), "--port", "0", "--log-format", "json"]
    server, port, _ = start(serve, tmp / "chipmate.log")
    target = f"127.0.0.1:{port}"
    py: list[tuple[float, float]] = []
    tcl: list[tuple[float, float]] = []
    firsts: list[float] = []
    try:
        for r in range(args.rounds):
            for which in ("python", "tcl") if r % 2 == 0 else ("tcl", "python"):
                if which == "python":
                    times = python_round(target, args.calls)
                    py.append((statistics.median(times), percentile(times, 0.99)))
                else:
                    first, times = tcl_round(target, args.calls)
                    firsts.append(first)
                    tcl.append((statistics.median(times), percentile(times, 0.99)))
        exec_times = exec_round(target, args.exec_calls)
    finally:
        server.terminate()
        server.wait(timeout=30)

    py50, py99 = statistics.median(p for p, _ in py), statistics.median(p for _, p in py)
    tcl50, tcl99 = statistics.median(p for p, _ in tcl), statistics.median(p for _, p in tcl)
    first = statistics.median(firsts)
    command = f"python benchmarks/tcl_roundtrip.py --calls {args.calls} --rounds {args.rounds}"
    report = f"""## Tcl package round trip: `chipmate::call echo` through the persistent helper vs the Python client

`{command}` on {cpu_model()} ({os.cpu_count()} CPUs), Python {platform.python_version()}, {date.today()}.
One `chipmate serve`; {args.calls} timed calls per client per round, {args.rounds} alternating rounds, medians over rounds.

| client | p50 ms | p99 ms |
|---|---|---|
| Python `chipmate.Client.call` (one channel) | {py50:.2f} | {py99:.2f} |
| tclsh `chipmate::call` through `chipmate bridge` | {tcl50:.2f} | {tcl99:.2f} |
| tclsh `exec chipmate call --format tcl` per call (old example, {args.exec_calls} calls) | {statistics.median(exec_times):.0f} | {max(exec_times):.0f} |

- helper p50 / Python client p50: **{tcl50 / py50:.2f}×** (target ≤ 1.5×); helper p50 {tcl50:.2f} ms (target ≤ 10 ms).
- first call of a shell (starts the helper, opens the channel): median **{first:.2f} s** over {len(firsts)} shells
  ({", ".join(f"{f:.2f}" for f in firsts)}; target ≤ 1.5 s).
- exec per call: {statistics.median(exec_times) / tcl50:.0f}× the helper's p50.
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
