"""designqa's query adapter for its default Yosys-help KB (the adapter class is the core's,
:class:`chipmate.documents.adapt.QueryAdapter`): ``adapters/yosys-help-query`` was trained with
``chipmate train query-adapter`` on the KB's passages, never on evaluation questions (its README has the command).
"""

from __future__ import annotations

from pathlib import Path

from chipmate.documents.adapt import QueryAdapter

__all__ = ["YOSYS_HELP_QUERY_ADAPTER", "QueryAdapter"]

#: the query adapter trained on the default Yosys-help KB's passages (never on evaluation questions)
YOSYS_HELP_QUERY_ADAPTER = Path(__file__).resolve().parent / "adapters" / "yosys-help-query" / "query_adapter.npz"
