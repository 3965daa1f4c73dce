package conformance

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTableIsUpstream checks that the table has one entry per upstream
// testcase_* function, in upstream's order, and that every case that runs
// has its data directory.
func TestTableIsUpstream(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "TESTCASES"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	for _, c := range cases() {
		got = append(got, c.name)
		if c.skip == "" && len(c.steps) == 0 {
			t.Errorf("%s runs no step", c.name)
		}
		if _, err := os.Stat(filepath.Join("testdata", c.name)); (err == nil) != (c.skip == "") {
			t.Errorf("%s: testdata/%s exists: %v, want it exactly when the case runs", c.name, c.name, err == nil)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("table has\n%v\nupstream has\n%v", got, want)
	}
}

// vacuous says why a binary that does nothing passes a case, for the cases
// where upstream only checks that something did not happen.
func vacuous(name string) string {
	switch name {
	case "testcase_generate_fstab_dry_run":
		return "a dry run must not write the fstab; nothing else is checked"
	case "testcase_issue_21817":
		return "its definitions directory holds no .conf file: the table sfdisk made must stay as it is"
	}
	return ""
}

// TestCasesCanFail runs every case against a systemd-repart that prints
// nothing and exits 0: each must fail, so that a case cannot pass without
// checking what the binary made.
func TestCasesCanFail(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "systemd-repart")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	arch := archVars(t)
	for _, c := range cases() {
		if c.skip != "" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			needTools(t, append([]string{"sfdisk"}, c.tools...))
			e := newEnv(t, c.name, impl{"fake", fake}, arch)
			ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
			defer cancel()
			e.ctx = ctx
			err := e.runSteps(c.steps)
			switch why := vacuous(c.name); {
			case why != "" && err != nil:
				t.Errorf("listed as passing with a binary that does nothing (%s), but fails: %v", why, err)
			case why == "" && err == nil:
				t.Error("passes with a systemd-repart that does nothing")
			}
		})
	}
}
