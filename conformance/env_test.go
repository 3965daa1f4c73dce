package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// env is one run of one case against one binary: its directories and the
// values of upstream's shell variables.
type env struct {
	t    *testing.T
	ctx  context.Context
	impl impl
	dir  string // the case's private directory
	data string // testdata/<case>
	vars map[string]string
	// transcript records the commands run and the tail of what they
	// printed, for the failure message.
	transcript strings.Builder
	keepGoing  bool // run the steps after a failure too
}

// newEnv lays out the directories upstream makes with mktemp: $defs (mode
// 0755, as upstream chmods it), $imgs, $root, $workdir, and a private TMPDIR.
func newEnv(t *testing.T, name string, im impl, arch map[string]string) *env {
	dir := t.TempDir()
	e := &env{t: t, impl: im, dir: dir, data: filepath.Join("testdata", name), vars: map[string]string{}}
	maps.Copy(e.vars, arch)
	maps.Copy(e.vars, readVars(t, filepath.Join("testdata", "VARS")))
	if _, err := os.Stat(filepath.Join(e.data, "VARS")); err == nil {
		maps.Copy(e.vars, readVars(t, filepath.Join(e.data, "VARS")))
	}
	for _, d := range []string{"defs", "imgs", "root", "workdir", "tmp"} {
		p := filepath.Join(dir, d)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		e.vars[d] = p
	}
	return e
}

// readVars reads a VARS file: upstream's constants ("name value" lines),
// testdata/VARS for the whole test, testdata/<case>/VARS for a case.
func readVars(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		vars[name] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vars
}

// runSteps runs the steps in order and stops at the first failure, which it
// returns with the step's number. With keepGoing it runs every step and
// returns all failures (later ones may follow from earlier ones).
func (e *env) runSteps(steps []step) error {
	var errs []error
	for i, s := range steps {
		if err := e.ctx.Err(); err != nil {
			return errors.Join(append(errs, fmt.Errorf("step %d (%s): %w", i+1, s, err))...)
		}
		if err := s.run(e); err != nil {
			errs = append(errs, fmt.Errorf("step %d (%s): %w", i+1, s, err))
			if !e.keepGoing {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// logf adds a line to the transcript.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(&e.transcript, format+"\n", args...)
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expand substitutes upstream's $name and ${name} references; an unknown
// name is an error, not an empty string.
func (e *env) expand(s string) (string, error) {
	return e.expandWith(s, func(v string) string { return v })
}

// expandRegexp expands s for use as a regular expression: the values are
// matched literally.
func (e *env) expandRegexp(s string) (string, error) {
	return e.expandWith(s, regexp.QuoteMeta)
}

func (e *env) expandWith(s string, quote func(string) string) (string, error) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2]
		v, ok := e.vars[name]
		if !ok {
			missing = append(missing, name)
			return ref
		}
		return quote(v)
	})
	if missing != nil {
		return "", fmt.Errorf("undefined variables %v in %q", missing, s)
	}
	return out, nil
}

// expandAll expands the arguments of a step.
func (e *env) expandAll(args []string) ([]string, error) {
	out := make([]string, len(args))
	for i, a := range args {
		v, err := e.expand(a)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// readData reads testdata/<case>/name, expanded.
func (e *env) readData(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(e.data, name))
	if err != nil {
		return "", err
	}
	return e.expand(string(b))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// headTail keeps the first h and the last n lines of s (usage errors come
// first, build errors last).
func headTail(s string, h, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= h+n {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:h], "\n") + "\n...\n" + strings.Join(lines[len(lines)-n:], "\n")
}
