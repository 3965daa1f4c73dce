package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

// runner runs external commands for one build and remembers the largest
// peak RSS among them.
type runner struct {
	env    []string
	maxRSS int64 // KiB
}

func newRunner(extraEnv ...string) *runner {
	return &runner{env: append(os.Environ(), extraEnv...)}
}

// run runs name with args; its output is kept only for the error.
func (r *runner) run(name string, args ...string) error {
	return r.runWith(nil, nil, nil, name, args...)
}

// runWith runs a command with stdin, stdout and extra environment; a nil
// stdout collects the output for the error message.
func (r *runner) runWith(stdin io.Reader, stdout io.Writer, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(append([]string{}, r.env...), env...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout = stdout
	if stdout == nil {
		cmd.Stdout = &out
	}
	cmd.Stderr = &out
	err := cmd.Run()
	r.note(cmd.ProcessState)
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, firstLine(out.String()))
	}
	return nil
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
	err    error
}

// build is one way of producing a layout; setup (untimed) runs before
// each timed run.
type build struct {
	name  string
	note  string // reason the build is not run, e.g. "n/a (252 < 254)"
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
	o := outcome{wall: time.Since(start), rssKiB: r.maxRSS, size: -1, err: err}
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
	err    error
}

// summarize takes the median wall time and the largest RSS of the
// successful runs; any failed run makes the build failed.
func summarize(name string, outs []outcome) summary {
	s := summary{name: name, size: -1}
	var walls []time.Duration
	for _, o := range outs {
		if o.err != nil {
			s.err = o.err
			continue
		}
		walls = append(walls, o.wall)
		if o.rssKiB > s.rssKiB {
			s.rssKiB = o.rssKiB
		}
		s.size, s.alloc = o.size, o.alloc
	}
	s.runs = len(walls)
	if s.err == nil && len(walls) > 0 {
		s.median = median(walls)
	}
	return s
}

// median of durations (the lower middle for an even count).
func median(d []time.Duration) time.Duration {
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}
