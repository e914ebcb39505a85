"""chipmate.files: atomic_write leaves the old file or the new one, never a half; file_lock excludes threads and
processes alike."""

from __future__ import annotations

import multiprocessing
import stat
import threading

import pytest

from chipmate.files import LockTimeout, atomic_write, file_lock


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "state.json"
    with atomic_write(target) as f:
        f.write("one")
    with atomic_write(target) as f:
        f.write("two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # mkstemp's private mode is not what a user file wants


def test_an_error_inside_keeps_the_old_file_whole(tmp_path):
    target = tmp_path / "state.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="killed mid-write"), atomic_write(target, "wb", sync_folder=True) as f:
        f.write(b"half of the new")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.bin"]


def test_file_lock_times_out_while_another_thread_holds_it(tmp_path):
    lock = tmp_path / ".lock"
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with file_lock(lock):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(30)
        with pytest.raises(LockTimeout), file_lock(lock, timeout=0):
            pass
    finally:
        release.set()
        thread.join()
    with file_lock(lock, timeout=0):  # free again once the holder left
        pass


def _hold(path: str, held, release) -> None:
    with file_lock(path):
        held.set()
        release.wait(30)


def test_file_lock_excludes_another_process(tmp_path):
    lock = tmp_path / ".lock"
    spawn = multiprocessing.get_context("spawn")
    held, release = spawn.Event(), spawn.Event()
    child = spawn.Process(target=_hold, args=(str(lock), held, release))
    child.start()
    try:
        assert held.wait(60)
        with pytest.raises(LockTimeout), file_lock(lock, timeout=0.1):
            pass
    finally:
        release.set()
        child.join(60)
    with file_lock(lock, timeout=5):
        pass
