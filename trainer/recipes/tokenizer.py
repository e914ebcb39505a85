"""``chipmate train tokenizer``: domain tokens added to a base tokenizer, the model resized (ChipNeMo §2.1).

1. A BPE tokenizer is trained on the corpus's domain train records, with the base tokenizer's own pipeline
   (byte-level pre-tokenizer, normaliser) and ``domain_vocab_size`` tokens (``train_new_from_iterator``).
2. **The rule for new tokens**: a domain-BPE token is a candidate when it is absent from the base vocabulary,
   holds a letter, and occurs at least ``min_frequency`` times in the domain train text (tokenized by the domain
   BPE). Candidates are ranked by the base tokens they save, ``frequency × (base pieces − 1)``, and the best
   ``max_new_tokens`` are kept.
3. Each kept token is added to the base BPE *as merges*: its base pieces are merged left to right, each merge
   appended after the base merges (intermediate pieces become tokens too, and count against the limit). BPE applies
   merges by rank, so any text is first tokenized exactly as the base would, and only then do the new merges join
   adjacent pieces: general text changes only where it contains a new token's exact pieces.
4. The model's embeddings are resized; each new input row is the mean of its base pieces' input rows, so the
   model reads a new token like the pieces it replaces. Output rows: ``mean`` (the same mean; NeMo's tutorial) or
   ``zero`` (ChipNeMo), so the new tokens start with a logit of 0. A model with tied input/output embeddings
   (SmolLM2, Qwen2.5-0.5B) is untied for ``zero`` (its output matrix becomes its own parameter).
5. The report: tokens of the held-out domain and general records with the base and the new tokenizer, and the
   model's loss on general text before any training, base vs augmented (the initialisation must not break it).

Output: ``out_dir/model`` (the resized model and the augmented tokenizer: DAPT's ``model:``) and ``report.json``.

    chipmate train tokenizer -c examples/recipes/tokenizer.yaml
    chipmate train tokenizer -c examples/recipes/tokenizer.yaml --set output_init=zero
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import torch

from chipmate.errors import ConfigError
from chipmate.sections import Count, Section
from chipmate.trainer.data import corpus_texts, masked_nll, pack_documents
from chipmate.trainer.hardware import machine_facts, peak_rss_mib
from chipmate.trainer.progress import progress_iter, say
from chipmate.trainer.recipes import check_alias, record_trained_alias, resolve_model


class Config(Section):
    """``chipmate train tokenizer`` settings; every default says why."""

    out_dir: str = "runs/tokenizer"  # model/ (resized model + tokenizer) and report.json
    model: str = "smollm2-135m-instruct"  # alias or HF directory whose tokenizer and embeddings are extended
    corpus: str = "runs/corpus"  # the out_dir of `chipmate corpus build`
    domain_vocab_size: Count = 16000  # the domain BPE: large enough to hold whole domain words, small for a few MB
    max_new_tokens: Count = 1000  # ChipNeMo added ~9K to a 32K vocabulary for a GB-scale corpus; scale to the corpus
    min_frequency: Count = 8  # a token seen fewer times cannot learn a useful embedding during DAPT
    # new output rows: "zero" (ChipNeMo: no logit mass at first) or "mean" (NeMo)
    output_init: Literal["zero", "mean"] = "zero"
    loss_check_tokens: Count = 8192  # general-text tokens for the before/after loss check
    seq_len: Count = 512  # window of that check
    alias: str | None = None  # record the resized model under this alias
    replace: bool = False  # let alias overwrite an existing one
    models_config: str | None = None  # chipmate config that resolves model aliases (None: the usual one)
    progress: bool = True  # a line per stage and counts (bars on a terminal, plain lines in a log) on stderr


def choose_tokens(base: Any, domain: Any, texts: list[str], cfg: Config) -> list[tuple[str, int, list[str]]]:
    """(token, frequency, base pieces) of the chosen new tokens, best first (the rule in the module docstring)."""
    base_vocab = base.get_vocab()
    counts: Counter[str] = Counter()
    for text in progress_iter(texts, "tokenizer: count domain tokens", unit="doc", enabled=cfg.progress):
        counts.update(domain.tokenize(text))
    model = base.backend_tokenizer.model
    decode = base.convert_tokens_to_string
    scored = []
    for token, freq in counts.items():
        if token in base_vocab or freq < cfg.min_frequency or not any(c.isalpha() for c in decode([token])):
            continue
        pieces = [t.value for t in model.tokenize(token)]
        if len(pieces) > 1:
            scored.append((freq * (len(pieces) - 1), token, freq, pieces))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(token, freq, pieces) for _, token, freq, pieces in scored]


def add_merges(base: Any, chosen: list[tuple[str, int, list[str]]], limit: int) -> tuple[Any, dict[str, list[str]]]:
    """The base tokenizer with merges for ``chosen`` appended (at most ``limit`` new tokens); {new: base pieces}."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    state = json.loads(base.backend_tokenizer.to_str())
    model = state["model"]
    if model.get("type") != "BPE":
        raise ConfigError(
            f"model: the base tokenizer is {model.get('type')}, not BPE; only BPE tokenizers are extended"
        )
    vocab: dict[str, int] = model["vocab"]
    merges: list[Any] = model["merges"]
    as_lists = bool(merges) and isinstance(merges[0], list)
    next_id = max([*vocab.values(), *(t["id"] for t in state.get("added_tokens", []))]) + 1
    new: dict[str, list[str]] = {}
    for _token, _freq, pieces in chosen:
        steps = []  # (left, right, joined) merges still missing for this token
        left = pieces[0]
        for right in pieces[1:]:
            if left + right not in vocab and left + right not in new:
                steps.append((left, right, left + right))
            left = left + right
        if len(new) + len(steps) > limit:
            continue
        for a, b, joined in steps:
            vocab[joined] = next_id
            next_id += 1
            merges.append([a, b] if as_lists else f"{a} {b}")
            new[joined] = []  # its base pieces are filled in below
        if len(new) >= limit:
            break
    augmented = Tokenizer.from_str(json.dumps(state))
    for joined in new:  # the base pieces of every new token, intermediate ones included
        new[joined] = [t.value for t in base.backend_tokenizer.model.tokenize(joined)]
    out = PreTrainedTokenizerFast(tokenizer_object=augmented, **base.special_tokens_map)
    out.chat_template = base.chat_template
    out.model_max_length = base.model_max_length
    return out, new


