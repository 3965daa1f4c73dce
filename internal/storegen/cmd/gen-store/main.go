// Command gen-store writes a benchmark tree (package storegen):
//
//	go run ./internal/storegen/cmd/gen-store -scale small|large|tiny [-paths N] [-seed S] [-plan-only] OUTDIR
//
// It prints progress on stderr and gen-store.py's summary line on
// stdout.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gorepart/gorepart/internal/storegen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var p storegen.Params
	fs.StringVar(&p.Scale, "scale", "small", "tree size: tiny, small, large")
	fs.IntVar(&p.Paths, "paths", 0, "number of store paths (default: the scale's)")
	fs.Int64Var(&p.Seed, "seed", 1, "seed")
	planOnly := fs.Bool("plan-only", false, "print the totals without writing")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var st storegen.Stats
	var err error
	switch {
	case *planOnly:
		st, err = storegen.Plan(p)
	case fs.NArg() == 1:
		st, err = storegen.Generate(fs.Arg(0), p, stderr)
	default:
		fmt.Fprintln(stderr, "usage: gen-store [-scale S] [-paths N] [-seed S] (-plan-only | OUTDIR)")
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "gen-store:", err)
		return 1
	}
	fmt.Fprintln(stdout, st.Summary(p))
	return 0
}
