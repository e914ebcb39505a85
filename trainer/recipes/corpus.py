"""``chipmate corpus build``: the domain corpus (plus a stated share of general text) for tokenizer and DAPT.

Sources, in the order they are read (what a plugin provides comes through its offer of ``documents`` training
data, read with ``host.training_data``; the recipe imports no plugin, and a disabled plugin offers nothing):

1. Yosys's command reference through ``pyosys`` (one document per command; designqa's ``yosys-help`` offer);
2. the Yosys sources ``pyosys`` bundles (``share/``: techlib Verilog models, their docs), when ``yosys_share``;
3. folders and files named in ``sources.dirs`` / ``sources.files``: Markdown, reST, text, HTML, PDF, Verilog,
   SystemVerilog, Tcl/SDC and Python (code is kept verbatim, HTML/PDF become their text through designqa's
   ``files`` offer);
4. scriptgen's seed library (instruction + script records; its ``scriptgen-library`` offer) when scriptgen is loaded;
5. ``sources.jsonl``: prepared ``{"text": ...}`` records;
6. general text, mixed in at ``general.share`` of the characters (ChipNeMo mixed ~9 % public data into DAPT so
   the model keeps its general ability): by default Python's own documentation, which every CPython ships as
   ``pydoc_data.topics`` (the language reference and library topics as plain English prose; PSF-2.0), so it
   needs no download; any folder of text can be added.

Then: long documents are cut at paragraph breaks into pieces of at most ``max_chars``; exact duplicates (same text)
and near duplicates (same text after lower-casing, dropping digits and collapsing whitespace) are dropped; pieces
shorter than ``min_chars`` or with too few text characters are filtered; each *document* goes to train or
validation (its pieces together, so validation text is never seen in training); records are written as JSONL
shards ``train-00000.jsonl``/``validation-00000.jsonl`` (``{"id", "text", "source", "group", "kind"}``: group =
the source family the report counts by, kind = domain or general) with ``report.json`` / ``report.md``:
documents, characters and tokens (in the target model's tokenizer) per source and split, and what was dropped why.

    chipmate corpus build -c examples/recipes/corpus.yaml
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from chipmate.errors import InvalidInputError
from chipmate.sections import Count, ExistingPath, Section, invalid
from chipmate.trainer.progress import progress_iter
from chipmate.training_data import DOCUMENTS, TrainingDataRegistry

CODE_SUFFIXES = {".v", ".sv", ".vh", ".svh", ".tcl", ".sdc", ".py", ".ys", ".lib"}
TEXT_SUFFIXES = {".md", ".markdown", ".rst", ".txt", ".text"}
CONVERTED_SUFFIXES = {".html", ".htm", ".pdf"}
BUILTIN_GENERAL = ("python-docs",)


def _general_source(value: str) -> str:
    if value not in BUILTIN_GENERAL and not Path(value).expanduser().is_dir():
        raise ValueError(f"is {value!r}: not a folder nor one of {', '.join(BUILTIN_GENERAL)}")
    return value


class SourcesConfig(Section):
    """Where domain text comes from."""

    yosys_help: bool = True  # Yosys's help for every command: the reference the assistants answer from
    yosys_share: bool = True  # pyosys's bundled sources (techlib Verilog, docs): real EDA code on every install
    dirs: list[ExistingPath] = Field(default_factory=list)  # your docs folders and source trees (searched recursively)
    files: list[ExistingPath] = Field(default_factory=list)  # single files of the formats above
    scriptgen_library: bool = True  # scriptgen's validated seed scripts, when the plugin is installed
    jsonl: list[ExistingPath] = Field(default_factory=list)  # prepared {"text": ...} records (one document each)


class GeneralConfig(Section):
    """The general-text share that keeps the model's general ability (ChipNeMo: ~9 % of DAPT data)."""

    # fraction of the corpus characters that are general text (ChipNeMo's ~9 %)
    share: float = Field(default=0.09, ge=0, lt=1)
    # "python-docs" (in every CPython) or folders
    sources: list[Annotated[str, AfterValidator(_general_source)]] = Field(default_factory=lambda: ["python-docs"])
    # held-out general text for the "general perplexity must not rise" check, taken before the training share:
    # ~5K tokens, enough for a perplexity stable to a percent, whatever the domain corpus's size
    validation_chars: int = 20000


