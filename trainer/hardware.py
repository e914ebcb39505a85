"""What the machine can do, for the precision default (``precision.mode: auto``) and for result records.

bf16 pays off only where the hardware computes in it natively: CUDA GPUs that report bf16 support (Ampere and
later), and CPUs with AVX-512 BF16 or AMX. Elsewhere PyTorch's CPU kernels convert element by element and half
precision runs 4–6× slower than fp32 (benchmarks/results/precision_cpu.md), so a plain CPU trains in fp32.
CUDA GPUs without bf16 (V100, T4) get the paper's recipe: fp16 weights, fp32 masters and loss scaling.
"""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path
from typing import Any

import torch

#: /proc/cpuinfo flags that mean native bf16 arithmetic on x86
CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags() -> set[str]:
    """The CPU feature flags of /proc/cpuinfo (empty where there is none, e.g. macOS)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def cpu_model() -> str:
    """The CPU's model name (``model name`` of /proc/cpuinfo, else platform.processor())."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def auto_precision(device: str | torch.device) -> str:
    """The precision mode ``auto`` means on ``device``: bf16 where native, fp16 (+ scaling) on other GPUs, else fp32."""
    kind = torch.device(device).type
    if kind == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if kind == "cpu" and cpu_flags() & set(CPU_BF16_FLAGS):
        return "bf16"
    return "fp32"


def machine_facts(device: str | torch.device = "cpu") -> dict[str, Any]:
    """CPU model, threads, torch version and the GPU (if any), for metrics and benchmark results."""
    facts: dict[str, Any] = {
        "cpu": cpu_model(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "native_bf16_cpu": bool(cpu_flags() & set(CPU_BF16_FLAGS)),
    }
    if hasattr(os, "getloadavg"):  # other work on a shared machine slows a run: say how busy it was at the end
        facts["load_average_1m"] = round(os.getloadavg()[0], 2)
    if torch.device(device).type == "cuda":
        facts["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return facts


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (what a recipe's result reports as its memory need)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if platform.system() == "Darwin" else 1024), 1)
