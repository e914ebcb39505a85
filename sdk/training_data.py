"""Training data that plugins offer and recipes consume; the host connects them.

A plugin that has data a model could learn from (its documents, its validated examples, its bug history) offers it
with the ``chipmate_register_training_data(register)`` hook, one :class:`TrainingData` per source. The trainer
reads it through ``host.training_data`` and never imports a plugin, so a plugin disabled with
``CHIPMATE_DISABLE_PLUGINS`` offers nothing, and a third-party plugin's data reaches the recipes with no change to
chipmate. Each offer has a kind, which fixes what its records are:

- ``documents``: :class:`TextDocument` — whole texts for the corpus (tokenizer, continued pretraining);
- ``passages``: :class:`Passage` objects — citable passages a retriever learns to find;
- ``chat``: ``{"messages": [{"role", "content"}, ...]}`` records — supervised fine-tuning;
- ``pairs``: :class:`QueryPassage` — a question and the passage that answers it;
- ``bugs``: bug records as dicts (``id``, ``title``, ``description``, ``comments``, ...), as bugtriage stores them.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .errors import ChipmateError, ConfigError, PluginError

DOCUMENTS = "documents"
PASSAGES = "passages"
CHAT = "chat"
PAIRS = "pairs"
BUGS = "bugs"
#: every kind, with what its records are
KINDS = {
    DOCUMENTS: "TextDocument records: whole texts for the corpus (tokenizer, DAPT)",
    PASSAGES: "Passage records: citable passages for the retriever",
    CHAT: '{"messages": [...]} records for SFT',
    PAIRS: "QueryPassage records: a question and the passage that answers it",
    BUGS: "bug records (dicts: id, title, description, comments, ...)",
}


@dataclass(frozen=True)
class TextDocument:
    """A whole text: ``source`` says where it came from (a file, ``yosys help NAME``), ``group`` its family in
    reports (``yosys-help``, ``scriptgen``)."""

    source: str
    text: str
    group: str = ""


@runtime_checkable
class Passage(Protocol):
    """What the retriever recipe needs of a passage (designqa's chunks are passages)."""

    id: str
    text: str
    source: str

    def embedding_text(self) -> str:
        """What the embedder sees (a heading or title first, then the text)."""
        ...


@dataclass(frozen=True)
class QueryPassage:
    """A question and the text of the passage that answers it."""

    query: str
    passage: str
    source: str = ""


def content_key(text: str) -> str:
    """Hash of a passage with whitespace and case folded: equal keys are duplicates."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrainingData:
    """One source of training data a plugin offers, registered with ``chipmate_register_training_data``.

    ``read(**options)`` returns an iterable of the records of ``kind`` (see the module); ``options`` maps each
    option ``read`` accepts to a one-line description (others are refused with the closest match). ``trained``, if
    given, is called as ``trained(model_dir=..., alias=..., **options)`` after a recipe trained a model on this
    data and asked for it (designqa re-embeds the index its passages came from); it returns what it did, for the
    recipe's summary.
    """

    name: str
    kind: str
    read: Callable[..., Iterable[Any]]
    description: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    trained: Callable[..., Any] | None = None
    #: name of the plugin that registered it; filled in by the registry
    plugin: str = ""


class TrainingDataRegistry:
    """The training data the loaded plugins offer, by kind and name."""

    def __init__(self) -> None:
        self._offers: dict[tuple[str, str], TrainingData] = {}

    def register(self, item: TrainingData, plugin: str = "") -> None:
        """Add an offer; ``plugin`` names who registered it."""
        if not isinstance(item, TrainingData):
            raise PluginError(
                f"plugin {plugin!r} registered {item!r}, not a chipmate.training_data.TrainingData",
                hint="call register(TrainingData(name=..., kind=..., read=...))",
            )
        if item.kind not in KINDS:
            raise PluginError(
                f"plugin {plugin!r} offers training data {item.name!r} of kind {item.kind!r}",
                hint=f"kind must be one of {', '.join(KINDS)}",
            )
        key = (item.kind, item.name)
        if key in self._offers:
            other = self._offers[key].plugin
            raise PluginError(
                f"{item.kind} {item.name!r} are offered by both {other!r} and {plugin!r}",
                hint=f"disable one of them with CHIPMATE_DISABLE_PLUGINS={plugin}",
            )
        self._offers[key] = TrainingData(**{**item.__dict__, "plugin": item.plugin or plugin})

    def offers(self, kind: str | None = None) -> list[TrainingData]:
        """Every offer (of ``kind``), by kind and name."""
        return [self._offers[key] for key in sorted(self._offers) if kind is None or key[0] == kind]

    def has(self, kind: str, name: str) -> bool:
        """Whether a loaded plugin offers ``kind`` data named ``name``."""
        return (kind, name) in self._offers

    def get(self, kind: str, name: str) -> TrainingData:
        """The offer ``name`` of ``kind``; ConfigError naming the offers there are (and a close match)."""
        try:
            return self._offers[(kind, name)]
        except KeyError:
            names = [n for k, n in sorted(self._offers) if k == kind]
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"no plugin offers {kind} named {name!r}",
                hint=f"{hint}offered: {', '.join(names) or 'none'} (is the plugin that offers it disabled?)",
            ) from None

    def read(self, kind: str, name: str, **options: Any) -> Iterator[Any]:
        """The records of offer ``name``, read with ``options``; an unforeseen failure is the plugin's bug.

        A missing offer or an unknown option fails here, before the first record is asked for."""
        offer = self.get(kind, name)
        self._check_options(offer, options)
        return self._records(offer, options)

    @staticmethod
    def _records(offer: TrainingData, options: Mapping[str, Any]) -> Iterator[Any]:
        kind, name = offer.kind, offer.name
        try:
            yield from offer.read(**options)
        except ChipmateError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {offer.plugin!r} failed reading {kind} {name!r}: {type(exc).__name__}: {exc}",
                hint=f"fix the plugin or disable it with CHIPMATE_DISABLE_PLUGINS={offer.plugin}",
            ) from exc

    def trained(self, kind: str, name: str, **arguments: Any) -> Any:
        """Tell offer ``name`` that a model was trained on its data (its ``trained`` callback); None without one."""
        offer = self.get(kind, name)
        return offer.trained(**arguments) if offer.trained is not None else None

    @staticmethod
    def _check_options(offer: TrainingData, options: Mapping[str, Any]) -> None:
        for key in options:
            if key not in offer.options:
                close = difflib.get_close_matches(key, list(offer.options), n=1)
                known = ", ".join(offer.options) or "none"
                raise ConfigError(
                    f"{offer.kind} {offer.name!r} (plugin {offer.plugin!r}) takes no option {key!r}",
                    hint=f"did you mean {close[0]!r}?" if close else f"its options: {known}",
                )
