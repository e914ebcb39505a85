"""The example third-party plugin, installed for real: discovered through its entry point, served with no
proto change, and controlled by the allow/deny lists. Runs `chipmate` in subprocesses so the loading policy is
the real one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from chipmate.client import Client

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chipmate-example-plugin"
SOURCE = "module top(input a, output y);\n  inv u0(.a(a), .y(y));\n  inv u1(.a(y), .y());\nendmodule\n"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example plugin pip-installed into a private directory (not into the test environment)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def chipmate(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(site), **env}
    for key in ("CHIPMATE_LOAD_PLUGINS", "CHIPMATE_DISABLE_PLUGINS"):
        if key not in env:
            environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "chipmate", *args], capture_output=True, text=True, env=environ, timeout=120
    )


def loaded(site: Path, **env: str) -> set[str]:
    result = chipmate(site, "plugins", "--json", **env)
    assert result.returncode == 0, result.stderr
    return {row["name"] for row in json.loads(result.stdout) if row["status"] == "loaded"}


def test_installed_plugin_is_discovered(site):
    assert {"echo", "verilog_stats"} <= loaded(site)


def test_allow_list_and_deny_list(site):
    assert "verilog_stats" not in loaded(site, CHIPMATE_LOAD_PLUGINS="")
    assert "echo" in loaded(site, CHIPMATE_LOAD_PLUGINS="")  # built-ins are not third-party
    assert "verilog_stats" in loaded(site, CHIPMATE_LOAD_PLUGINS="chipmate-verilog-stats")
    names = loaded(site, CHIPMATE_DISABLE_PLUGINS="verilog_stats,echo")
    assert "verilog_stats" not in names and "echo" not in names


def test_trace_plugins_prints_hook_calls(site):
    result = chipmate(site, "models", "list", CHIPMATE_TRACE_PLUGINS="1")
    assert result.returncode == 0
    # Register hooks are traced too, with the plugin that implements each.
    assert "chipmate_register_models [hook]" in result.stderr and "plugin: backends" in result.stderr


def test_plugin_cli_command(site, tmp_path):
    design = tmp_path / "top.v"
    design.write_text(SOURCE)
    result = chipmate(site, "verilog-stats", str(design))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["modules"] == [{"name": "top", "ports": 2, "instances": 2}]


def test_new_task_is_served_with_no_proto_change_and_sigterm_is_graceful(site, tmp_path):
    environ = {**os.environ, "PYTHONPATH": str(site)}
    environ.pop("CHIPMATE_LOAD_PLUGINS", None)
    # No background build of designqa's default knowledge base: it is not what this test is about, and on a loaded
    # machine loading the embedder for it (not interruptible) can outlast the SIGTERM wait below.
    config = tmp_path / "chipmate.yaml"
    config.write_text("tasks:\n  designqa:\n    build_default: false\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chipmate", "serve", "-c", str(config), "--port", "0", "--log-format", "text"],
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )
    try:
        port = None
        for line in proc.stderr:
            if line.startswith("chipmate serving on"):
                port = int(line.rsplit(":", 1)[1])
                break
        assert port, "server did not report its port"
        with Client(f"127.0.0.1:{port}", timeout=30) as client:
            assert "verilog.stats" in {t.name for t in client.tasks()}
            output = client.call("verilog.stats", {"source": SOURCE})
        assert output == {"modules": [{"name": "top", "ports": 2, "instances": 2}], "count": 1}
        # The plugin's own typed service, served next to the generic one (stubs from the installed package).
        sys.path.insert(0, str(site))
        try:
            from chipmate_verilog_stats.v1 import stats_pb2, stats_pb2_grpc
        finally:
            sys.path.remove(str(site))
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            typed = stats_pb2_grpc.VerilogStatsServiceStub(channel).Stats(
                stats_pb2.StatsRequest(source=SOURCE), timeout=30
            )
        assert [(m.name, m.ports, m.instances) for m in typed.modules] == [("top", 2, 2)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
