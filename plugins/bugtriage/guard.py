"""Checks on generated summaries: no invented bug ids or people, no degenerate output.

The rule (docs/bugtriage.md): a summary may name

- a bug id (``#123``, ``PROJ-123``, ``bug 123`` / ``issue 123``) only if it appears in the record's own text or
  is the id of a bug in the history; any other id is replaced by "another bug";
- a person (an ``@handle``; a capitalised or handle-like word right before a speech verb such as "said" or
  "suggested"; the name after "assigned to") only if the name appears in the record's text or is a person in the
  history; any other is replaced by "someone".

Small models also loop ("the the the", one sentence ten times), return nothing, or echo a stretch of their input.
Repeated sentences are dropped; output that is still repetitive, empty, or mostly (70 %+ of its 8-word sequences)
copied from the input is rejected, so the caller falls back to an extractive summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_SPEECH = (
    "said|says|suggested|suggests|reported|reports|proposed|proposes|asked|asks|replied|replies|commented|"
    "comments|wrote|writes|thinks|thought|agreed|agrees|confirmed|confirms|recommended|recommends|noted|notes|"
    "explained|explains|mentioned|mentions|believes|believed|argued|argues|answered|answers|responded|responds"
)
_BUG_REF = re.compile(
    r"(?<![\w/&])#(?P<num>\d{2,})\b"
    r"|\b(?P<key>[A-Z][A-Z0-9]{1,9}-\d+)\b"
    r"|\b(?P<word>(?i:bug|issue|ticket|pr|pull request|discussion))\s+(?:#|(?i:no)\.?\s*)?(?P<wnum>\d{2,})\b"
)
# Upper-case words followed by a number that are standards, not tracker keys (UTF-8, DDR-4).
_NOT_KEYS = {"UTF", "ISO", "SHA", "DDR", "LPDDR", "GDDR", "IEEE", "PCIE", "USB", "RFC", "X86", "ARM", "RV"}
_MENTION = re.compile(r"(?<![\w.@])@(?P<name>[A-Za-z0-9][\w.-]*[A-Za-z0-9_]|[A-Za-z0-9])")
_SPEAKER = re.compile(rf"\b(?P<name>[A-Z][\w.-]*|[a-z][a-z0-9]*[0-9_][\w-]*)(?=\s+(?:{_SPEECH})\b)")
_ASSIGNED = re.compile(
    r"\b(?:assign(?:ed)?\s+(?:it\s+)?to|handled\s+by|owned\s+by)\s+@?(?P<name>[\w-]+(?:\.[\w-]+)*)", re.I
)
# Words that stand before "said" without being a person's name.
_SUBJECTS = {
    "he", "she", "they", "it", "this", "that", "the", "a", "an", "user", "users", "reporter", "author",
    "maintainer", "maintainers", "developer", "developers", "engineer", "team", "someone", "everyone", "nobody",
    "we", "i", "you", "who", "which", "one", "another", "other", "others", "documentation", "log", "error",
    "message", "manual", "tool", "thread", "report", "also", "later", "then", "and", "but", "both",
}  # fmt: skip


@dataclass
class GuardReport:
    """What :func:`check_references` replaced."""

    removed_ids: list[str] = field(default_factory=list)
    removed_people: list[str] = field(default_factory=list)

    def note(self) -> str | None:
        """One line for the triage notes, or None when nothing was replaced."""
        removed = [*self.removed_ids, *(f"person {p!r}" for p in self.removed_people)]
        if not removed:
            return None
        return f"summary named {', '.join(removed)}, absent from the record and the history; replaced"


class References:
    """The bug ids and people a summary may name: the record's text, plus the history's ids and people."""

    def __init__(self, record_text: str, history_ids: Iterable[str] = (), history_people: Iterable[str] = ()) -> None:
        self.text = record_text.lower()
        self._words = set(re.findall(r"[\w-]+(?:\.[\w-]+)*", self.text))
        self.ids = {i.lower() for i in history_ids if i}
        # "OWNER/REPO#123" and "123" are the same GitHub bug to a reader.
        self.numbers = {i.rsplit("#", 1)[-1] for i in self.ids if i.rsplit("#", 1)[-1].isdigit()}
        self.people = {p.lower() for p in history_people if p}

    def knows_id(self, ref: re.Match[str]) -> bool:
        """True when the bug reference is in the record's text or the history."""
        number = ref.group("num") or ref.group("wnum")
        if number is not None:
            return number in self._words or number in self.numbers or number in self.ids
        key = ref.group("key")
        if key.split("-")[0] in _NOT_KEYS:
            return True
        return key.lower() in self._words or key.lower() in self.ids

    def knows_person(self, name: str) -> bool:
        """True when ``name`` is written in the record or is a person of the history."""
        lowered = name.lower().rstrip(".")
        return lowered in self.people or lowered in self._words or lowered in _SUBJECTS


