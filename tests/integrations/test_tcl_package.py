"""The Tcl package and its helper: Tcl words read back exactly, values typed from the task's schema, one
persistent helper per shell that comes back when it dies, errors as Tcl errors with CHIPMATE error codes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from chipmate.bridge import Bridge
from chipmate.errors import InvalidInputError
from chipmate.plugins.designqa import INPUT_SCHEMA as ASK_SCHEMA
from chipmate.plugins.scriptgen import INPUT_SCHEMA as SCRIPTGEN_SCHEMA
from chipmate.tcl import TCL_PACKAGE_VERSION, from_tcl, line_word, object_from_tcl, package_dir, split_list, to_tcl

needs_tclsh = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh missing: apt-get install tcl")
# Every control character, Tcl's specials, non-ASCII and a character outside the BMP's first plane of scripts.
NASTY = "".join(chr(c) for c in range(1, 32)) + "\x7f" + ' {unbalanced "q" [cmd] $var \\ ; # é ü 中文 end'


def tclsh(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in tclsh; output decoded as UTF-8 with no newline translation (a carriage return stays)."""
    raw = subprocess.run(["tclsh"], input=script.encode(), capture_output=True, env=env, timeout=120)
    return subprocess.CompletedProcess(raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode())


# -- the codec ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a b  c", ["a", "b", "c"]),
        ("{a b} c", ["a b", "c"]),
        ('"a b" {}', ["a b", ""]),
        ("{a {b c}} d", ["a {b c}", "d"]),
        ("a\\ b c\\tx", ["a b", "c\tx"]),
        ("{a\\nb}", ["a\\nb"]),  # braces keep backslashes literally
        ("\\u00e9\\x41 \\101", ["éA", "A"]),
        ("{a \\} b}", ["a \\} b"]),  # a backslash-escaped brace does not close
        ("", []),
    ],
)
def test_split_list_follows_tcl(text, words):
    assert split_list(text) == words


@pytest.mark.parametrize("text", ["{a b", '"a b', "{a}b", '"a"b'])
def test_split_list_rejects_malformed_lists(text):
    with pytest.raises(InvalidInputError, match="not a Tcl list"):
        split_list(text)


@needs_tclsh
def test_split_list_agrees_with_tclsh():
    # Tcl builds lists of awkward strings; the Python reader must see the same elements.
    script = (
        'fconfigure stdout -encoding utf-8\nset s "a\\{b \\"c\\" \\\\d \\[e\\] \\$f \\tg \\n h {i j}"\n'
        "puts -nonewline [list $s {} {x y} [list 1 [list 2 3]] \\{ \\} \\\\]"
    )
    result = tclsh(script)
    assert result.returncode == 0, result.stderr
    assert split_list(result.stdout) == ['a{b "c" \\d [e] $f \tg \n h {i j}', "", "x y", "1 {2 3}", "{", "}", "\\"]


@needs_tclsh
def test_line_word_is_one_line_that_tcl_reads_back_exactly():
    word = line_word(NASTY)
    assert "\n" not in word and "\r" not in word and not re.search(r"[\x00-\x1f\x7f]", word)
    script = f"fconfigure stdout -encoding utf-8 -translation lf\nputs -nonewline [lindex [list {word}] 0]"
    assert tclsh(script).stdout == NASTY
    assert split_list(f"7 ok {word}") == ["7", "ok", NASTY]


