package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// step is one line (or a few) of an upstream test case.
type step interface {
	run(e *env) error
	String() string
}

// execStep runs systemd-repart or a tool. As under upstream's `set -e`, an
// exit status other than the expected one fails the case.
type execStep struct {
	repart    bool     // args[0] is replaced by the binary under test
	args      []string // expanded when run
	stdinData string   // testdata file fed to stdin, expanded
	env       []string // K=V, expanded
	unset     []string
	stdoutVar string // output=$(cmd)
	outVar    string // output=$(cmd 2>&1)
	rc        int
	anyFail   bool // (! cmd)
}

// repart is `systemd-repart ARGS...` run with the binary under test.
func repart(args ...string) *execStep {
	return &execStep{repart: true, args: append([]string{"systemd-repart"}, args...)}
}

// tool is a command the checks run (sfdisk, e2fsck, ...).
func tool(args ...string) *execStep { return &execStep{args: args} }

// sfdiskLoad is `sfdisk IMAGE <<EOF` with the script from testdata.
func sfdiskLoad(image, script string) *execStep {
	return &execStep{args: []string{"sfdisk", image}, stdinData: script}
}

// withEnv sets K=V for the command (env K=V cmd).
func (s *execStep) withEnv(kv ...string) *execStep { s.env = append(s.env, kv...); return s }

// unsetEnv removes K from the command's environment (env -u K cmd).
func (s *execStep) unsetEnv(k ...string) *execStep { s.unset = append(s.unset, k...); return s }

// stdout stores the command's stdout, trailing newlines removed, in a variable.
func (s *execStep) stdout(v string) *execStep { s.stdoutVar = v; return s }

// output stores stdout and stderr together, as $(cmd 2>&1).
func (s *execStep) output(v string) *execStep { s.outVar = v; return s }

// wantRC expects exit status rc (assert_rc).
func (s *execStep) wantRC(rc int) *execStep { s.rc = rc; return s }

// fails expects any non-zero exit status, as (! cmd).
func (s *execStep) fails() *execStep { s.anyFail = true; return s }

func (s *execStep) String() string {
	var b strings.Builder
	for _, kv := range s.env {
		b.WriteString(kv + " ")
	}
	b.WriteString(strings.Join(s.args, " "))
	if s.stdinData != "" {
		b.WriteString(" <" + s.stdinData)
	}
	return b.String()
}

func (s *execStep) run(e *env) error {
	args, err := e.expandAll(s.args)
	if err != nil {
		return err
	}
	extra, err := e.expandAll(s.env)
	if err != nil {
		return err
	}
	name := args[0]
	if s.repart {
		name = e.impl.bin
	}
	cmd := exec.CommandContext(e.ctx, name, args[1:]...)
	cmd.Dir = e.dir
	cmd.Env = e.environ(s.repart, extra, s.unset)
	if s.stdinData != "" {
		in, err := e.readData(s.stdinData)
		if err != nil {
			return err
		}
		cmd.Stdin = strings.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if s.outVar != "" {
		cmd.Stderr = &stdout
	}
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start).Round(time.Millisecond)
	rc := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rc = exit.ExitCode()
	case err != nil:
		return err
	}
	e.logf("$ %s  # exit %d, %v", strings.Join(append(extra, args...), " "), rc, took)
	e.logf("%s", headTail(stdout.String()+stderr.String(), 8, 32))
	if s.stdoutVar != "" {
		e.vars[s.stdoutVar] = strings.TrimRight(stdout.String(), "\n")
	}
	if s.outVar != "" {
		e.vars[s.outVar] = strings.TrimRight(stdout.String(), "\n")
	}
	switch {
	case s.anyFail && rc == 0:
		return fmt.Errorf("%s succeeded, upstream expects it to fail", args[0])
	case !s.anyFail && rc != s.rc:
		return fmt.Errorf("%s: exit status %d, want %d (%s)", args[0], rc, s.rc, lastLine(stderr.String()))
	}
	return nil
}

// environ is the environment of a command: upstream exports
// SYSTEMD_LOG_LEVEL=debug, PAGER=cat and SYSTEMD_UTF8=0 for the whole test;
// nothing else of the host's environment but PATH reaches systemd-repart,
// so SOURCE_DATE_EPOCH, TZ and SYSTEMD_* are only what a case sets. TMPDIR
// is private to the case. The tools get LC_ALL=C for stable output.
func (e *env) environ(repart bool, extra, unset []string) []string {
	env := []string{
		"PATH=" + filepath.Dir(e.impl.bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + e.dir,
		"TMPDIR=" + e.vars["tmp"],
	}
	if repart {
		env = append(env, "SYSTEMD_LOG_LEVEL=debug", "PAGER=cat", "SYSTEMD_UTF8=0")
	} else {
		env = append(env, "LC_ALL=C")
	}
	env = append(env, extra...)
	out := env[:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, u := range unset {
			drop = drop || k == u
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// lastLine is the last non-empty line of s, where a failing command says why.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
