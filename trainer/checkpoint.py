"""Atomic checkpoints: an interrupted write never corrupts the last good checkpoint.

The state is written with :func:`chipmate.files.atomic_write`: a temporary file in the destination folder,
flushed and fsynced, renamed over the destination, and the folder fsynced so the rename itself survives a power
cut.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from chipmate.errors import ChipmateError
from chipmate.files import atomic_write


def save_checkpoint(state: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``state`` to ``path`` atomically and return the path."""
    path = Path(path)
    with atomic_write(path, "wb", permissions=None, sync_folder=True) as f:
        torch.save(state, f)
    return path


def load_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors and plain Python values only)."""
    path = Path(path)
    if not path.is_file():
        raise ChipmateError(
            f"no checkpoint at {path}",
            hint="train without resume first, or point out_dir at the folder of the run to resume",
        )
    return torch.load(path, map_location=map_location, weights_only=True)
