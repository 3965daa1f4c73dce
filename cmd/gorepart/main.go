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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
