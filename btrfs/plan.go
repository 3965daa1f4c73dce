package btrfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/staging"
)

// Plan is a tree staged for mkfs.btrfs. It holds the staging directory and,
// once MinSize has run, the smallest filesystem, until Close.
type Plan struct {
	p       Params
	mkfs    string       // the program
	version mkfs.Version // its release
	root    string       // staging directory, "" when nothing is copied
	// min is the filesystem made with --shrink by MinSize, minSize its
	// size.
	min     *os.File
	minSize int64
}

// NewPlan checks p against the installed mkfs.btrfs and stages t (nil: a
// filesystem with nothing copied into it, as repart makes when a
// definition copies nothing; then mkfs.btrfs gets no --rootdir).
func NewPlan(t *fstree.Tree, p Params) (*Plan, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	prog, err := mkfs.Find(tool(), p.Path)
	if err != nil {
		return nil, err
	}
	v, err := programVersion(prog, &p)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(&p, v, t != nil); err != nil {
		return nil, err
	}
	if err := checkTree(t, v); err != nil {
		return nil, fmt.Errorf("btrfs: %w", err)
	}
	if err := checkSubvolumes(t, &p); err != nil {
		return nil, err
	}
	if t == nil && p.Compression != "" {
		p.warn("Compression=%s has no effect: nothing is copied into the filesystem", p.Compression)
	}
	pl := &Plan{p: p, mkfs: prog, version: v}
	if t != nil {
		pl.root, err = staging.Create(t, p.TempDir, staging.Options{Unprivileged: p.Unprivileged})
		if err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// programVersion runs mkfs.btrfs --version.
func programVersion(prog string, p *Params) (mkfs.Version, error) {
	return mkfs.ProgramVersion(prog, env(p), "--version")
}

// checkSubvolumes requires every subvolume to be a directory of the tree:
// mkfs.btrfs turns directories of --rootdir into subvolumes.
func checkSubvolumes(t *fstree.Tree, p *Params) error {
	for _, s := range p.Subvolumes {
		in := (*fstree.Inode)(nil)
		if t != nil {
			in = t.Root
			for _, name := range strings.Split(s.Path[1:], "/") {
				e := in.Lookup(name)
				if e == nil {
					in = nil
					break
				}
				in = e.Inode
			}
		}
		if in == nil || in.Kind != fstree.Dir {
			return fmt.Errorf("subvolume %s: no such directory in the filesystem (create it with CopyFiles= or MakeDirectories=)", s.Path)
		}
	}
	return nil
}

// MinSize is the size of the smallest filesystem mkfs.btrfs --shrink makes
// of the tree. With Params.Minimize that filesystem is what Write writes;
// without, it is the lower bound of what Write accepts (mkfs.btrfs
// without --shrink lays chunks out for the size it is given).
func (pl *Plan) MinSize() (int64, error) {
	if pl.min != nil {
		return pl.minSize, nil
	}
	if pl.root == "" {
		return 0, errors.New("sizing btrfs: --shrink needs files to copy")
	}
	p := pl.p
	p.Minimize = true
	f, err := pl.run(&p, 0)
	if err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		mkfs.RemoveTemp(f)
		return 0, fmt.Errorf("sizing btrfs: %w", err)
	}
	pl.min, pl.minSize = f, st.Size()
	return pl.minSize, nil
}

// Write writes the filesystem into dst at offset 0: with Params.Minimize
// the MinSize bytes of the smallest filesystem, otherwise a filesystem of
// size bytes made for that size. Bytes it does not write must read as
// zeros.
func (pl *Plan) Write(dst io.WriterAt, size int64) error {
	if pl.p.Minimize && pl.root != "" {
		n, err := pl.MinSize()
		if err != nil {
			return err
		}
		if size < n {
			return fmt.Errorf("writing btrfs: %d bytes is less than the %d the filesystem needs", size, n)
		}
		return filecopy.Sparse(dst, 0, pl.min, 0, n)
	}
	f, err := pl.run(&pl.p, size)
	if err != nil {
		return err
	}
	defer mkfs.RemoveTemp(f)
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("writing btrfs: %w", err)
	}
	if st.Size() != size {
		// mkfs.btrfs grows a regular file that cannot hold the tree.
		return fmt.Errorf("writing btrfs: the tree needs %d bytes, more than the %d given", st.Size(), size)
	}
	return filecopy.Sparse(dst, 0, f, 0, size)
}

// run makes a filesystem with p's options in a new temporary file of
// size bytes (0: mkfs.btrfs sizes it) and returns the file, open.
func (pl *Plan) run(p *Params, size int64) (*os.File, error) {
	f, err := mkfs.TempImage(p.TempDir, "gorepart-btrfs-*.img", size)
	if err != nil {
		return nil, err
	}
	c := mkfs.Cmd{
		Path:   pl.mkfs,
		Args:   args(p, pl.root, f.Name()),
		Env:    env(p),
		UserNS: p.Unprivileged,
		// Before 6.6 mkfs.btrfs asks libblkid to probe every block
		// device for the UUID; see mkfs.Cmd.HidePartitions.
		HidePartitions: !p.Unprivileged && pl.version.Release() < releaseUUIDNotProbed,
	}
	if err := c.Run(); err != nil {
		mkfs.RemoveTemp(f)
		return nil, fmt.Errorf("making btrfs: %w", err)
	}
	return f, nil
}

// Close removes the staging directory and the smallest filesystem; it is
// safe to call twice.
func (pl *Plan) Close() error {
	if pl.min != nil {
		mkfs.RemoveTemp(pl.min)
		pl.min = nil
	}
	if pl.root != "" {
		err := staging.Remove(pl.root)
		pl.root = ""
		return err
	}
	return nil
}
