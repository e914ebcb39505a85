"""The process a sandboxed tool run starts: a small supervisor, then the tool under limits. Standalone on purpose.

Over 400 lines on purpose: it may import nothing of chipmate (see below), so root building, limits, Landlock and
the tool's supervision live in this one file.

``sandbox.py`` starts it as ``python -I sandbox_child.py`` (configuration as JSON on stdin) with a scrubbed
environment, inside bubblewrap's namespaces where the server has them (``"isolated": true``), else directly. It
imports nothing from chipmate, so it starts in a few milliseconds and shares no state with the server.

The supervisor (this process):

1. under ``unshare`` (no bubblewrap), builds the run's root file system and pivots into it (``build_root``);
   when isolated, copies the request's files from the read-only ``inputs`` directory into ``work`` (on the
   run's sized tmpfs) and, when it runs as real root (a root operator: no user namespace), hands ``work`` and
   ``tmp`` to the run's own unprivileged uid;
2. forks the tool process, which starts a new session, sets resource limits (address space, CPU seconds, size
   of a file, number of processes, no core dumps), drops to the run's uid where there is one (else, as uid 0 of
   a user namespace, every capability), sets
   ``no_new_privs``, imports pyosys (``mode: "yosys"``; its files are read before confinement), confines itself
   with Landlock where the kernel offers it and the run asks for it, and runs the tool: ``exec`` replaces itself
   with the configured program (OpenSTA); ``yosys`` runs the script one line at a time through
   ``pyosys.libyosys`` so the parent knows which line a failure came from;
3. waits for the tool until the wall-clock ``timeout``, then kills every process of the run: inside a pid
   namespace ``kill(-1)`` reaches everything the tool started, detached or not; without one, the tool's process
   group;
4. when isolated, sends the files the run created or changed (regular files only) to the parent on
   ``result_fd`` as JSON, because the tmpfs vanishes with the namespace.

Markers on ``marker_fd`` (one line each): ``confined <how>`` (tool), ``line <n>`` before script line n and
``done`` after the last one (yosys mode), then ``timeout`` and ``exit <status>`` (supervisor). The tool closes
``result_fd`` and marks ``marker_fd`` close-on-exec, so nothing it starts (ABC, a shell) inherits either.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import sys
import time

# Landlock (Linux 5.13+), from <linux/landlock.h>. Rights of a file system path.
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
READ_ONLY = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
READ_WRITE = (
    READ_ONLY
    | FS_WRITE_FILE
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SYM
    | FS_MAKE_FIFO
    | FS_REFER
    | FS_TRUNCATE
)
NET_ALL = 0b11  # bind and connect TCP, ABI 4
SCOPE_ALL = 0b11  # abstract unix sockets and signals, ABI 6
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
# securebits: no capabilities for uid 0 on exec, no fix-ups on setuid, no ambient raise; each locked
SECURE_NOROOT = 0b11 | 0b1100 | 0b11000000
CAPABILITY_VERSION_3 = 0x20080522
# mount(2) flags, from <sys/mount.h>
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 32, 4096, 16384, 1024, 2048, 1 << 21
MNT_DETACH = 2
# statvfs flags a bind mount keeps (a user namespace may not clear them on remount)
LOCKED_FLAGS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME}
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217, "riscv64": 41}


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def landlock(read_only: list[str], read_write: list[str]) -> str:
    """Confine this process (and its children) to the given directories; say how, or why not."""
    if not sys.platform.startswith("linux"):
        return "none (Landlock needs Linux)"
    libc = _libc()
    abi = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return f"none (Landlock unavailable: {os.strerror(ctypes.get_errno())})"
    handled = _fs_rights(abi)
    attr = _RulesetAttr(handled, NET_ALL if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    size = ctypes.sizeof(attr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"none (landlock_create_ruleset: {os.strerror(ctypes.get_errno())})"
    try:
        for paths, rights in ((read_only, READ_ONLY), (read_write, READ_WRITE)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # a directory this system lacks (/lib64 on some distributions)
                try:
                    # A rule on a file (not a directory) may only carry file rights.
                    allowed = rights & handled
                    if not os.path.isdir(path):
                        allowed &= FS_EXECUTE | FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV
                    rule = _PathBeneath(allowed, fd)
                    if libc.syscall(SYS_ADD_RULE, ruleset, ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0)):
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
                finally:
                    os.close(fd)
        if libc.syscall(SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)):
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return f"landlock abi {abi}"


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = _libc()
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731 - a one-line helper local to this function
    if libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source or ''} on {target}: {os.strerror(errno)}")


def _bind(source: str, target: str, writable: bool = False) -> None:
    """Bind ``source`` at ``target`` (a file or a directory), read-only unless ``writable``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    kept = os.statvfs(source).f_flag
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (0 if writable else MS_RDONLY)
    flags |= sum(ms for st, ms in LOCKED_FLAGS.items() if kept & st and (ms != MS_RDONLY or not writable))
    if kept & 4096:
        flags |= MS_RELATIME
    _mount(None, target, None, flags)


