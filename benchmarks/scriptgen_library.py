"""scriptgen's seed library: what it covers, and example retrieval over it before and after the harvest.

Reports the records per tool and source (written for chipmate / harvested), distinct commands per tool (the
first word of every script line that the tool knows as a command), who wrote the harvested instructions, the
package data size, and the example retriever's latency over the hand-written records alone ("before") and over
the whole seed library ("after"): the cold index build (embedding every instruction twice, hybrid mode, with
the default embedder) and the warm per-request search (embedding the request, scoring, fingerprinting the
library), p50/p95 over 20 requests written for this benchmark (not the development sets' tasks).

Run::

    nice .venv/bin/python benchmarks/scriptgen_library.py     # writes benchmarks/results/scriptgen_library.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _machine import cpu_model  # benchmarks/_machine.py: scripts run with benchmarks/ on sys.path

from chipmate.plugins.scriptgen.library import DESIGNS_DIR, HARVEST_FILE, SEED_FILE, ScriptRecord, seed_records
from chipmate.plugins.scriptgen.retrieve import ExampleRetriever

HERE = Path(__file__).resolve().parent
REQUESTS = [
    "Synthesize top.v for an iCE40 FPGA and write the netlist to top_ice40.json.",
    "Flatten the design in soc.v and report the cell counts to stats.txt.",
    "Map the flip-flops of cpu.v to my_cells.lib and write cpu_mapped.v.",
    "Convert the memories of ram.v to flip-flops and save it as ram_ff.il.",
    "Run a Xilinx synthesis of dsp.v without IO buffers and write dsp.edif.",
    "Extract the state machines of ctrl.v and write what fsm_info prints to fsm.txt.",
    "Prove that opt_dff leaves the behaviour of regs.v unchanged.",
    "Write an AIGER file of the combinational logic in alu.v for a model checker.",
    "Lower the processes of fifo.v and dump the RTLIL to fifo.il.",
    "Split all multi-bit nets of bus.v and write a bit-level Verilog netlist.",
    "Load cells.lib and top_netlist.v with top.sdc and report the worst setup paths to setup.rpt.",
    "Report the clock skew of the design in clock_skew.rpt.",
    "Set a false path from the reset port and save the constraints to new.sdc.",
    "Report the hold slack of every endpoint to hold.rpt.",
    "Apply a timing derate of 1.05 on late paths and report the setup paths.",
    "Show the fanout of the input ports in fanout.rpt.",
    "Write a BTOR2 model of counter.v for bounded model checking.",
    "Synthesize for ECP5 using DSP blocks and save the result as json.",
    "Replace undriven wires with zero and write clean.v.",
    "Insert a multicycle path of 2 cycles between the registers and report the checks.",
]


class Subset:
    """A library view holding only ``records`` (the retriever needs ``records`` and ``fingerprint``)."""

    def __init__(self, records: list[ScriptRecord]) -> None:
        self._records = records

    def records(self, tool: str | None = None) -> list[ScriptRecord]:
        return [r for r in self._records if tool is None or r.tool == tool]

    def fingerprint(self, tool: str | None = None) -> str:
        import hashlib

        digest = hashlib.sha256()
        for record in self.records(tool):
            digest.update(record.id.encode() + b"\0" + record.digest().encode())
        return digest.hexdigest()


class Memo:
    """The embedder with each text's vector kept: the second pass over the requests times retrieval alone."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.seen: dict[str, object] = {}

    def embed(self, texts):
        missing = [t for t in texts if t not in self.seen]
        if missing:
            self.seen.update(zip(missing, self.embedder.embed(missing), strict=True))
        return [self.seen[t] for t in texts]


