"""``chipmate.cli.options``: the --config option and the host every command (core or plugin) builds the same way."""

from __future__ import annotations

import click
import yaml
from click.testing import CliRunner

from chipmate.cli.options import config_option, host_from


def test_host_from_lays_given_values_over_the_files_task_settings(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"tasks": {"designqa": {"top_k": 3, "index_dir": "~/old"}}}))
    host = host_from(str(config), designqa={"index_dir": "~/kb", "embedder": None}, bugtriage={"db": None})
    assert host.config.tasks["designqa"] == {"top_k": 3, "index_dir": "~/kb"}  # None: the option was not given
    assert "bugtriage" not in host.config.tasks
    assert host_from(str(config)).config.tasks["designqa"]["index_dir"] == "~/old"


def test_config_option_names_the_section_and_fills_config_path(tmp_path):
    seen = []

    @click.command()
    @config_option("tasks.demo")
    def demo(config_path):
        seen.append(config_path)

    runner = CliRunner()
    assert "YAML config file (tasks.demo settings)." in runner.invoke(demo, ["--help"]).output
    assert runner.invoke(demo, ["-c", str(tmp_path / "c.yaml")]).exit_code == 0
    assert seen == [str(tmp_path / "c.yaml")]


def test_plugin_commands_share_the_option():
    from chipmate.plugins.bugtriage.cli import config_option as bugs_option
    from chipmate.plugins.designqa.cli import config_option as index_option

    @click.command()
    @index_option
    @click.option("--x")
    def a(config_path, x):
        pass

    @click.command()
    @bugs_option
    def b(config_path):
        pass

    for command in (a, b):
        (option,) = [p for p in command.params if p.name == "config_path"]
        assert option.opts == ["-c", "--config"]
