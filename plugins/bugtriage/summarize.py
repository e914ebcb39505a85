"""Technical and managerial summaries of a bug record of any length (ChipNeMo's bug summarisation).

1. Shorten: paths, URLs, images, pasted logs (``shorten.py``).
2. If the record fits the model's prompt budget (``context_length`` minus the answer and the instructions,
   counted with the generator's own tokenizer), summarise it directly.
3. Otherwise summarise hierarchically: split it into chunks that fit (by post, then by line), write notes for
   each chunk, join the notes, and repeat on the notes until they fit; then summarise the notes. When the
   record would need more generator calls than ``max_calls``, its posts are first condensed extractively
   (lead sentences, then an even cut), so the cost stays bounded whatever the length.
4. Guard the output (``guard.py``): repeated sentences dropped, bug ids and people absent from the record and
   the history replaced; empty or repetitive output replaced by an extractive summary (a note says so).
5. Ground it (``grounding.py``): sentences whose names, quoted messages, numbers, versions or causes the record
   does not contain, and sentences repeating an earlier one in other words, are dropped; when too little is left
   the record's own sentences stand in (a note lists what was dropped and why).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chipmate.models import FINISH_LENGTH, FINISH_LOOP

from .grounding import RecordSupport, ground
from .guard import (
    References,
    check_references,
    copied_share,
    degenerate_reason,
    drop_repeated_sentences,
    echoed_share,
    trim_unfinished,
)
from .records import BugRecord
from .shorten import shorten_log, shorten_text

SYSTEM = (
    "You summarise chip-design bug reports and discussion threads. Use only facts stated in the text. "
    "Never invent names, bug numbers, versions or results."
)
TECHNICAL = (
    "{text}\n\nWrite a technical summary of this bug in 2 to 4 sentences for an engineer: the problem, the tool "
    "or flow step, the error messages, and what was found or tried so far."
)
MANAGERIAL = (
    "{text}\n\nSummarise this bug thread for a manager in exactly three short lines:\n"
    "Positions: who thinks what.\nDecisions: what was decided, or 'none yet'.\nNext step: what should happen next."
)
NOTES = (
    "This is part {part} of {parts} of a long bug thread.\n\n{text}\n\nWrite short notes of the facts in this part "
    "(errors, commands, versions, findings, opinions and decisions, each with who said it), at most 6 bullets."
)
# Tokens a chat template adds around the messages (role markers, separators).
TEMPLATE_OVERHEAD = 24
MAX_LEVELS = 4
# Output whose 8-word sequences come this much from the input is an echo, not a summary.
MAX_COPIED = 0.7
# Output whose word trigrams come this much from the instructions restates them (small models do) instead of
# answering; a real answer shares only the line labels ("Next step") with them.
MAX_ECHOED = 0.5
_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Summaries:
    """The summaries asked for, with notes on how they were made."""

    technical: str | None = None
    managerial: str | None = None
    notes: list[str] = field(default_factory=list)
    generator_calls: int = 0
    #: 0 = the record was summarised directly; n = n rounds of chunk notes
    levels: int = 0


def lead_sentences(text: str, n: int) -> str:
    """The first ``n`` sentences of ``text``'s prose (code blocks and logs left out)."""
    prose = " ".join(_CODE_BLOCK.sub(" ", text).split())
    return " ".join(_SENTENCE.split(prose)[:n]).strip()


def render_posts(record: BugRecord) -> list[str]:
    """The record as the model reads it: title, the report, each reply with its author, the logs; shortened."""
    posts = [f"Title: {record.title}"]
    if record.description:
        posts.append(f"[{record.reporter or 'reporter'} (reporter)] {shorten_text(record.description)}")
    posts += [f"[{c.author or 'unknown'}] {shorten_text(c.text)}" for c in record.comments if c.text]
    if record.logs:
        posts.append(f"[logs]\n{shorten_log(record.logs)}")
    return posts


def extractive_technical(record: BugRecord) -> str:
    """Title and lead sentences of the report, plus the first error line of the logs."""
    parts = [record.title.rstrip(".") + "."]
    lead = lead_sentences(record.description, 2)
    if lead:
        parts.append(lead)
    errors = [line for line in shorten_log(record.logs, 20).splitlines() if re.search(r"error|fatal|fail", line, re.I)]
    if errors:
        parts.append(f"Log: {errors[0].strip()}")
    return " ".join(parts)


