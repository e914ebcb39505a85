"""What chipmate's server costs over a bare grpcio servicer, on the same echo, in one run.

    python benchmarks/grpc_overhead.py                     # full run, writes benchmarks/results/grpc_overhead.md
    python benchmarks/grpc_overhead.py --calls 500 --rounds 1   # quick look

Both servers run as subprocesses with the same thread pool size and the same proto (chipmate.v1.TaskService/Invoke
with JSON text input); the bare one only does json.loads/json.dumps. chipmate runs as `chipmate serve` with its
defaults (schema validation, request hooks, concurrency limit, a JSON log line per call). Rounds alternate between
the two servers so drift in machine load hits both alike; the table reports the median over rounds.
Also measured: seconds from starting `chipmate serve` to health SERVING (models load lazily).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent import futures
from datetime import date
from pathlib import Path

import grpc
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# chipmate runs with max_concurrent_requests = 16, the most concurrent clients measured, so no call is refused;
# its pool then has 16 + 4 spare threads, and the bare server gets the same pool.
CONCURRENCY_LIMIT = 16
WORKERS = CONCURRENCY_LIMIT + 4

BARE_SERVER = f"""
import json, sys
from concurrent import futures
import grpc
from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

class Echo(tasks_pb2_grpc.TaskServiceServicer):
    def Invoke(self, request, context):
        value = json.loads(request.input_json)
        return tasks_pb2.InvokeResponse(output_json=json.dumps({{"text": value["text"], "words": len(value["text"].split())}}))

server = grpc.server(futures.ThreadPoolExecutor(max_workers={WORKERS}), options=[("grpc.so_reuseport", 0)])
tasks_pb2_grpc.add_TaskServiceServicer_to_server(Echo(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(f"serving on 127.0.0.1:{{port}}", file=sys.stderr, flush=True)
server.wait_for_termination()
"""


def start(cmd: list[str], log: Path) -> tuple[subprocess.Popen, int, float]:
    """Start a server process; return it, its port, and seconds until health says SERVING (or port is open).

    The server's stderr (its request log) goes straight to a file, so the load generator does no work for it.
    """
    started = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stderr=err)
    port = None
    while port is None:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        for line in log.read_text().splitlines():
            if "serving on" in line:
                port = int(line.strip().rsplit(":", 1)[1])
        time.sleep(0.005)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    break
            except grpc.RpcError as exc:
                if exc.code() == grpc.StatusCode.UNIMPLEMENTED:  # the bare server has no health service
                    break
            time.sleep(0.005)
    return proc, port, time.perf_counter() - started


def measure(port: int, calls: int, concurrency: int) -> dict[str, float]:
    """Unary echo calls from ``concurrency`` threads, each with its own channel; latencies and throughput."""
    request = tasks_pb2.InvokeRequest(task="echo", input_json=json.dumps({"text": "synth -top counter; abc -g AND"}))
    channels = [grpc.insecure_channel(f"127.0.0.1:{port}") for _ in range(concurrency)]
    stubs = [tasks_pb2_grpc.TaskServiceStub(c) for c in channels]
    for stub in stubs:
        for _ in range(20):  # warm-up: connections, thread pools, caches
            stub.Invoke(request, timeout=10)
    per_thread = calls // concurrency
    latencies: list[list[float]] = [[] for _ in range(concurrency)]

    def worker(i: int) -> None:
        stub, out = stubs[i], latencies[i]
        for _ in range(per_thread):
            t0 = time.perf_counter()
            stub.Invoke(request, timeout=10)
            out.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    with futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    elapsed = time.perf_counter() - t0
    for channel in channels:
        channel.close()
    flat = sorted(x for xs in latencies for x in xs)
    return {
        "p50_ms": flat[len(flat) // 2] * 1000,
        "p99_ms": flat[int(len(flat) * 0.99)] * 1000,
        "rps": len(flat) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server and concurrency")
    parser.add_argument("--out", type=Path, default=RESULTS / "grpc_overhead.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chipmate-bench-"))
    config = tmp / "chipmate.yaml"
    # No designqa knowledge-base build in the background: it would compete with the measured echo calls for the
    # two cores, and a start stopped seconds later would wait for the build to reach a stopping point.
    config.write_text(
        f"server:\n  max_concurrent_requests: {CONCURRENCY_LIMIT}\ntasks:\n  designqa:\n    build_default: false\n"
    )
    env_cmd = [sys.executable, "-m", "chipmate", "serve", "-c", str(config), "--port", "0", "--log-format", "json"]
    startups = []
    for _ in range(3):
        proc, _, seconds = start(env_cmd, tmp / "startup.log")
        startups.append(seconds)
        proc.terminate()
        proc.wait(10)
    chipmate, chipmate_port, _ = start(env_cmd, tmp / "chipmate.log")
    bare, bare_port, _ = start([sys.executable, "-c", BARE_SERVER], tmp / "bare.log")
    results: dict[str, dict[int, list[dict[str, float]]]] = {"bare": {1: [], 16: []}, "chipmate": {1: [], 16: []}}
    try:
        for r in range(args.rounds):
            order = [("bare", bare_port), ("chipmate", chipmate_port)]
            for name, port in order if r % 2 == 0 else order[::-1]:
                for concurrency in (1, 16):
                    results[name][concurrency].append(measure(port, args.calls, concurrency))
    finally:
        for proc in (chipmate, bare):
            proc.terminate()
            proc.wait(10)

    def median(name: str, conc: int, key: str) -> float:
        return statistics.median(m[key] for m in results[name][conc])

    cpu = cpu_model()
    rows = []
    verdicts = []
    for conc in (1, 16):
        b = {k: median("bare", conc, k) for k in ("p50_ms", "p99_ms", "rps")}
        c = {k: median("chipmate", conc, k) for k in ("p50_ms", "p99_ms", "rps")}
        p50_ratio, rps_ratio = c["p50_ms"] / b["p50_ms"], c["rps"] / b["rps"]
        verdicts += [p50_ratio <= 1.3, rps_ratio >= 0.75]
        rows.append(
            f"| {conc} | {b['p50_ms']:.3f} | {c['p50_ms']:.3f} | **{p50_ratio:.2f}×** | {b['p99_ms']:.3f} | "
            f"{c['p99_ms']:.3f} | {b['rps']:.0f} | {c['rps']:.0f} | **{rps_ratio:.2f}×** |"
        )
    startup = statistics.median(startups)
    verdicts.append(startup <= 2.0)
    report = f"""## gRPC overhead: chipmate server vs bare grpcio servicer (echo)

Command: `python benchmarks/grpc_overhead.py --calls {args.calls} --rounds {args.rounds}`
Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, grpcio {grpc.__version__}. Date: {date.today()}.
Both servers and the load generator share the machine; medians over {args.rounds} alternating rounds.

| clients | bare p50 ms | chipmate p50 ms | p50 ratio (≤ 1.3) | bare p99 ms | chipmate p99 ms | bare req/s | chipmate req/s | req/s ratio (≥ 0.75) |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

`chipmate serve` to health SERVING: median {startup:.2f} s over 3 starts ({", ".join(f"{s:.2f}" for s in startups)}; target ≤ 2 s).

Targets met: {"yes" if all(verdicts) else "NO"}.
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    args.out.with_suffix(".json").write_text(json.dumps({"results": results, "startup_s": startups}, indent=1))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