def build_root(setup: dict) -> None:
    """What bwrap does, for ``unshare``: a new root holding only the run's view, then ``pivot_root`` into it."""
    new = setup["newroot"]
    _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    for path in setup["read_only"]:
        if os.path.islink(path) and os.path.dirname(path) == "/":
            os.symlink(os.readlink(path), new + path)
        elif os.path.exists(path):
            _bind(path, new + path)
    os.makedirs(new + "/run")
    _mount("tmpfs", new + "/run", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0755,size={int(setup['disk_bytes'])}")
    _bind(setup["inputs"], new + "/in")
    _bind(setup["control"], new + "/ctl")
    _bind(setup["child"], new + "/chipmate/child.py")
    for device in setup["devices"]:
        _bind(device, new + device, writable=True)
    os.makedirs(new + "/proc")
    _mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if not os.path.lexists(new + "/tmp"):
        os.symlink("/run/tmp", new + "/tmp")
    os.chdir(new)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None or _libc().syscall(number, b".", b".") != 0:
        raise OSError(ctypes.get_errno(), "pivot_root")
    _libc().umount2(b".", MNT_DETACH)  # the old root, stacked under the new one, goes
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32))


def drop_capabilities() -> None:
    """Give up every capability for good (uid 0 of a user namespace would otherwise keep them across exec)."""
    libc = _libc()
    if libc.prctl(PR_SET_SECUREBITS, SECURE_NOROOT, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECUREBITS)")
    with open("/proc/sys/kernel/cap_last_cap") as stream:
        last = int(stream.read())
    for cap in range(last + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), data):
        raise OSError(ctypes.get_errno(), "capset")


def set_limits(limits: dict[str, int]) -> None:
    """Apply the resource limits the parent chose (0 leaves one unset)."""
    table = {
        "memory_bytes": resource.RLIMIT_AS,
        "cpu_seconds": resource.RLIMIT_CPU,
        "file_bytes": resource.RLIMIT_FSIZE,
        "processes": resource.RLIMIT_NPROC,
    }
    for key, which in table.items():
        value = int(limits.get(key) or 0)
        if value > 0:
            resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_yosys(ys: object, lines: list[str], marker: int) -> None:
    """Run the script one line at a time in one design; Yosys exits the process on the first error."""
    design = ys.Design()  # type: ignore[attr-defined]  # pyosys builds its API at import time; mypy sees none of it
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        os.write(marker, f"line {number}\n".encode())
        sys.stdout.flush()
        ys.run_pass(line, design)  # type: ignore[attr-defined]  # pyosys builds its API at import time; mypy sees none of it
    sys.stdout.flush()
    os.write(marker, b"done\n")


def tool(config: dict, marker: int) -> None:
    """The tool process: limits, the run's uid, no_new_privs, Landlock, then the tool. Never returns."""
    os.set_inheritable(marker, False)  # ABC or a shell the tool starts must not write markers
    os.setsid()
    set_limits(config.get("limits", {}))
    uid = config.get("run_uid")
    if uid is not None:
        # A root operator: the tool runs as the run's own unprivileged uid (no capabilities, its own process
        # count for RLIMIT_NPROC, which root would bypass).
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    elif config.get("drop_capabilities"):
        drop_capabilities()
    if _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    os.chdir(config["work"])
    ys = None
    read_only = list(config["read_only"])
    if config["mode"] == "yosys":
        from pyosys import libyosys as ys  # read its library and share files before confinement

        read_only.append(os.path.dirname(os.path.abspath(ys.__file__)))
    how = landlock(read_only, config["read_write"]) if config.get("landlock", True) else "off"
    os.write(marker, f"confined {how}\n".encode())
    if config.get("require_landlock") and not how.startswith("landlock"):
        sys.stderr.write(f"ERROR: Landlock confinement required but unavailable: {how}\n")
        sys.stderr.flush()
        os._exit(3)
    if config["mode"] == "exec":
        argv = config["argv"]
        os.execv(argv[0], argv)
    run_yosys(ys, config["script"].splitlines(), marker)
    sys.stdout.flush()
    _libc().fflush(None)  # Yosys logs through C stdio; os._exit would drop what is still buffered
    os._exit(0)


