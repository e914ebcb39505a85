"""The model registry, the truncation policy and the stop-string filter: no real model needed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from chipmate import hookimpl
from chipmate.config import Config
from chipmate.errors import ConfigError, ModelNotFoundError, PluginError
from chipmate.host import Host
from chipmate.models import EMBEDDER, GENERATOR, ModelAlias, ModelBackend, ModelRegistry, StopFilter, fit_messages
from chipmate.models.base import Generation, Generator, TokenStream
from chipmate.plugins.backends import embedded_aliases


class FakeGenerator(Generator):
    """Echoes the last message word by word."""

    context_length = 64

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None):
        words = messages[-1]["content"].split()[:max_tokens]
        return TokenStream(iter(words), lambda: Generation(" ".join(words), 1, len(words), "stop"))

    def count_tokens(self, text):
        return len(text.split())


def counting_backend(loads: list[str], delay: float = 0.0) -> ModelBackend:
    def load(spec):
        loads.append(spec.alias)
        time.sleep(delay)  # widen the race window of concurrent first calls
        return FakeGenerator()

    return ModelBackend(name="fake", kind=GENERATOR, load=load, options={"size": "how big"})


def registry(models: dict[str, Any] | None, *backends: ModelBackend) -> ModelRegistry:
    reg = ModelRegistry(source="test.yaml")
    for item in (*backends, *Host(Config()).models.backends(), *embedded_aliases()):
        reg.register(item, plugin="test")
    reg.configure(models)
    return reg


def test_builtin_aliases_are_the_defaults():
    rows = {r["alias"]: r for r in Host(Config()).models.list()}
    assert rows["qwen2.5-coder-0.5b-instruct"]["kind"] == "generator"
    assert rows["qwen2.5-coder-0.5b-instruct"]["default"] is True
    assert rows["qwen2.5-coder-0.5b-instruct"]["backend"] == "ct2"
    assert rows["qwen2.5-coder-0.5b-instruct-hf"]["backend"] == "hf"
    assert rows["smollm2-135m-instruct"]["backend"] == "ct2" and not rows["smollm2-135m-instruct"]["default"]
    assert rows["smollm2-135m-instruct-hf"]["backend"] == "hf"
    assert rows["all-minilm-l6-v2"]["kind"] == "embedder"
    assert rows["all-minilm-l6-v2"]["default"] is True
    assert {r["backend"] for r in rows.values()} == {"ct2", "hf", "sentence-transformers"}


def test_config_default_replaces_the_builtin_one():
    reg = registry({"mine": {"backend": "fake", "default": True}}, counting_backend([]))
    assert reg.default_alias(GENERATOR) == "mine"
    assert reg.default_alias(EMBEDDER) == "all-minilm-l6-v2"
    assert isinstance(reg.generator(), FakeGenerator)


def test_a_plugin_alias_marked_default_wins_over_the_builtin_default(register_plugin):
    class Plugin:
        @hookimpl
        def chipmate_register_models(self, register):
            register(counting_backend([]))
            register(ModelAlias("team-coder", {"backend": "fake", "size": "m"}, default=True, description="ours"))

    register_plugin(Plugin(), name="team-models")
    reg = Host(Config()).models
    assert reg.default_alias(GENERATOR) == "team-coder"  # plugins are called before the trylast built-ins
    assert reg.default_alias(EMBEDDER) == "all-minilm-l6-v2"
    row = reg.info("team-coder")
    assert row["source"] == "<plugin team-models>" and row["options"] == {"size": "m"}
    assert isinstance(reg.generator(), FakeGenerator)
    # The config still has the last word: an entry of the same name replaces the plugin's alias.
    host = Host(Config(models={"team-coder": {"backend": "fake", "size": "xl"}}))
    assert host.models.info("team-coder")["options"] == {"size": "xl"}
    assert host.models.pullable() == [
        "all-minilm-l6-v2",
        "qwen2.5-coder-0.5b-instruct",
        "qwen2.5-coder-0.5b-instruct-hf",
        "smollm2-135m-instruct",
        "smollm2-135m-instruct-hf",
        "smollm2-135m-scriptgen",  # the scriptgen plugin's adapted SmolLM2
    ]


@pytest.mark.parametrize(
    ("alias", "fragment"),
    [
        (ModelAlias("nobackend", {"path": "/x"}), "without a 'backend'"),
        (ModelAlias("smollm2-135m-instruct", {"backend": "hf", "path": "/x"}), "both"),
    ],
)
def test_invalid_plugin_aliases_are_refused(register_plugin, alias, fragment):
    class Plugin:
        @hookimpl
        def chipmate_register_models(self, register):
            register(alias)

    register_plugin(Plugin(), name="bad-aliases")
    with pytest.raises(PluginError, match=fragment):
        Host(Config()).models  # noqa: B018 - collecting is the point


def test_models_work_with_the_backends_plugin_disabled_and_a_users_own():
    # The SDK's registry knows no model by name: a user's plugin can provide every backend and default.
    code = """
