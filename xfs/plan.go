package xfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/internal/mkfs"
)

// Plan is a tree turned into an mkfs.xfs protofile. It holds a private
// temporary directory (the protofile, in-memory file data) and, once
// MinSize has run, the smallest filesystem it found, until Close.
type Plan struct {
	p        Params
	t        *fstree.Tree
	mkfs, db string
	version  mkfs.Version
	dir      string
	proto    string
	names    int   // entries of the tree
	xattrs   bool  // some inode has xattrs
	data     int64 // bytes of file data, in whole 4 KiB blocks
	maxFile  int64
	// img is the smallest filesystem MinSize made, finished; imgSize its
	// size.
	img     *os.File
	imgSize int64
}

// NewPlan checks t and p against the installed xfsprogs and writes the
// protofile.
func NewPlan(t *fstree.Tree, p Params) (*Plan, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	pl := &Plan{p: p, t: t}
	var err error
	if pl.mkfs, err = mkfs.Find(mkfsTool(), p.Path); err != nil {
		return nil, err
	}
	if pl.db, err = mkfs.Find(dbTool(), p.Path); err != nil {
		return nil, err
	}
	if pl.version, err = pl.programVersion(); err != nil {
		return nil, err
	}
	s, err := fstree.Summarize(t)
	if err != nil {
		return nil, err
	}
	if s.HardlinkGroups > 0 {
		return nil, fmt.Errorf("xfs: the tree has %d hardlinked files, which mkfs.xfs protofiles cannot express (build the tree without keeping hardlinks)", s.HardlinkGroups)
	}
	pl.data, pl.maxFile = fstree.FileBlocks(t, 4096)*4096, s.MaxFileSize
	if pl.dir, err = os.MkdirTemp(p.TempDir, "gorepart-xfs-"); err != nil {
		return nil, fmt.Errorf("xfs: %w", err)
	}
	pw, proto, err := writeProto(t, pl.dir, pl.version)
	if err != nil {
		pl.Close()
		return nil, fmt.Errorf("xfs: %w", err)
	}
	pl.proto, pl.names, pl.xattrs = proto, pw.names, pw.xattrs
	return pl, nil
}

// programVersion runs mkfs.xfs -V.
func (pl *Plan) programVersion() (mkfs.Version, error) {
	return mkfs.ProgramVersion(pl.mkfs, pl.env(), "-V")
}

// env is the programs' environment. DETERMINISTIC_SEED=1 makes xfsprogs
// 6.18 and later draw inode generation numbers from a fixed seed (older
// ones use 0 or an unseeded random()).
func (pl *Plan) env() []string {
	return mkfs.Env(pl.p.Path, pl.p.SourceDateEpoch, "DETERMINISTIC_SEED=1")
}

// args is repart 262's mkfs.xfs argument list (mkfs-util.c), the
// protofile in place of the staging directory:
//
//	-L LABEL -m uuid=UUID -m reflink=1 [-K] -p PROTO [-s size=SECTOR] NODE [EXTRA...]
func (pl *Plan) args(node string) []string {
	p := &pl.p
	a := []string{"-L", p.Label, "-m", "uuid=" + mkfs.UUIDString(p.UUID), "-m", "reflink=1"}
	if p.NoDiscard {
		a = append(a, "-K")
	}
	a = append(a, "-p", pl.proto)
	if p.SectorSize > 0 {
		a = append(a, "-s", fmt.Sprintf("size=%d", p.SectorSize))
	}
	a = append(a, node)
	return append(a, p.ExtraArgs...)
}

// make builds the filesystem in a new temporary image of size bytes and
// returns it, open. A failure for want of space wraps errTooSmall.
func (pl *Plan) make(size int64, fix bool) (*os.File, error) {
	f, err := mkfs.TempImage(pl.p.TempDir, "gorepart-xfs-*.img", size)
	if err != nil {
		return nil, err
	}
	c := mkfs.Cmd{Path: pl.mkfs, Args: pl.args(f.Name()), Env: pl.env()}
	err = c.Run()
	if err != nil {
		if msg := err.Error(); strings.Contains(msg, "No space left on device") || strings.Contains(msg, "cannot allocate space") || strings.Contains(msg, "cannot reserve space") {
			err = fmt.Errorf("%w: %w", errTooSmall, err)
		}
		err = fmt.Errorf("making xfs of %d bytes: %w", size, err)
	} else if fix {
		err = pl.fixup(f, size)
	}
	if err != nil {
		mkfs.RemoveTemp(f)
		return nil, err
	}
	return f, nil
}

// Write writes the filesystem of size bytes into dst at offset 0. Bytes
// it does not write must read as zeros.
func (pl *Plan) Write(dst io.WriterAt, size int64) error {
	f := pl.img
	if f == nil || pl.imgSize != size {
		var err error
		if f, err = pl.make(size, true); err != nil {
			if errors.Is(err, errTooSmall) {
				return fmt.Errorf("writing xfs: %d bytes do not hold the tree: %w", size, err)
			}
			return fmt.Errorf("writing xfs: %w", err)
		}
		defer mkfs.RemoveTemp(f)
	}
	return filecopy.Sparse(dst, 0, f, 0, size)
}

// Close removes the plan's temporary files; it is safe to call twice.
func (pl *Plan) Close() error {
	if pl.img != nil {
		mkfs.RemoveTemp(pl.img)
		pl.img = nil
	}
	if pl.dir != "" {
		err := os.RemoveAll(pl.dir)
		pl.dir = ""
		return err
	}
	return nil
}
