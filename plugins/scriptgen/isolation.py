"""Namespace isolation of a tool run with bubblewrap (``bwrap``) or util-linux ``unshare``, and which this host has.

Each run gets its own mount, pid, network, IPC and UTS namespaces (and cgroup namespace where the kernel allows):
a root file system that holds only the system and Python directories and the tool's own files, read-only; a
sized tmpfs at ``/run`` for the run directory (``/run/work``) and its temp directory (``/run/tmp``); the request's
files read-only at ``/in`` and the sandbox's control files at ``/ctl``; a fresh ``/proc`` and a minimal ``/dev``;
no network interface but a loopback that is down (no TCP, no UDP, nothing). Killing ``bwrap`` ends the pid
namespace, and with it every process the tool started, detached or not (``--die-with-parent``).

Who the tool runs as depends on the operator:

- **root** (no user namespace needed): ``bwrap`` keeps only the capabilities the supervisor needs to hand the run
  directory over and drop privileges; the tool runs as a fresh uid of its own (``RUN_UIDS``), with no
  capabilities, so ``RLIMIT_NPROC`` counts only this run's processes (root itself would bypass it);
- **any other user**: ``bwrap --unshare-user`` (unprivileged user namespaces, on by default in most
  distributions): the tool keeps the operator's uid outside, has no capabilities, and ``RLIMIT_NPROC`` counts the
  processes of its user namespace (Linux 5.14+).

Where bubblewrap is missing, util-linux ``unshare`` (present on nearly every Linux) builds the same namespaces and
the supervisor (``sandbox_child.py``) builds the same root file system itself: bind mounts remounted read-only, the
sized tmpfs, ``/proc`` and the three devices, then ``pivot_root``. Under a user namespace (a non-root operator) the
tool is uid 0 of that namespace only, and drops every capability before it starts.

:func:`probe` tries ``bwrap``, then ``unshare``, once per process with the flags a run uses and caches which works,
and why neither does; a host with neither runs no script unless ``tasks.scriptgen.allow_unisolated`` says so (see
docs/security.md).
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

#: uids a root operator's runs use, one drawn per run: far above any real account or subordinate-id range
RUN_UIDS = (3_000_000_000, 3_999_999_999)
#: capabilities the supervisor of a root operator's run keeps until the tool drops them all
ROOT_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_FOWNER")
#: paths inside the sandbox
RUN, WORK, TMP, INPUTS, CONTROL, CHILD = "/run", "/run/work", "/run/tmp", "/in", "/ctl", "/chipmate/child.py"


@dataclass(frozen=True)
class Isolation:
    """How this host isolates tool runs: ``method`` is ``"bwrap"`` or ``"none"``; ``detail`` says why/which."""

    method: str
    detail: str
    #: the supervisor runs as real root and hands the tool a fresh uid (root operators)
    root: bool = False
    binary: str = ""

    @property
    def available(self) -> bool:
        """True when runs get their own namespaces."""
        return self.method in ("bwrap", "unshare")

    def describe(self) -> str:
        """What a run's namespaces are, for ``confinement``."""
        if not self.available:
            return f"no namespaces ({self.detail})"
        user = "own uid, no capabilities" if self.root else "user namespace, no capabilities"
        return f"namespaces ({self.method}: mount, pid, net, ipc, uts; {user})"


def _bind_args(read_only: Sequence[str]) -> list[str]:
    """``--ro-bind`` each path at its own place (a symbolic link such as ``/bin -> usr/bin`` stays a link)."""
    args: list[str] = []
    links = [p for p in read_only if os.path.islink(p) and os.path.dirname(p) == "/"]
    folders = sorted({p for p in read_only if p not in links and os.path.exists(p)})
    # A path inside another bound one is already visible; binding it again would hide nothing but cost a mount.
    folders = [p for p in folders if not any(p.startswith(q.rstrip("/") + "/") for q in folders if q != p)]
    made: set[str] = set()
    for path in folders:
        # bwrap would create the parents of a bind point as 0700 (root's): the tool's uid could not pass them.
        parents = [str(p) for p in reversed(PurePosixPath(path).parents) if str(p) != "/"]
        for parent in parents:
            if parent not in made:
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
        args += ["--ro-bind", path, path]
    for path in links:
        args += ["--symlink", os.readlink(path), path]
    return args


