package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// repartRelease is the systemd-repart release whose behaviour gorepart
// matches.
const repartRelease = "262"

// ownVersion is gorepart's version from the build info: the module
// version when installed with go install, else the VCS revision.
func ownVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "devel-" + rev + dirty
	}
	if v == "" {
		return "(devel)"
	}
	return v
}

// printVersion prints --version. Invoked as systemd-repart the first line
// is what tools parse as systemd's version (mkosi takes its third word
// without parentheses and compares it to enable features), so it names
// the repart release gorepart matches; gorepart's own version follows on
// the line where systemd lists its features.
func printVersion(w io.Writer, name string) {
	if name == "systemd-repart" {
		fmt.Fprintf(w, "systemd %s (%s)\n", repartRelease, repartRelease)
		fmt.Fprintf(w, "gorepart %s (systemd-repart %s compatible; offline image builds only)\n", ownVersion(), repartRelease)
		return
	}
	fmt.Fprintf(w, "gorepart %s\n", ownVersion())
	fmt.Fprintf(w, "compatible with systemd-repart %s\n", repartRelease)
}
