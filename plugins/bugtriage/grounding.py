"""Summaries say only what the record says: sentences with claims the record does not support are dropped.

A small model summarising a bug thread writes fluent sentences that the thread never said ("not defined in the
current version of OpenROAD", "caused by a specific macro", an error message in quotes that no log contains). Each
sentence of a generated summary is checked against the record's text; a sentence is **unsupported** when it has

- a quoted or back-quoted string that does not occur in the record (whitespace and case folded);
- a number, version or code (any word with a digit: ``2.0``, ``v1.3``, ``DRT-0305``) that is no word of the record;
- a name: a code-like word (``detailed_route``, ``src/upf``, ``CMake``, ``OpenROAD``, ``DRT``) or a capitalised
  word inside the sentence that the record does not contain;
- a cause (``because``, ``due to``, ``caused by``, ``since``, ``as a result of``, ``leads to``, ``the reason``) or
  a finding (``indicates that``, ``shows that``, ``means that``) whose words do not stand together (three in four)
  in one sentence of the record;
- "the manager" as an actor of a record that names no manager (the managerial prompt's reader, not a participant);
- a version, release or fix claim ("the current version", "fixed in", "was resolved") about a record that speaks
  of no version, release or fix; error messages ("the error messages indicate ...") of a record that shows none;
- mostly words of its own: two or more content words (words of four letters or more, apart from common English and
  the words a summary is asked to use, inflections folded) absent from the record, making over a third of them.

Unsupported sentences are dropped, and so are sentences that repeat an earlier one in other words (their content
words three-fifths the same, or, with four of them or more, one's nearly all inside the other's). The caller falls
back to sentences taken from the record when too little is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Words any summary may use without the record using them: common English, and the words the summary prompts ask
# for (problem, tool, step, positions, decisions, next step ...). Everything else must come from the record.
_COMMON_WORDS = """
    about above across actually after again against also although always among another anyone anything around
    because been before being below between both cannot could does doing done down during each either else
    enough even ever every first following from further given goes going have having here however into itself
    just keep know known least less like likely made main make makes making many maybe might more most much must
    need needed needs never next none not nothing often once only other others otherwise over perhaps please
    possible possibly quite rather really same seem seems several should show shows shown since some someone
    something still such sure take than that their them then there these they thing things this those
    though through thus together under unless until upon using used very want wants well were what when where
    whether which while whom whose will with within without would your yours also able unable currently instead
    again new old other problem problems issue issues error errors message messages tool tools flow step steps
    summary bug bugs thread report reports reported reporter user users engineer engineers manager team
    maintainer maintainers developer developers found finding findings tried trying tries attempt attempted
    suggest suggests suggested suggestion asked asks question questions answer answers answered reply replies
    replied discussion discussed decide decided decision decisions position positions none recorded yet mention
    mentioned mentions indicate indicates indicated explain explains explained follow investigate investigating
    check checking checked confirm confirmed clarify clarified works working work worked fails failing failed
    failure occurs occurred encountered happen happens happened result results running runs trying provide
    provided providing help helps helped related regarding information details detail point points thinks think
    thought believes says said states stated notes noted proposes proposed agrees agreed consider considered
    look looking looked appear appears appeared seems cause caused causes reason