@torch.no_grad()
def resize_model(model: Any, base_tok: Any, new_tok: Any, new: dict[str, list[str]], output_init: str) -> Any:
    """Grow the embeddings to ``len(new_tok)``; new input rows = mean of base-piece rows, output rows zero/mean."""
    old_in = model.get_input_embeddings().weight.detach().clone()
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    if output_init == "zero" and tied:
        # Untie first: a zero output row would otherwise also zero the input row it shares.
        head = torch.nn.Linear(old_in.shape[1], old_in.shape[0], bias=False)
        head.weight = torch.nn.Parameter(old_in.clone())
        model.set_output_embeddings(head)
        model.config.tie_word_embeddings = False
        if hasattr(model, "_tied_weights_keys"):
            model._tied_weights_keys = []
    old_out = model.get_output_embeddings().weight.detach().clone()
    model.resize_token_embeddings(len(new_tok), mean_resizing=False)
    emb_in, emb_out = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    base_ids = base_tok.convert_tokens_to_ids
    for token, pieces in new.items():
        index = new_tok.convert_tokens_to_ids(token)
        ids = base_ids(pieces)
        emb_in[index] = old_in[ids].mean(0)
        if emb_out.data_ptr() != emb_in.data_ptr():
            emb_out[index] = 0.0 if output_init == "zero" else old_out[ids].mean(0)
    return model


@torch.no_grad()
def nll_per_char(
    model: Any, tokenizer: Any, texts: list[str], max_tokens: int, seq_len: int, desc: str | None = None
) -> dict[str, float]:
    """Total NLL of the first ``max_tokens`` tokens of ``texts`` per token and per character (tokenizer-free);
    ``desc`` names the progress shown per window (None: none)."""
    tokens = pack_documents(tokenizer, texts)[: max_tokens + 1]
    total, count = 0.0, 0
    starts = range(0, len(tokens) - 1, seq_len)
    for start in progress_iter(starts, desc or "", unit="window", enabled=desc is not None, every=1):
        window = tokens[start : start + seq_len + 1]
        if len(window) < 2:
            break
        n = len(window) - 1
        total += float(masked_nll(model, window[None, :-1], window[None, 1:])) * n
        count += n
    chars = len(tokenizer.decode(tokens[1 : count + 1]))
    return {"loss_per_token": total / count, "loss_per_char": total / max(chars, 1), "tokens": count}


