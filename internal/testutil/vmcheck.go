package testutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/vmcheck"
)

// vmTimeout is the VM's time limit in tests: CI runs them under TCG on
// two shared cores.
const vmTimeout = 300 * time.Second

// VMCheck checks image against spec in a VM (package vmcheck) and fails
// the test unless every check passes.
func VMCheck(t testing.TB, image string, spec *vmcheck.Spec) *vmcheck.Result {
	t.Helper()
	res := runVMCheck(t, image, spec)
	if !res.Passed() {
		t.Fatalf("vmcheck %s:\n%s", image, res)
	}
	t.Logf("%s (%d checks, guest %.1f s, accel %s)", res.Summary(), len(res.Lines), res.Guest.Seconds(), res.Accel)
	return res
}

// VMCheckFails checks image against spec in a VM and fails the test if
// every check passes; it returns the result for the caller to look at
// what failed.
func VMCheckFails(t testing.TB, image string, spec *vmcheck.Spec) *vmcheck.Result {
	t.Helper()
	res := runVMCheck(t, image, spec)
	if res.Passed() {
		t.Fatalf("vmcheck passed %s, which it must fail:\n%s", image, res)
	}
	t.Logf("%s", res.Summary())
	return res
}

func runVMCheck(t testing.TB, image string, spec *vmcheck.Spec) *vmcheck.Result {
	t.Helper()
	o := vmcheck.Options{Timeout: vmTimeout}
	if d, err := os.UserCacheDir(); err == nil {
		o.CacheDir = filepath.Join(d, "gorepart-vmcheck")
	}
	res, err := vmcheck.Run(context.Background(), image, spec, o)
	var miss *vmcheck.MissingError
	if errors.As(err, &miss) {
		Missing(t, miss.What, miss.Package)
	}
	if err != nil {
		t.Fatalf("vmcheck %s: %v", image, err)
	}
	return res
}
