"""Training data of the retriever recipe: passages, synthetic (query, positive) pairs and mined hard negatives.

ChipNeMo's retriever data, step by step:

1. **Passages** come from the plugins' offers of ``passages`` training data (designqa's: a knowledge base,
   exactly what designqa searches; documents and folders chunked the way ``chipmate index build`` chunks them;
   Yosys's command help), read through the host: the trainer imports no plugin.
2. **Queries** are written from the passages themselves (:mod:`chipmate.trainer.recipes.synthetic`): questions
   from a generator model (a one-shot prompt, copies of the passage dropped) and/or keyphrase questions.
3. **Hard negatives** are mined with the current embedder and faiss: the passages nearest each query, minus the
   positive. Likely *false* negatives are dropped: passages of the positive's own source (two chunks of one
   command's help, or of one answer, both answer its questions) and any passage scoring at least the
   positive's score minus ``margin`` (NV-Retriever's positive-aware filter: it is as close as the answer, so
   it probably is one). The ``negatives`` best survivors are kept per query.

Over 400 lines on purpose: the retriever, reranker and query-adapter recipes share these data steps, so they live
in one module rather than in three copies.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from chipmate.errors import InvalidInputError
from chipmate.training_data import PASSAGES, Passage, TrainingDataRegistry, content_key

from ..progress import say
from .synthetic import (
    SyntheticQuery,
    clean_question,
    copies_passage,
    generated_queries,
    keyphrase_queries,
)


@dataclass
class TrainingPair:
    """One training example: a query, the passage that answers it, and passages that do not."""

    query: str
    #: position of the answering passage in the passage list
    positive: int
    negatives: list[int] = field(default_factory=list)
    #: "generated" or "keyphrase": where the query came from
    origin: str = "generated"


def load_passages(
    offers: TrainingDataRegistry,
    *,
    index_dir: str | None = None,
    paths: Sequence[str] = (),
    yosys_help: bool = False,
    chunk_size: int = 512,
    chunk_overlap: int = 64,
) -> list[Passage]:
    """The passages to train on, from the plugins' ``passages`` offers (``host.training_data``): a knowledge base's
    passages (``index``), documents chunked as ``chipmate index`` does (``files``), and/or Yosys help
    (``yosys-help``); duplicates (case and whitespace folded) once."""
    chunks: list[Passage] = []
    if index_dir:
        chunks.extend(offers.read(PASSAGES, "index", index_dir=index_dir))
    chunking = {"chunk_size": chunk_size, "chunk_overlap": chunk_overlap}
    if paths:
        chunks.extend(offers.read(PASSAGES, "files", paths=list(paths), **chunking))
    if yosys_help:
        chunks.extend(offers.read(PASSAGES, "yosys-help", **chunking))
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        key = content_key(chunk.text)
        if key not in seen:
            seen.add(key)
            unique.append(chunk)
    if not unique:
        raise InvalidInputError(
            "no passages to train the retriever on",
            hint="set index_dir (a designqa index), paths (documents or folders) or yosys_help: true",
        )
    return unique


def read_questions(path: Path, chunks: Sequence[Passage]) -> tuple[list[SyntheticQuery], set[int]]:
    """Usable questions saved in ``path`` (``{"chunk_id", "question"}`` lines) for passages still present, and the
    passages the file covers (a ``null`` question records a passage that yielded none, so it is not asked again)."""
    position = {c.id: i for i, c in enumerate(chunks)}
    queries = []
    covered: set[int] = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("chunk_id") not in position:
                continue
            gold = position[row["chunk_id"]]
            covered.add(gold)
            question = clean_question(row.get("question") or "")
            if question and not copies_passage(question, chunks[gold].text):
                queries.append(SyntheticQuery(question, gold))
    return queries, covered


def write_question(fh: Any, chunk: Passage, question: str | None) -> None:
    """Append one generated question (None: the passage yielded none) to an open questions file, flushed so an
    interrupted run keeps its work."""
    fh.write(json.dumps({"chunk_id": chunk.id, "question": question}) + "\n")
    fh.flush()


def generation_targets(passages: int, limit: int, seed: int) -> list[int]:
    """The passages the generator writes questions for: all, or a seeded sample of ``limit`` in index order."""
    if limit <= 0 or limit >= passages:
        return list(range(passages))
    return sorted(random.Random(seed).sample(range(passages), limit))


def make_queries(
    chunks: Sequence[Passage],
    *,
    generator: Any = None,
    generated_per_passage: int = 1,
    keyphrase_per_passage: int = 2,
    questions_file: Path | None = None,
    seed: int = 0,
    show_progress: bool = False,
    stats: dict[str, int] | None = None,
    generate_for: Sequence[int] | None = None,
) -> list[tuple[SyntheticQuery, str]]:
    """Synthetic queries with their origin. Generated questions are read from ``questions_file`` and only the
    passages without any are sent to ``generator`` (so an interrupted run resumes); new ones are appended.
    Duplicates (case and spacing folded) are dropped; ``stats`` receives ``written`` and ``duplicates``."""
    queries: list[tuple[SyntheticQuery, str]] = []
    if generated_per_passage > 0:
        done, covered = read_questions(questions_file, chunks) if questions_file is not None else ([], set())
        positions = range(len(chunks)) if generate_for is None else generate_for
        missing = [i for i in positions if i not in covered]
        if missing and generator is not None:
            from ..progress import progress_iter  # a bar on a terminal, plain lines in a log

            fh = open(questions_file, "a", encoding="utf-8") if questions_file is not None else None  # noqa: SIM115 - closed in the finally below
            try:
                for position in progress_iter(missing, "writing questions", unit="passage", enabled=show_progress):
                    made = generated_queries(chunks, generator, per_passage=generated_per_passage, positions=[position])
                    done += made
                    if fh is not None:
                        for query in made or [None]:
                            write_question(fh, chunks[position], query.text if query else None)
            finally:
                if fh is not None:
                    fh.close()
        queries += [(q, "generated") for q in done]
    if keyphrase_per_passage > 0:
        heuristic = keyphrase_queries(chunks, per_chunk=keyphrase_per_passage, seed=seed, drop_section=True)
        queries += [(q, "keyphrase") for q in heuristic]
    seen: set[str] = set()
    unique = []
    for query, origin in queries:
        key = " ".join(query.text.lower().split())
        if key not in seen:
            seen.add(key)
            unique.append((query, origin))
    if stats is not None:
        stats["written"] = len(queries)
        stats["duplicates"] = len(queries) - len(unique)
    return unique


def answerable(
    queries: Sequence[tuple[SyntheticQuery, str]],
    chunks: Sequence[Passage],
    embedder: Any,
    vectors: np.ndarray,
    *,
    depth: int = 20,
    groups: Sequence[str] | None = None,
) -> tuple[list[tuple[SyntheticQuery, str]], int]:
    """The queries whose own passage answers them by the round-trip check, and how many were dropped.

    A question written from a passage is kept when the current embedder ranks that passage, or another passage
    of its group (its source: a command's help), within the ``depth`` nearest of all passages. One that misses
    is usually vague ("what does this option do?"), about something the passage only mentions, or a
    generator's slip; training on it teaches the model to match noise (round-trip filtering, as in
    Promptagator and ChipNeMo's synthetic data). ``vectors``: the passages embedded by ``embedder``.
    """
    import faiss

    if not queries:
        return [], 0
    groups = list(groups) if groups is not None else same_source_groups(chunks)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    query_vectors = np.asarray(embedder.embed([q.text for q, _ in queries]), dtype=np.float32)
    _, ids = index.search(query_vectors, min(len(chunks), depth))
    kept = []
    for item, row in zip(queries, ids, strict=True):
        wanted = groups[item[0].gold]
        if any(int(i) >= 0 and groups[int(i)] == wanted for i in row):
            kept.append(item)
    return kept, len(queries) - len(kept)


class CheckedQuestions(NamedTuple):
    """What :func:`passages_and_questions` hands a recipe (a tuple, so a recipe can unpack it and drop the
    embedder and the vectors when it no longer needs them)."""

    chunks: list[Passage]
    #: the questions that passed the checks, with their origin ("generated" or "keyphrase")
    queries: list[tuple[SyntheticQuery, str]]
    #: each passage's source (a command's help): passages of one group answer each other's questions
    groups: list[str]
    #: written, duplicates, unanswerable, kept
    checked: dict[str, int]
    #: the embedder the questions were checked with, and the passages it embedded
    embedder: Any
    vectors: np.ndarray


def passages_and_questions(
    config: Any,
    host: Any,
    out: Path,
    label: str,
    *,
    embed: Callable[[list[Passage], int], tuple[Any, np.ndarray]],
    show_progress: bool,
    write_questions: bool = True,
) -> CheckedQuestions:
    """Steps 1 and 2 of every retrieval recipe (retriever, reranker, query adapter): the passages of the plugins'
    offers, the questions (generated ones cached in ``questions_file``, default ``out/questions.jsonl``, so a
    second run or a resume writes none), and the answerability check.

    ``config`` is a recipe's config (it reads the fields the three share: index_dir, paths, yosys_help,
    chunk_size, chunk_overlap, questions_file, generated_per_passage, keyphrase_per_passage,
    max_generated_passages, generator, seed, answerable_depth). ``embed(chunks, questions)`` returns the
    embedder the check uses and the passages' vectors by it (called once the questions are made: a recipe may
    load its embedder there, after the generator has done its work). ``write_questions`` false uses only the
    questions already in the file. ``label`` names the recipe in the progress lines.
    """
    harvest = " (harvesting Yosys help: a minute or two)" if config.yosys_help else ""
    say(f"train {label}: reading the passages{harvest}")
    chunks = load_passages(
        host.training_data,
        index_dir=config.index_dir,
        paths=config.paths,
        yosys_help=config.yosys_help,
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
    )
    questions = Path(config.questions_file).expanduser() if config.questions_file else out / "questions.jsonl"
    generator = None
    targets = generation_targets(len(chunks), config.max_generated_passages, config.seed)
    if config.generated_per_passage > 0 and write_questions:
        covered = read_questions(questions, chunks)[1]
        if any(i not in covered for i in targets):
            generator = host.models.generator(config.generator)
    checked: dict[str, int] = {}
    queries = make_queries(
        chunks,
        generator=generator,
        generated_per_passage=config.generated_per_passage,
        keyphrase_per_passage=config.keyphrase_per_passage,
        generate_for=targets,
        questions_file=questions,
        seed=config.seed,
        show_progress=show_progress,
        stats=checked,
    )
    embedder, vectors = embed(chunks, len(queries))
    groups = [c.source for c in chunks]
    checked["unanswerable"] = 0
    if config.answerable_depth:
        queries, checked["unanswerable"] = answerable(
            queries, chunks, embedder, vectors, depth=config.answerable_depth, groups=groups
        )
    checked["kept"] = len(queries)
    say(
        f"train {label}: questions {checked['written']} written, {checked['duplicates']} duplicates and "
        f"{checked['unanswerable']} unanswerable dropped, {checked['kept']} kept"
    )
    if not queries:
        raise InvalidInputError(
            "no question survived the checks (duplicates, answerable by its passage)",
            hint="generate more questions (generated_per_passage) or set answerable_depth: 0",
        )
    return CheckedQuestions(chunks, queries, groups, checked, embedder, vectors)


def same_source_groups(chunks: Sequence[Passage]) -> list[str]:
    """The false-negative group of each passage: its source (all chunks of one file, one command's help)."""
    return [c.source for c in chunks]


def mine_hard_negatives(
    queries: Sequence[tuple[SyntheticQuery, str]],
    chunks: Sequence[Passage],
    embedder: Any,
    *,
    negatives: int = 3,
    depth: int = 30,
    margin: float = 0.05,
    groups: Sequence[str] | None = None,
    vectors: np.ndarray | None = None,
) -> list[TrainingPair]:
    """Pairs with up to ``negatives`` hard negatives each, mined with ``embedder`` over faiss (exact inner product).

    Candidates are the ``depth`` nearest passages of the query; dropped as likely false negatives: the positive,
    passages of the positive's group (``groups``, default its source) or with the positive's text, and passages
    scoring ≥ the positive's score − ``margin``. ``vectors``: the passages already embedded by ``embedder``.
    """
    import faiss

    if not queries:
        return []
    groups = list(groups) if groups is not None else same_source_groups(chunks)
    keys = [content_key(c.text) for c in chunks]
    vectors = passage_vectors(embedder, chunks) if vectors is None else vectors
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    query_vectors = np.asarray(embedder.embed([q.text for q, _ in queries]), dtype=np.float32)
    scores, ids = index.search(query_vectors, min(len(chunks), depth + 1))
    pairs = []
    for (query, origin), vector, row_scores, row_ids in zip(queries, query_vectors, scores, ids, strict=True):
        positive = query.gold
        positive_score = float(vector @ vectors[positive])
        kept: list[int] = []
        for score, candidate in zip(row_scores, row_ids, strict=True):
            candidate = int(candidate)
            if candidate < 0 or candidate == positive:
                continue
            if groups[candidate] == groups[positive] or keys[candidate] == keys[positive]:
                continue
            if score >= positive_score - margin:
                continue
            kept.append(candidate)
            if len(kept) == negatives:
                break
        pairs.append(TrainingPair(query.text, positive, kept, origin))
    return pairs


def split_dev(
    pairs: Sequence[TrainingPair], fraction: float, *, seed: int = 0, origin: str = "generated"
) -> tuple[list[TrainingPair], list[TrainingPair]]:
    """(train, dev): ``fraction`` of the ``origin`` queries held out to measure the retriever during training.

    Held-out queries are of the kind that resembles a user's (generated, when there are any); their passages stay
    in training through other queries, as a user's documents do.
    """
    candidates = [i for i, p in enumerate(pairs) if p.origin == origin] or list(range(len(pairs)))
    rng = random.Random(seed)
    dev_ids = set(rng.sample(candidates, round(len(candidates) * fraction))) if fraction > 0 else set()
    train = [p for i, p in enumerate(pairs) if i not in dev_ids]
    dev = [p for i, p in enumerate(pairs) if i in dev_ids]
    return train, dev


def write_pairs(path: Path, pairs: Iterable[TrainingPair], chunks: Sequence[Passage]) -> None:
    """The training pairs as JSON lines, with passage ids, for inspection."""
    with open(path, "w", encoding="utf-8") as fh:
        for pair in pairs:
            row = {
                "query": pair.query,
                "origin": pair.origin,
                "positive": chunks[pair.positive].id,
                "negatives": [chunks[n].id for n in pair.negatives],
            }
            fh.write(json.dumps(row) + "\n")


def passage_vectors(embedder: Any, chunks: Sequence[Passage]) -> np.ndarray:
    """The passages' vectors as the index embeds them (section line first)."""
    return np.asarray(embedder.embed([c.embedding_text() for c in chunks]), dtype=np.float32)


def dev_metrics(
    embedder: Any, pairs: Sequence[TrainingPair], chunks: Sequence[Passage], vectors: np.ndarray | None = None
) -> dict[str, float]:
    """Dense hit@1/5/10 and MRR@10 of the dev queries over every passage (``vectors``: already embedded)."""
    if not pairs:
        return {}
    passages = passage_vectors(embedder, chunks) if vectors is None else vectors
    queries = embedder.embed([p.query for p in pairs])
    scores = queries @ passages.T
    gold = np.array([p.positive for p in pairs])
    ranks = (scores > scores[np.arange(len(pairs)), gold][:, None]).sum(axis=1)
    return {
        "hit@1": float((ranks < 1).mean()),
        "hit@5": float((ranks < 5).mean()),
        "hit@10": float((ranks < 10).mean()),
        "mrr@10": float(np.where(ranks < 10, 1.0 / (ranks + 1), 0.0).mean()),
    }


def batches(
    pairs: Sequence[TrainingPair], groups: Sequence[str], batch_size: int, seed: int
) -> list[list[TrainingPair]]:
    """Shuffled batches in which no two queries share a positive source: another query's positive must be a true
    in-batch negative. Depends only on ``seed`` (the epoch's), so a resumed run sees the same batches."""
    order = list(pairs)
    random.Random(seed).shuffle(order)
    out: list[list[TrainingPair]] = []
    open_batches: list[tuple[list[TrainingPair], set[str]]] = []
    for pair in order:
        group = groups[pair.positive]
        for batch, used in open_batches:
            if group not in used:
                batch.append(pair)
                used.add(group)
                if len(batch) == batch_size:
                    out.append(batch)
                    open_batches.remove((batch, used))
                break
        else:
            open_batches.append(([pair], {group}))
    out.extend(batch for batch, _ in open_batches if len(batch) >= 2)
    random.Random(seed + 1).shuffle(out)
    return out


def training_columns(
    batch: Sequence[TrainingPair], chunks: Sequence[Passage], negatives: int, groups: Sequence[str], *, seed: int
) -> list[list[str]]:
    """[queries, positives, negatives_1, ...]: every column as long as the batch (MNRL's layout). A query with
    fewer mined negatives gets random passages of other sources in the empty slots."""
    rng = random.Random(seed)
    columns = [[p.query for p in batch], [chunks[p.positive].embedding_text() for p in batch]]
    for slot in range(negatives):
        column = []
        for pair in batch:
            if slot < len(pair.negatives):
                column.append(chunks[pair.negatives[slot]].embedding_text())
                continue
            while True:
                other = rng.randrange(len(chunks))
                if groups[other] != groups[pair.positive]:
                    break
            column.append(chunks[other].embedding_text())
        columns.append(column)
    return columns