def latency(records: list[ScriptRecord], embedder, name: str) -> dict[str, float]:
    """Cold index build (both tools), warm per-request search, and the search's own work with the request's
    embedding already known (fingerprint, scoring, ranking: what grows with the library), in seconds."""
    embedder = Memo(embedder)
    with tempfile.TemporaryDirectory() as cache:
        library = Subset(records)
        retrievers = {
            tool: ExampleRetriever(library, embedder, tool=tool, cache_dir=Path(cache), embedder_name=name)
            for tool in ("yosys", "opensta")
        }
        start = time.perf_counter()
        for retriever in retrievers.values():
            retriever.search("warm up", [], 4)
        build = time.perf_counter() - start
        times = []
        for i, request in enumerate(REQUESTS):
            retriever = retrievers["opensta" if 10 <= i < 16 or i == 19 else "yosys"]
            start = time.perf_counter()
            retriever.search(request, [], 4)
            times.append(time.perf_counter() - start)
        own = []
        for i, request in enumerate(REQUESTS):
            retriever = retrievers["opensta" if 10 <= i < 16 or i == 19 else "yosys"]
            start = time.perf_counter()
            retriever.search(request, [], 4)
            own.append(time.perf_counter() - start)
    times.sort()
    return {
        "build": build,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "own": statistics.median(own),
    }


def commands(records: list[ScriptRecord], known: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for record in records:
        for line in record.script.splitlines():
            words = line.split()
            if words and words[0] in known.get(record.tool, frozenset()):
                found.setdefault(record.tool, set()).add(words[0])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scriptgen_library.md")
    args = parser.parse_args()

    from chipmate.config import load_config
    from chipmate.host import Host
    from chipmate.plugins.scriptgen.opensta import OpenStaTool
    from chipmate.plugins.scriptgen.tclcheck import OPENSTA_COMMANDS
    from chipmate.plugins.scriptgen.yosys import YosysTool

    records = seed_records()
    hand = [r for r in records if not r.provenance]
    harvested = [r for r in records if r.provenance]
    sta = OpenStaTool()
    known = {
        "yosys": YosysTool().commands(),
        "opensta": (sta.commands() if not sta.unavailable() else frozenset()) | OPENSTA_COMMANDS,
    }
    host = Host(load_config(None))
    alias = host.models.default_alias("embedder")
    embedder = host.models.embedder(alias)
    before = latency(hand, embedder, alias)
    after = latency(records, embedder, alias)
    size = SEED_FILE.stat().st_size + (HARVEST_FILE.stat().st_size if HARVEST_FILE.is_file() else 0)
    designs = sum(p.stat().st_size for p in DESIGNS_DIR.rglob("*") if p.is_file())
    rows = []
    for label, subset in (("hand-written", hand), ("harvested", harvested), ("all", records)):
        tools = Counter(r.tool for r in subset)
        found = commands(subset, known)
        rows.append(
            f"| {label} | {len(subset)} | {tools['yosys']} | {tools['opensta']} | {len(found.get('yosys', ()))} "
            f"| {len(found.get('opensta', ()))} |"
        )
    by = Counter(r.instruction_by for r in harvested)
    licences = Counter(r.license for r in harvested)
    text = "\n".join(
        [
            "# scriptgen seed library",
            "",
            f"Machine: {cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
            f"{datetime.date.today()}; command: `nice .venv/bin/python benchmarks/scriptgen_library.py`.",
            "",
            "| records | total | yosys | opensta | distinct Yosys commands | distinct OpenSTA commands |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Harvested instructions: {by['model']} written by the embedded generator and kept by the rules, "
            f"{by['rules']} rule-written. Licences: {', '.join(f'{k} {v}' for k, v in sorted(licences.items()))}.",
            f"Package data: {size} bytes of JSONL + {designs} bytes of designs.",
            "",
            f"Example retrieval ({alias}, hybrid):",
            "",
            "| library | records | cold index build (s) | search p50 (ms) | search p95 (ms) "
            "| search without the request's embedding, p50 (ms) |",
            "|---|---|---|---|---|---|",
            f"| before (hand-written) | {len(hand)} | {before['build']:.1f} | {before['p50'] * 1000:.1f} "
            f"| {before['p95'] * 1000:.1f} | {before['own'] * 1000:.2f} |",
            f"| after (with harvest) | {len(records)} | {after['build']:.1f} | {after['p50'] * 1000:.1f} "
            f"| {after['p95'] * 1000:.1f} | {after['own'] * 1000:.2f} |",
            "",
            "The cold build embeds every instruction twice (plain and masked) once per library version and "
            "embedder; its vectors are cached in the user cache. The search embeds the request (the same cost at "
            "any library size); the last column is what grows with the library.",
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
