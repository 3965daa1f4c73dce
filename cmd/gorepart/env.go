package main

import (
	"runtime"
	"strconv"
	"strings"
)

// mkfsOptionFormats are the filesystems whose SYSTEMD_REPART_MKFS_OPTIONS_*
// variable repart reads.
var mkfsOptionFormats = []string{"VFAT", "EXT2", "EXT3", "EXT4", "EROFS", "SWAP", "BTRFS", "XFS", "SQUASHFS"}

// applyBuildCores applies NIX_BUILD_CORES, the parallelism a Nix builder
// grants.
func applyBuildCores(getenv func(string) string) {
	if v := getenv("NIX_BUILD_CORES"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			runtime.GOMAXPROCS(n)
		}
	}
}

// mkfsOptions are the words of SYSTEMD_REPART_MKFS_OPTIONS_<FS>, by format
// name. External mkfs tools get them as repart passes them; the native
// writers apply those that map onto their parameters and warn about the
// rest (fsformat.ParseMkfsOptions).
func mkfsOptions(getenv func(string) string) map[string][]string {
	m := map[string][]string{}
	for _, fs := range mkfsOptionFormats {
		if w := strings.Fields(getenv("SYSTEMD_REPART_MKFS_OPTIONS_" + fs)); len(w) > 0 {
			m[strings.ToLower(fs)] = w
		}
	}
	return m
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
