"""The namespace layer of the sandbox on its own, for each way this host can build it.

Every test runs with bubblewrap (Landlock on, and forced off) and with util-linux ``unshare`` (Landlock off), and
``unshare`` under a user namespace (the path a non-root operator takes; as root it is a simulation, since uid 0
of that namespace is root's uid outside). A shell (or Python) inside the sandbox tries what an escaped script
would: read, write and list the server's file system, reach the network over TCP and UDP, fork without end, fill
the disk, outlive the run, gain privileges.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from pathlib import Path

import pytest

from chipmate.errors import BackendUnavailableError
from chipmate.plugins.scriptgen import isolation, sandbox
from chipmate.plugins.scriptgen.sandbox import Sandbox, SandboxLimits

from .test_sandbox import _alive

BWRAP, UNSHARE = isolation.probe_bwrap(), isolation.probe_unshare()
LAYERS = {
    "bwrap-landlock": (BWRAP, True),
    "bwrap": (BWRAP, False),
    "unshare": (UNSHARE, False),
    "unshare-userns": (isolation.Isolation("unshare", UNSHARE.detail, root=False, binary=UNSHARE.binary), False),
}


@pytest.fixture(params=list(LAYERS))
def landlock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Runs of this test use the layer's isolation; the value says whether Landlock is on."""
    chosen, landlock = LAYERS[request.param]
    if not chosen.binary:
        pytest.skip(f"not available here: {chosen.detail}")
    monkeypatch.setattr(sandbox, "isolation_probe", lambda: chosen)
    request.node.layer = request.param
    return landlock


def run(argv: list[str], landlock: bool, files=None, **limits):
    with Sandbox(files or {}) as box:
        return box.run(mode="exec", limits=SandboxLimits(**{"timeout": 20, "landlock": landlock, **limits}), argv=argv)


def sh(command: str, landlock: bool, files=None, **limits):
    return run(["/bin/sh", "-c", command], landlock, files, **limits)


def py(code: str, landlock: bool, **limits):
    return run([sys.executable, "-c", code], landlock, **limits)


def test_confinement_is_reported(landlock, request):
    result = sh("true", landlock)
    method = request.node.layer.split("-")[0]
    assert result.confinement.startswith(f"namespaces ({method}: mount, pid, net, ipc, uts")
    assert "64 processes" in result.confinement and "256 MiB run directory" in result.confinement
    assert ("landlock: off" in result.confinement) is not landlock


