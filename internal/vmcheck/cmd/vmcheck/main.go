// Command vmcheck checks a GPT disk image against a SPEC.json the way
// Linux reads it (see package vmcheck):
//
//	go run ./internal/vmcheck/cmd/vmcheck [-timeout 180s] [-accel kvm,tcg] [-keep] [-v] IMAGE SPEC.json
//
// It prints one line per check and last "vmcheck: PASS" or "vmcheck:
// FAIL …"; it exits 0 on PASS, 1 on FAIL and 2 when the check could not
// run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/gorepart/gorepart/internal/vmcheck"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// defaultCache is the user's cache directory's gorepart-vmcheck, or none.
func defaultCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "gorepart-vmcheck")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vmcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o vmcheck.Options
	fs.DurationVar(&o.Timeout, "timeout", 0, "VM time limit (default 180s)")
	fs.StringVar(&o.Accel, "accel", "", "qemu accelerators to try in turn (default kvm when /dev/kvm opens, then tcg)")
	fs.StringVar(&o.CPU, "cpu", "", "qemu -cpu model (default max)")
	fs.IntVar(&o.MemoryMiB, "mem", 0, "guest memory in MiB (default 512)")
	fs.StringVar(&o.Kernel, "kernel", "", "guest kernel version (default the newest in /boot with modules)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory (initramfs, console log)")
	fs.StringVar(&o.CacheDir, "cache", defaultCache(), "directory that keeps the uncompressed kernel between runs")
	verbose := fs.Bool("v", false, "print the guest's console log")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vmcheck [flags] IMAGE SPEC.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	spec, err := vmcheck.LoadSpec(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(stdout, "vmcheck: FAIL %v\n", err)
		return 2
	}
	o.Log = stdout
	res, err := vmcheck.Run(ctx, fs.Arg(0), spec, o)
	if err != nil {
		fmt.Fprintf(stdout, "vmcheck: FAIL %v\n", err)
		return 2
	}
	if *verbose {
		fmt.Fprint(stdout, res.Console)
	}
	if res.WorkDir != "" {
		fmt.Fprintf(stderr, "work directory kept: %s\n", res.WorkDir)
	}
	fmt.Fprintln(stdout, res.Summary())
	if !res.Passed() {
		return 1
	}
	return 0
}
