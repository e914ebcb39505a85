"""The designqa service of one Host: its settings, its knowledge base (configured, or the default built from
Yosys help into the user cache), and the ``designqa.ask`` handler.

Settings come from ``tasks.designqa`` in the chipmate config::

    tasks:
      designqa:
        index_dir: ~/kb/ours      # default: the Yosys-help knowledge base in the user cache
        embedder: null            # model alias; null = embedded all-MiniLM-L6-v2
        generator: null           # model alias; null = the default generator (qwen2.5-coder-0.5b-instruct)
        top_k: 8                  # passages per question (ChipNeMo used 8)
        min_score: 0.35           # cosine below which a passage does not count as an answer source
        dense_weight: 0.9         # fusion weight of the dense score (1.0 = dense only, 0.0 = BM25 only)
        prior_weight: 0.1         # weight of the topic prior: how often other topics cite a topic (prior.py)
        title_weight: 0.1         # weight of the title match: how much of a topic's name the question says
        mode: hybrid              # hybrid | dense | lexical
        diverse: true             # best passage of each section/command first, then the rest
        expand: true              # append spelled-out jargon/abbreviations to the query (expand.py)
        expansions: {}            # extra {abbreviation: expansion} terms for query expansion
        reranker: none            # none | generator | a cross-encoder dir (`chipmate train reranker`)
        rerank_depth: 20          # fused candidates the reranker reorders
        query_adapter: auto       # auto (the shipped one, default KB only) | none | a query_adapter.npz
        chunk_size: 512           # characters per passage when this config builds an index
        chunk_overlap: 64
        hnsw_threshold: 20000     # vectors above which the index is HNSW instead of flat
        max_tokens: 96            # longest generated answer, in tokens
        answer_passages: 3        # distinct sources (citations) an answer is written from
        answer_chars: 400         # length budget of an answer, generated or extractive
        answer_mode: extractive   # extractive: quotes only | auto: generate, check, fall back to quotes
        support_lexical: 0.6      # the support rule's thresholds (docs/designqa.md, "Answer modes")
        support_semantic: 0.6
        build_default: true       # build the Yosys-help KB in the background when a server starts

Over 400 lines on purpose: the one service object of a Host (settings, knowledge base, its background build,
the retriever's optional stages, the ask handler); its parts are short methods.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import Field, StringConstraints, model_validator

from chipmate.errors import BackendUnavailableError, CancelledError, ConfigError, InvalidInputError
from chipmate.sections import Section, invalid, task_settings

from .answer import AnswerSettings, answer
from .backends import embedder_alias, get_embedder, get_generator
from .index import IndexSettings, KnowledgeIndex
from .retrieve import DEFAULT_DENSE_WEIGHT, DEFAULT_PRIOR_WEIGHT, DEFAULT_TITLE_WEIGHT, HybridRetriever, Mode
from .writer import update_index

if TYPE_CHECKING:
    from chipmate.host import Host

log = logging.getLogger("chipmate.designqa")
AnswerMode = Literal["auto", "extractive"]
#: ``tasks.designqa.reranker`` when the config says nothing (docs/designqa.md, "Reranking", has the measurements)
RERANKER_DEFAULT = "none"
#: ``tasks.designqa.query_adapter`` when the config says nothing (docs/designqa.md, "Adapting the retriever")
QUERY_ADAPTER_DEFAULT = "auto"
#: values of ``tasks.designqa.answer_mode``
ANSWER_MODES: tuple[str, ...] = get_args(AnswerMode)
Term = Annotated[str, StringConstraints(min_length=1)]


class DesignQASettings(Section):
    """``tasks.designqa`` of the config, validated. Every default carries its reason in docs/designqa.md."""

    KEY = "tasks.designqa"

    index_dir: str | None = None
    embedder: str | None = None
    generator: str | None = None
    top_k: int = Field(default=8, ge=1, le=100)
    # a cosine similarity
    min_score: float = Field(default=0.35, ge=-1, le=1)
    dense_weight: float = Field(default=DEFAULT_DENSE_WEIGHT, ge=0, le=1)
    # Favour topics the rest of the knowledge base cites by name (prior.py); 0 turns it off.
    prior_weight: float = Field(default=DEFAULT_PRIOR_WEIGHT, ge=0, le=1)
    # Favour topics whose name the question says (prior.title_match); 0 turns it off.
    title_weight: float = Field(default=DEFAULT_TITLE_WEIGHT, ge=0, le=1)
    mode: Mode = "hybrid"
    # One passage per section (a command's help) before a second one of any: k results cover k topics.
    diverse: bool = True
    # Expand tool jargon and abbreviations in the question (expand.TERMS plus ``expansions``).
    expand: bool = True
    expansions: dict[Term, Term] | None = None
    # Reorder the fused top ``rerank_depth`` by relevance scores: "none", "generator" (query likelihood with the
    # generator: measured slower and worse) or a cross-encoder directory written by `chipmate train reranker`.
    # Off by default: a cross-encoder over 20 candidates costs the whole latency budget on 2 cores
    # (docs/designqa.md, "Reranking").
    reranker: str | None = RERANKER_DEFAULT
    rerank_depth: int = Field(default=20, ge=2, le=100)
    # Map the question's vector before the dense search: "auto" = the shipped Yosys-help adapter on the default
    # knowledge base with the default embedder (nothing elsewhere), "none", or a file written by
    # `chipmate train query-adapter`. "auto" by default: with the topic prior on, the shipped one gains hit@3 and
    # MRR and loses no hit@1 on the Yosys development questions (adapters/yosys-help-query/README.md).
    query_adapter: str | None = QUERY_ADAPTER_DEFAULT
    chunk_size: int = Field(default=512, ge=64)
    chunk_overlap: int = Field(default=64, ge=0)  # and below chunk_size/2
    hnsw_threshold: int = Field(default=20_000, ge=1)
    # A generated answer is one to three sentences; 96 tokens hold them, and every token costs ~0.15 s on 2 cores.
    max_tokens: int = Field(default=96, ge=1, le=4096)
    # Distinct sources in the prompt and the citations: each costs prompt time; three cover most questions.
    answer_passages: int = Field(default=3, ge=1, le=20)
    # Length budget of an answer in characters (generated answers stop at the sentence that reaches it).
    answer_chars: int = Field(default=400, ge=40)
    # "extractive": quotes of the cited passages, no generator; "auto": generate, check support, fall back to
    # quotes. Quotes by default, on measurement (benchmarks/results/designqa_answers.md): on EDA Corpus they score
    # higher against the reference answers than the embedded generator's answers and come in well under a second,
    # where a generated answer takes 6-20 s on a 2-core CPU. With a faster or larger generator, set "auto".
    answer_mode: AnswerMode = "extractive"
    # Support rule: share of a sentence's content words found in the cited passages that makes it supported...
    support_lexical: float = Field(default=0.6, ge=0, le=1)
    # ...or cosine to the closest passage sentence (with 30% of its words found) that does.
    support_semantic: float = Field(default=0.6, ge=-1, le=1)
    # Build the Yosys-help knowledge base in the background when a server starts and no index is configured.
    build_default: bool = True

    def answer_settings(self) -> AnswerSettings:
        """The keys that shape an answer."""
        return AnswerSettings(
            min_score=self.min_score,
            max_tokens=self.max_tokens,
            answer_passages=self.answer_passages,
            answer_chars=self.answer_chars,
            answer_mode=self.answer_mode,
            support_lexical=self.support_lexical,
            support_semantic=self.support_semantic,
        )

    def index_settings(self) -> IndexSettings:
        """Chunking and faiss settings for an index this config builds."""
        return IndexSettings(
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, hnsw_threshold=self.hnsw_threshold
        )

    @model_validator(mode="after")
    def _overlap_within_chunk(self) -> DesignQASettings:
        # An overlap of half a chunk or more would make every passage mostly a copy of its neighbour.
        if self.chunk_overlap >= self.chunk_size // 2:
            half = self.chunk_size // 2
            raise invalid("chunk_overlap", f"must be below chunk_size/2 ({half}), got {self.chunk_overlap}")
        return self


def default_index_dir(config: Any) -> Path:
    """Where the default knowledge base (Yosys help) lives: ``<cache>/designqa/yosys-help``."""
    return Path(config.cache_path()) / "designqa" / "yosys-help"


def served_index_dir(config: Any, settings: DesignQASettings | None = None) -> Path:
    """The knowledge base designqa answers from: ``tasks.designqa.index_dir``, else the default Yosys-help one
    (``settings``: the config's, when the caller has read them already)."""
    index_dir = (settings or task_settings(config, "designqa", DesignQASettings)).index_dir
    return Path(index_dir).expanduser() if index_dir else default_index_dir(config)


def knowledge_base_dirs(config: Any, extra: Any = ()) -> list[Path]:
    """The knowledge bases ``config`` knows of, for tools that list them (``chipmate mcp``'s resources): the one
    designqa serves (``tasks.designqa.index_dir``, else the default Yosys-help one), every other index under
    ``<cache>/designqa/`` (where the default is built), then the directories ``extra`` names. Each once, and only
    those that hold an index (a manifest)."""
    served = served_index_dir(config)
    cache = Path(config.cache_path()) / "designqa"
    in_cache = sorted(p for p in cache.iterdir() if p.is_dir()) if cache.is_dir() else []
    found: list[Path] = []
    for root in [served, *in_cache, *(Path(p).expanduser() for p in extra)]:
        if KnowledgeIndex.exists(root) and all(root.resolve() != seen.resolve() for seen in found):
            found.append(root)
    return found


class DesignQAService:
    """The knowledge base and the ask handler of one Host."""

    def __init__(self, host: Host | None) -> None:
        from chipmate.config import Config

        self.host = host
        self.config = getattr(host, "config", None) or Config()
        self.settings = task_settings(self.config, "designqa", DesignQASettings)
        self._retriever: HybridRetriever | None = None
        self._lock = threading.Lock()
        self._builder: threading.Thread | None = None
        self._build_fraction = 0.0
        self._stop_build = threading.Event()
        self._build_error: BaseException | None = None

    @property
    def index_dir(self) -> Path:
        """The configured index directory, or the default knowledge base's."""
        return served_index_dir(self.config, self.settings)

    @property
    def uses_default(self) -> bool:
        """True when no index is configured and the Yosys-help knowledge base is used."""
        return not self.settings.index_dir

    def embedder(self) -> Any:
        """The configured embedder (loaded once by the registry)."""
        return get_embedder(self.host, self.settings.embedder)

    def embedder_name(self) -> str:
        """The embedder's alias as recorded in index manifests."""
        return embedder_alias(self.host, self.settings.embedder)

    # -- the default knowledge base ---------------------------------------------------------------------------

    def ensure_default_kb(self) -> None:
        """Start building the Yosys-help knowledge base in the background when it is needed and missing, or was
        chunked by an older chipmate (the old one keeps answering until the new one is published)."""
        if not self.uses_default or not self.settings.build_default:
            return
        if KnowledgeIndex.exists(self.index_dir) and not self.default_kb_is_stale():
            return
        with self._lock:
            if self._builder is not None and self._builder.is_alive():
                return
            self._build_error = None
            self._build_fraction = 0.0
            self._stop_build.clear()
            self._builder = threading.Thread(target=self._build_default, name="designqa-default-kb", daemon=True)
            self._builder.start()

    def default_kb_is_stale(self) -> bool:
        """True when the default knowledge base holds Yosys help chunked other than ``yosys_help.CHUNKING``."""
        from chipmate.documents.yosys_help import CHUNKING

        try:
            index = KnowledgeIndex.open(self.index_dir)
        except ConfigError:
            return False  # unusable: retriever() reports it with its rebuild hint
        marks = [f for source, f in index.sources.items() if source.startswith("yosys help ")]
        return bool(marks) and not all(f.endswith(f"({CHUNKING})") for f in marks)

    def _build_default(self) -> None:
        from chipmate.documents.yosys_help import yosys_documents

        try:
            log.info("building the default designqa knowledge base (Yosys help) in %s", self.index_dir)
            embedder = self.embedder()
            self._check_stop()
            self._build_fraction = 0.02
            documents = yosys_documents(chunk_size=self.settings.chunk_size, chunk_overlap=self.settings.chunk_overlap)
            self._check_stop()
            self._build_fraction = 0.05

            def progress(fraction: float) -> None:
                # Between embedding slices: the index writer publishes nothing, so nothing is half-built.
                self._check_stop()
                self._build_fraction = 0.05 + 0.95 * fraction

            update_index(
                self.index_dir,
                embedder,
                add=documents,
                settings=self.settings.index_settings(),
                fresh=True,
                progress=progress,
                lock_timeout=600,
                name=self.embedder_name(),
            )
            log.info("default designqa knowledge base ready in %s", self.index_dir)
        except CancelledError as exc:  # a shutdown, not a failure: the next start builds again
            log.info("building the default designqa knowledge base stopped: %s", exc)
            self._build_error = exc
        except BaseException as exc:  # reported to callers of ask; the server keeps serving other tasks
            log.exception("building the default designqa knowledge base failed")
            self._build_error = exc

    def _check_stop(self) -> None:
        if self._stop_build.is_set():
            raise CancelledError("the default knowledge base build was stopped (the server is shutting down)")

    def stop_building(self, timeout: float = 120.0) -> None:
        """Stop a background build at its next embedding slice and wait for it (the server's shutdown).

        A daemon thread still inside torch when the interpreter exits can abort the process; stopping it first
        keeps a SIGTERM during the first start's build a clean exit. The next start builds again.
        """
        self._stop_build.set()
        self.wait_until_built(timeout)
        if self._builder is not None and self._builder.is_alive():
            log.warning("the default knowledge base build did not stop within %.0f s; exiting under it", timeout)

    def wait_until_built(self, timeout: float | None = None) -> None:
        """Block until a background build started by :meth:`ensure_default_kb` has finished."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)

    # -- retrieval ----------------------------------------------------------------------------------------------

    def retriever(self) -> HybridRetriever:
        """The retriever over the current generation of the index; BackendUnavailableError while it is built."""
        builder = self._builder
        if builder is not None and builder.is_alive() and not KnowledgeIndex.exists(self.index_dir):
            raise BackendUnavailableError(
                f"knowledge base is being built ({self._build_fraction:.0%})",
                hint="retry in a minute; the default knowledge base is built once, from Yosys help",
            )
        if self._build_error is not None and not KnowledgeIndex.exists(self.index_dir):
            raise BackendUnavailableError(
                f"building the default knowledge base failed: {self._build_error}",
                hint="see the server log, or build one with `chipmate index build --yosys-help`",
            )
        if self.uses_default and not KnowledgeIndex.exists(self.index_dir):
            # The handler can run without the server's startup hook (Host.run_task in a script): build now.
            self.ensure_default_kb()
            if self._builder is None:
                raise BackendUnavailableError(
                    f"no knowledge base at {self.index_dir}",
                    hint="build one with `chipmate index build --yosys-help`, or set tasks.designqa.index_dir",
                )
            raise BackendUnavailableError(
                f"knowledge base is being built ({self._build_fraction:.0%})",
                hint="retry in a minute; the default knowledge base is built once, from Yosys help",
            )
        with self._lock:
            if self._retriever is None:
                embedder = self.embedder()
                index = KnowledgeIndex.open(self.index_dir, embedder=embedder, name=self.embedder_name())
                self._retriever = HybridRetriever(
                    index,
                    embedder,
                    mode=self.settings.mode,
                    dense_weight=self.settings.dense_weight,
                    prior_weight=self.settings.prior_weight,
                    title_weight=self.settings.title_weight,
                    diverse=self.settings.diverse,
                    expand=self.settings.expand,
                    expansions=self.settings.expansions,
                    reranker=self.reranker(),
                    rerank_depth=self.settings.rerank_depth,
                    query_adapter=self.query_adapter(embedder),
                )
            else:
                self._retriever.refresh()
            return self._retriever

    def query_adapter(self, embedder: Any) -> Any:
        """The configured query adapter, checked against the KB's embedder, or None."""
        choice = (self.settings.query_adapter or "none").strip()
        if choice.lower() == "none":
            return None
        from .adapt import YOSYS_HELP_QUERY_ADAPTER, QueryAdapter

        if choice.lower() == "auto":
            # Trained on the Yosys-help passages as the embedded MiniLM embeds them: only that pairing.
            if not (self.uses_default and self.settings.embedder is None):
                return None
            adapter = QueryAdapter.load(YOSYS_HELP_QUERY_ADAPTER)
        else:
            adapter = QueryAdapter.load(Path(choice).expanduser())
        adapter.check(self.embedder_name(), int(getattr(embedder, "dimension", adapter.dimension)))
        return adapter

    def reranker(self) -> Any:
        """The configured reranker, or None (``auto`` off the default knowledge base, or ``none``)."""
        choice = (self.settings.reranker or "none").strip()
        if choice.lower() == "none":
            return None
        from .rerank import CrossEncoderReranker, GeneratorReranker

        if choice.lower() == "generator":
            return GeneratorReranker(get_generator(self.host, self.settings.generator))
        path = Path(choice).expanduser()
        # A LoRA reranker sits on the default embedder (the embedded MiniLM), which the model registry resolves.
        base = None
        if (path / "adapter_config.json").is_file() and self.host is not None:
            base = self.host.models.local_path(self.host.models.default_alias("embedder"))
        return CrossEncoderReranker(path, base_dir=base)

    # -- the task -----------------------------------------------------------------------------------------------

    def ask(self, input: dict[str, Any], ctx: Any) -> dict[str, Any]:
        """Handler of ``designqa.ask``: retrieve, then answer with citations (or say there is no answer)."""
        question = str(input.get("question", "")).strip()
        if not question:
            raise InvalidInputError("question is empty", hint="send a question such as 'what does opt_clean do?'")
        top_k = int(input.get("top_k") or 0) or self.settings.top_k
        retrieval_only = bool(input.get("retrieval_only", False))
        retriever = self.retriever()
        ctx.check()
        hits = retriever.search(question, top_k)
        ctx.progress(0.1, "retrieved passages")
        generator = None
        wanted = not retrieval_only and any(h.dense >= self.settings.min_score for h in hits)
        if wanted and self.settings.answer_mode != "extractive":
            generator = get_generator(self.host, self.settings.generator)
        return answer(
            question,
            hits,
            generator=generator,
            embedder=retriever.embedder,
            ctx=ctx,
            history=input.get("history") or [],
            settings=self.settings.answer_settings(),
            retrieval_only=retrieval_only,
        )


_hostless: DesignQAService | None = None
_hostless_lock = threading.Lock()


def service_for(host: Host | None) -> DesignQAService:
    """The service of ``host`` (its plugin state, created on first use); a shared one for handlers called without
    a host."""
    global _hostless
    if host is not None:
        return host.plugin_state("designqa", DesignQAService)
    with _hostless_lock:
        if _hostless is None:
            _hostless = DesignQAService(None)
        return _hostless
