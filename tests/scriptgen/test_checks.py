"""Static checks: scripts that reach a shell, code or files outside the run are refused before they run."""

from __future__ import annotations

import pytest

from chipmate.plugins.scriptgen.checks import path_problem, split_tcl, split_yosys, tcl_safety, yosys_safety


def yosys_problems(script: str) -> list[str]:
    commands, _ = split_yosys(script)
    return [str(p) for p in yosys_safety(commands)]


def tcl_problems(script: str) -> list[str]:
    commands, syntax = split_tcl(script)
    return [str(p) for p in tcl_safety(commands) + syntax]


@pytest.mark.parametrize(
    ("script", "named"),
    [
        ("shell", "`shell`"),
        ("read_verilog a.v\n!touch /tmp/pwned", "'!'"),
        ("!rm -rf ~", "'!'"),
        ("tcl evil.tcl", "`tcl`"),
        ("script other.ys", "`script`"),
        ("exec -- rm -rf ~", "`exec`"),
        ("plugin -i evil.so", "`plugin`"),
        ("cd /tmp", "`cd`"),
        ("setenv PATH /tmp", "`setenv`"),
        ("show -viewer xdot", "`show`"),
        ("connect_rpc -exec /bin/sh", "`connect_rpc`"),
        ("abc -exe /bin/sh", "`abc -exe`"),
        ("write_verilog /etc/x", "/etc/x"),
        ("read_verilog ../../secret.v", "../../secret.v"),
        ("tee -o ~/.bashrc stat", "~/.bashrc"),
        ("read_verilog -I/usr/include a.v", "/usr/include"),
        ("read_verilog a.v; write_json ../out.json", "../out.json"),
        ('write_json "../x.json"', "../x.json"),
        ("techmap -map +/../../../etc/passwd", "climbs"),
        ("read_verilog -DPATH=/etc/passwd a.v", "/etc/passwd"),
    ],
)
def test_hostile_yosys_commands_are_refused_naming_the_command(script, named):
    problems = yosys_problems(script)
    assert problems and named in problems[0] and "refused" in problems[0]


@pytest.mark.parametrize(
    "script",
    [
        "read_verilog counter.v\nsynth -top counter\nwrite_verilog -noattr out.v",
        "read_verilog a.v b.v; hierarchy -check -top top # comment",
        "select -assert-none t:$_DFF_* %co",
        "techmap -map +/techmap.v",
        "dfflibmap -liberty cells.lib\nabc -liberty cells.lib\ntee -o stat.txt stat -liberty cells.lib",
        "select counter/w:q",
        "# shell in a comment is fine",
    ],
)
def test_ordinary_yosys_scripts_pass(script):
    assert yosys_problems(script) == []


def test_yosys_split_follows_yosys_syntax():
    commands, problems = split_yosys('read_verilog "my file.v"; synth -top t # note\n\n# c\nopt;;clean\n!ls')
    assert [(c.line, c.words) for c in commands] == [
        (1, ["read_verilog", "my file.v"]),
        (1, ["synth", "-top", "t"]),
        (4, ["opt"]),
        (4, ["clean"]),
        (5, ["!", "ls"]),
    ]
    assert problems == []
    _, problems = split_yosys('read_verilog "a.v\nread_verilog <<EOT')
    assert {p.kind for p in problems} == {"syntax"}


@pytest.mark.parametrize(
    ("script", "named"),
    [
        ("puts [exec ls]", "`exec`"),
        ("exec rm -rf ~", "`exec`"),
        ("set f [open /etc/passwd]", "`open`"),
        ("file delete -force ~", "`file`"),
        ("source evil.tcl", "`source`"),
        ("socket evil.example 80", "`socket`"),
        ("load ./evil.so", "`load`"),
        ("interp create x", "`interp`"),
        ("eval {exec ls}", "`eval`"),
        ("$cmd ls", "computed at run time"),
        ("[string reverse cexe] ls", "computed at run time"),
        ("{*}$cmd", "computed at run time"),
        ("::exec ls", "`exec`"),
        ("if {1} {exec ls}", "`exec`"),
        ("if {[exec ls] ne {}} {puts a}", "`exec`"),
        ("foreach x {1 2} {\n  exec touch $x\n}", "`exec`"),
        ("proc p {} { while {1} { catch { exec ls } } }", "`exec`"),
        ("report_checks > /tmp/x.rpt", "/tmp/x.rpt"),
        ("read_liberty ../../lib/secret.lib", "climbs"),
        ("rename exec safe_exec", "`rename`"),
    ],
)
def test_hostile_tcl_is_refused(script, named):
    problems = tcl_problems(script)
    assert problems and named in problems[0]


def test_ordinary_opensta_scripts_pass():
    script = (
        "read_liberty cells.lib\nread_verilog top.v\nlink_design top\nread_sdc top.sdc\n"
        "set_input_delay 0.1 -clock clk [get_ports {in*}]\n"
        "foreach corner {max min} {\n  report_checks -path_delay $corner\n}\n"
        "report_checks -path_delay max > timing.rpt\nreport_tns\n"
    )
    assert tcl_problems(script) == []
    commands, _ = split_tcl(script)
    assert [c.line for c in commands] == [1, 2, 3, 4, 5, 6, 9, 10]


@pytest.mark.parametrize("word", ["/x", "~/x", "../x", "a/../../x", "-I/usr", "-DX=/etc", "\\\\server\\share"])
def test_path_problem_finds_paths_outside(word):
    assert path_problem(word)


@pytest.mark.parametrize("word", ["a.v", "out/net.v", "+/techmap.v", "t:$_DFF_*", "-top", "x=1"])
def test_path_problem_passes_local_words(word):
    assert path_problem(word) is None
