"""README.md's "Use it" commands, run in order as a user would run them: in a shell of their own, with only the
virtualenv's ``bin`` on PATH (the README's ``source .venv/bin/activate``), against a live server.

The server is in-process on port 0 (``$CHIPMATE_TARGET`` points the commands at it, so they run as written) with
two stand-ins that keep the test short: a scripted generator as the default model (the embedded one converts for
minutes on first use) and a one-passage knowledge base on ``opt_clean`` as designqa's index (the default one is
built from Yosys help in about a minute and a half). Everything else is real: the CLI processes, gRPC, the
plugins, Yosys. Two commands are only checked to be valid command lines (see NOT_RUN).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from chipmate import hookimpl
from chipmate.config import Config
from chipmate.host import Host
from chipmate.models import GENERATOR, ModelBackend
from chipmate.models.base import Generation, Generator, TokenStream
from chipmate.plugins.scriptgen.library import DESIGNS_DIR

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Checked to be valid command lines, not run: the evaluation runs the real default model over the whole development
# set (minutes: benchmarks/scriptgen.py's job), and `chipmate mcp` serves an agent on stdin until it hangs up
# (tests/integrations drive it with the MCP SDK's own client).
NOT_RUN = {("eval", "scriptgen"), ("mcp",)}
SCRIPT = "read_verilog counter.v\nsynth -top counter\nwrite_verilog counter_syn.v\n"


class ReadmeGenerator(Generator):
    """A Yosys script for scriptgen's prompts, a short sentence for anything else."""

    context_length = 8192

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None, ctx=None):
        text = SCRIPT if "Yosys" in messages[0]["content"] else "A netlist lists cells and the nets between them."
        pieces = re.findall(r"[^\n ]+[\n ]?", text)
        return TokenStream(iter(pieces), lambda: Generation(text, 10, len(pieces), "stop"))

    def count_tokens(self, text):
        return len(text.split())


class ReadmeModels:
    @hookimpl
    def chipmate_register_models(self, register):
        register(ModelBackend(name="readme-fake", kind=GENERATOR, load=lambda spec: ReadmeGenerator()))


def use_it_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=240
    )


@pytest.mark.slow
@pytest.mark.timeout(900)  # about 30 s alone; a dozen CLI starts and two index builds on a loaded 2-core machine
def test_the_readme_commands_work_as_written(tmp_path, make_server, register_plugin):
    commands = use_it_commands()
    assert commands[0] == "source .venv/bin/activate"
    # A user's checkout: the README's relative paths (docs/, benchmarks/, .venv/bin) resolve in it.
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("docs", "benchmarks"):
        (work / name).symlink_to(ROOT / name)
    (work / ".venv").mkdir()
    (work / ".venv" / "bin").symlink_to(BIN)
    env = {
        "PATH": "/usr/bin:/bin",  # a new shell: chipmate is found only once the venv is activated
        "HOME": str(tmp_path / "home"),
        "CHIPMATE_CACHE_DIR": str(tmp_path / "cache"),
        "CHIPMATE_LOAD_PLUGINS": "",
        "CHIPMATE_ALIAS_STORE": os.environ["CHIPMATE_ALIAS_STORE"],
    }
    # the README's `source .venv/bin/activate`, for a venv whose activate script names another directory
    activate = f"export PATH={shlex.quote(str(BIN))}:$PATH"
    assert shell("command -v chipmate || echo missing", work, env).stdout.strip() == "missing"

    source = tmp_path / "kb-source"
    source.mkdir()
    (source / "opt_clean.md").write_text(
        "# opt_clean\n\nThe opt_clean pass removes unused cells and wires from the design. Run it after other "
        "optimizations to clean up the netlist; `opt_clean -purge` also removes internal nets.\n"
    )
    built = shell(f"{activate} && chipmate index build {source} --index-dir {tmp_path / 'kb-default'}", work, env)
    assert built.returncode == 0, built.stderr
    register_plugin(ReadmeModels(), name="readme-models")
    config = Config(
        models={"readme-gen": {"backend": "readme-fake", "default": True}},
        tasks={"designqa": {"index_dir": str(tmp_path / "kb-default"), "build_default": False}},
        cache_dir=str(tmp_path / "cache"),
    )
    server = make_server(Host(config))
    env["CHIPMATE_TARGET"] = f"127.0.0.1:{server.port}"
    counter = (DESIGNS_DIR / "counter.v").read_text()

    outputs: dict[str, str] = {}
    for command in commands[1:]:
        words = shlex.split(command)
        name = next((n for n in NOT_RUN if tuple(words[1 : 1 + len(n)]) == n), None)
        if name is not None:
            checked = shell(f"{activate} && chipmate {' '.join(name)} --help", work, env)
            assert checked.returncode == 0, checked.stderr
            assert all(Path(work, w).exists() for w in words[1 + len(name) :] if not w.startswith("-")), command
            continue
        if "@request.json" in command:  # the request file the README leaves to the reader
            request = (
                {
                    "instruction": "Synthesize counter.v and write the netlist to counter_syn.v.",
                    "files": [{"name": "counter.v", "content": counter}],
                }
                if "scriptgen" in command
                else {"text": "hello from a file"}
            )
            (work / "request.json").write_text(json.dumps(request))
        result = shell(f"{activate} && {command}", work, env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        outputs[command] = result.stdout

    def output_of(prefix: str) -> str:
        return next(out for command, out in outputs.items() if command.startswith(prefix))

    assert json.loads(output_of('chipmate call echo --input \'{"text": "hello"}\'')) == {"text": "hello", "words": 1}
    assert output_of("chipmate health").strip() == "SERVING"
    assert output_of('chipmate call echo --input \'{"text": "hi"}\' --format tcl').strip() == "text hi words 1"
    answer = json.loads(output_of("chipmate call designqa.ask"))
    assert answer["citations"] and "opt_clean" in answer["answer"]
    chat = [json.loads(line) for line in output_of("chipmate call chat").splitlines()]
    assert chat[-1]["event"] == "result" and "netlist" in chat[-1]["output"]["text"]
    generated = [json.loads(line) for line in output_of("chipmate call scriptgen.generate").splitlines()]
    assert generated[-1]["output"]["passed"] and generated[-1]["output"]["script"] == SCRIPT
    assert (work / "kb").is_dir()  # `chipmate index build docs/ --index-dir kb/` built the user's own index
