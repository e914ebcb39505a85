"""The scriptgen service of one Host: its settings, library, example retriever, and the task handler.

Settings come from ``tasks.scriptgen`` in the chipmate config (every default is explained in docs/scriptgen.md)::

    tasks:
      scriptgen:
        generator: null          # model alias; null = the registry's default generator
        embedder: null           # model alias for example retrieval; null = the default embedder
        examples: 4              # few-shot examples per request
        resamples: 2             # extra samples while the constraints report problems
        temperature: 0.7         # of resamples and repeated repairs (the first draft is greedy)
        max_tokens: 320          # longest generated script, in tokens
        candidates: 2            # scripts drawn and run before the model repairs; the first that passes wins
        max_repairs: 3           # default repair rounds of a request
        timeout: 60              # seconds per tool run
        memory_mb: 2048          # address space of the tool
        processes: 64            # processes (and threads) a run may have at once
        disk_mb: 256             # size of a run's whole directory (a tmpfs in its namespaces)
        require_confinement: false   # refuse to run where Landlock is unavailable
        allow_unisolated: false  # run scripts where runs cannot get their own namespaces (no bwrap, no unshare)
        library: null            # local script store (JSONL); null = <cache>/scriptgen/library.jsonl
        seed: true               # include the seed library shipped with chipmate
        retrieval: hybrid        # plain | masked | hybrid: how instructions are compared (see retrieve.py)
        grounding: true          # put the usage of the commands a request needs, from the tool's help, in the prompt
        allowed_paths: []        # directories whose files a request may name by path instead of content
        max_files: 32
        max_file_bytes: 1048576
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from chipmate.errors import BackendUnavailableError, InvalidInputError, TaskNotFoundError
from chipmate.sections import Section, task_settings

from .constrain import Request
from .library import ScriptLibrary
from .pipeline import ABLATIONS, Outcome, Pipeline, Stages
from .sandbox import SandboxLimits, check_file_names, unisolated_refusal
from .tool import ScriptTool, not_run

if TYPE_CHECKING:
    from chipmate.host import Host

LOG = logging.getLogger("chipmate.scriptgen")


class ScriptGenSettings(Section):
    """``tasks.scriptgen`` of the config, validated."""

    KEY = "tasks.scriptgen"

    generator: str | None = None
    embedder: str | None = None
    examples: int = Field(default=4, ge=0, le=16)
    resamples: int = Field(default=2, ge=0, le=8)
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=320, ge=16, le=4096)
    # scripts sampled when the first fails and the fixes without the model do not help (docs/scriptgen.md)
    candidates: int = Field(default=2, ge=1, le=8)
    max_repairs: int = Field(default=3, ge=0, le=10)
    # seconds
    timeout: float = Field(default=60.0, ge=1, le=3600)
    memory_mb: int = Field(default=2048, ge=256)
    processes: int = Field(default=64, ge=8, le=4096)
    disk_mb: int = Field(default=256, ge=1, le=65536)
    require_confinement: bool = False
    allow_unisolated: bool = False
    library: str | None = None
    seed: bool = True
    retrieval: Literal["plain", "masked", "hybrid"] = "hybrid"
    grounding: bool = True
    allowed_paths: list[str] = Field(default_factory=list)
    max_files: int = Field(default=32, ge=1, le=1000)
    max_file_bytes: int = Field(default=1 << 20, ge=1)

    def stages(self, ablation: str = "repair") -> Stages:
        """The pipeline stages these settings configure (all on, or an ablation's subset)."""
        return Stages.ablation(
            ablation,
            examples=self.examples,
            resamples=self.resamples,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            candidates=self.candidates,
        )

    def limits(self) -> SandboxLimits:
        """The sandbox limits of a tool run."""
        return SandboxLimits(
            timeout=self.timeout,
            memory_bytes=self.memory_mb << 20,
            processes=self.processes,
            disk_bytes=self.disk_mb << 20,
            require_confinement=self.require_confinement,
            allow_unisolated=self.allow_unisolated,
        )


class ScriptGenService:
    """Settings, library and example retrievers of one Host, and the ``scriptgen.generate`` handler."""

    def __init__(self, host: Host) -> None:
        from chipmate.config import Config

        self.host = host
        self.config = getattr(host, "config", None) or Config()
        self.settings = task_settings(self.config, "scriptgen", ScriptGenSettings)
        self._retrievers: dict[str, Any] = {}
        self._docs: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def cache(self) -> Path:
        """The user cache of this configuration."""
        return Path(self.config.cache_path())

    def library(self) -> ScriptLibrary:
        """The seed library (unless ``seed: false``) and the local store."""
        store = Path(self.settings.library).expanduser() if self.settings.library else None
        return ScriptLibrary(store or self.cache / "scriptgen" / "library.jsonl", include_seed=self.settings.seed)

    def tool(self, name: str) -> ScriptTool:
        """The registered tool ``name``, checked to be usable for script generation and installed here."""
        try:
            tool = self.host.tools.get(name)
        except TaskNotFoundError as exc:
            raise InvalidInputError(f"unknown tool {name!r}", hint=exc.hint) from None
        if not isinstance(tool, ScriptTool):
            raise InvalidInputError(
                f"tool {name!r} cannot be used for script generation",
                hint="scriptgen needs an adapter with language, commands(), help(), split(), check() and run()",
            )
        reason = tool.unavailable()
        if reason:
            raise BackendUnavailableError(f"tool {name!r} is not available here: {reason}")
        return tool

    def retriever(self, tool: str) -> Any:
        """The example retriever of ``tool`` over the library (built once; re-indexes when the library changes)."""
        from .retrieve import ExampleRetriever

        with self._lock:
            if tool not in self._retrievers:
                models = self.host.models
                alias = self.settings.embedder or models.default_alias("embedder")
                self._retrievers[tool] = ExampleRetriever(
                    self.library(),
                    models.embedder(alias),
                    tool=tool,
                    cache_dir=self.cache,
                    embedder_name=alias,
                    mode=self.settings.retrieval,
                )
            return self._retrievers[tool]

    def docs(self, tool: ScriptTool) -> Any | None:
        """The command help of ``tool`` for documentation grounding (built once), or None when grounding is off or
        the tool offers no command reference (a third-party adapter without ``reference()``)."""
        from .helpdocs import ToolDocs, library_prior, opensta_commands, yosys_commands

        reference = getattr(tool, "reference", None)
        if not self.settings.grounding or reference is None:
            return None
        with self._lock:
            if tool.name not in self._docs:
                try:
                    data = reference()
                except BackendUnavailableError as exc:
                    LOG.warning("no documentation grounding for %s: %s", tool.name, exc)
                    data = None
                if data is None:
                    self._docs[tool.name] = None
                else:
                    commands = opensta_commands(data) if tool.language == "tcl" else yosys_commands(data)
                    alias = self.settings.embedder or self.host.models.default_alias("embedder")
                    self._docs[tool.name] = ToolDocs(
                        tool.name,
                        commands,
                        self.host.models.embedder(alias),
                        cache_dir=self.cache,
                        embedder_name=alias,
                        fingerprint=str(data.get("generator", "")),
                        prior=library_prior(tool, self.library().records(tool.name)),
                    )
            return self._docs[tool.name]

    def files(self, items: list[dict[str, Any]]) -> list[dict[str, str]]:
        """The request's files as ``{"name", "content"}``, reading ``path`` entries the allow-list permits."""
        if len(items) > self.settings.max_files:
            raise InvalidInputError(
                f"{len(items)} files is more than tasks.scriptgen.max_files ({self.settings.max_files})"
            )
        files = []
        for i, item in enumerate(items):
            content, path = item.get("content") or "", item.get("path") or ""
            if path and content:
                raise InvalidInputError(f"files[{i}] has both 'content' and 'path'", hint="send one of them")
            if path:
                content = self._read_allowed(path, i)
            name = item.get("name") or (Path(path).name if path else "")
            size = len(content.encode("utf-8"))
            if size > self.settings.max_file_bytes:
                raise InvalidInputError(
                    f"files[{i}] ({name}) has {size} bytes, more than tasks.scriptgen.max_file_bytes "
                    f"({self.settings.max_file_bytes})"
                )
            files.append({"name": name, "content": content})
        check_file_names({f["name"]: f["content"] for f in files})
        names = [f["name"] for f in files]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InvalidInputError(f"file name(s) given twice: {', '.join(duplicates)}")
        return files

    def _read_allowed(self, path: str, index: int) -> str:
        allowed = [Path(p).expanduser().resolve() for p in self.settings.allowed_paths]
        if not allowed:
            raise InvalidInputError(
                f"files[{index}] names a path, and this server reads no files by path",
                hint="send the file's content, or list its directory in tasks.scriptgen.allowed_paths",
            )
        resolved = Path(path).expanduser().resolve()
        if not any(resolved.is_relative_to(root) for root in allowed):
            raise InvalidInputError(
                f"files[{index}]: {path} is outside tasks.scriptgen.allowed_paths",
                hint=f"allowed directories: {', '.join(map(str, allowed))}",
            )
        try:
            return resolved.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"files[{index}]: cannot read {path}: {exc}") from None

    def pipeline(self, tool: ScriptTool, *, model: str | None = None, ablation: str = "repair") -> Pipeline:
        """A pipeline for ``tool`` with the request's model (else the configured one, else the default)."""
        if ablation not in ABLATIONS:
            raise InvalidInputError(f"unknown ablation {ablation!r}", hint=f"one of {', '.join(ABLATIONS)}")
        stages = self.settings.stages(ablation)
        generator = self.host.models.generator(model or self.settings.generator)
        retriever = self.retriever(tool.name) if stages.retrieval and stages.examples else None
        return Pipeline(
            tool=tool,
            generator=generator,
            retriever=retriever,
            stages=stages,
            timeout=self.settings.timeout,
            limits=self.settings.limits(),
            docs=self.docs(tool) if stages.retrieval else None,
        )

    def generate(self, input: dict[str, Any], ctx: Any) -> dict[str, Any]:
        """Handler of ``scriptgen.generate``."""
        return self.outcome(input, ctx).output()

    def outcome(
        self, input: dict[str, Any], ctx: Any, *, ablation: str = "repair", temperature: float = 0.0
    ) -> Outcome:
        """Run one request through the pipeline (the handler, and the evaluation harness with its ablations)."""
        instruction = str(input.get("instruction", "")).strip()
        if not instruction:
            raise InvalidInputError("instruction is empty", hint="say what the script should do")
        tool = self.tool(str(input.get("tool") or "yosys"))
        files = self.files(list(input.get("files") or []))
        missing = Request(instruction, files).missing_inputs
        if missing:
            # Never a silent substitution: a script for another file would "pass" and could write over this one.
            raise InvalidInputError(
                f"the instruction names input file(s) the request does not supply: {', '.join(missing)}",
                hint="add each to `files` (name and content), or name it as an output ('write ... to NAME')",
            )
        max_repairs = input.get("max_repairs")
        pipeline = self.pipeline(tool, model=input.get("model") or None, ablation=ablation)
        validate = bool(input.get("validate", True))
        # A host that cannot isolate runs generates and checks the script but does not run it (unless allowed).
        refusal = unisolated_refusal(self.settings.limits()) if validate else None
        outcome = pipeline.run(
            instruction,
            files,
            validate=validate and refusal is None,
            max_repairs=self.settings.max_repairs if max_repairs is None else int(max_repairs),
            temperature=temperature,
            ctx=ctx,
        )
        if refusal:
            LOG.warning("scriptgen: %s", refusal)
            outcome.problems.append(refusal)
            outcome.confinement = not_run(refusal).confinement
        return outcome


def service_for(host: Host) -> ScriptGenService:
    """The service of ``host`` (its plugin state), created on first use and shared by its calls."""
    return host.plugin_state("scriptgen", ScriptGenService)
