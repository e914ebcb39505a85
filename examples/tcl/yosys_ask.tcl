# Ask chipmate from a Tcl shell: `yosys -c examples/tcl/yosys_ask.tcl`, `sta -exit ...` or `tclsh ...`,
# with `chipmate serve` running (CHIPMATE_TARGET says where).
lappend auto_path [exec chipmate tcl-path]
package require chipmate

# Values are typed from the task's input schema: top_k becomes an integer, retrieval_only would be a boolean.
set reply [chipmate::ask "How do I flatten the design?" top_k 2]
puts "answer: [dict get $reply answer]"
foreach citation [dict get $reply citations] {
    puts "  source: [dict get $citation source] ([format %.2f [dict get $citation score]])"
}

# Errors are Tcl errors carrying the status code.
try {
    chipmate::call no.such.task {}
} trap {CHIPMATE NOT_FOUND} {message} {
    puts "handled NOT_FOUND: $message"
}
