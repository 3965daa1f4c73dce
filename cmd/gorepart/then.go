package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/repart"
)

// thenHook turns --then= and --then-copy= into the build's Then step: the
// commands run with SHELL -c (a Nix builder's $SHELL; else sh from PATH,
// else /bin/sh, which a Nix sandbox lacks), stdout and stderr going to our
// stderr (stdout stays the report), with ROOTHASH=/USRHASH= added to the
// environment.
func thenHook(c *cli.Context, stderr io.Writer, getenv func(string) string) (repart.Then, error) {
	cmds, copies := c.StringSlice("then"), c.StringSlice("then-copy")
	if len(cmds) == 0 && len(copies) == 0 {
		return nil, nil
	}
	if c.String("defer-partitions") == "" && c.String("defer-partitions-empty") == "" {
		return nil, errors.New("--then= needs --defer-partitions= naming the partitions to fill afterwards")
	}
	var tc []repart.ThenCopy
	for _, spec := range copies {
		parts := strings.SplitN(spec, ":", 3)
		if len(parts) < 2 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") {
			return nil, fmt.Errorf("--then-copy=%s: expected SRC:/DST[:TYPE]", spec)
		}
		src, err := filepath.Abs(parts[0])
		if err != nil {
			return nil, err
		}
		cp := repart.ThenCopy{Source: src, Target: parts[1]}
		if len(parts) == 3 {
			t, err := definitions.ParseType(parts[2], c.String("architecture"))
			if err != nil {
				return nil, fmt.Errorf("--then-copy=%s: %w", spec, err)
			}
			cp.Type = &t
		}
		tc = append(tc, cp)
	}
	shell := thenShell(getenv)
	return func(env []string) ([]repart.ThenCopy, error) {
		for _, cmdline := range cmds {
			cmd := exec.Command(shell, "-c", cmdline)
			cmd.Env = append(os.Environ(), env...)
			cmd.Stdout, cmd.Stderr = stderr, stderr
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("--then=%s: %w", cmdline, err)
			}
		}
		for _, c := range tc {
			if _, err := os.Stat(c.Source); err != nil {
				return nil, fmt.Errorf("--then-copy: %w", err)
			}
		}
		return tc, nil
	}, nil
}

// thenShell is the shell --then= commands run in.
func thenShell(getenv func(string) string) string {
	if sh := getenv("SHELL"); sh != "" {
		if st, err := os.Stat(sh); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return sh
		}
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		return sh
	}
	return "/bin/sh"
}
