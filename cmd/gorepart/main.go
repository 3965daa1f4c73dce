// Command gorepart builds GPT disk images from repart.d definitions, as
// systemd-repart --offline=yes does, without root, loop devices or mkfs
// tools. Invoked as "systemd-repart" it behaves as a drop-in replacement.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		setMemoryLimit()
	}
	os.Exit(mainWithSignals(os.Args))
}

// mainWithSignals runs the command with SIGINT and SIGTERM turned into a
// cancelled build (which removes its temporary files) instead of death.
func mainWithSignals(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
}
