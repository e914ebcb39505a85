"""Static checks: scripts that reach a shell, code or files outside the run are refused before they run."""

from __future__ import annotations

import pytest

from chipmate.plugins.scriptgen.checks import included_file_problems, path_problem, split_yosys, yosys_safety
from chipmate.plugins.scriptgen.tclcheck import split_tcl, tcl_check


def yosys_problems(script: str) -> list[str]:
    commands, _ = split_yosys(script)
    return [str(p) for p in yosys_safety(commands)]


def tcl_problems(script: str) -> list[str]:
    return [str(p) for p in tcl_check(script)]


@pytest.mark.parametrize(
    ("script", "named"),
    [
        ("shell", "`shell`"),
        ("read_verilog a.v\n!touch /tmp/pwned", "`!`"),
        ("!rm -rf ~", "`!`"),
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
    commands, problems = split_yosys(
        'read_verilog "my file.v"; synth -top t # note\n\n# c\nopt; clean\nopt;;clean\n!ls\ntee -s x"y -o z log "hi'
    )
    assert [(c.line, c.words) for c in commands] == [
        (1, ["read_verilog", "my file.v"]),
        (1, ["synth", "-top", "t"]),
        (4, ["opt"]),
        (4, ["clean"]),
        (5, ["opt;;clean"]),  # no separator after ';': one word, as Yosys reads it ("No such command")
        (6, ["!", "ls"]),
        (7, ["tee", "-s", 'x"y', "-o", "z", "log", '"hi']),  # a quote in mid-word does not quote
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
        ("eval {exec ls}", "`exec`"),
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
    assert tcl_check(script, {"top.sdc": "create_clock -period 2 [get_ports clk]\n"}) == []
    assert tcl_check(script) == []  # a draft, files not known yet: the run checks top.sdc
    assert "`exec`" in str(tcl_check(script, {"top.sdc": "exec id\n"})[0])
    commands, _ = split_tcl(script)
    assert [c.line for c in commands] == [1, 2, 3, 4, 5, 6, 9, 10]


@pytest.mark.parametrize("word", ["/x", "~/x", "../x", "a/../../x", "-I/usr", "-DX=/etc", "\\\\server\\share"])
def test_path_problem_finds_paths_outside(word):
    assert path_problem(word)


@pytest.mark.parametrize("word", ["a.v", "out/net.v", "+/techmap.v", "t:$_DFF_*", "-top", "x=1"])
def test_path_problem_passes_local_words(word):
    assert path_problem(word) is None


@pytest.mark.parametrize(
    "script",
    [
        "expr {$a + 1}",
        "if {$x > 1} {puts big} elseif {$x < 0} then {puts neg} else {puts small}",
        "proc report_all {corner} {\n  report_checks -path_delay $corner\n}\nreport_all max",
        "switch -exact -- $mode {setup {report_checks -path_delay max} default {report_checks}}",
        'set d [dict create a 1]\ndict for {k v} $d {puts "$k $v"}',
        "apply {{x} {expr {$x * 2}}} 3",
        "namespace eval chip {set period 2}",
        "try {report_tns} on error {msg} {puts $msg} finally {puts done}",
        "foreach p [get_ports *] {puts [get_full_name $p]}",
        "catch {report_wns} result\nputs $result",
        "report_checks -path_delay min >> timing.rpt",
        'set f \\{\nputs "a \\[b\\] c"',
    ],
)
def test_ordinary_tcl_passes_the_recursive_checks(script):
    assert tcl_problems(script) == []


@pytest.mark.parametrize(
    ("script", "named"),
    [
        ("try {open /abs w}", "`open`"),
        ("switch a a {open {|touch /abs} r} b {}", "`open`"),
        ("apply {{} {open /abs w}}", "`open`"),
        ("dict with d {open /abs w}", "`open`"),
        ("try {open {|sh -c {id}} r} on ok ch {read $ch}", "`open`"),
        ("report_tns >/abs", "/abs"),
        ("report_tns >>/abs", "/abs"),
        ("report_tns > $out", "computed at run time"),
        ("set x {[exec id]}\nexpr $x", "unbraced expression"),
        ("\\x65xec id", "`exec`"),
        ("if 1 $body", "computed at run time"),
        ("ope /abs w", "not on the allow-list"),
        ("read_liberty $lib", "computed at run time"),
        ("namespace import ::tcl::*", "namespace import"),
        ("set a {unbalanced", "missing close-brace"),
        ("report_tns >\\\n/abs", "/abs"),
        ("read_liberty $(lib)", "computed at run time"),
        ("$(c) id", "computed at run time"),
    ],
)
def test_issue_20_tcl_bypasses_are_refused(script, named):
    problems = tcl_problems(script)
    assert problems and named in problems[0]


def test_yosys_mid_word_quote_is_not_quoting():
    # Issue 20: the checker used to read `x"y -o /abs log "` as one quoted word; Yosys reads seven words.
    problems = yosys_problems('tee -s x"y -o /abs log "hi')
    assert problems and "/abs" in problems[0]


@pytest.mark.parametrize(
    ("script", "files", "named"),
    [
        ("abc -script +starter,cmds.txt", {}, "`starter`"),
        ("abc -script +strash;source,x.abc", {}, "`source`"),
        ("abc9 -script +&st;starter,cmds.txt", {}, "`starter`"),
        ("tee -q -o log.txt abc -script +starter,c", {}, "`starter`"),
        ("abc -script run.abc", {}, "not one of the request's files"),
        ("abc -script run.abc", {"run.abc": "strash\nsis x\n"}, "`sis`"),
        ("write_file run.abc x.txt\nabc -script run.abc", {"run.abc": "strash\n"}, "named elsewhere"),
        ("abc -script +strash;map;write_blif,out.blif", {}, "`write_blif`"),
        ('abc -script "+strash;echo `id`"', {}, "character"),
        ("read_verilog -ppdump a.v", {}, "-ppdump"),
        ("help -write x", {}, "`help`"),
        ("stat; !id", {}, "!id"),
    ],
)
def test_yosys_option_rules_and_abc_scripts(script, files, named):
    commands, _ = split_yosys(script)
    problems = [str(p) for p in yosys_safety(commands, files)]
    assert problems and named in problems[0]


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ("abc -script +strash;dch;map", {}),
        ("abc -script run.abc", {"run.abc": "strash\n&get -n\n&dch\n&nf\n&put\n"}),
        ("tee -o report.txt stat -liberty cells.lib", {}),
        ("debug opt -full", {}),
    ],
)
def test_yosys_legitimate_abc_scripts_and_wrappers_pass(script, files):
    commands, _ = split_yosys(script)
    assert yosys_safety(commands, files) == []


def test_request_files_may_not_include_files_outside_the_run():
    problems = included_file_problems(
        {
            "a.v": '`include "defs.vh"\nmodule a; endmodule\n',
            "b.v": '\n`include "/etc/passwd"\n',
            "c.v": 'initial $readmemh("../../secret.hex", mem);',
            "d.v": '`define F "/etc/passwd"\n`include `F\n',
            "e.v": 'initial $readmemb(INIT, mem);\ninitial $readmemh ( "init.hex" , mem);',
        }
    )
    assert [p.message.split(" reads")[0] for p in problems] == [
        "b.v line 2 (`include)",
        "c.v line 1 ($readmemh)",
        "d.v line 2 (`include)",
        "e.v line 1 ($readmemb)",
    ]


def test_a_plugin_extends_the_allow_list_through_its_own_tool(register_plugin, tmp_path, yosys):
    from chipmate import hookimpl
    from chipmate.config import config_from_dict
    from chipmate.host import Host
    from chipmate.plugins.scriptgen.checks import YOSYS_POLICY
    from chipmate.plugins.scriptgen.yosys import YosysTool

    class ExtendedYosys(YosysTool):
        name = "yosys-ext"

    class Plugin:
        @hookimpl
        def chipmate_register_tools(self, register):
            register(ExtendedYosys(cache=tmp_path / "cache", policy=YOSYS_POLICY.extend({"help"})))

    register_plugin(Plugin(), name="yosys-ext-plugin")
    host = Host(config_from_dict({"cache_dir": str(tmp_path / "cache")}))
    assert host.tools.get("yosys-ext").check("help synth") == []
    assert "`help` can write files" in str(yosys.check("help synth")[0])  # the built-in tool still refuses it
