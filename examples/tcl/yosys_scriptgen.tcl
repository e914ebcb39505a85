# Ask chipmate for a Yosys script from inside a Tcl shell, then run it: `yosys -c yosys_scriptgen.tcl [file.v]`.
# Works in any tclsh too (it then only prints the script). Needs `chipmate serve` running.
source [file join [file dirname [info script]] chipmate.tcl]

set design [lindex $argv 0]
if {$design eq ""} {
    set design [file join [file dirname [info script]] .. .. plugins scriptgen seed designs counter.v]
}
set handle [open $design]
set rtl [read $handle]
close $handle
set name [file tail $design]

set files "\[[chipmate::object name $name content $rtl]\]"
set request [chipmate::object \
    instruction "Synthesize $name and write the gate-level netlist to netlist.v" \
    files [list json $files]]
set reply [chipmate::call scriptgen.generate $request]

if {[dict get $reply passed]} {
    puts "chipmate's script ran in Yosys in [dict get $reply rounds] round(s):"
    puts [dict get $reply script]
    # Inside Yosys (`yosys -c`), run it here too: the `yosys` Tcl command runs one Yosys command.
    if {[info commands yosys] ne ""} {
        foreach line [split [string trim [dict get $reply script]] "\n"] { yosys {*}$line }
    }
} else {
    puts "no working script: [join [dict get $reply problems] {; }]"
}
