# chipmate — call a chipmate server from any Tcl 8.6 shell: yosys -c, OpenSTA (sta), OpenROAD, tclsh.
#
#   lappend auto_path [exec chipmate tcl-path]
#   package require chipmate
#   set reply [chipmate::call echo {text "synth -top counter"}]
#   puts [dict get $reply words]
#
# Calls go through one persistent helper process per shell (`chipmate bridge`, started on the first call and
# again if it dies), which keeps one gRPC channel open: a call costs milliseconds, not a Python start-up.
# Inputs are Tcl dicts; the helper types each value from the task's input schema (booleans, integers, numbers,
# nested dicts and lists). Outputs are Tcl dicts. A failed call raises a Tcl error whose -errorcode is
# {CHIPMATE <STATUS>} (INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, ...) and whose message says what to do.
# The server address and token come from CHIPMATE_TARGET / CHIPMATE_TOKEN, or from chipmate::configure.

package require Tcl 8.6

namespace eval ::chipmate {
    variable version 0.1
    # The helper's command line; `chipmate::configure -command` changes it (e.g. a venv's chipmate).
    variable command {chipmate bridge}
    variable target ""
    variable token ""
    variable timeout ""
    variable helper ""
    variable next_id 0
    # JSON string escapes: backslash, quote, and every control character.
    variable json_map [list "\\" "\\\\" "\"" "\\\""]
    for {set code 0} {$code < 32} {incr code} {
        lappend json_map [format %c $code] [format "\\u%04x" $code]
    }
    lappend json_map "\x7f" "\\u007f"
    namespace export call ask scriptgen triage stream tasks configure
}

# Set -target host:port, -token, -timeout seconds (per call) or -command {chipmate bridge}; with no arguments,
# return the settings. A change restarts the helper on the next call.
proc ::chipmate::configure {args} {
    variable command
    variable target
    variable token
    variable timeout
    if {[llength $args] == 0} {
        return [list -target $target -token [expr {$token eq "" ? "" : "****"}] -timeout $timeout -command $command]
    }
    if {[llength $args] % 2} {
        return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} "chipmate::configure: expected -option value pairs"
    }
    foreach {option value} $args {
        switch -- $option {
            -target { set target $value }
            -token { set token $value }
            -timeout {
                if {$value ne "" && (![string is double -strict $value] || $value <= 0)} {
                    return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} \
                        "chipmate::configure: -timeout is a number of seconds, not $value"
                }
                set timeout $value
            }
            -command { set command $value }
            default {
                return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} \
                    "chipmate::configure: unknown option $option (use -target, -token, -timeout or -command)"
            }
        }
    }
    Stop
    return
}

# Call TASK with the Tcl dict INPUT; returns the task's output as a Tcl dict.
proc ::chipmate::call {task {input {}}} {
    return [Request call $task $input]
}

# Call TASK and run CALLBACK with each event as it arrives (a dict: kind token text ..., or kind progress
# fraction ... message ...); returns the final output. A callback error is raised after the call ends.
proc ::chipmate::stream {task input callback} {
    return [Request stream $task $input $callback]
}

# Ask designqa a question; more input keys as key value pairs (top_k 3, retrieval_only true). Returns the reply:
# answer, citations (source, section, score, ...), answered, mode.
proc ::chipmate::ask {question args} {
    if {[llength $args] % 2} {
        return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} "chipmate::ask: options come as key value pairs"
    }
    return [Request call designqa.ask [dict merge $args [dict create question $question]]]
}

# Triage a bug record (a dict: title, description, comments {{author a text t} ...}, logs, ...).
proc ::chipmate::triage {record} {
    return [Request call bugtriage.triage $record]
}

# The server's tasks: a list of dicts (name, streaming, plugin, description).
proc ::chipmate::tasks {} {
    return [Request tasks "" ""]
}

# Ask scriptgen for a script: chipmate::scriptgen instruction ?-files paths? ?-tool name? ?-run? ?-reply var?
# ?-max_repairs n? ... Returns the script, which already ran in the tool's sandbox. -files sends the files'
# contents under their tail names; -tool defaults to the shell it runs in (yosys inside Yosys, opensta inside
# OpenSTA). With -run the script is then run here, in this session, in the current directory. A script that ran
# and failed in the sandbox raises an error with -errorcode {CHIPMATE SCRIPT_FAILED}; -reply names a variable that
# receives the whole reply (passed, rounds, log, problems, ...) in every case.
proc ::chipmate::scriptgen {instruction args} {
    set input [dict create instruction $instruction]
    set run 0
    set replyvar ""
    set tool [DetectTool]
    for {set i 0} {$i < [llength $args]} {incr i} {
        set option [lindex $args $i]
        switch -- $option {
            -run { set run 1 }
            -files -
            -tool -
            -reply {
                if {$i + 1 >= [llength $args]} {
                    return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} "chipmate::scriptgen: $option needs a value"
                }
                set value [lindex $args [incr i]]
                switch -- $option {
                    -files { dict set input files [ReadFiles $value] }
                    -tool { set tool $value }
                    -reply { set replyvar $value }
                }
            }
            default {
                if {![string match -* $option] || $i + 1 >= [llength $args]} {
                    return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} \
                        "chipmate::scriptgen: unknown option $option (use -files, -tool, -run, -reply or -key value)"
                }
                dict set input [string range $option 1 end] [lindex $args [incr i]]
            }
        }
    }
    if {$tool ne ""} { dict set input tool $tool }
    set reply [Request call scriptgen.generate $input]
    if {$replyvar ne ""} { upvar 1 $replyvar replyout; set replyout $reply }
    if {[dict get $reply validated] && ![dict get $reply passed]} {
        return -code error -errorcode {CHIPMATE SCRIPT_FAILED} \
            "scriptgen's script failed in [dict get $reply tool]: [join [dict get $reply problems] {; }]"
    }
    set script [dict get $reply script]
    if {$run} {
        # Only a script that passed in the sandbox runs here (validate false skips the sandbox: nothing to trust).
        if {![dict get $reply passed]} {
            return -code error -errorcode {CHIPMATE SCRIPT_FAILED} \
                "chipmate::scriptgen -run: the script did not pass in the sandbox (validated: [dict get $reply validated]), so it is not run"
        }
        RunScript [dict get $reply tool] $script
    }
    return $script
}