def test_values_are_typed_from_the_schema():
    ask = object_from_tcl("question {How do I flatten?} retrieval_only true top_k 3", ASK_SCHEMA)
    assert ask == {"question": "How do I flatten?", "retrieval_only": True, "top_k": 3}
    assert object_from_tcl("retrieval_only off question x", ASK_SCHEMA)["retrieval_only"] is False
    history = object_from_tcl(
        "question q history {{role user content {hi there}} {role assistant content yo}}", ASK_SCHEMA
    )
    assert history["history"] == [{"role": "user", "content": "hi there"}, {"role": "assistant", "content": "yo"}]
    request = object_from_tcl(
        "instruction go files {{name a.v content {module a; endmodule}}} validate 1 max_repairs 0x2", SCRIPTGEN_SCHEMA
    )
    assert request["files"] == [{"name": "a.v", "content": "module a; endmodule"}]
    assert request["validate"] is True and request["max_repairs"] == 2
    assert from_tcl("2.5", {"type": "number"}) == 2.5 and from_tcl("007", {"type": "integer"}) == 7
    assert (
        from_tcl("12", {"type": ["integer", "string"]}) == 12
        and from_tcl("ab", {"type": ["integer", "string"]}) == "ab"
    )
    assert from_tcl("", {"anyOf": [{"type": "null"}, {"type": "string"}]}) is None
    assert from_tcl("x", {"enum": ["x", "y"]}) == "x" and from_tcl("TRUE", True) == "TRUE"
    # Keys the schema does not know stay strings; the server's own validation names them.
    assert object_from_tcl("question q colour 1", ASK_SCHEMA)["colour"] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("question q retrieval_only maybe", "retrieval_only: expected a boolean (1/0, true/false, yes/no, on/off)"),
        ("question q top_k three", "top_k: expected an integer, got 'three'"),
        ("question q history {{role user content}}", "history[0]: expected a Tcl dict"),
        ("question", "expected a Tcl dict (key value ...), got an odd number of words"),
        ("question {q", "not a Tcl list"),
    ],
)
def test_wrong_values_name_the_field(args, message):
    with pytest.raises(InvalidInputError) as caught:
        object_from_tcl(args, ASK_SCHEMA)
    assert message in str(caught.value)


def test_package_files_agree_on_the_version():
    folder = package_dir()
    assert f"package ifneeded chipmate {TCL_PACKAGE_VERSION} " in (folder / "pkgIndex.tcl").read_text()
    assert f"variable version {TCL_PACKAGE_VERSION}\n" in (folder / "chipmate.tcl").read_text()


def test_tcl_path_command_prints_the_package_folder():
    chipmate = shutil.which("chipmate", path=str(sys.executable).rsplit("/", 1)[0])
    assert chipmate is not None
    out = subprocess.run([chipmate, "tcl-path"], capture_output=True, text=True, timeout=60).stdout.strip()
    assert out == str(package_dir())


# -- the bridge ---------------------------------------------------------------------------------------------------


def test_bridge_answers_each_line_with_one_tcl_list(client):
    bridge, lines = Bridge(client), []
    bridge.handle('{"id": 3, "op": "call", "task": "echo", "args": "text {a b} delay_ms 0"}', lines.append)
    bridge.handle('{"id": 4, "op": "call", "task": "echo", "args": "text a delay_ms soon"}', lines.append)
    bridge.handle('{"id": 5, "op": "call", "task": "ech", "args": ""}', lines.append)
    bridge.handle("not json", lines.append)
    bridge.handle('{"id": 6, "op": "stream", "task": "echo", "args": "text {x y}"}', lines.append)
    bridge.handle('{"id": 7, "op": "fly"}', lines.append)
    replies = [split_list(line) for line in lines]
    assert replies[0] == ["3", "ok", to_tcl({"text": "a b", "words": 2})]
    assert replies[1][:3] == ["4", "error", "INVALID_ARGUMENT"] and "delay_ms: expected a number" in replies[1][3]
    assert replies[2][:3] == ["5", "error", "NOT_FOUND"] and "did you mean echo" in replies[2][3]
    assert replies[3][:3] == ["0", "error", "INVALID_ARGUMENT"]
    events = [r for r in replies if r[0] == "6"]
    assert [split_list(e[2])[:2] for e in events[:-1]] == [["kind", "token"], ["kind", "progress"]] * 2
    assert events[-1] == ["6", "ok", to_tcl({"text": "x y", "words": 2})]
    assert replies[-1][:3] == ["7", "error", "INVALID_ARGUMENT"] and "unknown bridge op" in replies[-1][3]


# -- the package in a real Tcl shell ------------------------------------------------------------------------------

PRELUDE = "lappend auto_path [exec chipmate tcl-path]\npackage require chipmate\nfconfigure stdout -encoding utf-8\n"


