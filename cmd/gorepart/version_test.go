package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestVersion: --version exits 0; invoked as systemd-repart its first
// line is what mkosi parses as systemd's version (third word, parentheses
// stripped), and gorepart names itself on a later line.
func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		argv0, first string
	}{
		{"/usr/bin/systemd-repart", "systemd 262 (262)"},
		{"gorepart", "gorepart "},
	} {
		var stdout, stderr bytes.Buffer
		rc := run(context.Background(), []string{tc.argv0, "--version"}, nil, &stdout, &stderr, func(string) string { return "" })
		if rc != 0 {
			t.Fatalf("%s --version: exit %d, stderr %q", tc.argv0, rc, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if !strings.HasPrefix(lines[0], tc.first) {
			t.Errorf("%s --version: first line %q, want %q", tc.argv0, lines[0], tc.first)
		}
		if tc.first[0] == 's' {
			// mkosi: systemd_tool_version() = output.split()[2].strip("()")
			if w := strings.Fields(stdout.String()); len(w) < 3 || strings.Trim(w[2], "()") != "262" {
				t.Errorf("third word %q, want (262)", w)
			}
			if len(lines) < 2 || !strings.Contains(lines[1], "gorepart") {
				t.Errorf("no gorepart line after the systemd one: %q", stdout.String())
			}
		}
	}
}
