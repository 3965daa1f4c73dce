package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets tests run this test binary as the gorepart command
// (GOREPART_RUN_MAIN=1), so they can vary the process environment: umask,
// TZ, locale, working directory, signals.
func TestMain(m *testing.M) {
	if os.Getenv("GOREPART_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), append([]string{"gorepart"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}
