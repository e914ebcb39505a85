# `package require chipmate` after `lappend auto_path [exec chipmate tcl-path]`.
if {[package vsatisfies [package provide Tcl] 8.6-]} {
    if {[info exists dir]} {
        package ifneeded chipmate 0.1 [list source [file join $dir chipmate.tcl]]
    } else {
        # OpenSTA replaces `source` with one that evaluates at the global level, where Tcl's `dir` is not set:
        # find this folder on auto_path instead.
        foreach chipmate_dir $::auto_path {
            if {[file exists [file join $chipmate_dir chipmate.tcl]] && [file exists [file join $chipmate_dir pkgIndex.tcl]]} {
                package ifneeded chipmate 0.1 [list source [file join $chipmate_dir chipmate.tcl]]
                break
            }
        }
        unset -nocomplain chipmate_dir
    }
}
