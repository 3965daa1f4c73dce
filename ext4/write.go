package ext4

import (
	"errors"
	"fmt"
	"io"

	"github.com/gorepart/gorepart/fstree"
)

// writer holds the state of one Write.
type writer struct {
	p             Params
	pl            *plan
	l             *layout
	dst           io.WriterAt
	fsSeed        uint32
	journalIBlock [60]byte
	// dirs counts the directories of each group (write pass).
	dirs []uint32
}

// Write writes a complete ext4 filesystem of size bytes (rounded down to
// whole blocks, minus a last block group too small to be useful, as mke2fs
// does) holding t to dst at offset 0. Blocks it does not write must read as
// zeros.
func Write(dst io.WriterAt, size int64, t *fstree.Tree, p Params) error {
	pl, err := NewPlan(t, p)
	if err != nil {
		return err
	}
	return pl.Write(dst, size)
}

// MinSize returns the smallest size, a multiple of the block size, whose
// filesystem as Write lays it out holds t. Larger sizes hold t as well,
// except possibly just above a step of the journal size (128 MiB, 1 GiB,
// ...); repart's 50% headroom always clears such a step.
func MinSize(t *fstree.Tree, p Params) (int64, error) {
	pl, err := NewPlan(t, p)
	if err != nil {
		return 0, err
	}
	return pl.MinSize()
}

// Plan is a tree checked and measured for ext4. Sizing and writing with
// one Plan share its planning pass, a walk of the whole tree that the
// functions MinSize and Write each make (and its warnings are given once).
type Plan struct{ pl *plan }

// NewPlan plans t with p.
func NewPlan(t *fstree.Tree, p Params) (*Plan, error) {
	pl, err := newPlan(t, p)
	if err != nil {
		return nil, err
	}
	return &Plan{pl: pl}, nil
}

// MinSize is the package's MinSize for the planned tree.
func (p *Plan) MinSize() (int64, error) { return p.pl.minSize() }

// Write is the package's Write of the planned tree.
func (p *Plan) Write(dst io.WriterAt, size int64) error {
	pl := p.pl
	g, err := newGeometry(size)
	if err != nil {
		return err
	}
	l, err := pl.allocate(g)
	if err != nil {
		return fmt.Errorf("laying out %d bytes: %w", size, err)
	}
	w := &writer{p: pl.p, pl: pl, l: l, dst: dst, fsSeed: crc32c(^uint32(0), pl.p.UUID[:])}
	if err := w.writeTree(); err != nil {
		return err
	}
	return w.writeMetadata()
}

// fits reports whether the plan fits a filesystem of blocks blocks.
func (pl *plan) fits(blocks uint64) (bool, error) {
	g, err := newGeometry(int64(blocks) * blockSize)
	if errors.Is(err, ErrTooSmall) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = pl.allocate(g)
	if errors.Is(err, ErrTooSmall) {
		return false, nil
	}
	return err == nil, err
}

// minSize searches the smallest fitting block count. Fitting is monotonic
// within a journal size band (the journal grows in steps with the size), so
// each band is searched separately and the smallest result wins.
func (pl *plan) minSize() (int64, error) {
	bands := []uint64{2048, 32768, 256 * 1024, 512 * 1024, 4096 * 1024, 8192 * 1024, 16384 * 1024, 32768 * 1024, maxBlocks}
	for i := 0; i+1 < len(bands); i++ {
		lo, hi := bands[i], bands[i+1]-1
		ok, err := pl.fits(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			ok, err := pl.fits(mid)
			if err != nil {
				return 0, err
			}
			if ok {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return int64(lo) * blockSize, nil
	}
	return 0, fmt.Errorf("tree does not fit any ext4 filesystem: %w", ErrTooSmall)
}