def run(cfg: Config) -> dict[str, Any]:
    """Extend the tokenizer and the model; returns the report (also in ``out_dir/report.json``)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    def stage(message: str) -> None:  # a line per step: output in a log file shows where a long run is
        if cfg.progress:
            say(f"tokenizer: {message}")

    check_alias(cfg.alias, cfg.replace, cfg.models_config)
    source = resolve_model(cfg.model, cfg.models_config)
    base = AutoTokenizer.from_pretrained(str(source.path), local_files_only=True)
    domain_train = corpus_texts(cfg.corpus, "train", "domain")
    held_out = {kind: corpus_texts(cfg.corpus, "validation", kind) for kind in ("domain", "general")}
    chars = sum(len(text) for text in domain_train)
    stage(f"training a {cfg.domain_vocab_size}-token domain BPE on {len(domain_train)} documents ({chars:,} chars)")
    start = time.monotonic()
    feed = progress_iter(domain_train, "tokenizer: BPE reads", unit="doc", enabled=cfg.progress)
    domain = base.train_new_from_iterator(feed, vocab_size=cfg.domain_vocab_size, length=len(domain_train))
    stage(f"domain BPE trained in {time.monotonic() - start:.0f} s; choosing the new tokens")
    chosen = choose_tokens(base, domain, domain_train, cfg)
    augmented, new = add_merges(base, chosen, cfg.max_new_tokens)
    stage(f"{len(new)} new tokens from {len(chosen)} candidates; counting held-out tokens with both tokenizers")
    counts = {
        kind: {name: sum(len(t(x, add_special_tokens=False)["input_ids"]) for x in texts)
               for name, t in (("base", base), ("augmented", augmented))}
        for kind, texts in held_out.items()
    }  # fmt: skip
    for entry in counts.values():
        entry["reduction"] = 1 - entry["augmented"] / entry["base"] if entry["base"] else 0.0
    stage(f"loading {cfg.model} for the general-text loss check ({cfg.loss_check_tokens} tokens, before and after)")
    model = AutoModelForCausalLM.from_pretrained(str(source.path), dtype=torch.float32, local_files_only=True).eval()
    general = held_out["general"] or corpus_texts(cfg.corpus, "train", "general")
    desc = "tokenizer: loss check {}" if cfg.progress else None
    before = (nll_per_char(model, base, general, cfg.loss_check_tokens, cfg.seq_len, desc and desc.format("before"))
              if general else None)  # fmt: skip
    model = resize_model(model, base, augmented, new, cfg.output_init)
    after = (nll_per_char(model, augmented, general, cfg.loss_check_tokens, cfg.seq_len, desc and desc.format("after"))
             if general else None)  # fmt: skip
    out = Path(cfg.out_dir)
    stage(f"saving the resized model and tokenizer to {out / 'model'}")
    model_dir = out / "model"
    model.save_pretrained(str(model_dir), safe_serialization=True)
    augmented.save_pretrained(str(model_dir))
    report: dict[str, Any] = {
        "recipe": "tokenizer",
        "model": cfg.model,
        "model_dir": model_dir,
        "machine": machine_facts(),
        "base_vocab": len(base),
        "new_tokens": len(new),
        "vocab": len(augmented),
        "candidates": len(chosen),
        "output_init": cfg.output_init,
        "token_counts": counts,
        "general_loss": {
            "base": before,
            "augmented": after,
            "change_per_char": (after["loss_per_char"] / before["loss_per_char"] - 1) if before and after else None,
        },
        "peak_rss_mib": peak_rss_mib(),
        "sample_new_tokens": [augmented.convert_tokens_to_string([t]) for t in list(new)[:40]],
        "config": cfg.model_dump(),
    }
    if cfg.alias:
        report["alias_settings"] = record_trained_alias(
            cfg.alias, source=source, model_dir=model_dir, adapter_dir=None, recipe="tokenizer",
            replace=cfg.replace, models_config=cfg.models_config,
        )  # fmt: skip
    (out / "new_tokens.json").write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return {k: v for k, v in report.items() if k != "config" and not (isinstance(v, float) and math.isnan(v))}
