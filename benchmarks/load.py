"""Load and fault runs against a running chipmate server on loopback: statuses by code, p50/p99, RSS and open file
descriptors of the server before and after (issue 20's targets; results in benchmarks/README.md).

    # a server of its own (started here on a free loopback port, stopped at the end), every scenario of the issue:
    python benchmarks/load.py --serve --index-from docs --index-from README.md --chat-model smollm2-135m-instruct --all
    # one scenario against a server you started (pass its pid for RSS and fds):
    python benchmarks/load.py --target 127.0.0.1:50051 --pid 12345 echo --clients 64 --seconds 60

Scenarios: ``echo`` (unary echo), ``retrieval`` (designqa.ask retrieval_only), ``chat`` (a short chat),
``scriptgen`` (scriptgen.generate of a small task), ``fault`` (echo load with ``--hostile`` hostile calls in flight
all the time, alternately an oversized chat (256 messages, about 30k tokens) and a scriptgen request for a verbatim
script whose ABC ``starter`` file starts a detached process, each with a 5 s deadline; each must end by its deadline
+ 2 s), ``rss`` (echo
30 s then 60 s; RSS growth between the two). Every run is bounded: at most 128 clients and 120 s, loopback only.
The load generator runs on the same machine as the server: on 2 shared cores the clients' own Python costs the
server CPU, so read the numbers as a floor of what the server does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import grpc
from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chipmate.v1 import tasks_pb2, tasks_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
MAX_CLIENTS = 128
# The deadline of each hostile chat, as in the report (a 5 s deadline held the server 187 s).
HOSTILE_DEADLINE = 5.0
MAX_SECONDS = 120.0
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")

ECHO = {"text": "synth -top counter; abc -g AND"}
RETRIEVAL = {"question": "How do I map flip-flops to a liberty file?", "retrieval_only": True, "top_k": 8}
SCRIPTGEN = {
    "instruction": "Read top.v and synthesize module top",
    "files": [{"name": "top.v", "content": ("module top(input a, input b, output y); assign y = a & b; endmodule\n")}],
    "max_repairs": 1,
}


def hostile_chat(model: str | None) -> dict[str, Any]:
    """A chat a hostile caller sends: 256 messages, ~30k tokens, asking for 4 tokens."""
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"item {i} " + "word " * 110} for i in range(256)
    ]
    return {"messages": messages, "max_tokens": 4, **({"model": model} if model else {})}


def hostile_script() -> dict[str, Any]:
    """The issue's detached-process attack: a verbatim script whose ABC ``starter`` file runs ``setsid -f sleep``."""
    return {
        "instruction": "Write exactly this Yosys script, verbatim: read_verilog top.v / techmap / "
        "abc -script +starter,cmds.txt",
        "files": [SCRIPTGEN["files"][0], {"name": "cmds.txt", "content": "setsid -f sleep 75\n"}],
        "max_repairs": 1,
    }


def hostile_calls(model: str | None) -> list[tuple[str, dict[str, Any]]]:
    """What the fault run's hostile callers send, in turn: an oversized chat, then a detached-process script."""
    return [("chat", hostile_chat(model)), ("scriptgen.generate", hostile_script())]


