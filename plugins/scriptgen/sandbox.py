"""Running a tool on a script in a sandbox: a fresh directory per run holding only the request's files.

Every run gets ``<tmp>/chipmate-run-XXXX/work`` (the request's files; the tool's working directory) and
``.../tmp`` (``TMPDIR`` for the tool, e.g. ABC's scratch files), both deleted afterwards. The tool runs in
``sandbox_child.py`` in a new session with a scrubbed environment, under limits on address space, CPU time and
the size of files it writes, and a wall-clock timeout after which the whole process group is killed. Where the
kernel offers Landlock the process is also confined: it can read only system and Python directories and read or
write only its own two directories, and it cannot open TCP connections. The static checks of ``checks.py``
run before any of this, so a script that names a shell or a path outside the run never starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chipmate.errors import BackendUnavailableError, InvalidInputError

CHILD = Path(__file__).with_name("sandbox_child.py")
#: a request's file names: flat, no leading dot, no separators (checked before anything is written)
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")
#: directories a confined tool may read and execute from (those missing on a system are skipped)
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/alternatives")
#: devices a tool may open for writing
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")


@dataclass
class SandboxLimits:
    """Limits of one run. Every default is sized for the small designs scripts are generated for."""

    # Wall-clock seconds before the process group is killed: a Yosys synth of a small design takes ~1 s.
    timeout: float = 60.0
    # Address space of the tool (and each process it starts); Python + libyosys map ~0.5 GiB at start.
    memory_bytes: int = 2 << 30
    # Largest file the tool may write: a small design's netlist is kilobytes.
    file_bytes: int = 64 << 20
    # Tool output kept for the log (first and last halves of a longer one).
    output_bytes: int = 256 << 10
    # Largest output file returned as text; larger ones are reported by size only.
    output_file_bytes: int = 1 << 20
    # Refuse to run (instead of running with static checks only) where Landlock is unavailable.
    require_confinement: bool = False


@dataclass
class SandboxResult:
    """What one sandboxed run did."""

    returncode: int
    #: the tool's stdout and stderr, interleaved, capped at ``SandboxLimits.output_bytes``
    log: str
    timed_out: bool = False
    #: the script line running when the tool stopped (yosys mode), or 0
    last_line: int = 0
    #: True when the tool ran every line (yosys mode) or the program exited 0 (exec mode)
    completed: bool = False
    #: how the process was confined ("landlock abi 7", or "none (...)")
    confinement: str = ""
    #: files the run created or changed, as text; files too large or not UTF-8 map to a placeholder
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def check_file_names(files: Mapping[str, str]) -> None:
    """InvalidInputError unless every name is a plain file name (no directories, no leading dot)."""
    for name in files:
        if not FILE_NAME.match(name) or name in (".", ".."):
            raise InvalidInputError(
                f"file name {name!r} is not allowed",
                hint="use plain names such as 'alu.v' or 'cells.lib': letters, digits, '_', '-', '+', '.', "
                "no directories, not starting with '.', at most 128 characters",
            )


class _CappedReader(threading.Thread):
    """Drains a pipe, keeping the first and the last ``cap / 2`` bytes of what came through."""

    def __init__(self, stream: object, cap: int) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.half = max(1, cap // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def run(self) -> None:
        read = self.stream.read1 if hasattr(self.stream, "read1") else self.stream.read  # type: ignore[attr-defined]
        while chunk := read(65536):
            room = self.half - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            self.tail += chunk
            if len(self.tail) > self.half:
                self.dropped += len(self.tail) - self.half
                del self.tail[: len(self.tail) - self.half]

    def text(self) -> str:
        middle = f"\n[... {self.dropped} bytes of output left out ...]\n" if self.dropped else ""
        return bytes(self.head).decode("utf-8", "replace") + middle + bytes(self.tail).decode("utf-8", "replace")


def _read_only_dirs() -> list[str]:
    python = (sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)))
    return sorted({d for d in (*SYSTEM_DIRS, *python) if d})


def _snapshot(work: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in work.iterdir() if p.is_file()}


def _collect_outputs(work: Path, before: dict[str, tuple[int, int]], limit: int) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for path in sorted(work.iterdir()):
        if not path.is_file() or path.is_symlink():
            continue
        stat = path.stat()
        if before.get(path.name) == (stat.st_size, stat.st_mtime_ns):
            continue
        if stat.st_size > limit:
            outputs[path.name] = f"<{stat.st_size} bytes, not returned>"
            continue
        try:
            outputs[path.name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            outputs[path.name] = f"<{stat.st_size} bytes of binary data>"
    return outputs


class Sandbox:
    """A fresh run directory holding only the request's files, deleted on :meth:`close`.

    Several runs may share it (a generated script, then the checker of an evaluation task, which reads what the
    first one wrote). Layout: ``work/`` (the files; the tool's working directory), ``tmp/`` (its ``TMPDIR``) and
    ``ctl/`` (wrapper scripts the tool reads but may not change).
    """

    def __init__(self, files: Mapping[str, str], *, base_dir: str | None = None) -> None:
        check_file_names(files)
        self.root = Path(tempfile.mkdtemp(prefix="chipmate-run-", dir=base_dir))
        self.work, self.tmp, self.ctl = self.root / "work", self.root / "tmp", self.root / "ctl"
        try:
            for folder in (self.work, self.tmp, self.ctl):
                folder.mkdir()
            for name, content in files.items():
                (self.work / name).write_text(content, encoding="utf-8")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the run directory and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)

    def run(
        self,
        *,
        mode: str,
        limits: SandboxLimits,
        script: str = "",
        argv: Sequence[str] = (),
        control: Mapping[str, str] | None = None,
    ) -> SandboxResult:
        """Run the tool once in this sandbox and report what happened; never raises for a failing tool.

        ``mode="yosys"`` runs ``script`` line by line through pyosys; ``mode="exec"`` runs ``argv``, whose
        ``{work}`` and ``{ctl}`` placeholders become the run and control directories. ``control`` files are
        written to ``ctl/`` first. Outputs are the files of ``work/`` this run created or changed.
        """
        for name, content in (control or {}).items():
            (self.ctl / name).write_text(content, encoding="utf-8")
        before = _snapshot(self.work)
        read_fd, write_fd = os.pipe()
        config = {
            "mode": mode,
            "marker_fd": write_fd,
            "script": script,
            "argv": [a.replace("{work}", str(self.work)).replace("{ctl}", str(self.ctl)) for a in argv],
            "limits": {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": int(limits.timeout) + 5,
                "file_bytes": limits.file_bytes,
            },
            "read_only": [*_read_only_dirs(), str(self.ctl)],
            "read_write": [str(self.work), str(self.tmp), *DEVICES],
            "require_confinement": limits.require_confinement,
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.work),
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", str(CHILD)],
                cwd=self.work,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read_fd)
            raise BackendUnavailableError(f"could not start the sandbox process: {exc}") from exc
        finally:
            os.close(write_fd)
        output = _CappedReader(proc.stdout, limits.output_bytes)
        output.start()
        with os.fdopen(read_fd, "rb") as marker_stream:
            markers = _CappedReader(marker_stream, 1 << 20)
            markers.start()
            timed_out = False
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(config).encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                proc.wait(timeout=limits.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                # Kill the whole group: ABC (or anything the tool started) must not outlive the run.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            output.join(5)
            markers.join(5)
        lines = markers.text().splitlines()
        numbers = [int(m.split()[1]) for m in lines if m.startswith("line ") and m.split()[1].isdigit()]
        log = output.text()
        if timed_out:
            log += f"\nERROR: the run was stopped after {limits.timeout:g} s (wall-clock limit)\n"
        completed = ("done" in lines if mode == "yosys" else proc.returncode == 0) and not timed_out
        return SandboxResult(
            returncode=proc.returncode,
            log=log,
            timed_out=timed_out,
            last_line=numbers[-1] if numbers else 0,
            completed=completed,
            confinement=next((m[len("confined ") :] for m in lines if m.startswith("confined ")), ""),
            outputs=_collect_outputs(self.work, before, limits.output_file_bytes),
            seconds=time.monotonic() - started,
        )