class Config(Section):
    """``chipmate corpus build`` settings; every default says why."""

    out_dir: str = "runs/corpus"  # shards and report go here
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    general: GeneralConfig = Field(default_factory=GeneralConfig)
    # of documents: enough held-out text for a stable perplexity, little lost
    validation_fraction: float = Field(default=0.05, gt=0, lt=1)
    min_chars: Count = 200  # shorter pieces are mostly headers and stubs: noise for an LM
    # longer documents are cut at paragraph breaks (~2K tokens, a couple of DAPT windows); at least min_chars
    max_chars: int = 8000
    min_text_ratio: float = 0.6  # letters, digits, whitespace and code punctuation; below it is binary or tables
    max_source_chars: int | None = None  # cap per source (a huge techlib folder should not drown the docs)
    shard_records: int = 5000  # records per JSONL shard: small files, easy to inspect and stream
    tokenizer: str | None = "smollm2-135m-instruct"  # alias or dir whose tokenizer counts tokens; null skips
    seed: int = 0  # the validation split and the general sample depend only on it
    models_config: str | None = None  # chipmate config that resolves the tokenizer alias (None: the usual one)
    progress: bool = True  # progress on stderr: bars on a terminal, a line every 50 documents otherwise

    @model_validator(mode="after")
    def _cut_above_floor(self) -> Config:
        if self.max_chars < self.min_chars:
            raise invalid("max_chars", f"must be >= min_chars ({self.min_chars}), got {self.max_chars}")
        return self


@dataclass
class Doc:
    """One source document before cutting."""

    source: str  # where it came from (file path, "yosys help NAME", ...)
    group: str  # the report's source family (yosys-help, yosys-share, docs, scriptgen, jsonl, python-docs, ...)
    kind: str  # domain or general
    text: str


# -- reading sources -------------------------------------------------------------------------------------------


def offered_docs(offers: TrainingDataRegistry, name: str, **options: Any) -> Iterator[Doc]:
    """The documents of the plugins' offer ``name`` (ConfigError naming the offers there are when none is)."""
    for document in offers.read(DOCUMENTS, name, **options):
        yield Doc(document.source, document.group or name, "domain", document.text)


def yosys_help_docs(offers: TrainingDataRegistry) -> Iterator[Doc]:
    """One document per Yosys command: its title, usage, description and options (designqa's harvester)."""
    return offered_docs(offers, "yosys-help")


def yosys_share_dir() -> Path | None:
    """pyosys's bundled ``share/`` folder (techlibs, includes), or None without pyosys."""
    try:
        import pyosys
    except ImportError:
        return None
    share = Path(pyosys.__file__).parent / "share"
    return share if share.is_dir() else None


def read_file(path: Path, offers: TrainingDataRegistry | None = None) -> str | None:
    """The text of a supported file (HTML/PDF through the plugins' ``files`` offer), or None for other files."""
    suffix = path.suffix.lower()
    if suffix in CODE_SUFFIXES or suffix in TEXT_SUFFIXES:
        data = path.read_bytes()
        if b"\0" in data[:4096]:
            return None  # binary despite its name
        return data.decode("utf-8", errors="replace")
    if suffix in CONVERTED_SUFFIXES and offers is not None and offers.has(DOCUMENTS, "files"):
        return "\n\n".join(d.text for d in offers.read(DOCUMENTS, "files", paths=[str(path)]))
    return None


def folder_docs(
    root: Path, group: str, kind: str = "domain", offers: TrainingDataRegistry | None = None
) -> Iterator[Doc]:
    """Every supported file under ``root`` (sorted, hidden folders skipped; HTML/PDF only with ``offers``)."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        if any(part.startswith(".") for part in path.relative_to(root.parent if root.is_file() else root).parts):
            continue
        text = read_file(path, offers)
        if text is not None:
            yield Doc(str(path), group, kind, text)


def scriptgen_docs(offers: TrainingDataRegistry) -> Iterator[Doc]:
    """scriptgen's seed library as documents (instruction, then the script), when the plugin is loaded."""
    if offers.has(DOCUMENTS, "scriptgen-library"):
        yield from offered_docs(offers, "scriptgen-library")


def jsonl_docs(path: Path) -> Iterator[Doc]:
    """Prepared records ``{"text": ..., "source"?: ...}``; InvalidInputError naming a bad line."""
    from chipmate.trainer.data import read_jsonl

    for number, record in read_jsonl(path):
        if not isinstance(record.get("text"), str):
            raise InvalidInputError(f"{path}:{number}: a record needs a string 'text'")
        yield Doc(str(record.get("source") or f"{path}:{number}"), "jsonl", str(record.get("kind") or "domain"),
                  record["text"])  # fmt: skip


