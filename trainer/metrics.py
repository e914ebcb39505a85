"""Training metrics: one JSON object per line (``metrics.jsonl``) and PNG plots (LM loss and loss scale; a
retriever's loss and held-out hit rates)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


class MetricsLog:
    """Appends one JSON record per call to ``path``; each line is flushed so a crash loses at most one record."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        """Append ``record``; non-finite floats become null so the file stays strict JSON."""
        clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()}
        self._file.write(json.dumps(clean) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file (idempotent)."""
        self._file.close()


def read_metrics(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Records of a ``metrics.jsonl`` file, in order."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def plot_metrics(records: list[dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Write a PNG with the loss (top) and the loss scale on a log2 axis (bottom) against the iteration, and
    the validation metrics (records with ``"kind": "eval"``) in a third panel when there are any."""
    import matplotlib  # imported lazily: only the main process plots, and only at the end of a run

    matplotlib.use("Agg")  # no display on training machines
    import matplotlib.pyplot as plt

    evals = [r for r in records if r.get("kind") == "eval"]
    records = [r for r in records if "kind" not in r]
    iters = [r["iter"] for r in records]
    fig, axes = plt.subplots(3 if evals else 2, 1, sharex=True, figsize=(7, 7.5 if evals else 5))
    ax_loss, ax_scale = axes[0], axes[1]
    ax_loss.plot(iters, [r["loss"] for r in records])
    ax_loss.set_ylabel("loss")
    ax_loss.grid(alpha=0.3)
    ax_scale.plot(iters, [r["scale"] for r in records], drawstyle="steps-post")
    ax_scale.set_yscale("log", base=2)
    ax_scale.set_ylabel("loss scale")
    ax_scale.set_xlabel("iteration")
    ax_scale.grid(alpha=0.3)
    skipped = [r["iter"] for r, prev in zip(records[1:], records, strict=False) if r["skipped"] > prev["skipped"]]
    for it in skipped:
        ax_scale.axvline(it, color="tab:red", alpha=0.3, linewidth=0.8)
    if evals:
        ax_eval = axes[2]
        names = sorted({k for r in evals for k, v in r.items() if k not in ("kind", "iter", "step") and _number(v)})
        for name in names:
            points = [(r["iter"], r[name]) for r in evals if _number(r.get(name))]
            ax_eval.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
        ax_eval.set_ylabel("validation")
        ax_eval.set_xlabel("iteration")
        ax_eval.grid(alpha=0.3)
        if names:
            ax_eval.legend(fontsize=8)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_retrieval_metrics(path: str | os.PathLike[str], png: str | os.PathLike[str]) -> Path:
    """Loss per step (top) and dev hit@1 / MRR@10 per epoch (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = read_metrics(path)
    steps = [r for r in records if "loss" in r]
    evals = [r for r in records if "dev_hit@1" in r]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5))
    top.plot([r["step"] for r in steps], [r["loss"] for r in steps])
    top.set_ylabel("MNRL loss")
    top.set_xlabel("step")
    top.grid(alpha=0.3)
    for key in ("dev_hit@1", "dev_mrr@10"):
        bottom.plot([r["epoch"] for r in evals], [r[key] for r in evals], marker="o", label=key[4:])
    bottom.set_xlabel("epoch")
    bottom.set_ylabel("dev (held-out generated questions)")
    bottom.legend()
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
    return Path(png)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
