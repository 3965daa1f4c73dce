package main

import (
	"fmt"
	"slices"
	"strings"
)

// imagePolicyDesignators and imagePolicyFlags are what systemd's
// image_policy_from_string() knows (src/shared/image-policy.c, gpt.c).
var (
	imagePolicyDesignators = []string{"root", "usr", "home", "srv", "esp", "xbootldr", "swap", "root-verity", "usr-verity",
		"root-verity-sig", "usr-verity-sig", "tmp", "var"}
	imagePolicyFlags = []string{"verity", "signed", "encrypted", "encryptedwithintegrity", "unprotected", "unused", "absent",
		"open", "ignore", "read-only-on", "read-only-off", "growfs-on", "growfs-off",
		"btrfs", "erofs", "ext4", "f2fs", "squashfs", "vfat", "xfs"}
)

// checkImagePolicy checks the syntax of --image-policy= as repart's
// parse_image_policy_argument() does: "-", "*", "~", or
// DESIGNATOR=FLAG+FLAG rules separated by ':' (an empty designator sets
// the default), each designator once. The policy governs how --image= is
// dissected; gorepart has no --image=, so, as in repart without
// --image=, a valid policy has no effect.
func checkImagePolicy(s string) error {
	if s == "" || s == "-" || s == "*" || s == "~" {
		return nil
	}
	seen := map[string]bool{}
	for _, rule := range strings.Split(s, ":") {
		if rule == "" {
			continue
		}
		d, flags, ok := strings.Cut(rule, "=")
		if !ok {
			return fmt.Errorf("missing '=' in policy expression %q", rule)
		}
		d = strings.TrimSpace(d)
		if d != "" && !slices.Contains(imagePolicyDesignators, d) {
			return fmt.Errorf("unknown partition type %q", d)
		}
		if seen[d] {
			return fmt.Errorf("duplicate rule for %q", d)
		}
		seen[d] = true
		if f := strings.TrimSpace(flags); f == "" || f == "-" {
			continue
		}
		for _, f := range strings.Split(flags, "+") {
			if f = strings.TrimSpace(f); f != "" && !slices.Contains(imagePolicyFlags, f) {
				return fmt.Errorf("unknown partition policy flag %q", f)
			}
		}
	}
	return nil
}
