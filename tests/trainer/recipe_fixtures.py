"""Data and builders the recipe tests share: a tiny model directory and a tiny corpus (imported by conftest)."""

from __future__ import annotations

from pathlib import Path

import torch

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
DOMAIN = [
    "read_verilog counter.v\nsynth -top counter\nabc -liberty cells.lib\nwrite_verilog counter_netlist.v\n",
    "The opt_clean pass removes unused cells and wires from the netlist. Run opt_clean after techmap.",
    "module counter(input clk, input rst, output reg [7:0] q); always @(posedge clk) q <= rst ? 0 : q + 1; endmodule",
    "dfflibmap -liberty cells.lib maps the internal flip-flop cells to the flip-flops of the liberty file.",
    "The synth command runs hierarchy, proc, flatten, opt, fsm, memory, techmap and abc on the netlist.",
    "create_clock -period 10 [get_ports clk]; set_input_delay 2 -clock clk [all_inputs]; report_checks",
]
GENERAL = [
    "The quick brown fox jumps over the lazy dog while the sun sets behind the hills.",
    "A list is a mutable sequence; a tuple is an immutable one. Both keep their items in order.",
    "Rivers carry water from the mountains to the sea, shaping valleys over thousands of years.",
]


def build_tiny_model(folder: Path, *, seed: int = 0, vocab: int = 300) -> Path:
    """Write a tiny random Llama (hidden 32) with a byte-level BPE tokenizer and a chat template into ``folder``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())  # fmt: skip
    bpe.train_from_iterator(GENERAL * 4, trainer)  # a "general" base tokenizer: domain words split into pieces
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                        pad_token="<|endoftext|>")  # fmt: skip
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(str(folder))
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=256, tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(str(folder))
    return folder


def write_corpus(folder: Path, copies: int = 30) -> Path:
    """A corpus folder as `chipmate corpus build` writes it: train/validation shards of domain and general text."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", copies), ("validation", 4)):
        with (folder / f"{split}-00000.jsonl").open("w", encoding="utf-8") as f:
            for i in range(n):
                for kind, texts in (("domain", DOMAIN), ("general", GENERAL)):
                    for j, text in enumerate(texts):
                        f.write(json.dumps({"id": f"{kind}{i}-{j}", "text": f"{text} ({i})", "kind": kind}) + "\n")
    return folder