def python_docs() -> Iterator[Doc]:
    """Python's documentation topics (``pydoc_data.topics``, shipped with CPython, PSF-2.0): general prose."""
    from pydoc_data.topics import topics

    for name in sorted(topics):
        yield Doc(f"python-docs {name}", "python-docs", "general", topics[name])


def domain_docs(cfg: Config, offers: TrainingDataRegistry) -> Iterator[Doc]:
    """Every domain document the config names, source by source (``offers``: the host's training data)."""
    src = cfg.sources
    if src.yosys_help:
        yield from yosys_help_docs(offers)
    share = yosys_share_dir() if src.yosys_share else None
    if share is not None:
        yield from folder_docs(share, "yosys-share", offers=offers)
    for item in src.dirs + src.files:
        yield from folder_docs(Path(item).expanduser(), "docs", offers=offers)
    if src.scriptgen_library:
        yield from scriptgen_docs(offers)
    for item in src.jsonl:
        yield from jsonl_docs(Path(item).expanduser())


def general_docs(cfg: Config, offers: TrainingDataRegistry | None = None) -> Iterator[Doc]:
    """The general-text candidates (sampled down to the share later)."""
    for item in cfg.general.sources:
        if item == "python-docs":
            yield from python_docs()
        else:
            yield from folder_docs(Path(item).expanduser(), f"general:{Path(item).name}", "general", offers)


# -- cleaning --------------------------------------------------------------------------------------------------

_TEXTY = re.compile(r"[\w\s.,;:!?'\"()\[\]{}<>=+\-*/\\|&%$#@^~`]")


