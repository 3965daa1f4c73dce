package testutil

import (
	"errors"
	"strings"
	"testing"
)

// WantError fails the test unless err wraps target and its text says
// each of says.
func WantError(t testing.TB, err, target error, says ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %v", err, target)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
}
