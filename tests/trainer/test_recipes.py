"""The recipes' small versions on a tiny config-built Llama: corpus, tokenizer, DAPT, SFT, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from recipe_fixtures import DOMAIN, GENERAL

from chipmate.cli import cli
from chipmate.errors import ConfigError, InvalidInputError
from chipmate.models.store import read_aliases, store_path
from chipmate.trainer.data import IGNORE, chat_example, pack_documents, packed_batches
from chipmate.trainer.recipes import corpus as corpus_recipe
from chipmate.trainer.recipes import dapt, load_recipe_config, sft, tokenizer

TINY_TRAIN = {"train.batch_size": 2, "train.seq_len": 32, "train.grad_accum_steps": 1, "train.progress": False}


def invoke(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{") :])


def sets(values: dict) -> list[str]:
    return [arg for key, value in values.items() for arg in ("--set", f"{key}={value}")]


# -- corpus ------------------------------------------------------------------------------------------------------


def test_corpus_dedupes_filters_splits_and_mixes_general_text(tmp_path):
    docs, general = tmp_path / "docs", tmp_path / "general"
    docs.mkdir(), general.mkdir()
    for i, text in enumerate(DOMAIN * 3):
        (docs / f"note{i}.txt").write_text(f"{text}\n\n{text} variant {i % len(DOMAIN)}\n" * 4)
    (docs / "copy.md").write_text((docs / "note0.txt").read_text())  # exact duplicate
    (docs / "renumbered.md").write_text((docs / "note1.txt").read_text().replace("1", "7"))  # near duplicate
    (docs / "stub.txt").write_text("too short")
    (docs / "blob.v").write_bytes(b"\0\1\2" * 200)  # binary under a source name
    for i, text in enumerate(GENERAL * 5):
        (general / f"g{i}.txt").write_text(f"{text} {i}\n" * 6)
    values = {"sources.yosys_help": False, "sources.yosys_share": False, "sources.scriptgen_library": False,
              "sources.dirs": f"[{docs}]",
              "general.sources": f"[{general}]", "general.validation_chars": 300, "tokenizer": "null",
              "validation_fraction": 0.3, "progress": False}  # fmt: skip
    report = invoke("corpus", "build", "--out-dir", str(tmp_path / "out"), *sets(values))
    assert report["dropped"]["exact duplicate"] >= 1 and report["dropped"]["near duplicate"] >= 1
    assert report["dropped"]["too short"] >= 1
    rows = [json.loads(line) for f in sorted((tmp_path / "out").glob("*.jsonl")) for line in f.open()]
    assert {r["kind"] for r in rows} == {"domain", "general"}
    assert not any("\0" in r["text"] for r in rows)
    train_sources = {r["source"] for r in rows if r["id"] and (tmp_path / "out" / "train-00000.jsonl").exists()}
    val = [json.loads(line) for line in (tmp_path / "out" / "validation-00000.jsonl").open()]
    train = [json.loads(line) for line in (tmp_path / "out" / "train-00000.jsonl").open()]
    assert val and train and not {r["source"] for r in val} & {r["source"] for r in train}  # split per document
    assert train_sources
    assert any(r["kind"] == "general" for r in val)  # general validation held out first
    assert 0.05 < report["general_share"] < 0.3
    assert (tmp_path / "out" / "report.md").read_text().startswith("# Corpus report")


def test_bad_corpus_config_names_the_file_and_key(tmp_path):
    recipe = tmp_path / "corpus.yaml"
    recipe.write_text("sources:\n  yosys_hlp: true\n")
    with pytest.raises(ConfigError, match=r"corpus\.yaml: unknown key 'sources\.yosys_hlp'.*did you mean 'yosys_help'"):
        load_recipe_config(corpus_recipe.Config, recipe, {}, "corpus")
    with pytest.raises(ConfigError, match=r"general\.share must be in \[0, 1\)"):
        load_recipe_config(corpus_recipe.Config, None, {"general.share": 1.5}, "corpus")


def test_pieces_cut_long_documents_at_paragraphs():
    text = "\n\n".join(f"paragraph {i} " + "x" * 90 for i in range(30))
    cut = corpus_recipe.pieces(text, 500)
    assert all(len(p) <= 500 for p in cut) and "".join(cut).replace("\n", "") == text.replace("\n", "")


# -- packing -----------------------------------------------------------------------------------------------------


def test_packing_puts_eos_between_documents_and_windows_are_a_pure_function(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    tokens = pack_documents(tok, ["abc def", "ghi"])
    assert tokens.tolist().count(tok.eos_token_id) == 2 and tokens[-1] == tok.eos_token_id
    stream = pack_documents(tok, DOMAIN * 10)
    get = packed_batches(stream, batch_size=2, seq_len=16, seed=3, accum=2, world=2)
    x, y = get(5, 1, 1)
    assert x.shape == y.shape == (2, 16) and torch.equal(x[:, 1:], y[:, :-1])  # next-token targets
    assert torch.equal(get(5, 1, 1)[0], x) and not torch.equal(get(5, 1, 0)[0], x)  # per-rank, reproducible


# -- tokenizer ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_init", ["zero", "mean"])
def test_tokenizer_adds_domain_tokens_with_mean_initialised_rows(tiny_model_dir, tiny_corpus, tmp_path, output_init):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    values = {"model": tiny_model_dir, "corpus": tiny_corpus, "domain_vocab_size": 500, "max_new_tokens": 30,
              "min_frequency": 3, "output_init": output_init, "seq_len": 64}  # fmt: skip
    result = CliRunner().invoke(cli, ["train", "tokenizer", "--out-dir", str(tmp_path / "tok"), *sets(values)])
    assert result.exit_code == 0, result.output
    # stderr is not a terminal here: each stage says what it does, as plain lines a log file shows
    stages = ("tokenizer: training a 500-token domain BPE on", "tokenizer: loss check before: ", "tokenizer: saving")
    for line in stages:
        assert line in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["new_tokens"] == 30 and report["vocab"] == report["base_vocab"] + 30
    counts = report["token_counts"]
    assert counts["domain"]["reduction"] > 0.03 and counts["general"]["reduction"] < 0.005
    base_tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    new_tok = AutoTokenizer.from_pretrained(str(tmp_path / "tok" / "model"))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)).eval()
    grown = AutoModelForCausalLM.from_pretrained(str(tmp_path / "tok" / "model")).eval()
    new = json.loads((tmp_path / "tok" / "new_tokens.json").read_text())
    old_in, new_in = base.get_input_embeddings().weight, grown.get_input_embeddings().weight
    new_out = grown.get_output_embeddings().weight
    for token, pieces in new.items():
        index, ids = new_tok.convert_tokens_to_ids(token), base_tok.convert_tokens_to_ids(pieces)
        torch.testing.assert_close(new_in[index], old_in[ids].mean(0))
        expected_out = torch.zeros_like(new_out[index]) if output_init == "zero" else old_in[ids].mean(0)
        torch.testing.assert_close(new_out[index], expected_out)
    # General text: the same token ids, and the old vocabulary's logits unchanged by the new rows.
    text = " ".join(GENERAL)
    ids = base_tok(text)["input_ids"]
    assert new_tok(text)["input_ids"] == ids
    with torch.no_grad():
        before, after = base(torch.tensor([ids])).logits, grown(torch.tensor([ids])).logits
    torch.testing.assert_close(after[..., : before.shape[-1]], before)
    assert (tmp_path / "tok" / "report.json").is_file()


# -- DAPT --------------------------------------------------------------------------------------------------------


def test_dapt_trains_evaluates_saves_and_records_an_alias(tiny_model_dir, tiny_corpus, tmp_path):
    out = tmp_path / "dapt"
    values = {"model": tiny_model_dir, "corpus": tiny_corpus, "train.max_iters": 6, "train.learning_rate": 3e-3,
              "eval_tokens": 256, **TINY_TRAIN}  # fmt: skip
    result = invoke("train", "dapt", "--out-dir", str(out), "--alias", "tiny-dapt", *sets(values))
    assert result["precision"] in ("fp32", "bf16") and result["machine"]["cpu"]
    assert result["after"]["domain_ppl"] < result["before"]["domain_ppl"]
    assert set(result["before"]) >= {"domain_ppl", "general_ppl"}
    records = [json.loads(line) for line in (out / "metrics.jsonl").open()]
    assert [r["iter"] for r in records if r.get("kind") == "eval"] == [0, 6]
    assert (out / "metrics.png").stat().st_size > 0 and (out / "ckpt.pt").is_file()
    assert (out / "model" / "config.json").is_file() and (out / "model" / "tokenizer.json").is_file()
    entry = read_aliases(store_path(""))["tiny-dapt"]
    assert entry["recipe"] == "dapt" and entry["settings"] == {"path": str((out / "model").resolve()), "backend": "hf"}
    listed = CliRunner().invoke(cli, ["models", "list"]).output
    assert "tiny-dapt" in listed and "[dapt of" in listed


def test_dapt_resume_is_bit_identical(tiny_model_dir, tiny_corpus, tmp_path):
    def run(out, iters, resume=False):
        values = {"model": str(tiny_model_dir), "corpus": str(tiny_corpus), "train.max_iters": iters,
                  "eval_tokens": 128, "train.checkpoint_interval": 2, "train.resume": resume, **TINY_TRAIN}  # fmt: skip
        return dapt.run(load_recipe_config(dapt.Config, None, {"out_dir": str(out), **values}, "dapt"))

    whole = run(tmp_path / "whole", 4)
    run(tmp_path / "split", 2)
    resumed = run(tmp_path / "split", 4, resume=True)
    assert resumed["final_loss"] == whole["final_loss"] and resumed["after"] == whole["after"]
    a = torch.load(tmp_path / "whole" / "ckpt.pt", weights_only=True)
    b = torch.load(tmp_path / "split" / "ckpt.pt", weights_only=True)
    for key, value in a["model"].items():
        assert torch.equal(value, b["model"][key]), key


def test_dapt_lora_writes_an_adapter_and_a_merged_model(tiny_model_dir, tiny_corpus, tmp_path):
    values = {"model": tiny_model_dir, "corpus": tiny_corpus, "finetune": "lora", "lora.rank": 4,
              "train.max_iters": 2, "eval_tokens": 64, **TINY_TRAIN}  # fmt: skip
    result = invoke("train", "dapt", "--out-dir", str(tmp_path / "lora"), *sets(values))
    assert result["params"]["trainable"] < result["params"]["total"] / 2
    assert (tmp_path / "lora" / "adapter" / "adapter_config.json").is_file()
    assert (tmp_path / "lora" / "model" / "config.json").is_file()


def test_dapt_refuses_a_taken_alias_before_training(tiny_model_dir, tiny_corpus, tmp_path):
    result = CliRunner().invoke(cli, ["train", "dapt", "--alias", "smollm2-135m-instruct", "--out-dir",
                                      str(tmp_path / "x"), "--set", f"corpus={tiny_corpus}"])  # fmt: skip
    assert result.exit_code == 1 and "already defined by a plugin" in result.output
    assert not (tmp_path / "x").exists()


# -- SFT ---------------------------------------------------------------------------------------------------------


def test_only_assistant_tokens_carry_labels(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "synth it"},
                {"role": "assistant", "content": "synth -top counter"}, {"role": "user", "content": "and map"},
                {"role": "assistant", "content": "abc -liberty cells.lib"}]  # fmt: skip
    ids, labels = chat_example(tok, messages, max_len=512)
    labelled = tok.decode([i for i, label in zip(ids, labels, strict=True) if label != IGNORE])
    assert labelled == "synth -top counter<|im_end|>\nabc -liberty cells.lib<|im_end|>\n"
    assert all(label in (IGNORE, i) for i, label in zip(ids, labels, strict=True))
    assert "be brief" not in labelled and "synth it" not in labelled


def write_chat(path, n=24):
    with path.open("w") as f:
        for i in range(n):
            script = f"read_verilog d{i}.v\nsynth -top d{i}\nwrite_verilog d{i}_net.v"
            f.write(
                json.dumps({"instruction": f"Synthesize design {i} and write the netlist", "script": script}) + "\n"
            )
    return path


@pytest.mark.parametrize("finetune", ["lora", "full"])
def test_sft_learns_the_assistant_turns_and_records_an_alias(tiny_model_dir, tmp_path, finetune):
    data = write_chat(tmp_path / "chat.jsonl")
    values = {"model": tiny_model_dir, "data": f"[{data}]", "finetune": finetune, "epochs": 3, "lora.rank": 4,
              "train.learning_rate": 1e-2, "train.batch_size": 4, "train.grad_accum_steps": 1,
              "train.progress": False, "system": "You write Yosys scripts."}  # fmt: skip
    result = invoke(
        "train", "sft", "--out-dir", str(tmp_path / "sft"), "--alias", f"tiny-sft-{finetune}", *sets(values)
    )
    assert result["after"]["val_loss"] < result["before"]["val_loss"]
    settings = read_aliases(store_path(""))[f"tiny-sft-{finetune}"]["settings"]
    if finetune == "lora":
        assert result["adapter_bytes"] < 5_000_000 and settings["adapter"].endswith("adapter")
        assert settings["path"] == str(tiny_model_dir)
    else:
        assert settings["path"].endswith("model") and "adapter" not in settings


def test_bad_sft_records_name_the_file_and_line(tiny_model_dir, tmp_path):
    data = tmp_path / "chat.jsonl"
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n{broken\n")
    with pytest.raises(InvalidInputError, match=r"chat\.jsonl:1: no assistant message"):
        sft.read_conversations([str(data)], None)
    data.write_text(json.dumps({"title": "x"}) + "\n")
    with pytest.raises(InvalidInputError, match=r"chat\.jsonl:1: a record needs 'messages' or one of the pairs"):
        sft.read_conversations([str(data)], None)
    with pytest.raises(ConfigError, match=r"<sft defaults>: data must list at least one JSONL file"):
        load_recipe_config(sft.Config, None, {}, "sft")


def test_tokenizer_config_errors_name_the_key():
    with pytest.raises(ConfigError, match=r"output_init must be one of zero, mean, got 'random'"):
        load_recipe_config(tokenizer.Config, None, {"output_init": "random"}, "tokenizer")


# -- torchrun ----------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_torchrun_two_processes_run_the_dapt_recipe(tiny_model_dir, tiny_corpus, tmp_path):
    from test_distributed_precision import free_port

    out = tmp_path / "ddp"
    values = {"model": tiny_model_dir, "corpus": tiny_corpus, "train.max_iters": 3, "eval_tokens": 64, **TINY_TRAIN}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
           f"--master_port={free_port()}", "-m", "chipmate", "train", "dapt", "--out-dir", str(out),
           *sets(values)]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    assert result["world_size"] == 2 and result["tokens_trained"] == 3 * 2 * 32 * 2
    assert (out / "model" / "config.json").is_file()


# -- the example recipe files --------------------------------------------------------------------------------------


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "recipes"
MODULES = {"corpus": corpus_recipe, "tokenizer": tokenizer, "dapt": dapt, "sft": sft}
# the retriever's examples are checked with its recipe (tests/trainer/test_retriever*.py)
RECIPE_FILES = sorted(p.stem for p in EXAMPLES.glob("*.yaml") if p.stem.split("-")[0] in MODULES)


@pytest.mark.parametrize("name", RECIPE_FILES)
def test_example_recipe_files_are_valid(name, tmp_path):
    module = MODULES[name.split("-")[0]]
    overrides = {"data": [str(write_chat(tmp_path / "chat.jsonl"))]} if module is sft else {}
    config = load_recipe_config(module.Config, EXAMPLES / f"{name}.yaml", overrides, name.split("-")[0])
    assert config.out_dir.startswith("runs/")
    if module in (dapt, sft):
        assert config.train.precision.mode == "auto" and isinstance(config.train.learning_rate, float)
        # every training recipe has a CPU size (the plain name) and a GPU variant (NAME-gpu.yaml)
        assert config.train.device == ("cuda" if name.endswith("-gpu") else "cpu")
        if not name.endswith("-gpu"):
            assert (EXAMPLES / f"{name}-gpu.yaml").is_file()


# -- how long a run is: epochs or train.max_iters, never both ----------------------------------------------------


def write_recipe(path, text: str):
    path.write_text(text)
    return path


def test_epochs_and_max_iters_in_one_file_are_an_error_naming_both(tmp_path):
    data = write_chat(tmp_path / "chat.jsonl")
    path = write_recipe(tmp_path / "sft.yaml", f"data: [{data}]\nepochs: 3\ntrain:\n  max_iters: 50\n")
    with pytest.raises(ConfigError, match=r"sft\.yaml: epochs \(3\) and train\.max_iters \(50\) both set") as err:
        load_recipe_config(sft.Config, path, {}, "sft")
    assert "delete one of them" in str(err.value) and "--set train.max_iters=N" in str(err.value)
    with pytest.raises(ConfigError, match=r"--set epochs=2 and --set train.max_iters=4 both set"):
        load_recipe_config(sft.Config, tmp_path / "sft.yaml", {"epochs": 2, "train.max_iters": 4}, "sft")


@pytest.mark.parametrize(
    ("text", "overrides", "epochs", "max_iters"),
    [
        ("epochs: 3\n", {"train.max_iters": 4}, None, 4),  # the command line is explicit: it wins over the file
        ("train: {max_iters: 50}\n", {"epochs": 2}, 2, 200),  # max_iters is then computed from the data
        ("train: {max_iters: 50}\n", {}, None, 50),  # a file naming only max_iters is not overridden by the default
        ("epochs: 3\ntrain: {max_iters: 50}\n", {"epochs": None}, None, 50),  # --set epochs=null: max_iters counts
        ("", {}, 3.0, 200),  # neither: the default epochs decides
    ],
)
def test_one_key_decides_the_run_length(tmp_path, text, overrides, epochs, max_iters):
    data = write_chat(tmp_path / "chat.jsonl")
    path = write_recipe(tmp_path / "sft.yaml", f"data: [{data}]\n{text}")
    config = load_recipe_config(sft.Config, path, overrides, "sft")
    assert (config.epochs, config.train.max_iters) == (epochs, max_iters)


def test_set_max_iters_overrides_the_files_epochs_in_a_real_run(tiny_model_dir, tmp_path):
    data = write_chat(tmp_path / "chat.jsonl")
    path = write_recipe(
        tmp_path / "sft.yaml", f"model: {tiny_model_dir}\ndata: [{data}]\nepochs: 3\nlora: {{rank: 4}}\n"
    )
    values = {"train.max_iters": 2, "train.batch_size": 2, "train.grad_accum_steps": 1, "train.progress": False}
    result = invoke("train", "sft", "-c", str(path), "--out-dir", str(tmp_path / "sft"), *sets(values))
    assert result["iterations"] == 2  # 3 epochs of 22 records would be 33


# -- Ctrl-C saves a checkpoint that --resume continues -----------------------------------------------------------


def test_ctrl_c_saves_a_checkpoint_that_resume_continues_bit_identically(tiny_model_dir, tiny_corpus, tmp_path):
    import signal

    from safetensors.torch import load_file

    out = tmp_path / "interrupted"
    values = {"model": tiny_model_dir, "corpus": tiny_corpus, "eval_tokens": 64, "train.precision.mode": "fp32",
              "train.checkpoint_interval": 0, **TINY_TRAIN, "train.progress": True,
              "train.log_interval": 1}  # fmt: skip
    cmd = [sys.executable, "-m", "chipmate", "train", "dapt", "--out-dir", str(out),
           *sets({**values, "train.max_iters": 100_000})]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "2"}  # the test process trains with 2 threads too (conftest)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in proc.stderr:  # stderr is a pipe, not a terminal: plain progress lines, one per iteration here
            seen.append(line)
            if line.startswith("train fp32: 3/100000 it"):
                break
        assert seen and seen[-1].startswith("train fp32: 3/100000 it"), "".join(seen[-20:])
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err[-3000:]
    assert f"checkpoint saved to {out / 'ckpt.pt'}" in err and "--resume" in err
    stopped_at = torch.load(out / "ckpt.pt", weights_only=True)["iteration"]
    assert stopped_at >= 3
    # --resume continues the interrupted run; it must end where a run that never stopped ends
    finish = {**values, "train.max_iters": stopped_at + 2, "train.progress": False}
    resumed = invoke("train", "dapt", "--out-dir", str(out), "--resume", *sets(finish))
    straight = invoke("train", "dapt", "--out-dir", str(tmp_path / "straight"), *sets(finish))
    assert resumed["iterations"] == straight["iterations"] == stopped_at + 2
    a, b = (
        load_file(out / "model" / "model.safetensors"),
        load_file(tmp_path / "straight" / "model" / "model.safetensors"),
    )
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("name", ["retriever", "retriever-gpu"])
def test_retriever_recipe_files_are_valid(name):
    from chipmate.trainer.recipes.retriever import load_config

    config = load_config(str(EXAMPLES / f"{name}.yaml"))
    assert config.out_dir.startswith("runs/")
    if name.endswith("-gpu"):
        assert config.train.device == "cuda" and config.max_generated_passages == 0
    else:  # CPU-sized: a bounded number of generated questions on the default knowledge base
        assert config.yosys_help and 0 < config.max_generated_passages <= 100
