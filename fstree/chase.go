package fstree

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"
)

// maxSymlinks bounds symlink resolution, like the kernel's ELOOP limit
// (and systemd's chase()).
const maxSymlinks = 40

// errLoop is returned when resolving a path meets more than maxSymlinks
// symlinks.
var errLoop = fmt.Errorf("resolving path: %w", syscall.ELOOP)

// chase resolves p inside root on the host as if root were "/", the way
// systemd's chase(..., CHASE_PREFIX_ROOT) does: absolute symlink targets
// start again at root and ".." never climbs above it, so nothing outside
// root is read. A symlink in the last component is followed only when
// followLast is set. The result is a host path without symlinks in its
// directory part. A missing component yields an error matching
// fs.ErrNotExist.
func chase(root, p string, followLast bool) (string, error) {
	root = cleanRoot(root)
	todo := splitPath(p)
	var cur []string
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(cur) > 0 {
				cur = cur[:len(cur)-1]
			}
			continue
		}
		host := hostJoin(root, cur, c)
		fi, err := os.Lstat(host)
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink != 0 && (len(todo) > 0 || followLast) {
			links++
			if links > maxSymlinks {
				return "", fmt.Errorf("%s: %w", host, errLoop)
			}
			t, err := os.Readlink(host)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(t, "/") {
				cur = cur[:0]
			}
			todo = append(splitPath(t), todo...)
			continue
		}
		if len(todo) > 0 && !fi.IsDir() {
			return "", &os.PathError{Op: "resolve", Path: host, Err: syscall.ENOTDIR}
		}
		cur = append(cur, c)
	}
	return hostJoin(root, cur, ""), nil
}

// cleanRoot returns the copy source root, "/" when empty.
func cleanRoot(root string) string {
	if root == "" {
		return "/"
	}
	return path.Clean(root)
}

// hostJoin joins root, the resolved components and a last one.
func hostJoin(root string, cur []string, last string) string {
	var b strings.Builder
	b.WriteString(root)
	for _, c := range cur {
		if b.Len() == 0 || !strings.HasSuffix(b.String(), "/") {
			b.WriteByte('/')
		}
		b.WriteString(c)
	}
	if last != "" {
		if !strings.HasSuffix(b.String(), "/") {
			b.WriteByte('/')
		}
		b.WriteString(last)
	}
	return b.String()
}

// splitPath splits p into its non-empty components.
func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// isNotExist reports whether err means a path (or one of its parents) is
// missing.
func isNotExist(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
