package mkfs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stderrKeep is how much of a program's error output an error carries
// (the end of it, where the reason is).
const stderrKeep = 8 << 10

// Env is the environment of every program: PATH (the search path), TZ=UTC,
// LC_ALL=C, SOURCE_DATE_EPOCH when sde is set, then extra (NAME=VALUE).
// Nothing is inherited from the caller's environment.
func Env(searchPath string, sde *time.Time, extra ...string) []string {
	if searchPath == "" {
		searchPath = DefaultPath
	}
	env := []string{"PATH=" + searchPath, "TZ=UTC", "LC_ALL=C"}
	if sde != nil {
		env = append(env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(sde.Unix(), 10))
	}
	return append(env, extra...)
}

// Cmd is one run of an external program.
type Cmd struct {
	// Path is the program (from Find); Args its arguments without argv[0].
	Path string
	Args []string
	// Env is its whole environment (see Env).
	Env []string
	// Stdout receives its standard output; nil discards it.
	Stdout io.Writer
	// UserNS runs it in a new user namespace in which the caller's uid
	// and gid are 0, so that files the caller owns read as root's: how an
	// unprivileged build gives a tool root-owned files to copy.
	UserNS bool
	// HidePartitions runs it in a private mount namespace in which
	// /proc/partitions is empty, so libblkid's probe of all block devices
	// sees none (it needs CAP_SYS_ADMIN; see hide.go).
	HidePartitions bool
}

// Run runs c and waits for it. A failure's error names the program and
// carries the end of its error output.
func (c *Cmd) Run() error {
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // never the caller's
	}
	cmd.Dir = "/"
	cmd.Stdin = nil
	cmd.Stdout = c.Stdout
	var stderr tailBuffer
	cmd.Stderr = &stderr
	if c.UserNS {
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
		}
	}
	var err error
	if c.HidePartitions {
		err = runHidingPartitions(cmd)
	} else {
		err = cmd.Run()
	}
	if err != nil {
		name := c.Path[strings.LastIndexByte(c.Path, '/')+1:]
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return fmt.Errorf("running %s: %w: %s", name, err, msg)
		}
		return fmt.Errorf("running %s: %w", name, err)
	}
	return nil
}

// tailBuffer keeps the last stderrKeep bytes written to it.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > stderrKeep {
		p = p[len(p)-stderrKeep:]
	}
	if over := t.b.Len() + len(p) - stderrKeep; over > 0 {
		t.b.Next(over)
	}
	t.b.Write(p)
	return n, nil
}

func (t *tailBuffer) String() string { return t.b.String() }

// UUIDString is u in the form mkfs programs take: lower-case hex, dashed.
func UUIDString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
