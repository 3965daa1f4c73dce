package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runner runs external commands for one build and remembers the largest
// peak RSS among them.
type runner struct {
	env    []string
	maxRSS int64 // KiB
	steps  []step
}

// step is the total time spent in one command (or in-process stage).
type step struct {
	name string
	d    time.Duration
}

// account adds d to the named step.
func (r *runner) account(name string, d time.Duration) {
	for i := range r.steps {
		if r.steps[i].name == name {
			r.steps[i].d += d
			return
		}
	}
	r.steps = append(r.steps, step{name, d})
}

// do runs an in-process stage and accounts for its time.
func (r *runner) do(name string, f func() error) error {
	start := time.Now()
	err := f()
	r.account(name, time.Since(start))
	return err
}

// stepString lists the steps: "cp 4.10 s, mkfs.ext4 2.00 s".
func stepString(steps []step) string {
	var parts []string
	for _, s := range steps {
		parts = append(parts, fmt.Sprintf("%s %.2f s", s.name, s.d.Seconds()))
	}
	return strings.Join(parts, ", ")
}

func newRunner(extraEnv ...string) *runner {
	return &runner{env: append(os.Environ(), extraEnv...)}
}

// timeBin is GNU time, which reports a command's peak RSS without our
// own: a child forked from this (larger) process inherits its RSS high
// water mark until exec, and wait4 reports that. Without GNU time the
// wait4 figure is used.
var timeBin, _ = exec.LookPath("/usr/bin/time")

// run runs name with args; its output is kept only for the error.
func (r *runner) run(name string, args ...string) error {
	return r.runWith(nil, nil, nil, name, args...)
}

// runWith runs a command with stdin, stdout and extra environment; a nil
// stdout collects the output for the error message.
func (r *runner) runWith(stdin io.Reader, stdout io.Writer, env []string, name string, args ...string) error {
	var rssFile string
	if timeBin != "" {
		f, err := os.CreateTemp("", "gorepart-bench-rss")
		if err != nil {
			return fmt.Errorf("running %s: %w", name, err)
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{"-f", "%M", "-o", rssFile, name}, args...)
		name = timeBin
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(append([]string{}, r.env...), env...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout = stdout
	if stdout == nil {
		cmd.Stdout = &out
	}
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if rssFile != "" {
		r.noteFile(rssFile)
		name = args[4]
	} else {
		r.note(cmd.ProcessState)
	}
	r.account(filepath.Base(name), elapsed)
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(name), err, lastLine(out.String()))
	}
	return nil
}

// noteFile records the peak RSS GNU time wrote (its last line, in KiB).
func (r *runner) noteFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if k, err := strconv.ParseInt(lastLine(string(data)), 10, 64); err == nil && k > r.maxRSS {
		r.maxRSS = k
	}
}

// note records the peak RSS of a finished child. wait4 reports the
// largest of the child and of the descendants it waited for.
func (r *runner) note(ps *os.ProcessState) {
	if ps == nil {
		return
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > r.maxRSS {
		r.maxRSS = ru.Maxrss
	}
}

// lastLine returns the last non-empty line of s, shortened: where
// tools print their error after a banner.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return shorten(l)
		}
	}
	return "(no output)"
}

func shorten(l string) string {
	if len(l) > 200 {
		return l[:200] + "…"
	}
	return l
}

// firstLine returns the first non-empty line of s, shortened.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 160 {
				l = l[:160] + "…"
			}
			return l
		}
	}
	return "(no output)"
}

// outcome is one build's measurement.
type outcome struct {
	wall   time.Duration
	rssKiB int64
	size   int64 // apparent bytes of the output, -1 when there is none
	alloc  int64 // allocated bytes of the output
	steps  []step
	err    error
}

// build is one way of producing a layout; setup (untimed) runs before
// each timed run.
type build struct {
	name  string
	note  string // reason the build is not run, e.g. "n/a (252 < 254)"
	slow  bool   // runs only -large-tool-runs times on the large tree
	setup func() error
	run   func(r *runner) (output string, err error)
}

// measure runs b once: setup, sync, then the timed run.
func measure(b build) outcome {
	if b.setup != nil {
		if err := b.setup(); err != nil {
			return outcome{err: fmt.Errorf("preparing: %w", err), size: -1}
		}
	}
	syscall.Sync()
	r := newRunner()
	start := time.Now()
	out, err := b.run(r)
	o := outcome{wall: time.Since(start), rssKiB: r.maxRSS, size: -1, steps: r.steps, err: err}
	if err == nil && out != "" {
		if fi, serr := os.Stat(out); serr == nil {
			o.size = fi.Size()
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				o.alloc = st.Blocks * 512
			}
		}
	}
	return o
}

// summary is the result over all runs of one build.
type summary struct {
	name   string
	note   string
	runs   int
	median time.Duration
	rssKiB int64
	size   int64
	alloc  int64
	walls  []time.Duration // of every successful run
	steps  []step          // of the median run
	all    [][]step        // of every successful run
	err    error
}

// summarize takes the median wall time and the largest RSS of the
// successful runs; any failed run makes the build failed.
func summarize(name string, outs []outcome) summary {
	s := summary{name: name, size: -1}
	var walls []time.Duration
	var ok []outcome
	for _, o := range outs {
		if o.err != nil {
			s.err = o.err
			continue
		}
		walls = append(walls, o.wall)
		ok = append(ok, o)
		s.all = append(s.all, o.steps)
		if o.rssKiB > s.rssKiB {
			s.rssKiB = o.rssKiB
		}
		s.size, s.alloc = o.size, o.alloc
	}
	s.runs, s.walls = len(walls), walls
	if s.err == nil && len(walls) > 0 {
		s.median = median(walls)
		for _, o := range ok {
			if o.wall == s.median {
				s.steps = o.steps
			}
		}
	}
	return s
}

// stepsTimes is, for every run that had any of the named steps, the
// time spent in them together.
func (s summary) stepsTimes(names ...string) []time.Duration {
	var ds []time.Duration
	for _, steps := range s.all {
		var d time.Duration
		found := false
		for _, st := range steps {
			if slices.Contains(names, st.name) {
				d += st.d
				found = true
			}
		}
		if found {
			ds = append(ds, d)
		}
	}
	return ds
}

// median of durations (the lower middle for an even count).
func median(d []time.Duration) time.Duration {
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}
