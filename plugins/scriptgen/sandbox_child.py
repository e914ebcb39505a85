"""The process a sandboxed tool run starts: limits, confinement, then the tool. Standalone on purpose.

``sandbox.py`` starts it as ``python -I sandbox_child.py`` (configuration as JSON on stdin) in a fresh session
with a scrubbed environment; it imports nothing from chipmate, so it starts in a few milliseconds and shares no
state with the server. In order it:

1. sets resource limits (address space, CPU seconds, size of any file written, no core dumps);
2. for ``mode: "yosys"`` imports pyosys first (its library and data files are read before confinement);
3. confines itself with Landlock where the kernel offers it: read and execute only in the system and Python
   directories, read and write only in the run's directory and its temp directory, no TCP, no signals or
   abstract sockets outside the run. Every process it starts (ABC, a shell) inherits that;
4. runs the tool: ``exec`` replaces itself with the configured program (OpenSTA); ``yosys`` runs the script one
   line at a time through ``pyosys.libyosys`` so the parent knows which line a failure came from.

It reports on the file descriptor ``marker_fd`` (one line each): ``confined <how>``, ``line <n>`` before
running script line n, and ``done`` after the last one. Yosys ends the process with status 1 on an error, so a
run that stops without ``done`` failed at the last line reported.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

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


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


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
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
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
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)):
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return f"landlock abi {abi}"


def set_limits(limits: dict[str, int]) -> None:
    """Apply the resource limits the parent chose (0 leaves one unset)."""
    table = {
        "memory_bytes": resource.RLIMIT_AS,
        "cpu_seconds": resource.RLIMIT_CPU,
        "file_bytes": resource.RLIMIT_FSIZE,
    }
    for key, which in table.items():
        value = int(limits.get(key) or 0)
        if value > 0:
            resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_yosys(ys: object, lines: list[str], marker: int) -> None:
    """Run the script one line at a time in one design; Yosys exits the process on the first error."""
    design = ys.Design()  # type: ignore[attr-defined]
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        os.write(marker, f"line {number}\n".encode())
        sys.stdout.flush()
        ys.run_pass(line, design)  # type: ignore[attr-defined]
    sys.stdout.flush()
    os.write(marker, b"done\n")


def main() -> None:
    config = json.loads(sys.stdin.read())
    marker = int(config["marker_fd"])
    set_limits(config.get("limits", {}))
    ys = None
    if config["mode"] == "yosys":
        from pyosys import libyosys as ys  # read its library and share files before confinement

        config["read_only"].append(os.path.dirname(os.path.abspath(ys.__file__)))
    how = landlock(config["read_only"], config["read_write"]) if config.get("confine", True) else "none (off)"
    os.write(marker, f"confined {how}\n".encode())
    if config.get("require_confinement") and not how.startswith("landlock"):
        sys.stderr.write(f"ERROR: sandbox confinement required but unavailable: {how}\n")
        sys.exit(3)
    if config["mode"] == "exec":
        argv = config["argv"]
        os.execv(argv[0], argv)
    run_yosys(ys, config["script"].splitlines(), marker)


if __name__ == "__main__":
    main()
