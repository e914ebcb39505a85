"""chipmate's Tcl side: the ``chipmate`` Tcl package (``chipmate.tcl`` and ``pkgIndex.tcl``, shipped as package
data in this folder) and the codec between Tcl words and JSON values that ``chipmate call --format tcl`` and the
bridge use.

    lappend auto_path [exec chipmate tcl-path]
    package require chipmate
    puts [dict get [chipmate::call echo {text hello}] words]
"""

from __future__ import annotations

from pathlib import Path

from .codec import from_tcl, line_word, object_from_tcl, split_list, tcl_word, to_tcl

#: The version ``package require chipmate`` provides; pkgIndex.tcl and chipmate.tcl say the same (a test checks).
TCL_PACKAGE_VERSION = "0.1"


def package_dir() -> Path:
    """The folder to put on Tcl's ``auto_path`` for ``package require chipmate``."""
    return Path(__file__).resolve().parent


__all__ = [
    "TCL_PACKAGE_VERSION",
    "from_tcl",
    "line_word",
    "object_from_tcl",
    "package_dir",
    "split_list",
    "tcl_word",
    "to_tcl",
]