def pieces(text: str, max_chars: int) -> list[str]:
    """``text`` cut at blank lines (else line breaks, else hard) into pieces of at most ``max_chars``."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) <= max_chars:
        return [text] if text else []
    out, current = [], ""
    for para in re.split(r"(\n\s*\n)", text):
        while len(para) > max_chars:  # one huge paragraph: cut at a line break, else hard
            cut = para.rfind("\n", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            if current:
                out.append(current)
                current = ""
            out.append(para[:cut])
            para = para[cut:]
        if len(current) + len(para) > max_chars and current:
            out.append(current)
            current = ""
        current += para
    if current.strip():
        out.append(current)
    return [p.strip() for p in out if p.strip()]


def near_dup_key(text: str) -> str:
    """Hash of the text lower-cased, digits dropped and whitespace collapsed (catches renumbered copies)."""
    norm = re.sub(r"\s+", " ", re.sub(r"\d+", "", text.lower())).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def text_ratio(text: str) -> float:
    """Share of characters that are letters, digits, whitespace or common punctuation (not binary/mojibake)."""
    return len(_TEXTY.findall(text)) / max(1, len(text))


# -- the recipe ------------------------------------------------------------------------------------------------


def run(cfg: Config) -> dict[str, Any]:
    """Build the corpus into ``cfg.out_dir``; returns the report."""
    rng = random.Random(cfg.seed)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dropped: Counter[str] = Counter()
    seen_exact: set[str] = set()
    seen_near: set[str] = set()
    records: dict[str, list[dict[str, Any]]] = {"train": [], "validation": []}
    chars_by_group: Counter[str] = Counter()

    def add(docs: Iterator[Doc], budget: int | None, desc: str, split_of: Any = None) -> int:
        total = 0
        for doc in progress_iter(docs, desc, unit="doc", enabled=cfg.progress, every=50):
            cap = cfg.max_source_chars
            if (budget is not None and total >= budget) or (cap is not None and chars_by_group[doc.group] >= cap):
                dropped[f"{doc.group}: over budget"] += 1
                continue
            split = split_of or ("validation" if rng.random() < cfg.validation_fraction else "train")
            for i, text in enumerate(pieces(doc.text, cfg.max_chars)):
                exact = hashlib.sha1(text.encode("utf-8")).hexdigest()
                near = near_dup_key(text)
                if exact in seen_exact:
                    dropped["exact duplicate"] += 1
                elif near in seen_near:
                    dropped["near duplicate"] += 1
                elif len(text) < cfg.min_chars:
                    dropped["too short"] += 1
                elif text_ratio(text) < cfg.min_text_ratio:
                    dropped["not text"] += 1
                else:
                    seen_exact.add(exact)
                    seen_near.add(near)
                    records[split].append({"id": f"{exact[:12]}-{i}", "text": text, "source": doc.source,
                                           "group": doc.group, "kind": doc.kind})  # fmt: skip
                    total += len(text)
                    chars_by_group[doc.group] += len(text)
        return total

    from chipmate.host import Host
    from chipmate.trainer.recipes import host_config

    offers = Host(host_config(cfg.models_config)).training_data
    domain_chars = add(domain_docs(cfg, offers), None, "domain sources")
    if domain_chars == 0:
        raise InvalidInputError(
            "no domain text was found",
            hint="enable sources.yosys_help (needs pyosys) or list your docs and sources under sources.dirs",
        )
    # general chars g with g / (domain + g) = share; candidates are shuffled so the sample spans every topic
    target = int(domain_chars * cfg.general.share / (1 - cfg.general.share)) if cfg.general.share else 0
    candidates = list(general_docs(cfg, offers)) if target else []
    rng.shuffle(candidates)
    held_out = 0
    while candidates and held_out < cfg.general.validation_chars:  # the general validation set comes first
        held_out += add(iter([candidates.pop()]), None, "general validation", split_of="validation")
    general_chars = add(iter(candidates), target, "general sources", split_of="train") if target else 0
    report = write_shards(cfg, out, records, dropped, domain_chars, general_chars, target)
    return report


def write_shards(cfg: Config, out: Path, records: dict[str, list[dict[str, Any]]], dropped: Counter[str],
                 domain_chars: int, general_chars: int, target: int) -> dict[str, Any]:  # fmt: skip
    """Write the JSONL shards and report.json / report.md; returns the report."""
    for old in [*out.glob("train-*.jsonl"), *out.glob("validation-*.jsonl")]:
        old.unlink()  # a rebuild replaces the shards of an earlier build
    count_tokens = token_counter(cfg)
    stats: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: Counter()))
    for split, rows in records.items():
        for n in range(0, max(1, len(rows)), cfg.shard_records):
            with (out / f"{split}-{n // cfg.shard_records:05d}.jsonl").open("w", encoding="utf-8") as f:
                for row in rows[n : n + cfg.shard_records]:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        for row in rows:
            entry = stats[row["group"]][split]
            entry["documents"] += 1
            entry["chars"] += len(row["text"])
            entry["tokens"] += count_tokens(row["text"]) if count_tokens else 0
    # the share is of the training text (the held-out general validation set is not mixed into training)
    train_chars = Counter()
    for row in records["train"]:
        train_chars[row["kind"]] += len(row["text"])
    total_chars = sum(train_chars.values())
    report = {
        "out_dir": str(out),
        "config": cfg.model_dump(),
        "tokenizer": cfg.tokenizer,
        "domain_chars": domain_chars,
        "general_chars": general_chars,
        "general_share": train_chars["general"] / total_chars if total_chars else 0.0,
        "general_share_target": cfg.general.share,
        "general_target_met": train_chars["general"] >= 0.95 * target,
        "by_source": {g: {s: dict(c) for s, c in splits.items()} for g, splits in sorted(stats.items())},
        "dropped": dict(dropped),
        "records": {split: len(rows) for split, rows in records.items()},
    }
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report_markdown(report), encoding="utf-8")
    return {k: v for k, v in report.items() if k != "config"}


def token_counter(cfg: Config) -> Any:
    """A ``text -> token count`` function in the target model's tokenizer, or None without one."""
    if not cfg.tokenizer:
        return None
    from transformers import AutoTokenizer

    from chipmate.trainer.recipes import resolve_model

    path = resolve_model(cfg.tokenizer, cfg.models_config, where="tokenizer").path
    tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    return lambda text: len(tok(text, add_special_tokens=False)["input_ids"])


def report_markdown(report: dict[str, Any]) -> str:
    """The token count report as a Markdown table."""
    lines = [
        f"# Corpus report ({report['out_dir']})",
        "",
        f"general share {report['general_share']:.1%} of characters (target {report['general_share_target']:.0%}"
        f"{'' if report['general_target_met'] else ', NOT met: not enough general text'}); "
        f"tokens counted with `{report['tokenizer']}`",
        "",
        "| source | train docs | train chars | train tokens | validation docs | validation tokens |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group, splits in report["by_source"].items():
        t, v = splits.get("train", {}), splits.get("validation", {})
        lines.append(f"| {group} | {t.get('documents', 0):,} | {t.get('chars', 0):,} | {t.get('tokens', 0):,} | "
                     f"{v.get('documents', 0):,} | {v.get('tokens', 0):,} |")  # fmt: skip
    lines += ["", "dropped: " + (", ".join(f"{k} {v}" for k, v in sorted(report["dropped"].items())) or "nothing"), ""]
    return "\n".join(lines)
