package main

import (
	"os"
	"strings"
)

// unprivileged reports whether gorepart runs without the power to own
// files as others: euid is not 0, or it is 0 only inside a user namespace
// whose root is not the host's root (unshare --map-root-user, as nixpkgs
// runs systemd-repart). There the sources the host's root owns show as
// the overflow uid 65534, and --owner=auto must still give 0:0.
func unprivileged() bool {
	if os.Geteuid() != 0 {
		return true
	}
	m, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false // no /proc: trust euid
	}
	return !rootIsHostRoot(string(m))
}

// rootIsHostRoot reports whether a uid_map maps uid 0 to the host's uid 0
// (in the initial namespace it reads "0 0 4294967295").
func rootIsHostRoot(uidMap string) bool {
	for _, line := range strings.Split(uidMap, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] != "0" {
			return true
		}
	}
	return false
}