import os, sys
from chipmate import hookimpl, plugin_manager
from chipmate.errors import ModelNotFoundError
from chipmate.host import Host
from chipmate.models import GENERATOR, Generation, Generator, ModelAlias, ModelBackend, TokenStream

class Tiny(Generator):
    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None):
        return TokenStream(iter(["ok"]), lambda: Generation("ok", 1, 1, "stop"))
    def count_tokens(self, text):
        return 1

class Mine:
    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend("tiny", GENERATOR, lambda spec: Tiny()))
        register(ModelAlias("tiny-default", {"backend": "tiny"}, default=True))

plugin_manager.register(Mine(), name="mine")
models = Host().models
print([r["alias"] for r in models.list()], [b.name for b in models.backends()])
print(models.generator().generate([{"role": "user", "content": "hi"}]).text)
try:
    models.embedder()
except ModelNotFoundError as exc:
    print("no embedder:", exc)
"""
    env = {**os.environ, "CHIPMATE_DISABLE_PLUGINS": "backends"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "['tiny-default'] ['tiny']"
    assert lines[1] == "ok"
    assert lines[2].startswith("no embedder: no default embedder is configured (mark one embedder alias")


def test_unknown_backend_kind_lists_the_registered_kinds():
    with pytest.raises(ConfigError) as info:
        registry({"big": {"backend": "vllm", "path": "/x"}})
    assert "models.big.backend" in str(info.value)
    assert "hf, openai, sentence-transformers" in str(info.value)


def test_unknown_option_suggests_the_close_one():
    with pytest.raises(ConfigError, match="did you mean 'adapter'"):
        registry({"m": {"backend": "hf", "path": "/x", "adaptor": "/y"}})


def test_missing_required_option_is_named():
    with pytest.raises(ConfigError, match="needs 'model'"):
        registry({"remote": {"backend": "openai", "base_url": "http://127.0.0.1:1/v1"}})


def test_two_defaults_of_one_kind_are_refused():
    fake = counting_backend([])
    with pytest.raises(ConfigError, match="only one generator"):
        registry({"a": {"backend": "fake", "default": True}, "b": {"backend": "fake", "default": True}}, fake)


def test_unknown_alias_lists_the_known_ones():
    reg = Host(Config()).models
    with pytest.raises(ModelNotFoundError) as info:
        reg.generator("smollm2")
    assert "did you mean 'smollm2-135m-instruct'" in str(info.value)
    assert "all-minilm-l6-v2" in str(info.value)


def test_asking_for_the_wrong_kind_is_refused():
    with pytest.raises(ModelNotFoundError, match="is an embedder, not a generator"):
        Host(Config()).models.generator("all-minilm-l6-v2")


def test_backend_registered_twice_is_refused():
    reg = ModelRegistry()
    reg.register(counting_backend([]), plugin="one")
    with pytest.raises(PluginError, match="both 'one' and 'two'"):
        reg.register(counting_backend([]), plugin="two")


def test_backend_of_unknown_kind_is_refused():
    with pytest.raises(PluginError, match="kind must be"):
        ModelBackend(name="x", kind="reranker", load=lambda spec: None)


def test_concurrent_first_calls_load_a_model_once():
    loads: list[str] = []
    reg = registry({"m": {"backend": "fake"}}, counting_backend(loads, delay=0.2))
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(reg.generator("m"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["m"]
    assert len(got) == 8 and all(g is got[0] for g in got)
    assert next(r for r in reg.list() if r["alias"] == "m")["loaded"] is True


def test_hook_chipmate_register_models(register_plugin):
    loads: list[str] = []

    class Plugin:
        @hookimpl
        def chipmate_register_models(self, register):
            register(counting_backend(loads))

    register_plugin(Plugin(), name="fake-models")
    host = Host(Config(models={"tiny-fake": {"backend": "fake", "size": 3}}))
    rows = {r["alias"]: r for r in host.models.list()}
    assert rows["tiny-fake"]["plugin"] == "fake-models"
    assert host.models.generator("tiny-fake").generate([{"role": "user", "content": "a b c"}]).text == "a b c"
    assert host.models.info("tiny-fake")["options"] == {"size": 3}


def test_models_stay_lazy_no_torch_import():
    code = (
        "import sys; from chipmate.host import Host; from chipmate.config import Config; h = Host(Config()); "
        "h.models.list(); h.tasks; print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- truncation policy -----------------------------------------------------------------------------------------


def words(messages):
    return sum(len(m["content"].split()) + 1 for m in messages)


def cut_words(text, n):
    return " ".join(text.split()[n:])


def fit(messages, max_tokens, context):
    return fit_messages(messages, max_tokens=max_tokens, context_length=context, count=words, cut_left=cut_words)


def test_prompt_that_fits_is_untouched():
    msgs = [{"role": "user", "content": "one two three"}]
    fitted = fit(msgs, 4, 20)
    assert fitted.messages == msgs and fitted.max_tokens == 4 and not fitted.truncated


def test_oldest_turns_are_dropped_first_system_and_newest_kept():
    msgs = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "old " * 10},
        {"role": "assistant", "content": "older answer " * 5},
        {"role": "user", "content": "newest question"},
    ]
    fitted = fit(msgs, 5, 12)
    assert [m["content"] for m in fitted.messages] == ["be brief", "newest question"]
    assert fitted.dropped_turns == 2
    assert fitted.prompt_tokens + fitted.max_tokens <= 12


def test_oldest_user_message_is_cut_from_the_left():
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": " ".join(str(i) for i in range(50))}]
    fitted = fit(msgs, 10, 30)
    assert fitted.truncated
    assert fitted.messages[1]["content"].endswith("48 49")
    assert not fitted.messages[1]["content"].startswith("0 ")
    assert fitted.prompt_tokens + fitted.max_tokens <= 30


def test_max_tokens_shrinks_when_the_system_message_alone_is_too_long():
    msgs = [{"role": "system", "content": "x " * 25}, {"role": "user", "content": "hi"}]
    fitted = fit(msgs, 10, 30)
    assert fitted.max_tokens >= 1
    assert fitted.prompt_tokens + fitted.max_tokens <= 30 or fitted.overflow


def test_max_tokens_is_capped_below_the_context():
    assert fit([{"role": "user", "content": "a"}], 1000, 30).max_tokens <= 29


# -- stop strings ----------------------------------------------------------------------------------------------


def test_stop_filter_holds_back_a_split_stop_string():
    f = StopFilter(["END"])
    out = f.feed("abc E") + f.feed("N") + f.feed("D more")
    assert out == "abc " and f.stopped and f.text == "abc "


def test_stop_filter_releases_held_text_at_the_end():
    f = StopFilter(["STOP"])
    assert f.feed("abcST") + f.flush() == "abcST"
    assert not f.stopped


def test_no_stop_strings_passes_everything():
    f = StopFilter(None)
    assert f.feed("a") + f.feed("b") + f.flush() == "ab"


def test_server_preloads_models_after_serving(make_server):
    from grpc_health.v1 import health_pb2

    host = Host(Config())
    server = make_server(host, preload_models=["all-minilm-l6-v2"])
    check = health_pb2.HealthCheckRequest(service="")
    assert server.health.Check(check, None).status == health_pb2.HealthCheckResponse.SERVING
    deadline = time.monotonic() + 120
    while not any(row["alias"] == "all-minilm-l6-v2" and row["loaded"] for row in host.models.list()):
        assert time.monotonic() < deadline, "the embedder was never preloaded"
        time.sleep(0.1)


def test_unknown_preload_alias_fails_the_start(make_server):
    with pytest.raises(ModelNotFoundError, match="no model with alias 'nope'"):
        make_server(preload_models=["nope"])
