// Command gorepart builds GPT disk images from repart.d definitions, as
// systemd-repart --offline=yes does, without root, loop devices or mkfs
// tools. Invoked as "systemd-repart" it behaves as a drop-in replacement.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultMemoryLimit is the Go heap target when GOMEMLIMIT is not set:
// trees of a few hundred thousand files and the writers' buffers fit well
// below it, and the garbage collector then keeps the peak RSS of a large
// image build under 256 MiB instead of letting the heap double first.
const defaultMemoryLimit = 192 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
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
