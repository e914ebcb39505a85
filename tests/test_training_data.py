"""Training data: plugins offer it through a hook, the host collects it, recipes read it without importing a plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from chipmate import hookimpl
from chipmate.config import Config
from chipmate.errors import ConfigError, PluginError
from chipmate.host import Host
from chipmate.training_data import CHAT, DOCUMENTS, PASSAGES, TextDocument, TrainingData


class Notes:
    """A plugin offering its notes as documents, with one option, told when a model was trained on them."""

    def __init__(self) -> None:
        self.hosts: list[Host] = []
        self.trained: list[dict] = []

    def on_trained(self, **arguments):
        self.trained.append(arguments)
        return "done"

    @hookimpl
    def chipmate_register_training_data(self, register, host):
        self.hosts.append(host)

        def read(upper: bool = False):
            for i, text in enumerate(["setup slack is negative", "hold fix with buffers"]):
                yield TextDocument(f"note {i}", text.upper() if upper else text, "notes")

        register(TrainingData("notes", DOCUMENTS, read, "team notes", {"upper": "shout"}, trained=self.on_trained))


@pytest.fixture
def notes(register_plugin):
    return register_plugin(Notes(), name="notes")


def test_hook_chipmate_register_training_data(notes):
    host = Host(Config())
    offers = host.training_data
    assert notes.hosts == [host]  # the hook gets the host that collects the offers
    offer = offers.get(DOCUMENTS, "notes")
    assert offer.plugin == "notes" and offer.description == "team notes"
    assert [d.text for d in offers.read(DOCUMENTS, "notes", upper=True)] == [
        "SETUP SLACK IS NEGATIVE",
        "HOLD FIX WITH BUFFERS",
    ]
    assert offers.trained(DOCUMENTS, "notes", model_dir="m", alias="a") == "done"
    assert notes.trained == [{"model_dir": "m", "alias": "a"}]
    assert host.training_data is offers  # collected once


def test_an_unknown_option_fails_before_reading_with_a_close_match(notes):
    offers = Host(Config()).training_data
    with pytest.raises(ConfigError, match="takes no option 'uper'") as exc:
        offers.read(DOCUMENTS, "notes", uper=True)
    assert "did you mean 'upper'" in exc.value.hint


def test_a_missing_offer_names_the_offers_there_are(notes):
    offers = Host(Config()).training_data
    with pytest.raises(ConfigError, match="no plugin offers documents named 'note'") as exc:
        offers.read(DOCUMENTS, "note")
    assert "did you mean 'notes'" in exc.value.hint and not offers.has(DOCUMENTS, "note")


def test_an_offer_made_twice_fails_at_registration(register_plugin):
    class Twice:
        @hookimpl
        def chipmate_register_training_data(self, register):
            register(TrainingData("x", DOCUMENTS, list))
            register(TrainingData("x", DOCUMENTS, list))

    register_plugin(Twice(), name="twice")
    with pytest.raises(PluginError, match="offered by both 'twice' and 'twice'"):
        Host(Config()).training_data.offers()


def test_an_offer_of_an_unknown_kind_fails_at_registration(register_plugin):
    class Odd:
        @hookimpl
        def chipmate_register_training_data(self, register):
            register(TrainingData("x", "videos", list))

    register_plugin(Odd(), name="odd")
    with pytest.raises(PluginError, match="of kind 'videos'"):
        Host(Config()).training_data.offers()


def test_a_plugin_failing_to_read_is_reported_as_its_bug(register_plugin):
    class Broken:
        @hookimpl
        def chipmate_register_training_data(self, register):
            def read():
                yield TextDocument("a", "b")
                raise KeyError("oops")

            register(TrainingData("broken", DOCUMENTS, read))

    register_plugin(Broken(), name="broken")
    with pytest.raises(PluginError, match="plugin 'broken' failed reading documents 'broken': KeyError") as exc:
        list(Host(Config()).training_data.read(DOCUMENTS, "broken"))
    assert "CHIPMATE_DISABLE_PLUGINS=broken" in exc.value.hint


def test_the_built_in_plugins_offer_their_data(tmp_path):
    offers = Host(Config()).training_data
    names = {(o.kind, o.name, o.plugin) for o in offers.offers()}
    assert {
        (DOCUMENTS, "yosys-help", "designqa"),
        (PASSAGES, "index", "designqa"),
        (DOCUMENTS, "scriptgen-library", "scriptgen"),
        (CHAT, "scriptgen-library", "scriptgen"),
        ("bugs", "bug-history", "bugtriage"),
    } <= names
    (tmp_path / "guide.md").write_text("# Timing\n\nRun report_checks after placement to see the worst paths.\n")
    passages = list(offers.read(PASSAGES, "files", paths=[str(tmp_path)], chunk_size=200, chunk_overlap=20))
    assert passages and passages[0].source.endswith("guide.md")
    assert "report_checks" in passages[0].embedding_text() and passages[0].embedding_text().startswith("Timing")


def test_scriptgen_offers_its_library_as_sft_chats():
    chats = Host(Config()).training_data.read(CHAT, "scriptgen-library", examples=0, source="seed")
    first = next(iter(chats))
    roles = [m["role"] for m in first["messages"]]
    assert roles[-1] == "assistant" and "user" in roles and first["messages"][-1]["content"].strip()


def test_disabling_a_plugin_withdraws_its_offers():
    code = "from chipmate.host import Host\nprint(sorted({o.plugin for o in Host().training_data.offers()}))\n"
    env = {**os.environ, "CHIPMATE_DISABLE_PLUGINS": "designqa"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "['bugtriage', 'scriptgen']"


# -- per-host plugin state -------------------------------------------------------------------------------------


def test_plugin_state_is_made_once_per_host_even_when_calls_race():
    made: list[Host] = []
    gate = threading.Barrier(8)

    def factory(host):
        made.append(host)
        return object()

    host, other = Host(Config()), Host(Config())
    results: list[object] = []

    def call():
        gate.wait()
        results.append(host.plugin_state("demo", factory))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [host] and len({id(r) for r in results}) == 1
    assert other.plugin_state("demo", factory) is not results[0] and made == [host, other]


def test_a_failing_factory_leaves_nothing_and_is_tried_again():
    host = Host(Config())
    calls = []

    def factory(h):
        calls.append(h)
        if len(calls) == 1:
            raise ConfigError("tasks.demo: bad")
        return "state"

    with pytest.raises(ConfigError):
        host.plugin_state("demo", factory)
    assert host.plugin_state("demo", factory) == "state" and len(calls) == 2


# -- the corpus recipe reads offers ----------------------------------------------------------------------------


def test_the_corpus_reads_plugin_sources_only_through_offers(notes, tmp_path):
    from chipmate.trainer.recipes.corpus import Config as CorpusConfig
    from chipmate.trainer.recipes.corpus import domain_docs, offered_docs, read_file
    from chipmate.training_data import TrainingDataRegistry

    offers = Host(Config()).training_data
    assert [(d.source, d.group, d.kind) for d in offered_docs(offers, "notes")] == [
        ("note 0", "notes", "domain"),
        ("note 1", "notes", "domain"),
    ]
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Clocks</h1><p>create_clock defines a clock.</p></body></html>")
    assert "create_clock defines a clock." in read_file(page, offers)  # converted by designqa's files offer
    nobody = TrainingDataRegistry()  # every plugin disabled
    assert read_file(page, nobody) is None  # no converter: the file is skipped, not read as markup
    cfg = CorpusConfig()
    cfg.sources.yosys_share = False
    with pytest.raises(ConfigError, match="no plugin offers documents named 'yosys-help'"):
        list(domain_docs(cfg, nobody))
    cfg.sources.yosys_help = False
    assert list(domain_docs(cfg, nobody)) == []  # scriptgen's library is optional: absent, nothing is read


def test_sft_reads_chat_offers_after_its_files(register_plugin, tmp_path):
    from chipmate.trainer.recipes.sft import Config as SftConfig
    from chipmate.trainer.recipes.sft import read_conversations

    class Chats:
        @hookimpl
        def chipmate_register_training_data(self, register):
            chat = [{"role": "user", "content": "flatten?"}, {"role": "assistant", "content": "flatten"}]
            register(TrainingData("demo-chats", CHAT, lambda: [{"messages": chat}]))

    register_plugin(Chats(), name="chats")
    data = tmp_path / "chat.jsonl"
    data.write_text('{"question": "synth?", "answer": "synth -top top"}\n')
    conversations = read_conversations([str(data)], None, ["demo-chats"])
    assert [c[-1]["content"] for c in conversations] == ["synth -top top", "flatten"]
    assert SftConfig(chat_offers=["demo-chats"]).data == []  # an offer alone is enough data
    with pytest.raises(ConfigError, match=r"data must list at least one JSONL file .*or chat_offers an offer"):
        SftConfig()
    with pytest.raises(ConfigError, match="no plugin offers chat named 'nope'"):
        read_conversations([], None, ["nope"])
