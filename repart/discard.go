package repart

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"golang.org/x/sys/unix"
)

// zeroNew clears what an existing image held where new partitions go, as
// repart's context_wipe_and_discard() does before writing them: every
// new partition, and — unless --discard=no — the gap after each new
// partition and the gap at the start of the disk. The writers fill a
// partition assuming it reads as zeros, so its range is cleared in any
// case (repart's mkfs tools overwrite what they need instead); with
// discard the blocks are deallocated (a hole), without it they stay
// allocated (--discard=no keeps what it allocated).
func zeroNew(f *os.File, l *Layout, discard bool) error {
	clear := func(off, n uint64) error {
		if n == 0 {
			return nil
		}
		if err := zeroRange(f, int64(off), int64(n), discard); err != nil {
			return fmt.Errorf("clearing %d bytes at %d: %w", n, off, err)
		}
		return nil
	}
	ss := l.SectorSize
	var live []*Placed
	for _, p := range l.Partitions {
		if !p.Dropped {
			live = append(live, p)
		}
	}
	sort.SliceStable(live, func(i, j int) bool { return live[i].Offset < live[j].Offset })
	// gapAfter is the space from end up to the next partition (or the
	// end of the usable area).
	gapAfter := func(end uint64) (uint64, uint64) {
		next := (l.LastLBA + 1) * ss
		for _, q := range live {
			if q.Offset >= end {
				next = min(next, q.Offset)
				break
			}
		}
		if next < end {
			return end, 0
		}
		return end, next - end
	}
	for _, p := range live {
		if p.Exists {
			continue
		}
		if err := clear(p.Offset, p.Size); err != nil {
			return err
		}
		if discard {
			if err := clear(gapAfter(p.Offset + p.Size)); err != nil {
				return err
			}
		}
	}
	if discard {
		return clear(gapAfter(l.FirstLBA * ss))
	}
	return nil
}

// Linux fallocate(2) modes.
const (
	fallocKeepSize  = 0x01
	fallocPunchHole = 0x02
	fallocZeroRange = 0x10
)

// zeroRange makes [off, off+n) of f read as zeros: a punched hole when
// deallocate, else zeroed allocated blocks; where the filesystem cannot
// do either, the data extents in the range are overwritten with zeros.
func zeroRange(f *os.File, off, n int64, deallocate bool) error {
	mode := fallocKeepSize | fallocZeroRange
	if deallocate {
		mode = fallocKeepSize | fallocPunchHole
	}
	err := unix.Fallocate(int(f.Fd()), uint32(mode), off, n)
	if err == nil || !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return writeZeros(f, off, n)
}

// writeZeros overwrites the data extents of [off, off+n) with zeros.
func writeZeros(f *os.File, off, n int64) error {
	end := off + n
	zero := make([]byte, 1<<20)
	for off < end {
		data, err := unix.Seek(int(f.Fd()), off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) || err == nil && data >= end {
			return nil
		}
		if err != nil {
			data = off // no SEEK_DATA: everything is data
		}
		hole, err := unix.Seek(int(f.Fd()), data, unix.SEEK_HOLE)
		if err != nil {
			hole = end
		}
		hole = min(hole, end)
		for data < hole {
			k := min(int64(len(zero)), hole-data)
			if _, err := f.WriteAt(zero[:k], data); err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			data += k
		}
		off = hole
	}
	return nil
}
