"""Training data for the recipes: corpus shards, sequence packing, chat examples with assistant-only labels.

Every batch function here is a pure function of ``(iteration, micro_step, rank)`` and a seed, as
:func:`chipmate.trainer.loop.train` requires, so ``--resume`` sees exactly the batches an uninterrupted run would.

- **Packing** (DAPT): documents are tokenized, each followed by the end-of-sequence token, concatenated, and cut
  into windows of ``seq_len + 1`` tokens; no token is padding. Attention crosses document boundaries inside a
  window (as in GPT-2, Megatron and nanoGPT); the EOS token tells the model where a document ended.
- **Chat examples** (SFT): the conversation is rendered with the tokenizer's chat template and only the tokens of
  assistant turns (their end-of-turn marker included, so the model learns to stop) carry labels; everything
  else is -100, which the loop's cross-entropy ignores. Batches are right-padded, and a causal model never
  attends forward, so padding needs no attention mask.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from chipmate.errors import InvalidInputError

IGNORE = -100  # label of tokens that carry no loss (torch's cross_entropy ignore_index)


# -- corpus shards ---------------------------------------------------------------------------------------------


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of a JSONL file; InvalidInputError naming file and line for a bad line."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise InvalidInputError(f"{path}:{number}: not valid JSON: {exc}") from exc
            if not isinstance(record, dict):
                raise InvalidInputError(f"{path}:{number}: each line must be a JSON object")
            yield number, record


def corpus_texts(corpus_dir: str | Path, split: str, kind: str | None = None) -> list[str]:
    """The ``text`` of every record of ``<corpus_dir>/<split>-*.jsonl`` (of one ``kind``: domain/general)."""
    folder = Path(corpus_dir)
    shards = sorted(folder.glob(f"{split}-*.jsonl"))
    if not shards:
        raise InvalidInputError(
            f"{folder} holds no {split}-*.jsonl shards",
            hint="build the corpus first: chipmate corpus build -c examples/recipes/corpus.yaml",
        )
    texts = []
    for shard in shards:
        for number, record in read_jsonl(shard):
            if not isinstance(record.get("text"), str):
                raise InvalidInputError(f"{shard}:{number}: a corpus record needs a string 'text'")
            if kind is None or record.get("kind") == kind:
                texts.append(record["text"])
    return texts


# -- packing ---------------------------------------------------------------------------------------------------


def pack_documents(tokenizer: Any, texts: Iterable[str], *, progress: bool = False) -> torch.Tensor:
    """One 1-D int64 tensor: each text's tokens followed by the EOS token (no BOS: SmolLM2/Qwen add none)."""
    eos = tokenizer.eos_token_id
    if eos is None:
        raise InvalidInputError("the tokenizer has no eos_token; packing needs one between documents")
    texts = list(texts)
    ids: list[int] = []
    from chipmate.trainer.progress import progress_iter

    for text in progress_iter(texts, "tokenize", unit="doc", enabled=progress):
        ids.extend(tokenizer(text, add_special_tokens=False)["input_ids"])
        ids.append(eos)
    return torch.tensor(ids, dtype=torch.long)


