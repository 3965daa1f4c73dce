package fstree

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
)

// cleanTarget checks a path inside the filesystem and returns it in
// canonical form ("/a/b"). It must be absolute and must not contain "..".
func cleanTarget(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("target %q is not an absolute path", p)
	}
	var comps []string
	for _, c := range splitPath(p) {
		switch c {
		case ".":
		case "..":
			return "", fmt.Errorf("target %q contains \"..\"", p)
		default:
			comps = append(comps, c)
		}
	}
	return "/" + strings.Join(comps, "/"), nil
}

// splitTarget splits a clean target other than "/" into its parent and
// last component.
func splitTarget(p string) (parent, name string) {
	i := strings.LastIndexByte(p, '/')
	parent = p[:i]
	if parent == "" {
		parent = "/"
	}
	return parent, p[i+1:]
}

// joinTarget appends name to a clean target.
func joinTarget(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// resolve finds p in the tree below root the way chase() finds it in
// repart's staging directory: symlinks are followed (absolute targets
// from the root, ".." never above it). With create, missing directories
// are made with newDir (mkdir -p). The returned inode may be any kind;
// a non-directory in the middle of p is an error. Spilled directories on
// the way, and a spilled directory found, are decoded into Entries.
func resolve(root *Inode, p string, create func() *Inode) (*Inode, error) {
	stack := []*Inode{root}
	todo := splitPath(p)
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		cur := stack[len(stack)-1]
		if cur.Kind != Dir {
			return nil, &os.PathError{Op: "resolve", Path: p, Err: syscall.ENOTDIR}
		}
		if err := materialize(cur); err != nil {
			return nil, err
		}
		e := cur.Lookup(c)
		if e == nil {
			if create == nil {
				return nil, &os.PathError{Op: "resolve", Path: p, Err: os.ErrNotExist}
			}
			n := create()
			insertEntry(cur, &Entry{Name: c, Inode: n})
			stack = append(stack, n)
			continue
		}
		if e.Inode.Kind == Symlink {
			links++
			if links > maxSymlinks {
				return nil, &os.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
			}
			t := e.Inode.Target
			if strings.HasPrefix(t, "/") {
				stack = stack[:1]
			}
			todo = append(splitPath(t), todo...)
			continue
		}
		stack = append(stack, e.Inode)
	}
	d := stack[len(stack)-1]
	if err := materialize(d); err != nil {
		return nil, err
	}
	return d, nil
}

// insertEntry adds e to directory d, keeping Entries sorted. The name
// must not exist yet; d is held in memory (resolve decodes it).
func insertEntry(d *Inode, e *Entry) {
	i := sort.Search(len(d.Entries), func(i int) bool { return d.Entries[i].Name >= e.Name })
	d.Entries = append(d.Entries, nil)
	copy(d.Entries[i+1:], d.Entries[i:])
	d.Entries[i] = e
}
