"""Loading plugins from entry points for real (subprocesses over a private site directory): a broken third-party
plugin costs one ``Error:`` line, ``chipmate plugins`` still reports it, and loading is all or nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A directory with an installed-looking distribution whose `chipmate` entry point raises on import."""
    root = tmp_path_factory.mktemp("broken-site")
    (root / "broken_plugin.py").write_text('raise RuntimeError("boom: the plugin is broken")\n')
    info = root / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[chipmate]\nbroken = broken_plugin\n")
    return root


def chipmate(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(site), **env}
    for key in ("CHIPMATE_LOAD_PLUGINS", "CHIPMATE_DISABLE_PLUGINS"):
        if key not in env:
            environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "chipmate", *args], capture_output=True, text=True, env=environ, timeout=120
    )


def test_a_command_needing_plugins_fails_with_one_line_naming_the_fix(site):
    result = chipmate(site, "models", "list")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: plugin 'broken' (broken_plugin) failed to import: RuntimeError: boom")
    assert "CHIPMATE_DISABLE_PLUGINS=broken" in lines[0]
    assert "Traceback" not in result.stderr


def test_serve_refuses_to_start_with_a_broken_plugin(site):
    result = chipmate(site, "serve", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: plugin 'broken'")


def test_plugins_command_still_runs_and_shows_the_failure(site):
    result = chipmate(site, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["broken"]["status"] == "failed" and "boom" in rows["broken"]["error"]
    # All or nothing: the healthy plugins are listed with their hooks but were not loaded.
    assert rows["echo"]["status"] == "not loaded" and "chipmate_register_tasks" in rows["echo"]["hooks"]
    text = chipmate(site, "plugins")
    assert text.returncode == 0 and "broken  [failed]" in text.stdout


def test_disabling_the_broken_plugin_restores_everything(site):
    result = chipmate(site, "plugins", "--json", CHIPMATE_DISABLE_PLUGINS="broken")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["broken"]["status"] == "disabled" and rows["echo"]["status"] == "loaded"
    assert chipmate(site, "models", "list", CHIPMATE_DISABLE_PLUGINS="broken").returncode == 0
    allowed_none = chipmate(site, "plugins", "--json", CHIPMATE_LOAD_PLUGINS="")
    rows = {row["name"]: row for row in json.loads(allowed_none.stdout)}
    assert rows["broken"]["status"] == "not allowed" and rows["echo"]["status"] == "loaded"


def test_client_commands_do_not_load_plugins(site):
    # `call` talks to a server: the broken local plugin is irrelevant, and the error is the server's absence.
    result = chipmate(site, "health", "--target", "127.0.0.1:1")
    assert result.returncode == 1
    assert "plugin" not in result.stderr and result.stderr.startswith("Error:")


def test_help_lists_core_commands_and_reports_the_broken_plugin(site):
    result = chipmate(site, "--help")
    assert result.returncode == 0
    assert "serve" in result.stdout and "plugins" in result.stdout
    assert "Error: plugin 'broken'" in result.stderr


def test_a_failed_load_leaves_no_half_loaded_manager(site):
    code = """
from chipmate import plugin_manager
from chipmate.errors import PluginError
for attempt in range(2):
    try:
        plugin_manager.load_plugins()
    except PluginError as exc:
        print("raised", "broken" in str(exc), len(plugin_manager.pm.get_plugins()))
"""
    environ = {**os.environ, "PYTHONPATH": str(site)}
    environ.pop("CHIPMATE_LOAD_PLUGINS", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert result.stdout.split("\n")[:2] == ["raised True 0", "raised True 0"], result.stderr
