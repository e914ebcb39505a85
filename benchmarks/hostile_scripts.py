"""Hostile-script corpus: escapes from scriptgen's sandbox, per layer, with and without Landlock.

    .venv/bin/python benchmarks/hostile_scripts.py                      # all modes, writes results/hostile_scripts.md
    .venv/bin/python benchmarks/hostile_scripts.py --modes full,full-no-landlock --timeout 10
    .venv/bin/python benchmarks/hostile_scripts.py --isolation unshare --out results/hostile_scripts_unshare.md

The corpus (``data/hostile_scripts.jsonl``: issue 20's cases and the project's own) holds Yosys and OpenSTA scripts
with request files that try to leave the run: write a canary file outside it, read a secret file outside it (its
token in the returned log or outputs), reach a TCP or UDP listener on the host's loopback, leave a process running
after the call, or hold the call past its timeout. Each script runs in every mode:

- ``full``: what a request gets (static checks, namespaces, Landlock where the kernel has it);
- ``full-no-landlock``: the same with Landlock forced off (kernels before 5.13);
- ``namespaces-only``: static checks skipped and Landlock off: bubblewrap's namespaces alone;
- ``checks-only``: static checks with no namespaces and no Landlock (``allow_unisolated``): the parser alone;
- ``none``: no checks, no namespaces, no Landlock: the peer, which shows the corpus does escape when unconfined.

An escape is any effect outside the run; ``ran`` counts scripts whose shell payload ran at all (inside the sandbox
that is harmless). Target (issue 20): 0 escapes in ``full`` and ``full-no-landlock``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "data" / "hostile_scripts.jsonl"
MODES = ("full", "full-no-landlock", "namespaces-only", "checks-only", "none")
SECRET_TOKEN = "chipmate-secret-7f3a91"


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The corpus records."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class Traps:
    """What a hostile script aims at: a canary path, a secret file, TCP and UDP listeners, a process tag."""

    def __init__(self, root: Path, tag: str) -> None:
        self.outside = root / "outside"
        self.outside.mkdir(parents=True)
        self.canary = self.outside / "pwned"
        self.secret = root / "secret.txt"
        self.secret.write_text(SECRET_TOKEN + "\n")
        self.tag = tag
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen()
        self.tcp.settimeout(0.05)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.05)

    def values(self) -> dict[str, str]:
        depth = "../" * 12
        return {
            "{CANARY_UP}": depth + str(self.canary).lstrip("/"),
            "{CANARY_NOSLASH}": str(self.canary).lstrip("/"),
            "{CANARY}": str(self.canary),
            "{SECRET_UP}": depth + str(self.secret).lstrip("/"),
            "{SECRET_REL}": str(self.secret).lstrip("/"),
            "{SECRET}": str(self.secret),
            "{TCP}": str(self.tcp.getsockname()[1]),
            "{UDP}": str(self.udp.getsockname()[1]),
            "{TAG}": self.tag,
        }

    def fill(self, text: str) -> str:
        for key, value in self.values().items():
            text = text.replace(key, value)
        return text

    def escapes(self, texts: list[str], seconds: float, limit: float) -> list[str]:
        """What reached outside the run, then clean-up (stray processes killed, canaries removed)."""
        found = []
        if any(self.outside.iterdir()):
            found.append("wrote outside")
        if any(SECRET_TOKEN in t for t in texts):
            found.append("read outside")
        try:
            conn, _ = self.tcp.accept()
            conn.close()
            found.append("tcp")
        except (TimeoutError, OSError):
            pass
        try:
            self.udp.recvfrom(16)
            found.append("udp")
        except (TimeoutError, OSError):
            pass
        strays = _processes(self.tag)
        if strays:
            found.append("outlived the run")
            for pid in strays:
                with suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if seconds > limit:
            found.append(f"held the call {seconds:.0f} s")
        for path in self.outside.iterdir():
            path.unlink()
        return found

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


def _processes(tag: str) -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f".{tag}" in text and "hostile_scripts" not in text and "pytest" not in text:
            pids.append(int(cmdline.parent.name))
    return pids


@contextmanager
def using(method: str) -> Iterator[None]:
    """Runs in this block are isolated by ``method``: "bwrap", "unshare", "none" (as on a host with neither),
    or "" (whatever this host has)."""
    from chipmate.plugins.scriptgen import isolation, sandbox

    chosen = {
        "bwrap": isolation.probe_bwrap,
        "unshare": isolation.probe_unshare,
        "none": lambda: isolation.Isolation("none", "namespaces switched off by the benchmark"),
    }.get(method, isolation.probe)()
    original = sandbox.isolation_probe
    sandbox.isolation_probe = lambda: chosen  # type: ignore[assignment]  # patched for this run, restored below
    try:
        yield
    finally:
        sandbox.isolation_probe = original  # type: ignore[assignment]  # restoring the patched function


def files_of(case: dict[str, Any], traps: Traps) -> dict[str, str]:
    from chipmate.plugins.scriptgen.library import DESIGNS_DIR

    files = {}
    for name, content in case["files"].items():
        if content.startswith("@design:"):
            content = (DESIGNS_DIR / content.split(":", 1)[1]).read_text()
        files[name] = traps.fill(content)
    return files


def run_case(
    case: dict[str, Any], mode: str, tools: dict[str, Any], timeout: float, traps: Traps, isolation: str = ""
) -> dict[str, Any]:
    """Run one corpus script in ``mode`` (namespaces by ``isolation``, default: this host's); what it did."""
    from chipmate.plugins.scriptgen.sandbox import GRACE, Sandbox, SandboxLimits
    from chipmate.plugins.scriptgen.tool import limits_for

    tool = tools[case["tool"]]
    script, files = traps.fill(case["script"]), files_of(case, traps)
    limits = SandboxLimits(
        timeout=timeout,
        landlock=mode == "full",
        allow_unisolated=mode in ("checks-only", "none"),
    )
    started = time.monotonic()
    checks = mode in ("full", "full-no-landlock", "checks-only")
    unconfined = mode in ("checks-only", "none")
    with using("none" if unconfined else isolation):
        if checks:
            run = tool.run(script, files=files, timeout=timeout, limits=limits)
        else:
            with Sandbox(files) as box:
                run = tool.run_in(box, script, limits_for(limits, timeout))
    seconds = time.monotonic() - started
    texts = [run.log, *run.outputs.values()]
    escapes = traps.escapes(texts, seconds, timeout + GRACE + 5)
    return {
        "id": case["id"],
        "mode": mode,
        "refused": bool(getattr(run, "refused", False)),
        "ran": "uid=" in run.log,
        "escapes": escapes,
        "seconds": round(seconds, 2),
        "confinement": getattr(run, "confinement", ""),
    }


def tools_for_corpus() -> dict[str, Any]:
    from chipmate.plugins.scriptgen.opensta import OpenStaTool
    from chipmate.plugins.scriptgen.yosys import YosysTool

    return {"yosys": YosysTool(), "opensta": OpenStaTool()}


def run_corpus(
    modes: list[str],
    timeout: float,
    progress: Callable[[str], None] = print,
    only: set[str] | None = None,
    isolation: str = "",
) -> list[dict[str, Any]]:
    """Every corpus case in every mode."""
    tools = tools_for_corpus()
    cases = [c for c in load_corpus() if only is None or c["id"] in only]
    results = []
    with tempfile.TemporaryDirectory(prefix="chipmate-hostile-") as tmp:
        for index, mode in enumerate(modes):
            traps = Traps(Path(tmp) / mode, tag=f"{os.getpid() % 1000}{index}")
            try:
                for case in cases:
                    if tools[case["tool"]].unavailable():
                        continue
                    result = run_case(case, mode, tools, timeout, traps, isolation)
                    results.append(result)
                    if result["escapes"]:
                        progress(f"  {mode:17s} {case['id']}: ESCAPED ({', '.join(result['escapes'])})")
            finally:
                traps.close()
            done = [r for r in results if r["mode"] == mode]
            escaped = sum(1 for r in done if r["escapes"])
            progress(f"{mode}: {len(done)} scripts, {escaped} escaped, {sum(r['refused'] for r in done)} refused")
    return results


def report(results: list[dict[str, Any]], command: str, isolation: str = "") -> str:
    from chipmate.plugins.scriptgen.isolation import probe, probe_bwrap, probe_unshare

    chosen = {"bwrap": probe_bwrap, "unshare": probe_unshare}.get(isolation, probe)()

    lines = [
        "# Hostile-script corpus: escapes per sandbox layer",
        "",
        f"- command: `{command}`",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores; kernel {os.uname().release}; "
        f"running as {'root' if os.geteuid() == 0 else 'a non-root user'}",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- isolation: {chosen.describe()} ({chosen.detail})",
        "",
        "| mode | scripts | escaped | refused by the checks | payload ran (inside) | escapes by kind |",
        "|---|---|---|---|---|---|",
    ]
    for mode in dict.fromkeys(r["mode"] for r in results):
        rows = [r for r in results if r["mode"] == mode]
        kinds: dict[str, int] = {}
        for r in rows:
            for kind in r["escapes"]:
                kinds[kind.split(" ")[0] if kind.startswith("held") else kind] = kinds.get(kind, 0) + 1
        by_kind = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "-"
        lines.append(
            f"| {mode} | {len(rows)} | {sum(1 for r in rows if r['escapes'])} | {sum(r['refused'] for r in rows)} "
            f"| {sum(r['ran'] for r in rows)} | {by_kind} |"
        )
    escaped = [r for r in results if r["escapes"]]
    if escaped:
        lines += ["", "Escapes:", ""]
        lines += [f"- {r['mode']} `{r['id']}`: {', '.join(r['escapes'])}" for r in escaped]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, from {', '.join(MODES)}")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per tool run")
    parser.add_argument("--out", default=str(ROOT / "results" / "hostile_scripts.md"))
    parser.add_argument(
        "--isolation", choices=("", "bwrap", "unshare"), default="", help="namespaces by (default: this host's)"
    )
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    results = run_corpus(modes, args.timeout, isolation=args.isolation)
    command = "python benchmarks/hostile_scripts.py " + " ".join(sys.argv[1:])
    text = report(results, command.strip(), args.isolation)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