def extractive_managerial(record: BugRecord) -> str:
    """Positions from each participant's first sentence, no decision claimed, next step from the last reply."""
    positions = []
    if record.description:
        positions.append(f"{record.reporter or 'the reporter'} reports: {lead_sentences(record.description, 1)}")
    seen = {record.reporter}
    for comment in record.comments:
        if comment.author not in seen and lead_sentences(comment.text, 1):
            seen.add(comment.author)
            positions.append(f"{comment.author or 'someone'}: {lead_sentences(comment.text, 1)}")
        if len(positions) >= 3:
            break
    last = lead_sentences(record.comments[-1].text, 1) if record.comments else ""
    next_step = f"follow up on the last reply ({last})" if last else "a first reply from an owner"
    if last and any(p.endswith(last) for p in positions):  # said once already: name whose reply, not its words
        next_step = f"follow up on the last reply, {record.comments[-1].author or 'someone'}'s"
    return f"Positions: {'; '.join(positions) or 'none stated'}\nDecisions: none recorded\nNext step: {next_step}"


class Summarizer:
    """Summaries of records with one generator; see the module docstring for the method."""

    def __init__(
        self,
        generator: Any,
        refs: References,
        *,
        max_tokens: int = 192,
        max_calls: int = 16,
        max_input_tokens: int = 2048,
        ctx: Any = None,
        progress: Callable[[str], None] | None = None,
        grounded: bool = True,
    ) -> None:
        self.generator = generator
        #: drop sentences the record does not support (step 5); off only to measure what it changes
        self.grounded = grounded
        self.refs = refs
        self.max_tokens = max_tokens
        self.max_calls = max(3, max_calls)
        self.max_input_tokens = max_input_tokens
        self.ctx = ctx
        self._progress = progress or (lambda message: None)

    def _count(self, text: str) -> int:
        return int(self.generator.count_tokens(text))

    def budget(self, template: str) -> int:
        """Tokens of record text that fit one prompt built from ``template``."""
        overhead = self._count(SYSTEM) + self._count(template.format(text="", part=1, parts=1)) + TEMPLATE_OVERHEAD
        return max(32, min(self.max_input_tokens, int(self.generator.context_length) - self.max_tokens - overhead))

    def _generate(self, template: str, text: str, summary: Summaries, **fields: Any) -> str:
        if self.ctx is not None:
            self.ctx.check()
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": template.format(text=text, **fields)},
        ]
        summary.generator_calls += 1
        generation = self.generator.generate(messages, max_tokens=self.max_tokens, temperature=0.0, ctx=self.ctx)
        text = generation.text.strip()
        # A generation cut by max_tokens or by the backend's loop guard ends mid-sentence: drop that sentence.
        return trim_unfinished(text) if generation.finish_reason in (FINISH_LENGTH, FINISH_LOOP) else text

    # -- splitting ---------------------------------------------------------------------------------------------

    def _pieces(self, unit: str, limit: int) -> list[str]:
        """``unit`` split at line ends (then at words) into pieces of at most ``limit`` tokens."""
        if self._count(unit) <= limit:
            return [unit]
        pieces: list[str] = []
        current: list[str] = []
        for line in unit.splitlines() or [unit]:
            if self._count(line) > limit:
                words = line.split()
                step = max(1, int(len(words) * limit / max(1, self._count(line))))
                lines = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
            else:
                lines = [line]
            for part in lines:
                if current and self._count("\n".join([*current, part])) > limit:
                    pieces.append("\n".join(current))
                    current = []
                current.append(part)
        if current:
            pieces.append("\n".join(current))
        return pieces

    def chunks(self, units: list[str], limit: int) -> list[str]:
        """Consecutive units packed into chunks of at most ``limit`` tokens (a long unit split first)."""
        out: list[str] = []
        current: list[str] = []
        for unit in units:
            for piece in self._pieces(unit, limit):
                if current and self._count("\n\n".join([*current, piece])) > limit:
                    out.append("\n\n".join(current))
                    current = []
                current.append(piece)
        if current:
            out.append("\n\n".join(current))
        return out

    def condense(self, units: list[str], limit: int, summary: Summaries) -> list[str]:
        """Units cut extractively until they need at most ``max_calls - 2`` chunks (map calls) of ``limit``."""
        allowed = (self.max_calls - 2) * limit
        total = self._count("\n\n".join(units))
        if total <= allowed:
            return units
        for sentences in (4, 2, 1):
            cut = [units[0], *(_lead_unit(u, sentences) for u in units[1:])]
            total = self._count("\n\n".join(cut))
            if total <= allowed:
                summary.notes.append(f"record condensed to the lead sentences of each post ({sentences}) first")
                return cut
        # Still too long (thousands of posts): an even share of characters for every post.
        share = max(80, int(len("\n\n".join(cut)) * allowed / total / max(1, len(cut))))
        summary.notes.append("record condensed to the start of each post first (too long to read whole)")
        return [u[:share] for u in cut]

    # -- summarising -------------------------------------------------------------------------------------------

    def material(self, record: BugRecord, summary: Summaries) -> str:
        """Text that fits one prompt: the record itself, or notes on it made chunk by chunk."""
        units = render_posts(record)
        limit = min(self.budget(TECHNICAL), self.budget(MANAGERIAL))
        if self._count("\n\n".join(units)) <= limit:
            return "\n\n".join(units)
        note_limit = self.budget(NOTES)
        units = self.condense(units, note_limit, summary)
        for level in range(1, MAX_LEVELS + 1):
            chunks = self.chunks(units, note_limit)
            summary.levels = level
            notes = []
            for i, chunk in enumerate(chunks, start=1):
                self._progress(f"summarising part {i} of {len(chunks)} (level {level})")
                if summary.generator_calls >= self.max_calls - 2:
                    notes.append(lead_sentences(chunk, 3))  # out of calls: keep the part's lead
                    continue
                text = drop_repeated_sentences(self._generate(NOTES, chunk, summary, part=i, parts=len(chunks)))
                notes.append(lead_sentences(chunk, 3) if degenerate_reason(text) else shorten_text(text))
            units = [f"Part {i}: {n}" for i, n in enumerate(notes, start=1)]
            joined = "\n\n".join(units)
            if self._count(joined) <= limit:
                return joined
            if len(chunks) == 1:
                break
        return self.chunks(units, limit)[0]

    def summarize(self, record: BugRecord, *, technical: bool = True, managerial: bool = True) -> Summaries:
        """The requested summaries of ``record``."""
        summary = Summaries()
        text = self.material(record, summary)
        for name, wanted, template, fallback in (
            ("technical", technical, TECHNICAL, extractive_technical),
            ("managerial", managerial, MANAGERIAL, extractive_managerial),
        ):
            if not wanted:
                continue
            self._progress(f"writing the {name} summary")
            raw = drop_repeated_sentences(self._generate(template, text, summary))
            reason = degenerate_reason(raw)
            if not reason and copied_share(raw, text) > MAX_COPIED:
                reason = "copied from the thread"
            elif not reason and echoed_share(raw, template.format(text="")) > MAX_ECHOED:
                reason = "a restatement of the instructions"
            if reason:
                summary.notes.append(f"{name} summary: the model's output was {reason}; an extractive summary is given")
                raw = fallback(record)
            checked, report = check_references(raw, self.refs)
            note = report.note()
            if note:
                summary.notes.append(f"{name} {note}")
            if self.grounded and not reason:
                checked = self._ground(name, checked, record, summary)
            setattr(summary, name, checked)
        return summary

    def _ground(self, name: str, text: str, record: BugRecord, summary: Summaries) -> str:
        """``text`` with the sentences the record does not support dropped (step 5); what is left too little is
        filled from the extractive summary: the whole of it for the technical summary, line by line (Positions,
        Decisions, Next step) for the managerial one."""
        known = [*self.refs.ids, *self.refs.numbers, *self.refs.people]
        support = RecordSupport.of("\n".join([record.full_text(), *render_posts(record)]), known)
        lines, report = ground(text, support)
        note = report.note()
        if note:
            summary.notes.append(f"{name} summary: {note}")
        if name == "technical":
            kept = "\n".join(f"{label}{body}" for label, body in lines if body)
            if degenerate_reason(kept):
                summary.notes.append("technical summary: too little was left; an extractive summary is given")
                return extractive_technical(record)
            return kept
        fallback = {_label_key(line): line for line in extractive_managerial(record).splitlines()}
        out = []
        for label, body in lines:
            if body:
                out.append(f"{label}{body}")
            elif _label_key(label) in fallback:
                out.append(fallback.pop(_label_key(label)))
        if degenerate_reason(" ".join(out)):
            summary.notes.append("managerial summary: too little was left; an extractive summary is given")
            return extractive_managerial(record)
        return "\n".join(out)


def _label_key(line: str) -> str:
    """ "positions", "decisions", "next step" for a managerial line's label, else ""."""
    match = re.match(r"[\s*•-]*(positions?|decisions?|next steps?)\s*:", line, re.IGNORECASE)
    return match.group(1).lower().rstrip("s") if match else ""


def _lead_unit(unit: str, sentences: int) -> str:
    head, _, body = unit.partition("] ")
    return f"{head}] {lead_sentences(body, sentences)}" if body else lead_sentences(unit, sentences)