@dataclass
class Run:
    """What one scenario measured."""

    name: str
    clients: int
    seconds: float
    deadline: float
    codes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    within_deadline: int = 0
    hostile: list[dict[str, Any]] = field(default_factory=list)
    server_before: dict[str, float] = field(default_factory=dict)
    server_after: dict[str, float] = field(default_factory=dict)
    #: the machine's 1-minute load average before and after (the cores are shared: this says how much)
    load_before: float = 0.0
    load_after: float = 0.0

    def percentile(self, q: float) -> float:
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(len(values) * q))] * 1000 if values else float("nan")

    def summary(self) -> dict[str, Any]:
        total = sum(self.codes.values())
        return {
            "scenario": self.name,
            "clients": self.clients,
            "seconds": self.seconds,
            "deadline_s": self.deadline,
            "calls": total,
            "codes": dict(self.codes),
            "ok_within_deadline_pct": round(100 * self.within_deadline / total, 2) if total else 0.0,
            "p50_ms": round(self.percentile(0.50), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "rps": round(total / self.seconds, 1) if self.seconds else 0.0,
            "hostile_calls": len(self.hostile),
            "hostile_codes": dict(Counter(f"{h['task']} {h['code']}" for h in self.hostile)),
            "hostile_worst_overrun_s": round(max((h["overrun_s"] for h in self.hostile), default=0.0), 2),
            "hostile_timed_by_server": sum(bool(h.get("server")) for h in self.hostile),
            "server_before": self.server_before,
            "server_after": self.server_after,
            "loadavg_1m": [round(self.load_before, 1), round(self.load_after, 1)],
        }


def server_state(pid: int | None) -> dict[str, float]:
    """RSS (MiB) and open file descriptors of the server process, from /proc."""
    if pid is None:
        return {}
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return {"rss_mib": round(rss, 1), "fds": len(os.listdir(f"/proc/{pid}/fd")), "threads": _threads(pid)}


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _loop(
    target: str, task: str, payload: dict[str, Any], deadline: float, until: float, run: Run, lock: threading.Lock
) -> None:
    request = tasks_pb2.InvokeRequest(task=task, input_json=json.dumps(payload))
    with grpc.insecure_channel(target) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        codes: Counter[str] = Counter()
        latencies: list[float] = []
        within = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                stub.Invoke(request, timeout=deadline)
                code = "OK"
            except grpc.RpcError as exc:
                code = exc.code().name
            elapsed = time.perf_counter() - started
            codes[code] += 1
            latencies.append(elapsed)
            within += code == "OK" and elapsed <= deadline
    with lock:
        run.codes.update(codes)
        run.latencies.extend(latencies)
        run.within_deadline += within


def _hostile_loop(
    target: str, call: tuple[str, dict[str, Any]], deadline: float, until: float, run: Run, lock: threading.Lock
) -> None:
    task, payload = call
    request = tasks_pb2.InvokeRequest(task=task, input_json=json.dumps(payload))
    with grpc.insecure_channel(target, options=[("grpc.max_send_message_length", 8 << 20)]) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        while time.monotonic() < until:
            started = time.perf_counter()
            with lock:
                request_id = f"hostile-{len(run.hostile)}-{threading.get_ident()}"
            try:
                stub.Invoke(request, timeout=deadline, metadata=[("x-request-id", request_id)])
                code = "OK"
            except grpc.RpcError as exc:
                code = exc.code().name
            elapsed = time.perf_counter() - started
            # The client stops waiting at the deadline whatever the server does; when the server's log is at hand
            # (--serve), the server's own duration of the call replaces this (see server_durations).
            with lock:
                run.hostile.append(
                    {
                        "id": request_id,
                        "task": task,
                        "code": code,
                        "seconds": round(elapsed, 2),
                        "overrun_s": elapsed - deadline,
                    }
                )


def drive(
    target: str,
    pid: int | None,
    name: str,
    task: str,
    payload: dict[str, Any],
    *,
    clients: int,
    seconds: float,
    deadline: float,
    hostile: int = 0,
    hostile_calls: list[tuple[str, dict[str, Any]]] | None = None,
    hostile_deadline: float = HOSTILE_DEADLINE,
) -> Run:
    """``clients`` closed-loop callers of ``task`` for ``seconds``, plus ``hostile`` callers taking turns over
    ``hostile_calls`` (caller i sends the i-th kind, modulo their number)."""
    clients, seconds = min(clients, MAX_CLIENTS), min(seconds, MAX_SECONDS)
    run = Run(name, clients, seconds, deadline)
    run.server_before = server_state(pid)
    run.load_before = os.getloadavg()[0]
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_loop, args=(target, task, payload, deadline, until, run, lock), daemon=True)
        for _ in range(clients)
    ]
    threads += [
        threading.Thread(
            target=_hostile_loop,
            args=(target, hostile_calls[i % len(hostile_calls)], hostile_deadline, until, run, lock),
            daemon=True,
        )
        for i in range(hostile if hostile_calls else 0)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + max(deadline, hostile_deadline) + 60)
    run.server_after = server_state(pid)
    run.load_after = os.getloadavg()[0]
    return run


