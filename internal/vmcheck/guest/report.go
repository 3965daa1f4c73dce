package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// reporter prints result lines on the console.
type reporter struct {
	w io.Writer
}

func (r *reporter) line(kind, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	s = strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
	fmt.Fprintf(r.w, "%s%s|%s\n", job.Prefix, kind, s)
}

func (r *reporter) pass(format string, args ...any) { r.line(job.Pass, format, args...) }
func (r *reporter) fail(format string, args ...any) { r.line(job.Fail, format, args...) }
func (r *reporter) info(format string, args ...any) { r.line(job.Info, format, args...) }

// tally counts the passes of one kind of check and prints its failures,
// at most maxFails of them.
type tally struct {
	r      *reporter
	prefix string
	passed map[string]int
	order  []string
	fails  int
}

const maxFails = 40

func newTally(r *reporter, prefix string) *tally {
	return &tally{r: r, prefix: prefix, passed: map[string]int{}}
}

func (t *tally) ok(kind string) {
	if _, seen := t.passed[kind]; !seen {
		t.order = append(t.order, kind)
	}
	t.passed[kind]++
}

func (t *tally) fail(format string, args ...any) {
	t.fails++
	if t.fails <= maxFails {
		t.r.fail(t.prefix+format, args...)
	}
}

// flush prints one PASS line per kind of check.
func (t *tally) flush() {
	if t.fails > maxFails {
		t.r.fail("%s%d more failures not shown", t.prefix, t.fails-maxFails)
	}
	for _, k := range t.order {
		t.r.pass("%s%d %s", t.prefix, t.passed[k], k)
	}
}

// waitFor polls for a path every 100 ms, tries times.
func waitFor(path string, tries int) bool {
	for i := 0; ; i++ {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		if i >= tries {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
