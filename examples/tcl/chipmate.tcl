# chipmate.tcl — call a chipmate server from any Tcl shell: yosys -c, OpenSTA (sta), OpenROAD, tclsh.
#
#   source chipmate.tcl
#   set reply [chipmate::call echo [chipmate::object text "synth -top counter"]]
#   puts [dict get $reply text]
#
# The server address and token come from CHIPMATE_TARGET / CHIPMATE_TOKEN (or set chipmate::target/token).
# Errors raise a Tcl error whose message is the CLI's one-line explanation; use `catch` or `try`.

namespace eval chipmate {
    variable command chipmate
    variable target ""
    variable token ""
}

# JSON-quote a Tcl string.
proc chipmate::quote {value} {
    set map [list "\\" "\\\\" "\"" "\\\"" "\n" "\\n" "\r" "\\r" "\t" "\\t"]
    return "\"[string map $map $value]\""
}

# Build a JSON object from key value pairs; values are strings unless given as {json <text>}.
proc chipmate::object {args} {
    set parts {}
    foreach {key value} $args {
        if {[llength $value] == 2 && [lindex $value 0] eq "json"} {
            lappend parts "[chipmate::quote $key]: [lindex $value 1]"
        } else {
            lappend parts "[chipmate::quote $key]: [chipmate::quote $value]"
        }
    }
    return "{[join $parts {, }]}"
}

# Call TASK with a JSON input; returns the task's output as a Tcl dict.
proc chipmate::call {task input} {
    variable command
    variable target
    variable token
    set cmd [list $command call $task --input $input --format tcl]
    if {$target ne ""} { lappend cmd --target $target }
    if {$token ne ""} { lappend cmd --token $token }
    if {[catch {exec {*}$cmd 2>@1} output]} {
        # exec appends "child process exited abnormally"; raise the CLI's own one-line message instead.
        foreach line [split $output "\n"] {
            if {[string match "Error:*" $line]} { error $line }
        }
        error $output
    }
    return $output
}