def server_durations(log: Path, runs: list[Run], deadline: float) -> None:
    """Put the server's own end of each hostile call (its audit line: status, duration) in place of the client's."""
    lines: dict[str, dict[str, Any]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if '"hostile-' in line:
            entry = json.loads(line)
            lines[entry.get("request_id", "")] = entry
    for run in runs:
        for call in run.hostile:
            entry = lines.get(call["id"])
            if entry is not None:
                seconds = entry["duration_ms"] / 1000
                call.update(code=entry["status"], seconds=round(seconds, 2), overrun_s=seconds - deadline, server=True)


def start_server(args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``chipmate serve`` on a free loopback port with this run's config; returns the process and its address."""
    config: dict[str, Any] = {
        "server": {"host": "127.0.0.1", "port": 0},
        "tasks": {"designqa": {"build_default": False}},
    }
    if args.index_from:
        index = workdir / "index"
        cmd = [sys.executable, "-m", "chipmate", "index", "build", "--index-dir", str(index), *args.index_from]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        config["tasks"]["designqa"]["index_dir"] = str(index)
    if args.chat_model:
        config["server"]["preload_models"] = [args.chat_model]
    path = workdir / "chipmate.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([sys.executable, "-m", "chipmate", "serve", "-c", str(path)], stderr=log, stdout=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = (workdir / "server.log").read_text(errors="replace")
        for line in text.splitlines():
            if '"msg": "serving"' in line:
                address = json.loads(line)["address"]
                return proc, address
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {text[-2000:]}")
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not report serving within 120 s")


def warm_up(target: str, task: str, payload: dict[str, Any], timeout: float) -> None:
    """One call to load what the scenario needs (a model, the index) before anything is measured."""
    with grpc.insecure_channel(target) as channel:
        tasks_pb2_grpc.TaskServiceStub(channel).Invoke(
            tasks_pb2.InvokeRequest(task=task, input_json=json.dumps(payload)), timeout=timeout
        )


def healthy(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="host:port of a running server (loopback only)")
    parser.add_argument("--pid", type=int, help="the server's pid, for RSS and file descriptors")
    parser.add_argument("--serve", action="store_true", help="start a server of its own for the run")
    parser.add_argument(
        "--index-from", action="append", default=[], help="with --serve: build the designqa index from this (repeat)"
    )
    parser.add_argument("--chat-model", default=None, help="generator alias for chat and hostile chats")
    parser.add_argument("--all", action="store_true", help="every scenario with the issue's clients and durations")
    parser.add_argument("scenario", nargs="?", choices=["echo", "retrieval", "chat", "scriptgen", "fault", "rss"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--deadline", type=float, default=10.0, help="deadline of each measured call (s)")
    parser.add_argument(
        "--hostile", type=int, default=8, help="hostile calls in flight in the fault scenario (chats and scripts)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "load.md")
    args = parser.parse_args()
    if not args.serve and not args.target:
        parser.error("give --target HOST:PORT of a running server, or --serve")
    if args.target and args.target.rsplit(":", 1)[0] not in LOOPBACK:
        parser.error("load runs only against loopback addresses")

    workdir = Path(tempfile.mkdtemp(prefix="chipmate-load-"))
    proc = None
    if args.serve:
        proc, target = start_server(args, workdir)
        pid: int | None = proc.pid
    else:
        target, pid = args.target, args.pid
    chat = {"messages": [{"role": "user", "content": "What does abc -g AND do?"}], "max_tokens": 8}
    if args.chat_model:
        chat["model"] = args.chat_model
    plans: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    if args.all:
        plans = [
            ("echo-30s", "echo", ECHO, {"clients": 64, "seconds": 30, "deadline": 10}),
            ("echo", "echo", ECHO, {"clients": 64, "seconds": 60, "deadline": 10}),
            ("retrieval", "designqa.ask", RETRIEVAL, {"clients": 16, "seconds": 30, "deadline": 10}),
            ("fault", "echo", ECHO, {"clients": 64, "seconds": 30, "deadline": 10, "hostile": args.hostile}),
            ("chat", "chat", chat, {"clients": 2, "seconds": 20, "deadline": 30}),
            ("scriptgen", "scriptgen.generate", SCRIPTGEN, {"clients": 2, "seconds": 30, "deadline": 60}),
        ]
    else:
        task, payload = {
            "echo": ("echo", ECHO),
            "rss": ("echo", ECHO),
            "fault": ("echo", ECHO),
            "retrieval": ("designqa.ask", RETRIEVAL),
            "chat": ("chat", chat),
            "scriptgen": ("scriptgen.generate", SCRIPTGEN),
        }[args.scenario]
        extra = {"hostile": args.hostile} if args.scenario == "fault" else {}
        if args.scenario == "rss":
            plans = [
                ("echo-30s", task, payload, {"clients": args.clients, "seconds": 30, "deadline": args.deadline}),
                ("echo", task, payload, {"clients": args.clients, "seconds": 60, "deadline": args.deadline}),
            ]
        else:
            opts = {"clients": args.clients, "seconds": args.seconds, "deadline": args.deadline, **extra}
            plans = [(args.scenario, task, payload, opts)]
    runs: list[Run] = []
    try:
        needs = {task for _, task, _, _ in plans}
        if "designqa.ask" in needs:
            warm_up(target, "designqa.ask", RETRIEVAL, 600)
        if "chat" in needs or any(p[3].get("hostile") for p in plans):
            warm_up(target, "chat", chat, 900)
        if "scriptgen.generate" in needs or any(p[3].get("hostile") for p in plans):
            warm_up(target, "scriptgen.generate", SCRIPTGEN, 900)
        for name, task, payload, opts in plans:
            print(f"running {name}: {opts}", file=sys.stderr, flush=True)
            runs.append(drive(target, pid, name, task, payload, hostile_calls=hostile_calls(args.chat_model), **opts))
            print(json.dumps(runs[-1].summary()), file=sys.stderr, flush=True)
        alive = healthy(target)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    if proc is not None:
        server_durations(workdir / "server.log", runs, HOSTILE_DEADLINE)
    report = render(runs, args, alive)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    args.out.with_suffix(".json").write_text(json.dumps([r.summary() for r in runs], indent=1))
    print(report)
    return 0


def render(runs: list[Run], args: argparse.Namespace, alive: bool) -> str:
    """The results file: one row per run, then the issue's targets with the measured values."""
    rows = []
    by_name = {r.name: r.summary() for r in runs}
    for s in by_name.values():
        before, after = s["server_before"], s["server_after"]
        rows.append(
            f"| {s['scenario']} | {s['clients']} × {s['seconds']:g} s | {s['calls']} | "
            + ", ".join(f"{k} {v}" for k, v in sorted(s["codes"].items()))
            + f" | {s['ok_within_deadline_pct']}% | {s['p50_ms']} | {s['p99_ms']} | {s['rps']} | "
            + (
                f"{s['hostile_calls']}: "
                + ", ".join(f"{k} {v}" for k, v in sorted(s["hostile_codes"].items()))
                + f"; worst overrun {s['hostile_worst_overrun_s']} s"
                if s["hostile_calls"]
                else ""
            )
            + f" | {before.get('rss_mib', '?')} → {after.get('rss_mib', '?')} | {before.get('fds', '?')} → "
            f"{after.get('fds', '?')} | {s['loadavg_1m'][0]} → {s['loadavg_1m'][1]} |"
        )
    targets = []
    if "echo" in by_name:
        s = by_name["echo"]
        ok = s["codes"].get("RESOURCE_EXHAUSTED", 0) == 0 and s["p99_ms"] <= 250
        targets.append(
            f"| echo 64 clients × 60 s: 0 RESOURCE_EXHAUSTED, p99 ≤ 250 ms (ran {s['clients']} × {s['seconds']:g} s) | "
            f"{s['codes'].get('RESOURCE_EXHAUSTED', 0)} RESOURCE_EXHAUSTED, p99 {s['p99_ms']} ms | {'yes' if ok else 'NO'} |"
        )
    if "retrieval" in by_name:
        s = by_name["retrieval"]
        ok = s["ok_within_deadline_pct"] >= 99
        targets.append(
            f"| designqa retrieval_only 16 × 30 s: ≥ 99 % OK within 10 s (ran {s['clients']} × {s['seconds']:g} s) | "
            f"{s['ok_within_deadline_pct']}% "
            f"| {'yes' if ok else 'NO'} |"
        )
    if "fault" in by_name:
        s = by_name["fault"]
        ok = s["p99_ms"] <= 250 and s["hostile_worst_overrun_s"] <= 2
        targets.append(
            f"| {args.hostile} hostile calls in flight (oversized chats, detached-process scripts): echo p99 ≤ 250 ms, each hostile call ends by deadline + 2 s | "
            f"echo p99 {s['p99_ms']} ms; worst hostile overrun {s['hostile_worst_overrun_s']} s | {'yes' if ok else 'NO'} |"
        )
    if "echo" in by_name and "echo-30s" in by_name:
        r30 = by_name["echo-30s"]["server_after"].get("rss_mib")
        r60 = by_name["echo"]["server_after"].get("rss_mib")
        if r30 and r60:
            growth = 100 * (r60 - r30) / r30
            targets.append(
                f"| RSS growth < 10 % between a 30 s and a 60 s run | {r30} → {r60} MiB ({growth:+.1f} %) "
                f"| {'yes' if growth < 10 else 'NO'} |"
            )
    return f"""## Load and fault runs (issue 20)

Command: `python benchmarks/load.py {" ".join(sys.argv[1:])}`
Machine: {cpu_model()}, {os.cpu_count()} cores shared with other engineers' jobs, Python {platform.python_version()},
grpcio {grpc.__version__}. Date: {date.today()}. Load generator and server on the same machine (loopback).
Server healthy after the runs: {"yes" if alive else "NO"}.

| run | clients × time | calls | statuses | OK within deadline | p50 ms | p99 ms | calls/s | hostile calls | server RSS MiB | fds | load avg (1 min) |
|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

| target | measured | met |
|---|---|---|
{chr(10).join(targets)}
"""


if __name__ == "__main__":
    sys.exit(main())
