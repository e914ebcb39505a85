"""The sandbox: a fresh directory per run holding only the request's files, limits, confinement, clean-up."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from chipmate.errors import InvalidInputError
from chipmate.plugins.scriptgen import sandbox
from chipmate.plugins.scriptgen.isolation import probe as isolation_probe
from chipmate.plugins.scriptgen.sandbox import Sandbox, SandboxLimits, check_file_names, scrub_paths

SH = "/bin/sh"


ISOLATED = isolation_probe().available


def run_sh(command: str, files=None, **limits):
    limits = {"timeout": 20, "allow_unisolated": not ISOLATED, **limits}
    with Sandbox(files or {}) as box:
        return box, box.run(mode="exec", limits=SandboxLimits(**limits), argv=[SH, "-c", command])


def landlock_available() -> bool:
    _, result = run_sh("true")
    return "landlock: landlock abi" in result.confinement


needs_landlock = pytest.mark.skipif(not landlock_available(), reason="the kernel offers no Landlock here")


def test_a_run_sees_only_its_files_and_returns_what_it_wrote():
    box, result = run_sh("ls -A > listing.txt; cat a.v > copy.v; echo done", files={"a.v": "module a; endmodule\n"})
    assert result.completed and result.returncode == 0
    assert result.outputs["listing.txt"].split() == ["a.v", "listing.txt"]
    assert result.outputs["copy.v"] == "module a; endmodule\n"
    assert "a.v" not in result.outputs  # inputs it did not change are not outputs
    assert "done" in result.log
    assert not box.root.exists()  # deleted afterwards


def test_the_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("CHIPMATE_SECRET_TOKEN", "s3cret")
    _, result = run_sh("env > env.txt")
    keys = {line.split("=", 1)[0] for line in result.outputs["env.txt"].splitlines()}
    assert "CHIPMATE_SECRET_TOKEN" not in keys
    assert keys <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "PWD", "SHLVL", "_", "OLDPWD"}


def test_server_paths_in_a_log_become_placeholders_whole_components_only(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "_server_paths", lambda *extra: [("/srv/home/eda", "<home>"), ("/tmp", "<tmp>")])
    log = "read /tmp/tmpab12/x.v; wrote /srv/home/eda/out.json; kept /srv/home/edawork and /tmpfoo; at /tmp"
    expected = "read <tmp>/tmpab12/x.v; wrote <home>/out.json; kept /srv/home/edawork and /tmpfoo; at <tmp>"
    assert scrub_paths(log) == expected


def _alive(tag: str) -> list[str]:
    """Command lines of host processes that mention ``tag``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if tag in text and "pytest" not in text:
            found.append(text)
    return found


def test_timeout_kills_every_process_of_the_run(eventually):
    started = time.monotonic()
    _, result = run_sh("sleep 61.17 & sleep 61.17", timeout=1)
    assert result.timed_out and not result.completed
    assert time.monotonic() - started < 15
    assert "wall-clock limit" in result.log
    assert eventually(lambda: _alive("61.17") == []), "a process of the run outlived it"


def test_memory_limit_stops_a_greedy_tool():
    with Sandbox({}) as box:
        result = box.run(
            mode="exec",
            limits=SandboxLimits(timeout=30, memory_bytes=256 << 20, allow_unisolated=not ISOLATED),
            argv=[sys.executable, "-c", "block = bytearray(1 << 30)"],
        )
    assert result.returncode != 0 and "MemoryError" in result.log


def test_output_is_capped():
    _, result = run_sh("yes chipmate | head -c 3000000", output_bytes=64 << 10)
    assert len(result.log) < 70_000 and "bytes of output left out" in result.log


def test_large_output_files_are_reported_by_size():
    _, result = run_sh("head -c 200000 /dev/zero | tr '\\0' x > big.txt", output_file_bytes=1000)
    assert result.outputs["big.txt"] == "<200000 bytes, not returned>"


@pytest.mark.parametrize("name", ["../x.v", "/etc/passwd", ".hidden", "a/b.v", "", "x" * 200, "a b.v", "~root"])
def test_bad_file_names_are_refused(name):
    with pytest.raises(InvalidInputError, match="not allowed"):
        check_file_names({name: ""})


@needs_landlock
def test_confinement_stops_writes_and_reads_outside_the_run(tmp_path):
    canary = tmp_path / "canary"
    _, result = run_sh(f"echo pwned > {canary}; cat /etc/hostname > host.txt; echo ok > inside.txt")
    assert not canary.exists()
    assert result.outputs.get("host.txt", "") == ""  # opened for writing, but reading /etc was denied
    assert result.outputs["inside.txt"] == "ok\n"


@needs_landlock
def test_confinement_blocks_tcp():
    code = "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)"
    with Sandbox({}) as box:
        result = box.run(
            mode="exec",
            limits=SandboxLimits(timeout=20, allow_unisolated=not ISOLATED),
            argv=[sys.executable, "-c", code],
        )
    assert result.returncode != 0 and "Permission" in result.log


def test_sandboxes_are_separate():
    with Sandbox({"a.v": "1"}) as first, Sandbox({"b.v": "2"}) as second:
        assert first.root != second.root
        assert sorted(p.name for p in Path(first.work).iterdir()) == ["a.v"]
        assert sorted(p.name for p in Path(second.work).iterdir()) == ["b.v"]
