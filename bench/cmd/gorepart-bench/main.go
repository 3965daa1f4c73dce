package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	cache    string
	repo     string
	gorepart string
	repart   string
	scales   []string
	layouts  []string
	runs     int
	// toolRuns is the runs of the slow builds (mkfs tools, systemd-repart)
	// per big scale (large, large2x); 0 means not run. toolFlag names the
	// flag that set each, for the table's "not run" cell.
	toolRuns map[string]int
	toolFlag map[string]string
	quick    bool
	out      string
	keep     bool
	built    string // the commit bench/run built gorepart from; "worktree" or "": the checkout as it is
	argv     []string
}

// defaultCache is $GOREPART_BENCH_CACHE, else $XDG_CACHE_HOME/gorepart-bench,
// else /var/tmp/gorepart-bench.
func defaultCache() string {
	if d := os.Getenv("GOREPART_BENCH_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "gorepart-bench")
	}
	return "/var/tmp/gorepart-bench"
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{argv: args}
	fs := flag.NewFlagSet("gorepart-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.cache, "cache", defaultCache(), "directory for the generated trees and the work files ($GOREPART_BENCH_CACHE)")
	fs.StringVar(&c.repo, "repo", ".", "the gorepart checkout (for the commit in the results)")
	fs.StringVar(&c.gorepart, "gorepart", "", "the gorepart binary to measure (required)")
	fs.StringVar(&c.repart, "systemd-repart", "systemd-repart", "systemd-repart to compare with when it is ≥ 254")
	sizes := fs.String("trees", "small,large", "tree sizes: tiny, small, large, large2x (the large tree with twice its store paths) (comma list)")
	lays := fs.String("layouts", "a,b,c,d", "layouts (comma list): a ESP+ext4 Minimize=guess, b erofs+verity, c fixed sizes, "+
		"d ESP+ext4 1 GiB+erofs Minimize=best against the bare mkfs tools (issue #21), "+
		"e the ESP alone (issue #5; with -quick the default is a,b,c,e)")
	fs.IntVar(&c.runs, "runs", 3, "timed runs per build (median)")
	largeRuns := fs.Int("large-tool-runs", -1, "timed runs of the mkfs-tool and systemd-repart builds on the large and large2x trees, "+
		"when fewer than -runs (each takes minutes on 2 cores); 0: not run; -1: -runs")
	large2xRuns := fs.Int("large2x-tool-runs", -1, "the same on the large2x tree alone; -1: -large-tool-runs")
	fs.BoolVar(&c.quick, "quick", false, "smoke test: tiny tree, one run, results not written to -out")
	fs.StringVar(&c.out, "out", "", "results file (default REPO/bench/RESULTS.md, REPO/bench/RESULTS-esp.md for -layouts=e; none with -quick)")
	fs.BoolVar(&c.keep, "keep", false, "keep the images and work files")
	fs.StringVar(&c.built, "built", "", "the commit -gorepart was built from (bench/run: HEAD, or \"worktree\")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.gorepart == "" {
		return nil, errors.New("-gorepart is required (bench/run builds it)")
	}
	layoutsSet := false
	fs.Visit(func(f *flag.Flag) { layoutsSet = layoutsSet || f.Name == "layouts" })
	if c.quick && !layoutsSet {
		*lays = "a,b,c,d,e"
	}
	c.layouts = strings.Split(*lays, ",")
	if c.quick {
		*sizes = "tiny"
		c.runs = 1
	} else if c.out == "" {
		c.out = filepath.Join(c.repo, "bench", "RESULTS.md")
		if espOnly(c.layouts) {
			c.out = filepath.Join(c.repo, "bench", "RESULTS-esp.md")
		}
	}
	c.scales = strings.Split(*sizes, ",")
	for _, s := range c.scales {
		if findScale(s) == nil {
			return nil, fmt.Errorf("unknown tree size %q (tiny, small, large, large2x)", s)
		}
	}
	for _, l := range c.layouts {
		if findLayout(l) == nil {
			return nil, fmt.Errorf("unknown layout %q (a, b, c, d, e)", l)
		}
	}
	if c.runs < 1 {
		return nil, errors.New("-runs must be at least 1")
	}
	c.toolRuns = map[string]int{"large": *largeRuns, "large2x": *largeRuns}
	c.toolFlag = map[string]string{"large": "-large-tool-runs", "large2x": "-large-tool-runs"}
	if *large2xRuns >= 0 {
		c.toolRuns["large2x"], c.toolFlag["large2x"] = *large2xRuns, "-large2x-tool-runs"
	}
	for s, n := range c.toolRuns {
		if n < 0 || n > c.runs {
			c.toolRuns[s] = c.runs
		}
	}
	var err error
	if c.gorepart, err = filepath.Abs(c.gorepart); err != nil {
		return nil, err
	}
	return c, nil
}

func findLayout(id string) *layout {
	for i := range layouts {
		if layouts[i].id == id {
			return &layouts[i]
		}
	}
	return nil
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gorepart-bench: %v\n", err)
		return 2
	}
	var save func(*results) error
	if c.out != "" {
		save = func(res *results) error {
			if err := os.WriteFile(c.out, []byte(render(c, res)), 0o644); err != nil {
				return fmt.Errorf("writing the results so far: %w", err)
			}
			fmt.Fprintf(stderr, "wrote the results so far to %s\n", c.out)
			return nil
		}
	}
	res, err := bench(c, stderr, save)
	if err != nil {
		fmt.Fprintf(stderr, "gorepart-bench: %v\n", err)
		return 1
	}
	text := render(c, res)
	fmt.Fprint(stdout, text)
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(text), 0o644); err != nil {
			fmt.Fprintf(stderr, "gorepart-bench: writing results: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "wrote %s\n", c.out)
	}
	return 0
}
