package squashfs

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
)

// ErrTooSmall is returned by Write when the size given is smaller than
// the image.
var ErrTooSmall = errors.New("squashfs image larger than the space given")

// Plan is a tree checked for squashfs. The image is built once, by the
// first MinSize or Write, into an anonymous file under Params.TempDir;
// Write copies it (with copy_file_range when the destination is a file).
// WriteMin (fsformat.SizedByWriting) builds it straight into its
// destination instead, with no file in between.
type Plan struct {
	t     *fstree.Tree
	p     Params
	comp  compression
	count uint32
	links map[fstree.LinkKey]uint32
	img   *os.File
	size  int64
	err   error
}

// NewPlan checks t and p: it walks the tree once and refuses what
// squashfs cannot hold. It writes nothing.
func NewPlan(t *fstree.Tree, p Params) (*Plan, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("squashfs: %w", err)
	}
	count, links, err := checkTree(t, &p)
	if err != nil {
		return nil, fmt.Errorf("squashfs: checking tree: %w", err)
	}
	return &Plan{t: t, p: p, comp: newCompression(&p), count: count, links: links}, nil
}

// MinSize is the size of the image: squashfs is read-only, so the
// smallest size Write accepts is the image itself, padded to 4 KiB as
// mksquashfs pads it. The first call builds the image.
func (pl *Plan) MinSize() (int64, error) {
	if pl.size == 0 && pl.err == nil {
		if err := pl.build(); err != nil {
			pl.err = fmt.Errorf("squashfs: %w", err)
			pl.release()
		}
	}
	if pl.err != nil {
		return 0, pl.err
	}
	return pl.size, nil
}

// Write writes the image (MinSize bytes) at the start of dst, which has
// size bytes, and leaves the rest untouched.
func (pl *Plan) Write(dst io.WriterAt, size int64) error {
	n, err := pl.MinSize()
	if err != nil {
		return err
	}
	if pl.img == nil { // WriteMin built it elsewhere: build it again
		if err := pl.build(); err != nil {
			pl.err = fmt.Errorf("squashfs: %w", err)
			pl.release()
			return pl.err
		}
	}
	if n > size {
		return fmt.Errorf("squashfs: %w: %d bytes needed, %d given", ErrTooSmall, n, size)
	}
	copied, err := filecopy.Copy(dst, 0, pl.img, 0, n)
	if err != nil {
		return fmt.Errorf("squashfs: copying image: %w", err)
	}
	if copied {
		return nil
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); off < n; {
		k := int(min(int64(len(buf)), n-off))
		if _, err := pl.img.ReadAt(buf[:k], off); err != nil {
			return fmt.Errorf("squashfs: reading image: %w", err)
		}
		if _, err := dst.WriteAt(buf[:k], off); err != nil {
			return fmt.Errorf("squashfs: writing image: %w", err)
		}
		off += int64(k)
	}
	return nil
}

// WriteMin builds the image at the start of dst, never at or past limit
// (0: no limit), and returns its size: what MinSize and Write do, without
// the temporary file (fsformat.SizedByWriting). An image that does not
// fit limit is an error wrapping fsformat.ErrLimit.
func (pl *Plan) WriteMin(dst io.WriterAt, limit int64) (int64, error) {
	if pl.err != nil {
		return 0, pl.err
	}
	if pl.img != nil { // built already
		if limit > 0 && pl.size > limit {
			return 0, fmt.Errorf("squashfs: %w", errLimit(limit))
		}
		return pl.size, pl.Write(dst, pl.size)
	}
	n, err := pl.buildInto(dst, limit)
	if err != nil {
		if errors.Is(err, fsformat.ErrLimit) {
			return 0, fmt.Errorf("squashfs: %w", err)
		}
		pl.err = fmt.Errorf("squashfs: %w", err)
		return 0, pl.err
	}
	pl.size = n
	return n, nil
}

// Close releases the built image; safe to call twice.
func (pl *Plan) Close() error {
	pl.release()
	if pl.err == nil {
		pl.err = errors.New("squashfs: plan closed")
	}
	return nil
}

func (pl *Plan) release() {
	if pl.img != nil {
		pl.img.Close()
		pl.img = nil
	}
}

// MangleLabel returns the volume label squashfs gets for a partition
// label: none, squashfs has no label field (repart passes none to
// mksquashfs).
func MangleLabel(string) string { return "" }
