"""Query expansion: chip-design jargon and abbreviations, spelled out (and spelled-out terms, abbreviated).

Users ask "how do I run STA after CTS?" while the manual says "static timing analysis" and "clock tree
synthesis", or the other way round; a small embedder knows few of these abbreviations and BM25 matches none of
them. :func:`expand_query` appends the other form of every table entry found in the question::

    "how do I fix DRC errors?"  ->  "how do I fix DRC errors? (design rule check)"

The table is general EDA vocabulary written from the field's usage (textbooks, tool manuals), not from any
evaluation question; teams add their own terms with ``tasks.designqa.expansions`` (``{abbreviation:
expansion}``). An abbreviation matches as a whole word in any case when it is three letters or more and not an
English word, else only in upper case ("IP" and "IO", never "ip" or "io" inside a sentence); an expansion matches
as a phrase in any case. Hyphens and spaces are interchangeable ("flip-flop", "flip flop").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

#: abbreviation -> its spelled-out form. One meaning each: the one chip-design documents use.
TERMS: dict[str, str] = {
    # timing and constraints
    "STA": "static timing analysis",
    "SDC": "Synopsys design constraints",
    "SDF": "standard delay format",
    "WNS": "worst negative slack",
    "TNS": "total negative slack",
    "OCV": "on-chip variation",
    "AOCV": "advanced on-chip variation",
    "POCV": "parametric on-chip variation",
    "CRPR": "clock reconvergence pessimism removal",
    "MCMM": "multi-corner multi-mode",
    "PVT": "process voltage temperature",
    "CDC": "clock domain crossing",
    "SI": "signal integrity",
    # physical design
    "DRC": "design rule check",
    "LVS": "layout versus schematic",
    "LEF": "library exchange format",
    "DEF": "design exchange format",
    "GDS": "graphic design system layout stream",
    "GDSII": "graphic design system layout stream",
    "SPEF": "standard parasitic exchange format",
    "CTS": "clock tree synthesis",
    "PDN": "power delivery network",
    "EM": "electromigration",
    "HPWL": "half-perimeter wirelength",
    "ECO": "engineering change order",
    "PnR": "place and route",
    "P&R": "place and route",
    "RCX": "parasitic extraction",
    "UPF": "unified power format",
    "PPA": "power performance area",
    # logic, synthesis, formats
    "RTL": "register transfer level",
    "HDL": "hardware description language",
    "FSM": "finite state machine",
    "LUT": "look-up table",
    "DFF": "flip-flop",
    "FF": "flip-flop",
    "BRAM": "block RAM",
    "RAM": "random access memory",
    "ROM": "read-only memory",
    "MUX": "multiplexer",
    "AIG": "and-inverter graph",
    "BDD": "binary decision diagram",
    "SAT": "boolean satisfiability",
    "BLIF": "Berkeley logic interchange format",
    "EDIF": "electronic design interchange format",
    "VCD": "value change dump",
    "SAIF": "switching activity interchange format",
    "LEC": "logic equivalence check",
    "DFT": "design for test",
    "ATPG": "automatic test pattern generation",
    "BIST": "built-in self-test",
    "FPGA": "field programmable gate array",
    "ASIC": "application-specific integrated circuit",
    "IO": "input output",
    "I/O": "input output",
    "IP": "intellectual property block",
    "PLL": "phase-locked loop",
}

# Short or English-looking abbreviations match only as written in upper case.
_ENGLISH = {"sat", "def", "ram", "rom", "em", "si", "ff", "io", "ip", "mux", "lec", "sta", "eco", "lut"}


def _abbrev_pattern(abbrev: str) -> re.Pattern[str]:
    flags = 0 if (len(abbrev) < 3 or abbrev.lower() in _ENGLISH) else re.IGNORECASE
    return re.compile(rf"(?<![\w/&-]){re.escape(abbrev)}s?(?![\w/&-])", flags)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.strip()) if w]
    return re.compile(r"\b" + r"[\s-]*".join(words) + r"s?\b", re.IGNORECASE)


@lru_cache(maxsize=8)
def _compiled(items: tuple[tuple[str, str], ...]) -> list[tuple[str, str, re.Pattern[str], re.Pattern[str]]]:
    return [(a, e, _abbrev_pattern(a), _phrase_pattern(e)) for a, e in items]


def expand_query(
    query: str, extra: Mapping[str, str] | None = None, frequency: Callable[[str], int] | None = None
) -> str:
    """``query`` with the other form of each known term it contains appended in parentheses (unchanged when it
    contains none). ``extra`` adds or overrides table entries.

    With ``frequency`` (in how many passages of the knowledge base a term occurs), the other form is added only
    when the knowledge base uses it more often than the form the question used: expansion translates toward
    the documents' vocabulary, and adds nothing where the question already speaks it (an appended synonym
    the documents do not prefer only blurs the query's embedding)."""
    terms = dict(TERMS)
    if extra:
        terms.update(extra)
    added: list[str] = []
    for abbrev, expansion, abbrev_re, phrase_re in _compiled(tuple(sorted(terms.items()))):
        if abbrev_re.search(query) and not phrase_re.search(query):
            other = expansion
        elif phrase_re.search(query) and not abbrev_re.search(query):
            other = abbrev
        else:
            continue
        if frequency is not None:
            used = expansion if other == abbrev else abbrev
            if frequency(other) <= frequency(used):
                continue
        if other.lower() not in (a.lower() for a in added):
            added.append(other)
    return f"{query} ({'; '.join(added)})" if added else query