"""
_COMMON = frozenset(_COMMON_WORDS.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*")
# A word with a digit: numbers, versions, error codes, sizes (10.1.243, v2.0, DRT-0305, 4GB).
_DIGITS = re.compile(r"(?<![\w.-])[\w.+/-]*\d[\w.+/-]*")
_QUOTED = re.compile(r"\"([^\"\n]{2,}?)\"|“([^”\n]{2,}?)”|`([^`\n]+?)`|(?<![\w])'([^'\n]{2,}?)'(?![\w])")
# Code-like names: snake_case, paths, dotted names, CamelCase or inner capitals, acronyms of two letters or more.
_CODE = re.compile(r"^(?:.*[_/:].*|\w+\.\w.*|.*[a-z].*[A-Z].*|[A-Z][A-Z0-9]+s?)$")
_CAUSE = re.compile(
    r"\b(?:because(?: of)?|due to|caused by|as a result of|results? from|resulting from|leads? to|led to|stems? from|"
    r"the (?:root )?cause (?:is|was|of \w+ (?:is|was))|the reason (?:is|was|for \w+ (?:is|was))|since)\b"
    r"(?P<clause>[^.;:!?]*)",
    re.IGNORECASE,
)
# "The error messages indicate that X", "the log shows that X": X is a finding, held to the standard of a cause.
_EVIDENCE = re.compile(
    r"\b(?:indicates?|indicated|indicating|shows?|showed|shown|suggests?|suggested|means?|meant)\s+that\b"
    r"(?P<clause>[^.;:!?]*)",
    re.IGNORECASE,
)
# The managerial prompt asks for a summary "for a manager"; a small model then makes "the manager" an actor.
_MANAGER = re.compile(r"\bmanagers?\b", re.IGNORECASE)
_VERSION_CLAIM = re.compile(r"\b(?:version|versions|release[sd]?|upgrad\w*|updated to)\b", re.IGNORECASE)
_VERSION_SUPPORT = re.compile(r"\b(?:version|release|upgrad|update|v?\d+\.\d+|commit|master|main branch)", re.I)
_FIX_CLAIM = re.compile(r"\b(?:fixed|fixes|resolved|solved|patched|merged)\b", re.IGNORECASE)
_FIX_SUPPORT = re.compile(r"\b(?:fix|resolv|solv|patch|merg|work(?:s|ed)|pull request|PR)", re.IGNORECASE)
# "The error messages indicate ..." about a thread with no error in it: the prompt asks for error messages, and a
# small model supplies some whether or not the record has any.
_ERROR_CLAIM = re.compile(r"\berror messages?\b|\b(?:errors?|logs?)\b[^.]*\b(?:indicate|show|say|report)s?\b", re.I)
_ERROR_SUPPORT = re.compile(
    r"error|fail|warn|exception|fatal|abort|segfault|segmentation|sigsegv|crash|traceback|assert|core dump|cannot|"
    r"can't|unable|not found|undefined|killed",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;()]|\s(?:but|which|while|whereas|although|so that)\s", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
# A managerial line's label ("Positions:", "- Next step:") or a bullet, kept in front of the sentences.
_LINE_HEAD = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*)?(?:(?:Positions?|Decisions?|Next steps?)\s*:\s*(?:\*\*)?)?", re.I)


_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ments", "ment", "ies", "ied", "es", "ed", "er", "ly", "s")


def fold(word: str) -> str:
    """A word with its inflection folded for matching only (``routing``/``routed``/``routes`` -> ``rout``)."""
    word = word.lower().strip("'’-")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _folded_text(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


@dataclass
class RecordSupport:
    """What a record says, indexed for checking summaries against it."""

    text: str
    words: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    sentences: list[set[str]] = field(default_factory=list)
    speaks_of_versions: bool = False
    speaks_of_fixes: bool = False
    speaks_of_errors: bool = False

    @classmethod
    def of(cls, text: str, known: Iterable[str] = ()) -> RecordSupport:
        """Index ``text`` (the record's title, posts, authors and logs); ``known`` are further words a summary may
        use (the history's bug ids and people, which the reference guard allows)."""
        words = {w.lower().strip("'’-") for w in re.findall(r"[\w.+/'’-]+", text)} | {k.lower() for k in known}
        words |= {part for w in list(words) for part in re.split(r"[^\w]+|_", w) if part}
        words |= {w.lower() for w in _WORD.findall(text)}
        sentences = [{fold(w) for w in _WORD.findall(s)} for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
        return cls(
            text=_folded_text(text),
            words=words,
            folded={fold(w) for w in words},
            sentences=sentences,
            speaks_of_versions=bool(_VERSION_SUPPORT.search(text)),
            speaks_of_fixes=bool(_FIX_SUPPORT.search(text)),
            speaks_of_errors=bool(_ERROR_SUPPORT.search(text)),
        )

    def has_token(self, token: str) -> bool:
        """True when ``token`` (a code, version or name) is a word of the record or stands in its text."""
        token = token.lower().strip(".,;:()[]'\"")
        if not token or token in self.words:
            return True
        pattern = rf"(?<![\w.]){re.escape(token)}(?![\w])" if any(c.isdigit() for c in token) else re.escape(token)
        return re.search(pattern, self.text) is not None

    def has_word(self, word: str) -> bool:
        """True when ``word`` or another inflection of it is in the record."""
        return word.lower() in self.words or fold(word) in self.folded


def content_words(sentence: str) -> list[str]:
    """The words of ``sentence`` that carry its content: four letters or more, not common English."""
    return [w for w in _WORD.findall(sentence) if len(w) >= 4 and w.lower().strip("'’-") not in _COMMON]


def unsupported_claims(sentence: str, support: RecordSupport) -> list[str]:
    """Why ``sentence`` says more than the record (see the module docstring); empty when the record supports it."""
    reasons: list[str] = []
    for match in _QUOTED.finditer(sentence):
        quoted = next(g for g in match.groups() if g is not None)
        if _folded_text(quoted).strip(" .") not in support.text:
            reasons.append(f"quotes {quoted!r}")
    # A speaker tag copied from the thread ("[maliberty] No, ...") must name someone of the record, and is no part
    # of the sentence's wording.
    tag = re.match(r"^\s*\[([^\]]*)\]\s*", sentence)
    if tag and not all(support.has_token(w) for w in _WORD.findall(tag.group(1))):
        reasons.append(f"names {tag.group(1)!r}")
    unquoted = _QUOTED.sub(" ", sentence[tag.end() :] if tag else sentence)
    for token in _DIGITS.findall(unquoted):
        token = token.rstrip(".,")
        if token and not support.has_token(token):
            reasons.append(f"names {token!r}")
    words = _WORD.findall(unquoted)
    for index, word in enumerate(words):
        bare = word.strip("'’-")
        if len(bare) < 2 or any(c.isdigit() for c in bare):
            continue
        capitalised_inside = index > 0 and bare[0].isupper() and bare.lower() not in _COMMON
        if (_CODE.match(bare) or capitalised_inside) and not support.has_token(bare):
            reasons.append(f"names {bare!r}")
    for pattern, what in ((_CAUSE, "a cause"), (_EVIDENCE, "a finding")):
        for match in pattern.finditer(unquoted):
            words = [fold(w) for w in content_words(match.group("clause"))]
            if words and not any(
                sum(w in s for w in words) >= max(1, round(0.75 * len(words))) for s in support.sentences
            ):
                reasons.append(f"gives {what} the record does not state ({match.group(0).strip()!r})")
    if _MANAGER.search(unquoted) and not _MANAGER.search(support.text):
        reasons.append("speaks of a manager the record does not mention")
    if _VERSION_CLAIM.search(unquoted) and not support.speaks_of_versions:
        reasons.append("speaks of a version the record does not mention")
    if _FIX_CLAIM.search(unquoted) and not support.speaks_of_fixes:
        reasons.append("claims a fix the record does not mention")
    if _ERROR_CLAIM.search(unquoted) and not support.speaks_of_errors:
        reasons.append("speaks of errors the record does not show")
    # The whole sentence, then each clause: "X, which is a common issue in GUI applications" adds a claim of its
    # own to a supported X.
    for part in [unquoted, *_CLAUSE.split(unquoted)]:
        content = content_words(part)
        novel = [w for w in content if not support.has_word(w)]
        if len(novel) >= 2 and len(novel) * 3 > len(content):
            reasons.append(f"uses words absent from the record ({', '.join(novel[:4])})")
            break
    return reasons


def _same_content(a: set[str], b: set[str]) -> bool:
    """Two sentences say the same thing: content words three-fifths shared, or the smaller nearly all inside."""
    if not a or not b:
        return a == b
    shared = len(a & b)
    # Containment only between sentences of some substance: two words in common is no repetition.
    return shared / len(a | b) >= 0.6 or (min(len(a), len(b)) >= 4 and shared / min(len(a), len(b)) >= 0.85)


def _repeat_key(sentence: str) -> set[str]:
    """The words two sentences are compared by: the content words, or all words of a short sentence ("No, there
    is no facility for that."), leaving out a speaker tag a model copies from the thread ("[maliberty] ...")."""
    body = re.sub(r"^\s*\[[^\]]*\]\s*", "", sentence)
    key = {fold(w) for w in content_words(body)}
    return key if len(key) >= 3 else {fold(w) for w in _WORD.findall(body)}


@dataclass
class GroundingReport:
    """What :func:`ground` removed."""

    unsupported: list[tuple[str, list[str]]] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    def note(self) -> str | None:
        """One line for the triage notes, or None when nothing was removed."""
        parts = []
        if self.unsupported:
            reasons = "; ".join(dict.fromkeys(r for _, why in self.unsupported for r in why[:1]))
            parts.append(f"{len(self.unsupported)} sentence(s) with claims absent from the record dropped ({reasons})")
        if self.repeated:
            parts.append(f"{len(self.repeated)} repeated sentence(s) dropped")
        return "; ".join(parts) or None


def ground(summary: str, support: RecordSupport) -> tuple[list[tuple[str, str]], GroundingReport]:
    """``summary``'s lines as (label, kept text) with unsupported and repeated sentences dropped, and what was.

    The label is a line's head ("Positions: ", "- ", or ""); a line whose sentences were all dropped keeps its
    label and an empty text, so the caller can fill it.
    """
    report = GroundingReport()
    seen: list[set[str]] = []
    lines: list[tuple[str, str]] = []
    for line in summary.splitlines():
        if not line.strip():
            continue
        head = _LINE_HEAD.match(line)
        label = head.group(0) if head else ""
        kept = []
        for sentence in _SENTENCE.split(line[len(label) :].strip()):
            if not sentence.strip():
                continue
            reasons = unsupported_claims(sentence, support)
            if reasons:
                report.unsupported.append((sentence, reasons))
                continue
            words = _repeat_key(sentence)
            if any(_same_content(words, earlier) for earlier in seen):
                report.repeated.append(sentence)
                continue
            seen.append(words)
            kept.append(sentence)
        lines.append((label, " ".join(kept)))
    return lines, report