def check_references(text: str, refs: References) -> tuple[str, GuardReport]:
    """``text`` with unknown bug ids and people replaced (see the module's rule), and what was replaced."""
    report = GuardReport()

    def bug(match: re.Match[str]) -> str:
        if refs.knows_id(match):
            return match.group(0)
        report.removed_ids.append(match.group(0))
        return "another bug"

    def person(match: re.Match[str]) -> str:
        name = match.group("name")
        if refs.knows_person(name):
            return match.group(0)
        report.removed_people.append(name)
        # At the start of a sentence the replacement keeps the capital letter.
        start = match.start() == 0 or text_before(match).rstrip()[-1:] in ".!?\n"
        word = "Someone" if start else "someone"
        return match.group(0).replace(f"@{name}", word).replace(name, word)

    def text_before(match: re.Match[str]) -> str:
        return match.string[: match.start()]

    text = _BUG_REF.sub(bug, text)
    text = _MENTION.sub(person, text)
    text = _SPEAKER.sub(person, text)
    text = _ASSIGNED.sub(person, text)
    return text, report


# -- degenerate output ------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"((?<=[.!?])\s+|\n+)")


def drop_repeated_sentences(text: str) -> str:
    """Keep the first occurrence of each sentence or line (case and spacing folded), separators unchanged."""
    pieces = _SENTENCE_END.split(text)
    seen: set[str] = set()
    out: list[str] = []
    for i in range(0, len(pieces), 2):
        key = " ".join(pieces[i].lower().split())
        if key and key in seen:
            continue
        seen.add(key)
        out.append(pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else ""))
    return "".join(out).strip()


def degenerate_reason(text: str) -> str | None:
    """Why ``text`` is no usable summary ("empty", "too short", "repetitive"), or None when it is fine."""
    words = text.split()
    if not words:
        return "empty"
    if len(words) < 5:
        return "too short"
    if len(words) >= 12:
        trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
        if len(set(trigrams)) / len(trigrams) < 0.5:
            return "repetitive"
    longest_run = max(len(m.group(0).split()) for m in re.finditer(r"\b(\S+)(?:\s+\1\b)*", text))
    if longest_run >= 4:  # "the the the the"
        return "repetitive"
    return None


def copied_share(text: str, source: str, n: int = 8) -> float:
    """Share of ``text``'s n-word sequences found verbatim in ``source``: near 1 means the model echoed its input."""
    words = text.lower().split()
    if len(words) < n:
        return 0.0
    source_words = source.lower().split()
    known = {tuple(source_words[i : i + n]) for i in range(len(source_words) - n + 1)}
    shingles = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return sum(1 for s in shingles if s in known) / len(shingles)


def echoed_share(text: str, instructions: str, n: int = 3) -> float:
    """Share of ``text``'s word n-grams (lower-cased, punctuation ignored) found in ``instructions``: near 1 means
    the model restated the prompt's instructions ("Positions: who thinks what ...") instead of following them."""
    words, source = re.findall(r"\w+", text.lower()), re.findall(r"\w+", instructions.lower())
    if len(words) < n:
        return 0.0
    known = {tuple(source[i : i + n]) for i in range(len(source) - n + 1)}
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return sum(1 for g in grams if g in known) / len(grams)


def trim_unfinished(text: str) -> str:
    """Drop a last sentence cut off by the token limit, when at least one whole sentence remains."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] in ".!?)\"'`":
        return stripped
    cut = max(stripped.rfind(". "), stripped.rfind(".\n"), stripped.rfind("! "), stripped.rfind("? "))
    return stripped[: cut + 1] if cut > len(stripped) // 3 else stripped
