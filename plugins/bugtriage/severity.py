"""Severity of a bug: a stated keyword rule, replaced by the history's own labels when a model learned them.

The rule reads the title, the report and the logs (not the replies, which often speculate) and takes the first
level whose words appear:

- critical: data loss, corruption, security, a blocked tape-out, a silicon failure
- high: a crash (segfault, core dump, abort, failed assertion), a hang or deadlock, out of memory, wrong
  results (wrong netlist, incorrect timing), a regression
- medium: an error, a failure, a violation, "does not work", a mismatch, a timeout, slowness
- low: anything else (questions, documentation, feature requests)

When the history carries severity or priority labels (at least 20 records, two levels or more), ``chipmate bugs
fit`` learns them; a learned answer at or above the confidence threshold replaces the rule's.
"""

from __future__ import annotations

import re
from typing import Any

from .records import BugRecord

RULES = (
    (
        "critical",
        r"data loss|lost (?:the |all )?data|corrupt\w*|security|vulnerab\w*|tape-?out (?:is )?block\w*|"
        r"block\w* (?:the )?tape-?out|silicon (?:bug|failure|fail\w*)",
    ),
    (
        "high",
        r"crash\w*|segfault\w*|segmentation (?:fault|violation)|sigsegv|sigabrt|core dump\w*|abort\w*|"
        r"assert(?:ion)? fail\w*|assertion|\bhangs?\b|\bhung\b|deadlock\w*|freez\w*|infinite loop|out of memory|"
        r"\boom\b|wrong (?:result|output|netlist|timing|value)s?|incorrect (?:result|output|netlist|timing|value)s?|"
        r"regression",
    ),
    (
        "medium",
        r"\berror\w*|\bfail\w*|violation\w*|does ?n[o']t work|not working|broken|unexpected\w*|mismatch\w*|"
        r"time[ -]?out|too slow|slow\w*",
    ),
)
_COMPILED = tuple((level, re.compile(pattern, re.IGNORECASE)) for level, pattern in RULES)


def rule_severity(record: BugRecord) -> dict[str, Any]:
    """The rule's level for ``record`` with the words that decided it."""
    parts = (("title", record.title), ("report", record.description), ("logs", record.logs))
    for level, pattern in _COMPILED:
        for where, text in parts:
            match = pattern.search(text or "")
            if match:
                return {"level": level, "source": "rule", "reason": f"{match.group(0).lower()!r} in the {where}"}
    return {"level": "low", "source": "rule", "reason": "no crash, hang, error or data-loss words"}
