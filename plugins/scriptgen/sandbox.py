"""Running a tool on a script in a sandbox: a fresh run holding only the request's files, in its own namespaces.

Every run starts from ``<tmp>/chipmate-run-XXXX/work`` (the request's files, and what earlier runs of the same
sandbox wrote) and ``.../ctl`` (control files the tool reads but may not change). Where this host has
bubblewrap or a working util-linux ``unshare`` (:mod:`.isolation`), the tool runs in its own mount, pid,
network, IPC and UTS namespaces: it sees the system and Python directories read-only, its files on a sized
tmpfs, nothing else of the file system, no network at all, and when the run ends or times out the whole pid
namespace is killed, so nothing it started outlives it. Inside,
``sandbox_child.py`` supervises the tool under limits on address space, CPU time, file size and process count,
and confines it with Landlock where the kernel offers it (an extra layer, not the only one). A host with neither
runs no script unless the operator allows it (``SandboxLimits.allow_unisolated``). The static checks
of ``checks.py`` run before any of this. docs/security.md says exactly what a run can and cannot do.

Over 400 lines on purpose: the server's half of one security boundary (run directory, child configuration,
spawn, bounded waits, output hand-back, log scrubbing) reads best in one place; the namespaces are in
``isolation.py`` and the child's half in ``sandbox_child.py``.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import json
import logging
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
from typing import Any

from chipmate.errors import BackendUnavailableError, InvalidInputError

from .isolation import CHILD, CONTROL, INPUTS, RUN, TMP, WORK, Isolation, bwrap_argv, run_uid, unshare_argv
from .isolation import probe as isolation_probe

CHILD_SOURCE = Path(__file__).with_name("sandbox_child.py")
LOG = logging.getLogger("chipmate.scriptgen.sandbox")
#: a request's file names: flat, no leading dot, no separators (checked before anything is written)
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")
#: directories a confined tool may read and execute from (those missing on a system are skipped)
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/alternatives")
#: devices a tool may open for writing
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")


@dataclass
class SandboxLimits:
    """Limits of one run. Every default is sized for the small designs scripts are generated for."""

    # Wall-clock seconds before every process of the run is killed: a Yosys synth of a small design takes ~1 s.
    timeout: float = 60.0
    # Address space of the tool (and each process it starts); Python + libyosys map ~0.5 GiB at start.
    memory_bytes: int = 2 << 30
    # Largest file the tool may write: a small design's netlist is kilobytes.
    file_bytes: int = 64 << 20
    # The whole run directory (the tmpfs holding the files and the tool's temp files): a few netlists fit many
    # times; one run cannot fill the server's disk.
    disk_bytes: int = 256 << 20
    # Processes (and threads) the run may have at once: Yosys, ABC and a shell need a handful; a fork bomb stops.
    processes: int = 64
    # Tool output kept for the log (first and last halves of a longer one).
    output_bytes: int = 256 << 10
    # Largest output file returned as text; larger ones are reported by size only.
    output_file_bytes: int = 1 << 20
    # Refuse to run (instead of running without it) where Landlock is unavailable.
    require_confinement: bool = False
    # Run scripts where this host cannot give a run its own namespaces (no bwrap, no unshare): static checks, limits
    # and Landlock only. Off: such a host runs no script, and says so.
    allow_unisolated: bool = False
    # Apply Landlock where the kernel offers it; off only to test the other layers on their own.
    landlock: bool = True


@dataclass
class SandboxResult:
    """What one sandboxed run did."""

    returncode: int
    #: the tool's stdout and stderr, interleaved, capped at ``SandboxLimits.output_bytes``, server paths replaced
    log: str
    timed_out: bool = False
    #: the script line running when the tool stopped (yosys mode), or 0
    last_line: int = 0
    #: True when the tool ran every line (yosys mode) or the program exited 0 (exec mode)
    completed: bool = False
    #: how the run was confined: its namespaces and limits, and Landlock ("landlock abi 7", "off", "none (...)")
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
        read = self.stream.read1 if hasattr(self.stream, "read1") else self.stream.read  # type: ignore[attr-defined]  # read1 exists on buffered streams, checked just before
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


def _read_only_dirs(extra: Sequence[str] = ()) -> list[str]:
    python = (sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)))
    spec = importlib.util.find_spec("pyosys")
    tool = [os.path.dirname(os.path.dirname(spec.origin))] if spec and spec.origin else []
    return sorted({d for d in (*SYSTEM_DIRS, *python, *tool, *extra) if d})


def _covered(path: str, folders: Sequence[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _snapshot(work: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in work.iterdir() if p.is_file()}


def _child_config(
    mode: str,
    script: str,
    argv: list[str],
    limits: SandboxLimits,
    isolation: Isolation,
    paths: tuple[str, str, str],
    read_only: list[str],
    fds: tuple[int, int],
    uid: int | None,
) -> dict[str, Any]:
    """What ``sandbox_child.py`` reads on its stdin: the run, its limits and what it may read and write."""
    work, tmp, ctl = paths
    marker_write, result_write = fds
    return {
        "mode": mode,
        "isolated": isolation.available,
        "marker_fd": marker_write,
        "result_fd": result_write if isolation.available else None,
        "script": script,
        "argv": argv,
        "work": work,
        "tmp": tmp,
        "inputs": INPUTS,
        "run_uid": uid,
        "timeout": limits.timeout,
        "outputs_bytes": min(limits.disk_bytes, OUTPUTS_BYTES),
        "limits": {
            "memory_bytes": limits.memory_bytes,
            "cpu_seconds": int(limits.timeout) + 5,
            "file_bytes": limits.file_bytes,
            "processes": limits.processes if isolation.available else 0,
        },
        "read_only": [*read_only, ctl, *([CHILD] if isolation.available else [])],
        "read_write": [work, tmp, *DEVICES],
        "landlock": limits.landlock,
        "require_landlock": limits.require_confinement,
    }


def _feed_and_wait(proc: subprocess.Popen[bytes], config: dict[str, Any], timeout: float) -> bool:
    """Send the child its configuration and wait for it; True when it had to be killed at ``timeout``."""
    killed = False
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(config).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        killed = True
    finally:
        # bwrap or unshare (and with it the pid namespace), or the unisolated supervisor's group: nothing
        # outlives the run.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return killed


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


def _server_paths(*extra: Path) -> list[tuple[str, str]]:
    """Server directories a log may mention, longest first, with what they become in a returned log."""
    here = Path(__file__).resolve().parent
    pairs = [
        (str(here.parents[1]), "<chipmate>"),
        (sys.prefix, "<python>"),
        (sys.base_prefix, "<python>"),
        (sys.exec_prefix, "<python>"),
        (os.path.dirname(os.path.realpath(sys.executable)), "<python>/bin"),
        (tempfile.gettempdir(), "<tmp>"),
        (str(Path.home()), "<home>"),
        *((str(p), "<run>") for p in extra),
    ]
    return sorted({(a, b) for a, b in pairs if len(a) > 1}, key=lambda pair: -len(pair[0]))


def scrub_paths(text: str, *extra: Path) -> str:
    """``text`` with the server's own directories (Python, chipmate, the run's) replaced by placeholders."""
    for path, label in _server_paths(*extra):
        # Whole path components only: "/tmp" must not turn "/tmp/tmpab12" into "<tmp><tmp>ab12".
        text = re.sub(re.escape(path) + r"(?![\w.-])", lambda _match, label=label: label, text)
    return text


def unisolated_refusal(limits: SandboxLimits) -> str | None:
    """Why a script may not run on this host (no namespaces, and the operator did not allow that), or None."""
    isolation = isolation_probe()
    if isolation.available or limits.allow_unisolated:
        return None
    return (
        f"the script was not run: this server cannot isolate tool runs ({isolation.detail}); install bubblewrap "
        "(or let unshare work: user namespaces for a non-root server), or set tasks.scriptgen.allow_unisolated: "
        "true to run scripts with static checks, limits and Landlock only"
    )


class _Collector(threading.Thread):
    """Reads a pipe to its end, keeping at most ``cap`` bytes (``overflow`` says whether more came)."""

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.cap = fd, cap
        self.data = bytearray()
        self.overflow = False

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as stream:
            while chunk := stream.read1(1 << 16):
                if len(self.data) < self.cap:
                    self.data += chunk[: self.cap - len(self.data)]
                else:
                    self.overflow = True


#: bytes of files an isolated run hands back in all (the rest are named in the log): a few netlists fit many times
OUTPUTS_BYTES = 64 << 20
#: seconds the parent waits past a run's timeout for its supervisor to kill the tool and hand back the outputs
GRACE = 10.0


class Sandbox:
    """A run directory holding only the request's files, deleted on :meth:`close`.

    Several runs may share it (a generated script, then the checker of an evaluation task, which reads what the
    first one wrote). Layout: ``work/`` (the files), ``ctl/`` (wrapper scripts the tool reads but may not change)
    and ``tmp/`` (the tool's ``TMPDIR`` when it runs without namespaces).
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

    @property
    def control_dir(self) -> str:
        """The control directory as the tool sees it (``{ctl}`` in an ``argv``)."""
        return CONTROL if isolation_probe().available else str(self.ctl)

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
        ``{work}`` and ``{ctl}`` placeholders become the run and control directories as the tool sees them.
        ``control`` files are written to ``ctl/`` first. Outputs are the files of ``work/`` this run created or
        changed. BackendUnavailableError when this host cannot isolate the run and ``limits`` do not allow that.
        """
        refusal = unisolated_refusal(limits)
        if refusal:
            raise BackendUnavailableError(refusal)
        isolation = isolation_probe()
        if not isolation.available:
            isolation = Isolation("none", isolation.detail)
        for name, content in (control or {}).items():
            (self.ctl / name).write_text(content, encoding="utf-8")
            (self.ctl / name).chmod(0o644)  # a root operator's tool runs as its own uid and reads the wrappers
        os.chmod(self.ctl, 0o755)
        before = _snapshot(self.work)
        if isolation.available:
            work, tmp, ctl = WORK, TMP, CONTROL
        else:
            work, tmp, ctl = str(self.work), str(self.tmp), str(self.ctl)
        argv = [a.replace("{work}", work).replace("{ctl}", ctl) for a in argv]
        program = [os.path.dirname(argv[0])] if argv and os.path.isabs(argv[0]) else []
        read_only = _read_only_dirs(program)
        marker_read, marker_write = os.pipe()
        result_read, result_write = os.pipe() if isolation.available else (-1, -1)
        uid = run_uid() if isolation.root else None
        config = _child_config(
            mode, script, argv, limits, isolation, (work, tmp, ctl), read_only, (marker_write, result_write), uid
        )
        command = self._command(isolation, limits, read_only, config)
        env = {"PATH": "/usr/bin:/bin", "HOME": work, "TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        started = time.monotonic()
        proc = self._spawn(command, env, (marker_write, result_write), (marker_read, result_read))
        output = _CappedReader(proc.stdout, limits.output_bytes)
        markers = _Collector(marker_read, 1 << 20)
        outputs = _Collector(result_read, OUTPUTS_BYTES * 4 // 3 + (1 << 20)) if result_read >= 0 else None
        for reader in (output, markers, outputs):
            if reader is not None:
                reader.start()
        killed = _feed_and_wait(proc, config, limits.timeout + GRACE)
        # No descriptor a stray process holds may keep the call waiting: every reader gets a bounded join.
        for reader in (output, markers, outputs):
            if reader is not None:
                reader.join(5)
        lines = bytes(markers.data).decode("utf-8", "replace").splitlines()
        skipped = self._take_outputs(bytes(outputs.data)) if outputs is not None else []
        numbers = [int(m.split()[1]) for m in lines if m.startswith("line ") and m.split()[1].isdigit()]
        exits = [m.split()[1] for m in lines if m.startswith("exit ")]
        returncode = int(exits[-1]) if exits and exits[-1].lstrip("-").isdigit() else (proc.returncode or -9)
        timed_out = killed or "timeout" in lines
        log = scrub_paths(output.text(), self.root)
        if skipped:
            log += f"\nfiles not returned (over {OUTPUTS_BYTES >> 20} MiB in all): {', '.join(skipped)}\n"
        if timed_out:
            log += f"\nERROR: the run was stopped after {limits.timeout:g} s (wall-clock limit)\n"
        completed = ("done" in lines if mode == "yosys" else returncode == 0) and not timed_out
        landlock = next((m[len("confined ") :] for m in lines if m.startswith("confined ")), "not reached")
        confinement = f"{self._describe(isolation, limits, uid)}; landlock: {landlock}"
        LOG.info("sandbox run (%s): %s", mode, confinement)
        return SandboxResult(
            returncode=returncode,
            log=log,
            timed_out=timed_out,
            last_line=numbers[-1] if numbers else 0,
            completed=completed,
            confinement=confinement,
            outputs=_collect_outputs(self.work, before, limits.output_file_bytes),
            seconds=time.monotonic() - started,
        )

    def _command(
        self, isolation: Isolation, limits: SandboxLimits, read_only: list[str], config: dict[str, Any]
    ) -> list[str]:
        """The command line that starts the child: in namespaces (bwrap or unshare) when there are any."""
        inside = [d for d in read_only if not _covered(d, ("/proc", "/dev", RUN))]
        if isolation.method == "unshare":
            newroot = self.root / "root"
            newroot.mkdir(exist_ok=True)
            config["setup"] = {
                "newroot": str(newroot),
                "read_only": inside,
                "inputs": str(self.work),
                "control": str(self.ctl),
                "child": str(CHILD_SOURCE),
                "devices": list(DEVICES),
                "disk_bytes": limits.disk_bytes,
            }
            config["drop_capabilities"] = not isolation.root
            return unshare_argv(isolation, child=str(CHILD_SOURCE), python=sys.executable)
        if isolation.available:
            return bwrap_argv(
                isolation,
                read_only=inside,
                inputs=str(self.work),
                control=str(self.ctl),
                child=str(CHILD_SOURCE),
                disk_bytes=limits.disk_bytes,
                python=sys.executable,
            )
        return [sys.executable, "-I", str(CHILD_SOURCE)]

    def _spawn(
        self, command: list[str], env: dict[str, str], child_fds: tuple[int, int], our_fds: tuple[int, int]
    ) -> subprocess.Popen[bytes]:
        """Start the child in a session of its own, handing it ``child_fds`` (closed here either way)."""
        fds = tuple(fd for fd in child_fds if fd >= 0)
        try:
            return subprocess.Popen(
                command,
                cwd=self.root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=fds,
                start_new_session=True,
            )
        except OSError as exc:
            for fd in our_fds:
                if fd >= 0:
                    os.close(fd)
            raise BackendUnavailableError(f"could not start the sandbox process: {exc}") from exc
        finally:
            for fd in fds:
                os.close(fd)

    @staticmethod
    def _describe(isolation: Isolation, limits: SandboxLimits, uid: int | None) -> str:
        if not isolation.available:
            return f"{isolation.describe()}; limits: memory, CPU, file size; allowed by allow_unisolated"
        who = f"; uid {uid}" if uid is not None else ""
        return (
            f"{isolation.describe()}{who}; limits: {limits.processes} processes, "
            f"{limits.disk_bytes >> 20} MiB run directory, memory, CPU, file size"
        )

    def _take_outputs(self, payload: bytes) -> list[str]:
        """Write the files an isolated run created or changed into ``work/`` (its tmpfs is gone); the names of
        those it could not hand back."""
        try:
            sent = json.loads(payload or b"{}")
            files = sent.get("files", {})
        except (ValueError, AttributeError):
            return []  # killed while sending: the run's outputs are lost, which its log and status say
        for name, data in files.items():
            if isinstance(name, str) and FILE_NAME.match(name) and isinstance(data, str):
                target = self.work / name
                if target.is_symlink():
                    target.unlink()
                target.write_bytes(base64.b64decode(data))
        return [str(name) for name in sent.get("skipped", [])][:20]
