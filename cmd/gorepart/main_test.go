package main

import (
	"os"
	"testing"
)

// TestMain lets tests run this test binary as the gorepart command
// (GOREPART_RUN_MAIN=1), so they can vary the process environment: umask,
// TZ, locale, working directory, signals.
func TestMain(m *testing.M) {
	if os.Getenv("GOREPART_RUN_MAIN") == "1" {
		os.Exit(mainWithSignals(append([]string{"gorepart"}, os.Args[1:]...)))
	}
	os.Exit(m.Run())
}
