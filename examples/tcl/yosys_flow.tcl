# A Yosys flow that asks chipmate for its synthesis script and runs it in this session:
#   cd <directory with counter.v> && yosys -c examples/tcl/yosys_flow.tcl
# DESIGN names another Verilog file (its top module is taken from the file name). Needs `chipmate serve`.
lappend auto_path [exec chipmate tcl-path]
package require chipmate

set design [expr {[info exists ::env(DESIGN)] ? $::env(DESIGN) : "counter.v"}]
set top [file rootname [file tail $design]]

# The script already ran (and was repaired if needed) in a sandboxed Yosys; -run runs it here too.
set script [chipmate::scriptgen "Synthesize $design with top module $top and write the netlist to netlist.v" \
    -files [list $design] -run -reply reply]
puts "chipmate's script (passed in [dict get $reply rounds] round(s)):"
puts $script
yosys stat
