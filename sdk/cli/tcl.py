"""Kept for imports of ``chipmate.cli.tcl``: the Tcl codec lives in :mod:`chipmate.tcl.codec`."""

from __future__ import annotations

from ..tcl.codec import tcl_word, to_tcl

__all__ = ["tcl_word", "to_tcl"]
