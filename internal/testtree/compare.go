package testtree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Node is what a reader of a written filesystem found at one path.
type Node struct {
	Ino          uint64 // inode number, to tell hardlinks
	Kind         fstree.Kind
	Mode         uint32 // permission bits (07777)
	UID, GID     uint32
	Nlink        uint32
	Size         int64 // regular files
	Target       string
	Major, Minor uint32
	Mtime, Atime time.Time
	// Xattrs by name; values may be nil where the reader only knows
	// names (then only names and, in ValueLen, lengths are compared).
	Xattrs   map[string][]byte
	ValueLen map[string]int
	// Data is a regular file's content, nil when it was not read.
	Data []byte
}

// Checks select what Compare looks at besides kinds, names, modes and
// owners.
type Checks struct {
	Mtime    bool // mtime equals the tree's Mtime
	Atime    bool // so does the atime, of non-directories
	DirAtime bool // and of directories
	Nsec     bool // including nanoseconds
	Nlink    bool // link counts of non-directories
	Xattrs   bool
	Data     bool // contents of the files whose Data was read
}

// Compare checks that got, keyed by absolute path ("/" is the root),
// holds exactly the tree t. It reports up to 20 differences.
func Compare(t *fstree.Tree, got map[string]*Node, c Checks) error {
	var errs []error
	add := func(format string, a ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	want := map[string]*fstree.Inode{"/": t.Root}
	names := map[*fstree.Inode]int{}
	fstree.Walk(t.Root, func(p string, e *fstree.Entry) error {
		want["/"+p] = e.Inode
		names[e.Inode]++
		return nil
	})
	inoOf := map[*fstree.Inode]uint64{}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		in := want[p]
		n := got[p]
		if n == nil {
			add("%s: missing", p)
			continue
		}
		if prev, ok := inoOf[in]; ok && prev != n.Ino {
			add("%s: inode %d, but its hardlink has %d", p, n.Ino, prev)
		}
		inoOf[in] = n.Ino
		compareNode(p, in, n, names[in], c, add)
	}
	for p := range got {
		if want[p] == nil {
			add("%s: not in the tree", p)
		}
	}
	seen := map[uint64]*fstree.Inode{}
	for in, ino := range inoOf {
		if o := seen[ino]; o != nil && o != in {
			add("inode %d holds two inodes of the tree", ino)
		}
		seen[ino] = in
	}
	return errors.Join(errs...)
}

func compareNode(p string, in *fstree.Inode, n *Node, links int, c Checks, add func(string, ...any)) {
	if n.Kind != in.Kind {
		add("%s: %v, want %v", p, n.Kind, in.Kind)
		return
	}
	if n.Mode != in.Mode&0o7777 {
		add("%s: mode %04o, want %04o", p, n.Mode, in.Mode&0o7777)
	}
	if n.UID != in.UID || n.GID != in.GID {
		add("%s: owner %d:%d, want %d:%d", p, n.UID, n.GID, in.UID, in.GID)
	}
	w := in.Mtime
	if !c.Nsec {
		w = w.Truncate(time.Second)
	}
	if c.Mtime && !n.Mtime.Equal(w) {
		add("%s: mtime %v, want %v", p, n.Mtime, w)
	}
	if (in.Kind == fstree.Dir && c.DirAtime || in.Kind != fstree.Dir && c.Atime) && !n.Atime.Equal(w) {
		add("%s: atime %v, want %v", p, n.Atime, w)
	}
	if c.Nlink && in.Kind != fstree.Dir && n.Nlink != uint32(links) {
		add("%s: %d links, want %d", p, n.Nlink, links)
	}
	if c.Xattrs {
		compareXattrs(p, in, n, add)
	}
	switch in.Kind {
	case fstree.File:
		if n.Size != in.Size {
			add("%s: size %d, want %d", p, n.Size, in.Size)
		}
		if c.Data && n.Data != nil {
			want, err := content(in)
			if err != nil {
				add("%s: reading the source: %v", p, err)
			} else if !bytes.Equal(n.Data, want) {
				add("%s: content differs (%d bytes read, %d expected)", p, len(n.Data), len(want))
			}
		}
	case fstree.Symlink:
		if n.Target != in.Target {
			add("%s: target %q, want %q", p, n.Target, in.Target)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if n.Major != in.Major || n.Minor != in.Minor {
			add("%s: device %d:%d, want %d:%d", p, n.Major, n.Minor, in.Major, in.Minor)
		}
	}
}

func compareXattrs(p string, in *fstree.Inode, n *Node, add func(string, ...any)) {
	if len(n.Xattrs) != len(in.Xattrs) {
		add("%s: %d xattrs %v, want %d", p, len(n.Xattrs), slices.Sorted(maps.Keys(n.Xattrs)), len(in.Xattrs))
		return
	}
	for _, x := range in.Xattrs {
		v, ok := n.Xattrs[x.Name]
		switch {
		case !ok:
			add("%s: xattr %s missing", p, x.Name)
		case v != nil && !bytes.Equal(v, x.Value):
			add("%s: xattr %s = %q, want %q", p, x.Name, v, x.Value)
		case v == nil && n.ValueLen != nil && n.ValueLen[x.Name] != len(x.Value):
			add("%s: xattr %s has %d bytes, want %d", p, x.Name, n.ValueLen[x.Name], len(x.Value))
		}
	}
}

// content is the data of a regular file of the tree.
func content(in *fstree.Inode) ([]byte, error) {
	if !in.HasSource() {
		return in.Data(), nil
	}
	r, err := in.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, in.Size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}
