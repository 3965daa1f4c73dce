// Package minimize owns Minimize=: how large a partition's content is
// made before the image is laid out (spec §3.7). systemd-repart finds out
// with trial mkfs runs; gorepart computes it from the writers' plans.
//
//   - best, read-only formats (erofs, squashfs) and btrfs: the exact
//     image size (the plan's MinSize).
//   - guess, writable formats: repart measures the bytes a trial
//     filesystem allocates, adds half of it as headroom (the filesystem
//     should have room at first boot; xfs gets as much again), rounds to
//     the grain and never goes below the partition's minimum. gorepart
//     starts from the plan's exact minimum, or from what repart's trial
//     allocates where that differs (fsformat.GuessBase).
//   - Verity=hash: the size of the hash tree over the data partition's
//     minimized content (superblock plus every level).
package minimize

import (
	"fmt"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/verity"
)

// Limits are the partition's bounds: Floor is its minimum size (repart's
// partition_min_size), Max its maximum (0 = none), Grain the alignment.
type Limits struct {
	Grain, Floor, Max uint64
}

// Filesystem is the content size of a filesystem partition with
// Minimize=mode planned as pl.
func Filesystem(pl fsformat.Plan, f fsformat.Format, mode definitions.Minimize, l Limits) (uint64, error) {
	if f.ReadOnly || f.ShrinkToFit || mode == definitions.MinimizeBest {
		n, err := pl.MinSize()
		if err != nil {
			return 0, err
		}
		if l.Max != 0 && uint64(n) > l.Max {
			return 0, fmt.Errorf("minimal size %d bytes exceeds the partition's maximum of %d bytes", n, l.Max)
		}
		return uint64(n), nil
	}
	var need int64
	var err error
	if g, ok := pl.(fsformat.GuessBase); ok {
		need, err = g.GuessBytes()
	} else {
		need, err = pl.MinSize()
	}
	if err != nil {
		return 0, err
	}
	halves := uint64(max(f.GuessFactor, 1))
	return Guess(uint64(need), uint64(need)/2*halves, l)
}

// Guess turns the bytes a writable filesystem needs into the content
// size repart's Minimize=guess would choose: need plus headroom, rounded
// up to the grain, at least the floor. It fails above the maximum.
func Guess(need, headroom uint64, l Limits) (uint64, error) {
	sz := need + headroom
	sz = (sz + l.Grain - 1) / l.Grain * l.Grain
	if sz < l.Floor {
		sz = l.Floor
	}
	if l.Max != 0 && sz > l.Max {
		return 0, fmt.Errorf("minimal size %d bytes exceeds the partition's maximum of %d bytes", sz, l.Max)
	}
	return sz, nil
}

// VerityHash is the content size of a Minimize= hash partition: the hash
// tree (with its superblock) over dataSize bytes of data.
func VerityHash(dataSize uint64, p verity.Params) (uint64, error) {
	n := verity.HashSize(int64(dataSize), p)
	if n <= 0 {
		return 0, fmt.Errorf("cannot build a verity hash tree over %d bytes with %d-byte data blocks", dataSize, p.DataBlockSize)
	}
	return uint64(n), nil
}
