"""Files that stay whole when a process dies mid-write, and locks that serialise writers across processes.

``atomic_write`` writes to a temporary file in the destination's folder, flushes and fsyncs it, then renames it
over the destination (``os.replace``: atomic on POSIX and Windows within one filesystem), so readers see the old
file or the new one, never half of one. ``file_lock`` is an exclusive inter-process lock on a lock file
(the ``filelock`` package: ``flock`` on POSIX, ``msvcrt`` on Windows); every read-modify-write of shared cache
state (the alias store, a knowledge index, a model conversion) happens inside one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import filelock

#: raised by :func:`file_lock` when ``timeout`` runs out; callers turn it into their domain error
LockTimeout = filelock.Timeout


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    permissions: int | None = 0o644,
    sync_folder: bool = False,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it replaces ``path`` in one rename.

    An exception inside the block removes the temporary file and leaves ``path`` as it was. ``permissions``:
    the mode the file gets (``mkstemp`` creates it private; None keeps it so). ``sync_folder`` fsyncs the folder
    after the rename, so the rename itself survives a power cut (checkpoints want this).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)  # reopened by name, so the file's ``name`` is its path (for messages about it)
    try:
        with open(tmp, mode, encoding=None if "b" in mode else encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if permissions is not None:
            os.chmod(tmp, permissions)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync_folder:
        with contextlib.suppress(OSError):  # not every filesystem lets a folder be opened for fsync
            folder = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


@contextlib.contextmanager
def file_lock(path: str | os.PathLike[str], timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the lock file ``path`` (created if missing) for the block.

    ``timeout``: seconds to wait for another holder; None waits for ever, 0 tries once. :data:`LockTimeout` when
    it runs out. The lock belongs to this call, not to the thread or process: two threads of one process
    exclude each other as two processes do.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # thread_local=False and a fresh FileLock per call: filelock's reentrant singleton would let a second thread
    # of this process walk into a lock the first one holds.
    lock = filelock.FileLock(path, timeout=-1 if timeout is None else timeout, thread_local=False)
    with lock:
        yield