# -- internals ----------------------------------------------------------------------------------------------------

# The tool whose shell this is: the `yosys` command exists inside Yosys, the ::sta namespace inside OpenSTA.
proc ::chipmate::DetectTool {} {
    if {[info commands ::yosys] ne ""} { return yosys }
    if {[namespace exists ::sta]} { return opensta }
    return ""
}

proc ::chipmate::ReadFiles {paths} {
    set files {}
    foreach path $paths {
        if {[catch {open $path r} handle]} {
            return -code error -errorcode {CHIPMATE INVALID_ARGUMENT} "chipmate::scriptgen: cannot read $path: $handle"
        }
        fconfigure $handle -encoding utf-8
        set content [read $handle]
        close $handle
        lappend files [dict create name [file tail $path] content $content]
    }
    return $files
}

# Run a script that scriptgen returned in this session: a Yosys script through Yosys's own script reader (the
# reader the sandbox ran it with), a Tcl script (OpenSTA, OpenROAD) at the global level.
proc ::chipmate::RunScript {tool script} {
    if {$tool eq "yosys"} {
        if {[info commands ::yosys] eq ""} {
            return -code error -errorcode {CHIPMATE FAILED_PRECONDITION} \
                "chipmate::scriptgen -run: a Yosys script runs only inside Yosys (yosys -c)"
        }
        set handle [file tempfile path chipmate.ys]
        fconfigure $handle -encoding utf-8
        puts -nonewline $handle $script
        close $handle
        try {
            ::yosys script $path
        } finally {
            file delete $path
        }
        return
    }
    uplevel #0 $script
}

proc ::chipmate::Json {text} {
    variable json_map
    return "\"[string map $json_map $text]\""
}

# Start the helper. The target and token go through its environment, never its command line (ps shows that).
proc ::chipmate::Start {} {
    variable command
    variable target
    variable token
    variable helper
    set saved {}
    foreach {name value} [list CHIPMATE_TARGET $target CHIPMATE_TOKEN $token] {
        if {$value eq ""} { continue }
        lappend saved $name [expr {[info exists ::env($name)] ? [list 1 $::env($name)] : [list 0 ""]}]
        set ::env($name) $value
    }
    try {
        set helper [open |[list {*}$command 2>@stderr] r+]
    } on error {message} {
        return -code error -errorcode {CHIPMATE UNAVAILABLE} \
            "cannot start the chipmate helper ($command): $message (is chipmate installed and on PATH? or use chipmate::configure -command)"
    } finally {
        foreach {name old} $saved {
            if {[lindex $old 0]} { set ::env($name) [lindex $old 1] } else { unset ::env($name) }
        }
    }
    fconfigure $helper -encoding utf-8 -translation lf -buffering line
}

proc ::chipmate::Stop {} {
    variable helper
    if {$helper ne ""} {
        catch {close $helper}
        set helper ""
    }
}

# Send one request and read its reply; a helper that died (killed, crashed) is restarted and the request sent
# once more, unless the call already delivered events to a callback.
proc ::chipmate::Request {op task input {callback ""}} {
    variable helper
    variable next_id
    variable timeout
    set events 0
    set callback_error ""
    for {set attempt 0} {$attempt < 2} {incr attempt} {
        if {$helper eq ""} { Start }
        set id [incr next_id]
        set line "{\"id\": $id, \"op\": [Json $op], \"task\": [Json $task], \"args\": [Json $input]"
        if {$timeout ne ""} { append line ", \"timeout\": $timeout" }
        append line "}"
        if {[catch {puts $helper $line; flush $helper}]} {
            Stop
            continue
        }
        while {[gets $helper reply] >= 0} {
            if {[lindex $reply 0] ne $id} { continue }
            switch -- [lindex $reply 1] {
                ok {
                    if {$callback_error ne ""} { return -options [lindex $callback_error 1] [lindex $callback_error 0] }
                    return [lindex $reply 2]
                }
                error {
                    return -code error -errorcode [list CHIPMATE [lindex $reply 2]] [lindex $reply 3]
                }
                event {
                    incr events
                    if {$callback ne "" && $callback_error eq ""} {
                        if {[catch {uplevel 2 [list {*}$callback [lindex $reply 2]]} message options]} {
                            set callback_error [list $message $options]
                        }
                    }
                }
            }
        }
        # End of file: the helper exited.
        Stop
        if {$events} { break }
    }
    return -code error -errorcode {CHIPMATE UNAVAILABLE} \
        "the chipmate helper (chipmate bridge) exited during the call; its messages are on stderr"
}

package provide chipmate $::chipmate::version
