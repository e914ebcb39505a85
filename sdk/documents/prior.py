"""Two topic signals from the knowledge base itself: how many other topics refer to a topic by its name (a
prior), and how much of a topic's name the question says (a title match). designqa's retriever adds both to its
fused scores; scriptgen's documentation grounding adds the title match, and a prior counted over the scripts of its
library (``chipmate.plugins.scriptgen.helpdocs.usage_prior``).

Documentation names the things that matter most again and again: Yosys's ``synth`` help lists ``proc``,
``flatten``, ``opt_expr`` and ``abc`` as its steps, ``techmap`` is referenced by a dozen commands, and nobody's help
refers to ``write_intersynth``. When a question matches several passages about equally well (an everyday phrasing
of "save the netlist as Verilog" is close to several writers), the one the rest of the documentation points at is
the better bet. The prior is the link-count idea of web search (in-links, PageRank) restricted to what a plain
documentation set has: a topic's name written as code in another topic's text (at the start of a line, as in a
script listing, or in quotes or backticks).

Only identifier-like topic names count (``opt_clean``, ``read_verilog``): a heading such as "Global placement" is
never written as code, so a knowledge base of prose gets no prior at all, and the ranking is left as it was.
The weight (``tasks.designqa.prior_weight``) was chosen on the Yosys development questions and checked on the
OpenROAD and EDA Corpus sets, which were never tuned on (docs/designqa.md, "Retrieval").

The title match (:func:`title_match`) is the old field-weighting idea of search engines (a hit in the title
counts more than one in the body): a question that says "write the design to a BLIF file" names both parts of
``write_blif``, while the passage of ``abc``, which talks about BLIF at length, has neither in its name. Each
name word counts by its rarity in the knowledge base (IDF), so a name made of a word every passage uses
(``design``) gains nearly nothing from a question that says "the design".
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from bm25s.stopwords import STOPWORDS_EN

from chipmate.documents.chunks import Chunk

#: a name that documentation would write as code
IDENTIFIER = re.compile(r"[A-Za-z_][\w.$-]*")
#: a word written as code: first on its line (a script listing) or opened by a quote or backtick
CODE_WORD = re.compile(r"^[ \t]*([A-Za-z_][\w.$-]*)|['`\"]([A-Za-z_][\w.$-]*)", re.M)
#: words a question is made of that say nothing about its topic: BM25's English stop words (the ones the lexical
#: search drops) plus the words questions are phrased with
QUESTION_WORDS = frozenset(STOPWORDS_EN) | frozenset(
    [
        "can",
        "do",
        "does",
        "how",
        "i",
        "its",
        "me",
        "my",
        "should",
        "so",
        "we",
        "what",
        "when",
        "where",
        "which",
        "would",
        "you",
        "your",
    ]
)
#: fewer references than this to the best-referenced topic, and the knowledge base gets no prior: too little signal
MIN_REFERENCES = 3


def mention_prior(chunks: Iterable[Chunk], name_of: Callable[[Chunk], str]) -> Mapping[str, float]:
    """``{topic name: prior in [0, 1]}``: log(1 + topics that write the name as code) over the best such count.
    Empty when no topic is referred to at least ``MIN_REFERENCES`` times."""
    words: dict[str, set[str]] = defaultdict(set)  # topic name -> code words of its text
    for chunk in chunks:
        name = name_of(chunk)
        words[name].update(a or b for a, b in CODE_WORD.findall(chunk.text))
    named = [name for name in words if IDENTIFIER.fullmatch(name)]
    counts = {name: 0 for name in named}
    for source, used in words.items():
        for name in used:
            if name in counts and name != source:
                counts[name] += 1
    if max(counts.values(), default=0) < MIN_REFERENCES:
        return {}
    return log_share(counts)


def log_share(counts: Mapping[str, int]) -> dict[str, float]:
    """``{name: log(1 + count) / log(1 + the best count)}`` for the names counted at least once: counts of
    references or uses squeezed into [0, 1], so the tenth reference adds less than the second."""
    best = max(counts.values(), default=0)
    if not best:
        return {}
    scale = math.log1p(best)
    return {name: math.log1p(count) / scale for name, count in counts.items() if count}


def rarity(document_frequency: int, size: int) -> float:
    """IDF in [0, 1] of a word ``document_frequency`` of ``size`` passages say: 1 for a word none says, ~0 for one
    all say."""
    return math.log((size + 1) / (document_frequency + 1)) / math.log(size + 1)


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` without question words; ``write_blif`` is two words."""
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in QUESTION_WORDS]


def same_word(a: str, b: str) -> bool:
    """Equal, or one a prefix of the other of at least 4 letters (``synth`` / ``synthesized``): a stemmer's job
    without a stemmer's table."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def title_match(question: list[str], name: str, rarity: Callable[[str], float]) -> float:
    """The share of ``name``'s words the ``question`` (its :func:`words`) says, each weighted by ``rarity`` (in
    [0, 1]); 0.0 when the name has no words."""
    parts = words(name)
    if not parts:
        return 0.0
    return sum(rarity(part) for part in parts if any(same_word(part, w) for w in question)) / len(parts)
