# Run inside Yosys's Tcl mode (`yosys -c examples/tcl/yosys_ask.tcl`) or any tclsh, with `chipmate serve` running.
source [file join [file dirname [info script]] chipmate.tcl]

set reply [chipmate::call echo [chipmate::object text "read_verilog counter.v; synth -top counter"]]
puts "chipmate echoed [dict get $reply words] words: [dict get $reply text]"

if {[catch {chipmate::call no.such.task "{}"} message]} {
    puts "error handled: $message"
}
