package conformance

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// fn is a step given by a function; desc reads like the upstream line.
type fn struct {
	desc string
	f    func(e *env) error
}

func (s fn) run(e *env) error { return s.f(e) }
func (s fn) String() string   { return s.desc }

// check is a verification of the port with no upstream line of its own
// (it replaces a mount or systemd-dissect).
func check(desc string, f func(e *env) error) step { return fn{"check: " + desc, f} }

// paths expands path arguments.
func paths(e *env, ps ...string) ([]string, error) { return e.expandAll(ps) }

// put is `tee DST <<EOF` with the heredoc in testdata/<case>/SRC.
func put(src, dst string) step {
	return fn{"tee " + dst + " <<EOF (" + src + ")", func(e *env) error {
		text, err := e.readData(src)
		if err != nil {
			return err
		}
		p, err := e.expand(dst)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(text), 0o644)
	}}
}

// writeText is `echo TEXT >DST` (appending when app is set: `>>`).
func writeText(dst, text string, app bool) step {
	op := ">"
	if app {
		op = ">>"
	}
	return fn{fmt.Sprintf("echo %q %s %s", text, op, dst), func(e *env) error {
		p, err := e.expand(dst)
		if err != nil {
			return err
		}
		t, err := e.expand(text)
		if err != nil {
			return err
		}
		flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if app {
			flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		}
		f, err := os.OpenFile(p, flag, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(t); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}}
}

// appendLine is `echo LINE >>DST`.
func appendLine(dst, line string) step { return writeText(dst, line+"\n", true) }

// symlink is `ln -s TARGET LINK`.
func symlink(target, link string) step {
	return fn{"ln -s " + target + " " + link, func(e *env) error {
		p, err := paths(e, target, link)
		if err != nil {
			return err
		}
		return os.Symlink(p[0], p[1])
	}}
}

// mkdir is `mkdir -p PATH...`.
func mkdir(ps ...string) step {
	return fn{"mkdir -p " + strings.Join(ps, " "), func(e *env) error {
		p, err := paths(e, ps...)
		if err != nil {
			return err
		}
		for _, d := range p {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		return nil
	}}
}

// rm is `rm -f PATH...`.
func rm(ps ...string) step {
	return fn{"rm -f " + strings.Join(ps, " "), func(e *env) error {
		p, err := paths(e, ps...)
		if err != nil {
			return err
		}
		for _, f := range p {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	}}
}

// truncate is `truncate -s SIZE PATH` (coreutils suffixes: K, M, G
// powers of 1024, with or without "iB"; "KB", "MB", "GB" powers of 1000).
func truncate(size, path string) step {
	return fn{"truncate -s " + size + " " + path, func(e *env) error {
		n, err := parseSize(size)
		if err != nil {
			return err
		}
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		if err := f.Truncate(n); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}}
}

var sizeRe = regexp.MustCompile(`^([0-9]+)([kKmMgGtT]?)(iB|B)?$`)

func parseSize(s string) (int64, error) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	base := int64(1024)
	if m[3] == "B" {
		base = 1000
	}
	for range strings.Index("kmgt", strings.ToLower(m[2])) + 1 {
		n *= base
	}
	return n, nil
}

// randomFile is `dd if=/dev/urandom of=PATH bs=4096 count=N/4096`, with
// seeded pseudo-random bytes so that a failure can be reproduced.
func randomFile(path string, size int64) step {
	return fn{fmt.Sprintf("dd if=/dev/urandom of=%s (%d bytes)", path, size), func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		r := rand.NewChaCha8([32]byte{58})
		buf := make([]byte, size)
		if _, err := r.Read(buf); err != nil {
			return err
		}
		return os.WriteFile(p, buf, 0o644)
	}}
}

// touchAt is `touch --date=@EPOCH PATH`.
func touchAt(path string, epoch int64) step {
	return fn{fmt.Sprintf("touch --date=@%d %s", epoch, path), func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		ts := time.Unix(epoch, 0)
		return os.Chtimes(p, ts, ts)
	}}
}

// setVar is `NAME=VALUE` (VALUE expanded).
func setVar(name, value string) step {
	return fn{name + "=" + value, func(e *env) error {
		v, err := e.expand(value)
		if err != nil {
			return err
		}
		e.vars[name] = v
		return nil
	}}
}

// now is `NAME=$(date +%s)`.
func now(name string) step {
	return fn{name + "=$(date +%s)", func(e *env) error {
		e.vars[name] = strconv.FormatInt(time.Now().Unix(), 10)
		return nil
	}}
}

// sleep is `sleep N`.
func sleep(d time.Duration) step {
	return fn{"sleep " + d.String(), func(e *env) error {
		select {
		case <-time.After(d):
			return nil
		case <-e.ctx.Done():
			return e.ctx.Err()
		}
	}}
}