def bwrap_argv(
    isolation: Isolation,
    *,
    read_only: Sequence[str],
    inputs: str,
    control: str,
    child: str,
    disk_bytes: int,
    python: str,
) -> list[str]:
    """The command line that starts ``python -I <child>`` in a run's namespaces."""
    argv = [isolation.binary, "--die-with-parent", "--new-session"]
    argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if isolation.root:
        argv += ["--cap-drop", "ALL"]
        for cap in ROOT_CAPS:
            argv += ["--cap-add", cap]
    else:
        argv += ["--unshare-user", "--cap-drop", "ALL"]
    argv += _bind_args(read_only)
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", str(disk_bytes), "--perms", "0755", "--tmpfs", RUN]
    if not any(p == "/tmp" or p.startswith("/tmp/") for p in read_only):
        # Tools that ignore TMPDIR and write to /tmp write into the run's tmpfs.
        argv += ["--symlink", TMP, "/tmp"]
    argv += ["--ro-bind", inputs, INPUTS, "--ro-bind", control, CONTROL, "--ro-bind", child, CHILD]
    argv += ["--chdir", RUN, "--", python, "-I", CHILD]
    return argv


def unshare_argv(isolation: Isolation, *, child: str, python: str) -> list[str]:
    """The command line that starts ``python -I <child>`` in new namespaces; the child builds its root itself."""
    argv = [isolation.binary, "--mount", "--propagation", "private", "--pid", "--net", "--ipc", "--uts"]
    argv += ["--kill-child"]  # the child is the namespace's init: when unshare is killed, every process goes
    if not isolation.root:
        argv += ["--map-root-user"]
    return [*argv, "--", python, "-I", child]


def run_uid() -> int:
    """A fresh uid for one run of a root operator."""
    return random.randint(*RUN_UIDS)


@functools.lru_cache(maxsize=1)
def probe() -> Isolation:
    """How this host isolates runs: ``bwrap``, else ``unshare`` (each tried once per process), else why neither."""
    bwrap = probe_bwrap()
    if bwrap.available:
        return bwrap
    fallback = probe_unshare()
    if fallback.available:
        return fallback
    return Isolation("none", f"{bwrap.detail}; {fallback.detail}")


def probe_unshare() -> Isolation:
    """Whether util-linux ``unshare`` can create a run's namespaces here (mount, pid, net, ipc, uts; user)."""
    binary = shutil.which("unshare")
    if binary is None:
        return Isolation("none", "util-linux unshare is not installed")
    root = os.geteuid() == 0
    isolation = Isolation("unshare", "util-linux unshare", root=root, binary=binary)
    argv = unshare_argv(isolation, child="-c", python="/bin/sh")
    argv = [*argv[: argv.index("--")], "--", "/bin/sh", "-c", "true"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Isolation("none", f"unshare could not start: {exc}")
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return Isolation("none", f"unshare failed here: {why[-1] if why else done.returncode}")
    return isolation


def probe_bwrap() -> Isolation:
    """Whether ``bwrap`` can build a run's namespaces here, and why not."""
    binary = shutil.which("bwrap")
    if binary is None:
        return Isolation("none", "bubblewrap is not installed: apt-get install bubblewrap")
    root = os.geteuid() == 0
    isolation = Isolation("bwrap", _version(binary), root=root, binary=binary)
    here = os.path.dirname(os.path.abspath(__file__))
    argv = bwrap_argv(
        isolation,
        read_only=["/usr", "/bin", "/lib", "/lib64"],
        inputs=here,
        control=here,
        child=os.path.abspath(__file__),
        disk_bytes=1 << 20,
        python="/bin/true",
    )
    argv = [*argv[: argv.index("--")], "--", "/bin/sh", "-c", "true"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Isolation("none", f"bwrap could not start: {exc}")
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = "" if root else "; unprivileged user namespaces may be off (sysctl kernel.unprivileged_userns_clone)"
        return Isolation("none", f"bwrap failed here: {why[-1] if why else done.returncode}{hint}")
    return isolation


def _version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10, text=True).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "bwrap"
    return out or "bwrap"
