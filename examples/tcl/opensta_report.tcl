# From inside OpenSTA: ask a question, then get a timing-report script and run it in this session:
#   cd <directory with seed_cells.lib counter_netlist.v counter.sdc> && sta -exit examples/tcl/opensta_report.tcl
# Needs `chipmate serve` (CHIPMATE_TARGET says where).
lappend auto_path [exec chipmate tcl-path]
package require chipmate

set reply [chipmate::ask "How do I report the worst setup path?" top_k 1]
puts "answer: [dict get $reply answer]"

# The tool is opensta because this is OpenSTA's shell; the script ran in a sandboxed sta before it came back.
set script [chipmate::scriptgen "Load counter_netlist.v with seed_cells.lib and counter.sdc, then report the worst setup path." \
    -files {seed_cells.lib counter_netlist.v counter.sdc} -run]
puts "report script:"
puts $script