@needs_tclsh
def test_typed_values_reach_the_task(shell_env):
    # The call that failed with the old exec-per-call script: retrieval_only true must arrive as a boolean.
    script = PRELUDE + (
        'set reply [chipmate::ask "How do I flatten the design?" retrieval_only true top_k 1]\n'
        "set citations [dict get $reply citations]\n"
        'puts "[dict get $reply mode] [llength $citations] [dict get [lindex $citations 0] source]"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "none 1 flatten.md\n"


@needs_tclsh
def test_every_character_round_trips(shell_env):
    word = line_word(NASTY)
    script = PRELUDE + (
        "fconfigure stdout -translation lf\n"
        f"set text [lindex [list {word}] 0]\n"
        "set reply [chipmate::call echo [dict create text $text]]\n"
        'puts -nonewline "[string equal [dict get $reply text] $text]|[dict get $reply text]"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1|" + NASTY


@needs_tclsh
def test_errors_carry_the_status_code(shell_env):
    script = PRELUDE + (
        "foreach {task input} {echo {text hi delay_ms soon} no.such.task {} echo {text}} {\n"
        "    catch {chipmate::call $task $input} message options\n"
        '    puts "[dict get $options -errorcode] | $message"\n'
        "}\n"
        "try { chipmate::call nope {} } trap {CHIPMATE NOT_FOUND} {} { puts trapped }\n"
    )
    lines = tclsh(script, shell_env).stdout.splitlines()
    assert lines[0] == "CHIPMATE INVALID_ARGUMENT | delay_ms: expected a number, got 'soon'"
    assert lines[1].startswith("CHIPMATE NOT_FOUND | no task named 'no.such.task'")
    assert lines[2].startswith("CHIPMATE INVALID_ARGUMENT | input: expected a Tcl dict (key value ...), got an odd")
    assert lines[3] == "trapped"


@needs_tclsh
def test_one_helper_serves_every_call_and_comes_back_when_killed(shell_env):
    script = PRELUDE + (
        "chipmate::call echo {text a}\n"
        "set first [pid $chipmate::helper]\n"
        "for {set i 0} {$i < 20} {incr i} { chipmate::call echo [list text $i] }\n"
        'puts "same [expr {[pid $chipmate::helper] == $first}]"\n'
        "exec kill -9 $first\n"
        "after 200\n"
        'puts "after kill: [dict get [chipmate::call echo {text back}] text]"\n'
        'puts "new helper [expr {[pid $chipmate::helper] != $first}]"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["same 1", "after kill: back", "new helper 1"]


@needs_tclsh
def test_stream_calls_back_with_each_event(shell_env):
    script = PRELUDE + (
        "set seen {}\n"
        "set out [chipmate::stream echo {text {one two}} {apply {{event} {\n"
        "    upvar 1 seen seen; lappend seen [dict get $event kind]\n"
        "}}}]\n"
        'puts "$seen | [dict get $out words]"\n'
        "catch {chipmate::stream echo {text {a b}} {error boom}} message\n"
        'puts "callback error: $message; next call: [dict get [chipmate::call echo {text ok}] text]"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "token progress token progress | 2",
        "callback error: boom; next call: ok",
    ]


@needs_tclsh
def test_triage_sends_a_record_with_typed_lists(shell_env):
    script = PRELUDE + (
        'set reply [chipmate::triage {title "Hold violations after CTS" comments {{author ann text "seen on rc2"}} '
        "parts {severity}}]\n"
        'puts "[dict keys $reply]"\n'
        "catch {chipmate::configure -timeout soon} message options\n"
        'puts "[dict get $options -errorcode] $message"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # Only the requested part comes back: `parts {severity}` arrived as a JSON array.
    assert "severity" in lines[0].split() and "technical_summary" not in lines[0].split()
    assert lines[1] == "CHIPMATE INVALID_ARGUMENT chipmate::configure: -timeout is a number of seconds, not soon"


@needs_tclsh
def test_scriptgen_from_tclsh_returns_the_checked_script(shell_env, design_dir):
    script = PRELUDE + (
        'set s [chipmate::scriptgen "Synthesize counter.v" -files counter.v -tool yosys -max_repairs 1 -reply r]\n'
        'puts "[dict get $r passed] [dict get $r tool]"\nputs -nonewline $s\n'
        'catch {chipmate::scriptgen "Synthesize" -files missing.v} message options\n'
        'puts "[dict get $options -errorcode] $message"\n'
        'catch {chipmate::scriptgen "x" -tool yosys -run -reply r} message options\n'
        'puts "[dict get $options -errorcode] [dict get $r passed] $message"\n'
        'catch {chipmate::scriptgen "Synthesize counter.v" -files counter.v -tool yosys -run} message\nputs $message\n'
        'catch {chipmate::scriptgen "Synthesize counter.v" -files counter.v -validate false -run} message options\n'
        'puts "[dict get $options -errorcode] $message"\n'
    )
    result = subprocess.run(["tclsh"], input=script, capture_output=True, text=True, env=shell_env, cwd=design_dir)
    lines = result.stdout.splitlines()
    assert lines[:4] == ["1 yosys", "read_verilog counter.v", "synth -top counter", "write_verilog netlist.v"]
    assert lines[4].startswith("CHIPMATE INVALID_ARGUMENT chipmate::scriptgen: cannot read missing.v")
    # Without its design the script fails in the sandbox: an error, never a script to run; -reply has the log.
    assert lines[5].startswith("CHIPMATE SCRIPT_FAILED 0 scriptgen's script failed in yosys: line 1: ERROR:")
    # Outside Yosys a Yosys script cannot run in the session; it says so instead of guessing.
    assert lines[6] == "chipmate::scriptgen -run: a Yosys script runs only inside Yosys (yosys -c)"
    # An unvalidated script is never run in the session.
    assert lines[7].startswith(
        "CHIPMATE SCRIPT_FAILED chipmate::scriptgen -run: the script did not pass in the sandbox"
    )


@needs_tclsh
def test_target_and_token_come_from_the_environment(make_server, shell_env, monkeypatch):
    monkeypatch.setenv("CHIPMATE_TOKEN", "s3cret")
    guarded = make_server()  # takes its token from $CHIPMATE_TOKEN
    env = {**shell_env, "CHIPMATE_TARGET": f"127.0.0.1:{guarded.port}"}
    env.pop("CHIPMATE_TOKEN", None)
    script = PRELUDE + (
        "catch {chipmate::call echo {text hi}} message options\n"
        'puts "[dict get $options -errorcode]"\n'
        "chipmate::configure -token s3cret\n"
        "puts [dict get [chipmate::call echo {text hi}] text]\n"
        "chipmate::configure -target 127.0.0.1:1 -timeout 2\n"
        "catch {chipmate::call echo {text hi}} message options\n"
        'puts "[dict get $options -errorcode]"\n'
    )
    result = tclsh(script, env)
    assert result.stdout.splitlines() == ["CHIPMATE UNAUTHENTICATED", "hi", "CHIPMATE UNAVAILABLE"], result.stderr
    assert "s3cret" not in result.stdout + result.stderr


@needs_tclsh
def test_a_missing_helper_is_a_clear_error(shell_env):
    script = PRELUDE + (
        "chipmate::configure -command {/nonexistent/chipmate bridge}\n"
        "catch {chipmate::call echo {text hi}} message options\n"
        'puts "[dict get $options -errorcode] | $message"\n'
    )
    out = tclsh(script, shell_env).stdout
    assert out.startswith("CHIPMATE UNAVAILABLE | cannot start the chipmate helper (/nonexistent/chipmate bridge)")


# NUL, C1 controls (NEL among them), Unicode line and paragraph separators, a byte-order mark, a character beyond
# the Basic Multilingual Plane: none may end a line of the protocol or be lost on the way.
RARE = "\x00 nul \x80\x85\x9f c1 \u2028\u2029 ls \ufeff bom \U0001f600 astral end"


@needs_tclsh
def test_rare_characters_round_trip(shell_env):
    script = PRELUDE + (
        "fconfigure stdout -translation lf\n"
        f"set text [lindex [list {line_word(RARE)}] 0]\n"
        "set reply [chipmate::call echo [dict create text $text]]\n"
        'puts -nonewline "[string equal [dict get $reply text] $text]|[dict get $reply words]|[dict get $reply text]"\n'
    )
    result = tclsh(script, shell_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"1|{len(RARE.split())}|" + RARE