def _copy_inputs(source: str, work: str, uid: int | None) -> dict[str, tuple[int, int]]:
    """Copy the request's files into the run directory; their (size, mtime) as copied."""
    for name in sorted(os.listdir(source)):
        path = os.path.join(source, name)
        if os.path.isfile(path) and not os.path.islink(path):
            shutil.copyfile(path, os.path.join(work, name))
    if uid is not None:
        os.chown(work, uid, uid)
        for name in os.listdir(work):
            os.chown(os.path.join(work, name), uid, uid)
    return _snapshot(work)


def _snapshot(work: str) -> dict[str, tuple[int, int]]:
    snap = {}
    for entry in os.scandir(work):
        if entry.is_file(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
            snap[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return snap


def _wait(pid: int, timeout: float) -> tuple[int | None, bool]:
    """The tool's wait status, or None and True when it ran past ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, False
            left = deadline - time.monotonic()
            if left <= 0:
                return None, True
            if pidfd >= 0:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(left, 0.02))
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def _kill_all(pid: int, namespace: bool) -> None:
    """Kill every process of the run: all of the pid namespace, else the tool's process group."""
    try:
        if namespace:
            os.kill(-1, signal.SIGKILL)  # every process here but this one and the namespace's init
        else:
            os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _send_outputs(fd: int, work: str, before: dict[str, tuple[int, int]], limit: int) -> None:
    """Files of ``work`` the run created or changed, as JSON ``{"files": {name: base64}}`` on ``fd``."""
    files, skipped, total = {}, [], 0
    for name, stat in sorted(_snapshot(work).items()):
        if before.get(name) == stat:
            continue
        if total + stat[0] > limit:
            skipped.append(name)
            continue
        try:
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
            handle = os.open(os.path.join(work, name), flags)
            with os.fdopen(handle, "rb") as stream:
                data = stream.read(limit - total + 1)
        except OSError:
            continue
        total += len(data)
        files[name] = base64.b64encode(data).decode("ascii")
    payload = json.dumps({"files": files, "skipped": skipped}).encode()
    with os.fdopen(fd, "wb") as out:
        out.write(payload)


def main() -> None:
    config = json.loads(sys.stdin.read())
    marker = int(config["marker_fd"])
    result_fd = config.get("result_fd")
    isolated = bool(config.get("isolated"))
    work = config["work"]
    uid = config.get("run_uid")
    before: dict[str, tuple[int, int]] = {}
    if config.get("setup"):
        build_root(config["setup"])
    if isolated:
        # Other processes of the run share this uid: they must not read this process's memory or descriptors.
        _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        os.makedirs(work, exist_ok=True)
        os.makedirs(config["tmp"], exist_ok=True)
        before = _copy_inputs(config["inputs"], work, uid)
        if uid is not None:
            os.chown(config["tmp"], uid, uid)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            if result_fd is not None:
                os.close(int(result_fd))
            tool(config, marker)
        except BaseException as exc:  # report and leave: the parent reads the log
            sys.stderr.write(f"ERROR: the sandbox could not start the tool: {exc}\n")
            sys.stderr.flush()
        os._exit(127)
    status, timed_out = _wait(pid, float(config["timeout"]))
    _kill_all(pid, namespace=isolated)
    if status is None:
        _, status = os.waitpid(pid, 0)
    if timed_out:
        os.write(marker, b"timeout\n")
    os.write(marker, f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
    if result_fd is not None:
        _send_outputs(int(result_fd), work, before, int(config.get("outputs_bytes", 64 << 20)))


if __name__ == "__main__":
    main()
