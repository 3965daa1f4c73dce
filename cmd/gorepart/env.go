package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// mkfsOptionFormats are the filesystems whose SYSTEMD_REPART_MKFS_OPTIONS_*
// variable a user of systemd-repart may have set.
var mkfsOptionFormats = []string{"VFAT", "EXT2", "EXT3", "EXT4", "EROFS", "SWAP", "BTRFS", "XFS", "SQUASHFS"}

// environmentNotes applies NIX_BUILD_CORES (the parallelism a Nix builder
// grants) and reports SYSTEMD_REPART_MKFS_OPTIONS_<FS> variables: gorepart
// runs no mkfs, so their options are not applied, and it says so rather
// than silently building something else than asked.
func environmentNotes(getenv func(string) string) []string {
	var notes []string
	if v := getenv("NIX_BUILD_CORES"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			runtime.GOMAXPROCS(n)
		}
	}
	for _, fs := range mkfsOptionFormats {
		name := "SYSTEMD_REPART_MKFS_OPTIONS_" + fs
		if v := strings.TrimSpace(getenv(name)); v != "" {
			notes = append(notes, fmt.Sprintf("%s=%s: ignored, gorepart writes %s itself and takes no mkfs options", name, v, strings.ToLower(fs)))
		}
	}
	return notes
}

// fsTypeOverrides collects SYSTEMD_REPART_OVERRIDE_FSTYPE and its
// per-designator forms, as repart reads them.
func fsTypeOverrides(getenv func(string) string) map[string]string {
	m := map[string]string{}
	if v := getenv("SYSTEMD_REPART_OVERRIDE_FSTYPE"); v != "" {
		m[""] = v
	}
	for _, d := range []string{"ROOT", "USR", "ESP", "XBOOTLDR", "HOME", "SRV", "VAR", "TMP"} {
		if v := getenv("SYSTEMD_REPART_OVERRIDE_FSTYPE_" + d); v != "" {
			m[d] = v
		}
	}
	return m
}