def test_nothing_of_the_server_is_visible_and_only_the_run_directory_is_writable(landlock, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    result = sh(
        f"cat {secret}; ls /home /root /etc /tmp /work; cat /etc/passwd /proc/1/environ;"
        "touch /usr/x /run/x /ctl/x /in/x; echo ok > inside.txt; pwd",
        landlock,
        files={"a.v": "x"},
    )
    assert "s3cret" not in result.log
    # /etc/passwd's first line, not the "/root:" header `ls` prints when the server's Python lives under /root
    assert not re.search(r"^root:[^:\n]*:0:0:", result.log, re.MULTILINE)
    assert "a.v" not in result.log  # the read-only input directory is not listed anywhere
    assert result.outputs == {"inside.txt": "ok\n"}
    assert "/run/work" in result.log  # the tool's working directory, not the server's path


def test_tmp_is_the_runs_own(landlock, tmp_path):
    name = f"chipmate-{tmp_path.name}.txt"
    result = sh(f"echo x > /tmp/{name} && ls /run/tmp", landlock)
    assert name in result.log
    assert not (Path("/tmp") / name).exists()


def test_the_tool_runs_without_capabilities_and_as_its_own_uid_under_root(landlock, request):
    result = sh("id -u; grep CapEff /proc/self/status", landlock)
    uid = int(result.log.split()[0])
    if request.node.layer != "unshare-userns":
        assert uid != 0 and (os.geteuid() != 0 or isolation.RUN_UIDS[0] <= uid <= isolation.RUN_UIDS[1])
    if not landlock:  # Landlock also hides /proc
        assert "CapEff:\t0000000000000000" in result.log


def test_no_network_tcp_or_udp(landlock):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    try:
        tcp_port, udp_port = server.getsockname()[1], udp.getsockname()[1]
        code = (
            "import socket\n"
            f"for what, target in (('tcp', ('127.0.0.1', {tcp_port})), ('tcp', ('8.8.8.8', 53))):\n"
            "    try: socket.create_connection(target, timeout=2); print(what, 'connected')\n"
            "    except OSError as e: print(what, 'refused', e)\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"for target in (('127.0.0.1', {udp_port}), ('8.8.8.8', 53)):\n"
            "    try: s.sendto(b'leak', target); print('udp sent', target[0])\n"
            "    except OSError as e: print('udp refused', target[0], e)\n"
        )
        result = py(code, landlock)
        assert "connected" not in result.log and result.log.count("tcp refused") == 2
        # The namespace has a loopback of its own: a datagram to 127.0.0.1 stays there, the outside is unreachable.
        assert "udp refused 8.8.8.8" in result.log
        with pytest.raises(TimeoutError):
            udp.recvfrom(16)
    finally:
        server.close()
        udp.close()


def test_process_count_is_limited(landlock, request, eventually):
    if request.node.layer == "unshare-userns" and os.geteuid() == 0:
        pytest.skip("as root, uid 0 of the user namespace is root outside, which RLIMIT_NPROC does not bind")
    result = sh("i=0; while [ $i -lt 200 ]; do sleep 30.2718 & i=$((i+1)); done; wait", landlock, timeout=5)
    assert "fork" in result.log.lower() or "resource temporarily unavailable" in result.log.lower()
    assert eventually(lambda: _alive("30.2718") == []), "a process of the run outlived it"


def test_the_whole_run_directory_has_a_size_limit(landlock):
    result = sh(
        "for i in 1 2 3; do head -c 40000000 /dev/zero > big$i.bin || echo FULL; done; ls",
        landlock,
        disk_bytes=64 << 20,
    )
    assert "FULL" in result.log and "No space left" in result.log


def test_a_detached_process_does_not_hold_the_call(landlock, eventually):
    started = time.monotonic()
    result = sh("setsid -f sleep 75.31; nohup sleep 75.31 >/dev/null 2>&1 & echo started", landlock, timeout=10)
    elapsed = time.monotonic() - started
    assert result.completed and not result.timed_out and "started" in result.log
    assert elapsed < 8  # the run ended when the tool did: nothing it left behind was waited on
    assert eventually(lambda: _alive("75.31") == []), "a process of the run outlived it"


def test_a_detached_process_past_the_timeout_is_killed_with_the_namespace(landlock, eventually):
    started = time.monotonic()
    result = sh("setsid -f sh -c 'sleep 80.41'; sleep 80.41", landlock, timeout=2)
    assert result.timed_out and time.monotonic() - started < 2 + sandbox.GRACE
    assert eventually(lambda: _alive("80.41") == []), "a process of the run outlived it"


def test_no_privilege_gain_through_setuid_programs(landlock):
    result = sh("ls -l /usr/bin/su /usr/bin/passwd 2>/dev/null | head -1; su -c id root </dev/null; id -u", landlock)
    assert "uid=0" not in result.log


def test_tracebacks_show_no_server_paths(landlock):
    result = py("import json; json.loads('{')", landlock)
    assert "Traceback" in result.log
    for path in (sys.prefix, sys.base_prefix, str(Path(sandbox.__file__).parent)):
        assert path not in result.log
    assert "<python>" in result.log


def test_outputs_written_in_the_namespace_come_back_for_the_next_run(landlock):
    with Sandbox({"a.v": "1"}) as box:
        limits = SandboxLimits(timeout=20, landlock=landlock)
        first = box.run(mode="exec", limits=limits, argv=["/bin/sh", "-c", "echo 2 > b.v"])
        second = box.run(mode="exec", limits=limits, argv=["/bin/sh", "-c", "cat a.v b.v > c.v"])
    assert first.outputs == {"b.v": "2\n"}
    assert second.outputs == {"c.v": "12\n"}


def test_without_isolation_nothing_runs_unless_the_operator_allows_it(monkeypatch, tmp_path):
    none = isolation.Isolation("none", "bubblewrap is not installed: apt-get install bubblewrap")
    monkeypatch.setattr(sandbox, "isolation_probe", lambda: none)
    canary = tmp_path / "ran"
    with Sandbox({}) as box, pytest.raises(BackendUnavailableError, match=r"not run.*allow_unisolated"):
        box.run(mode="exec", limits=SandboxLimits(timeout=20), argv=["/bin/sh", "-c", f"touch {canary}"])
    assert not canary.exists()
    with Sandbox({}) as box:
        result = box.run(
            mode="exec", limits=SandboxLimits(timeout=20, allow_unisolated=True), argv=["/bin/sh", "-c", "echo hi"]
        )
    assert result.completed and result.confinement.startswith("no namespaces (bubblewrap is not installed")
    assert "allowed by allow_unisolated" in result.confinement
