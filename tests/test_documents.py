"""chipmate.documents: the OpenSTA help harvest (parsing, caching, the message when ``sta`` is missing)."""

from __future__ import annotations

import shutil

import pytest

from chipmate.documents import opensta_help
from chipmate.errors import BackendUnavailableError

HELP = """\
@@version 2.0.17
all_inputs
create_clock
   [-name name] [-period period] [-waveform waveform] [-add] [-comment comment] [pins]
read_liberty [-corner corner_name] [-min] [-max] [-no_latch_infer] filename
report_checks
   [-from from_list|-rise_from from_list] [-path_delay min|max]
     [-format full|end] [> filename]
"""


def test_help_output_parses_into_one_usage_per_command():
    usages = opensta_help.parse_help(HELP)
    assert list(usages) == ["all_inputs", "create_clock", "read_liberty", "report_checks"]
    assert usages["all_inputs"] == ""
    assert usages["create_clock"].startswith("[-name name] [-period period]")
    assert usages["report_checks"].endswith("[-format full|end] [> filename]")
    assert "corner_name" in usages["read_liberty"]


def test_a_missing_sta_is_a_clear_backend_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackendUnavailableError, match="OpenSTA is not installed") as info:
        opensta_help.cached_reference(tmp_path)
    assert "apt-get install opensta" in info.value.hint


def test_the_reference_is_harvested_once_per_version_into_the_cache(monkeypatch, tmp_path):
    fake = tmp_path / "sta"
    fake.write_text('#!/bin/sh\nif [ "$1" = -version ]; then echo 9.9.9; exit 0; fi\nprintf \'%s\' "$HELP_TEXT"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("HELP_TEXT", HELP)
    first = opensta_help.cached_reference(tmp_path / "cache", binary=str(fake))
    assert first["generator"] == "OpenSTA 2.0.17"
    assert first["cmds"]["create_clock"]["usage"].startswith("create_clock [-name name]")
    assert (tmp_path / "cache" / "documents" / "opensta-commands-9.9.9.json").is_file()
    monkeypatch.setenv("HELP_TEXT", "")  # a second harvest would find no commands: the cache answers
    assert opensta_help.cached_reference(tmp_path / "cache", binary=str(fake)) == first
    documents = opensta_help.opensta_documents(first)
    assert [d.source for d in documents][:2] == ["opensta help all_inputs", "opensta help create_clock"]


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA is not installed (apt-get install opensta)")
def test_the_installed_opensta_lists_its_commands_with_usages():
    reference = opensta_help.dump_command_reference()
    cmds = reference["cmds"]
    assert len(cmds) >= 80 and {"report_checks", "read_liberty", "create_clock", "write_sdf"} <= set(cmds)
    assert "-path_delay" in cmds["report_checks"]["usage"]