def packed_batches(tokens: torch.Tensor, *, batch_size: int, seq_len: int, seed: int, accum: int, world: int = 1):
    """A BatchFn over non-overlapping ``seq_len + 1`` windows of ``tokens``, one shuffled pass (epoch) after another.

    Window ``k`` of the run is ``(iteration * accum + micro) * world + rank``-th batch's rows of the epoch's
    permutation, so every rank sees different windows and the order depends only on the seed.
    """
    n_windows = (len(tokens) - 1) // seq_len
    if n_windows < batch_size:
        raise InvalidInputError(
            f"the packed corpus has {len(tokens)} tokens: fewer than batch_size={batch_size} windows of "
            f"seq_len={seq_len}",
            hint="add documents, or lower seq_len / batch_size",
        )
    windows = tokens[: n_windows * seq_len + 1]
    per_epoch = n_windows // batch_size  # batches per epoch; the last partial batch is dropped

    def get(iteration: int, micro: int, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
        index = (iteration * accum + micro) * world + rank
        epoch, within = divmod(index, per_epoch)
        order = torch.randperm(n_windows, generator=torch.Generator().manual_seed(seed * 7919 + epoch))
        rows = order[within * batch_size : (within + 1) * batch_size].tolist()
        x = torch.stack([windows[r * seq_len : r * seq_len + seq_len] for r in rows])
        y = torch.stack([windows[r * seq_len + 1 : r * seq_len + seq_len + 1] for r in rows])
        return x, y

    get.batches_per_epoch = per_epoch  # type: ignore[attr-defined]  # the loop and the recipes read it from the batch function
    return get


@torch.no_grad()
def perplexity(model: nn.Module, tokens: torch.Tensor, *, seq_len: int, batch_size: int = 4) -> float:
    """exp(mean next-token NLL) over non-overlapping ``seq_len + 1`` windows of ``tokens`` (fp32 loss)."""
    n = (len(tokens) - 1) // seq_len
    if n == 0:
        raise InvalidInputError(f"{len(tokens)} tokens are too few to measure perplexity at seq_len={seq_len}")
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for start in range(0, n, batch_size):
        rows = range(start, min(n, start + batch_size))
        x = torch.stack([tokens[r * seq_len : r * seq_len + seq_len] for r in rows]).to(device)
        y = torch.stack([tokens[r * seq_len + 1 : r * seq_len + seq_len + 1] for r in rows]).to(device)
        total += float(masked_nll(model, x, y)) * y.numel()
        count += y.numel()
    return math.exp(total / count)


def masked_nll(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean next-token NLL over labels that are not -100, computed in fp32."""
    out = model(x)
    logits = out.logits if hasattr(out, "logits") else out
    return F.cross_entropy(logits.float().flatten(0, -2), y.flatten(), ignore_index=IGNORE)


# -- chat examples (SFT) ---------------------------------------------------------------------------------------


def check_messages(messages: Any, where: str) -> list[dict[str, str]]:
    """``messages`` if it is a list of {role, content} with at least one assistant turn; else InvalidInputError."""
    if not isinstance(messages, list) or not messages:
        raise InvalidInputError(f"{where}: 'messages' must be a non-empty list of {{role, content}} objects")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            raise InvalidInputError(f"{where}: messages[{i}] needs a role of system, user or assistant")
        if not isinstance(m.get("content"), str):
            raise InvalidInputError(f"{where}: messages[{i}].content must be a string")
    if not any(m["role"] == "assistant" for m in messages):
        raise InvalidInputError(f"{where}: no assistant message, so nothing to learn from this record")
    return messages


def chat_example(tokenizer: Any, messages: Sequence[dict[str, str]], max_len: int) -> tuple[list[int], list[int]]:
    """(input_ids, labels) of one conversation: labels are the ids on assistant turns, -100 elsewhere.

    Each assistant turn's character span is found by rendering the conversation up to that turn with and without
    the turn (the template must render a prefix of the conversation as a prefix of the text, which every common
    template does); the tokens whose characters start inside a span are labelled. Longer than ``max_len``: cut.
    """
    render = tokenizer.apply_chat_template
    full = render(list(messages), tokenize=False)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        before = render(list(messages[:i]), tokenize=False, add_generation_prompt=True) if i else ""
        upto = render(list(messages[: i + 1]), tokenize=False)
        if not (full.startswith(upto) and upto.startswith(before)):
            raise InvalidInputError(
                "the chat template does not render a conversation's prefix as a prefix of its text",
                hint="set chat_template in the recipe to a template without that behaviour",
            )
        spans.append((len(before), len(upto)))
    encoded = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(encoded["input_ids"])[: max_len + 1]
    labels = []
    for token, (start, _end) in zip(ids, encoded["offset_mapping"], strict=False):
        labels.append(token if any(a <= start < b for a, b in spans) else IGNORE)
    return ids, labels


def chat_batches(
    examples: Sequence[tuple[list[int], list[int]]],
    *,
    batch_size: int,
    pad_id: int,
    seed: int,
    accum: int,
    world: int = 1,
) -> Any:
    """A BatchFn of shuffled, right-padded chat examples: x = ids[:-1], y = labels[1:] (pad labels -100)."""
    usable = [e for e in examples if any(label != IGNORE for label in e[1][1:])]
    if len(usable) < batch_size:
        raise InvalidInputError(
            f"{len(usable)} usable chat examples (with assistant tokens inside max_len) for batch_size={batch_size}",
            hint="add records, raise max_len, or lower batch_size",
        )
    per_epoch = len(usable) // batch_size

    def get(iteration: int, micro: int, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
        index = (iteration * accum + micro) * world + rank
        epoch, within = divmod(index, per_epoch)
        order = torch.randperm(len(usable), generator=torch.Generator().manual_seed(seed * 7919 + epoch))
        rows = [usable[i] for i in order[within * batch_size : (within + 1) * batch_size].tolist()]
        return pad_examples(rows, pad_id)

    get.batches_per_epoch = per_epoch  # type: ignore[attr-defined]  # the loop and the recipes read it from the batch function
    return get


def pad_examples(rows: Sequence[tuple[list[int], list[int]]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad examples into (x, y): inputs ``ids[:-1]``, targets ``labels[1:]``, padding -100 in y."""
    width = max(len(ids) for ids, _ in rows) - 1
    x = torch.full((len(rows), width), pad_id, dtype=torch.long)
    y = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for i, (ids, labels) in enumerate(rows):
        x[i, : len(ids) - 1] = torch.tensor(ids[:-1])
        y[i, : len(labels) - 1] = torch.tensor(labels[1:])
    return x, y


@torch.no_grad()
def chat_loss(
    model: nn.Module, examples: Sequence[tuple[list[int], list[int]]], pad_id: int, batch_size: int = 4
) -> float:
    """Mean NLL per assistant token over ``examples`` (the SFT validation loss)."""
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for start in range(0, len(examples), batch_size):
        x, y = pad_examples(examples[start : start + batch_size], pad_id)
        n = int((y != IGNORE).sum())
        if n:
            total += float(masked_nll(model, x.to(device), y.to(device))) * n
            count += n
    return total / max(count, 1)
