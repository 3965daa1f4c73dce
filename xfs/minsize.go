package xfs

import (
	"errors"
	"fmt"

	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/internal/mkfs"
)

const mib = 1 << 20

// MinSize is the smallest size, a multiple of 1 MiB, at which Write was
// seen to hold the tree: 300 MiB (mkfs.xfs's minimum) when that holds it,
// else found by trial builds, growing from an estimate by a tenth until
// one holds the tree, then halving the gap to the largest size thought
// too small (the file data; before xfsprogs 6.13, four times the largest
// file, which must fit one of the four allocation groups mkfs.xfs makes
// below 4 TiB; an estimate that failed) until it is at most 1 MiB or 1/64
// of the size. Larger sizes are assumed to hold the tree as well (more
// space, larger allocation groups). The filesystem found is kept for a
// Write of that size.
func (pl *Plan) MinSize() (int64, error) {
	if pl.img != nil {
		return pl.imgSize, nil
	}
	lo := max(int64(minSize)-mib, roundDown(pl.data))
	try := max(int64(minSize), roundUp(pl.data+pl.data/20+int64(pl.names)*512+96*mib))
	if pl.version.Release() < releaseProtoCopy {
		lo = max(lo, roundDown(4*pl.maxFile))
		try = max(try, roundUp(4*(pl.maxFile+pl.maxFile/32+2*mib)))
	}
	var hi int64
	for hi == 0 {
		ok, err := pl.probe(try)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = try
		} else {
			lo, try = try, roundUp(try+try/10)
		}
	}
	for hi-lo > max(mib, hi/64) {
		mid := roundDown(lo + (hi-lo)/2)
		ok, err := pl.probe(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return pl.imgSize, nil
}

// probe builds at size, keeping the image when it is the smallest so far.
func (pl *Plan) probe(size int64) (bool, error) {
	f, err := pl.make(size, true)
	if errors.Is(err, errTooSmall) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sizing xfs: %w", err)
	}
	if pl.img != nil {
		mkfs.RemoveTemp(pl.img)
	}
	pl.img, pl.imgSize = f, size
	return true, nil
}

// RepartTrialBytes is what systemd-repart's Minimize=guess measures for
// xfs (spec §3.7): the bytes that hold data after mkfs.xfs populated a
// sparse 1 TiB file (repart then takes twice that, rounded to the grain,
// and not less than the partition's minimum). The internal log is left
// out: mkfs.xfs zeroes it with fallocate, and whether the allocated
// zeros count depends on repart's host filesystem (not on ext4, xfs or
// btrfs; on tmpfs they do). The count does not depend on the host here.
func (pl *Plan) RepartTrialBytes() (int64, error) {
	f, err := pl.make(1<<40, false)
	if err != nil {
		return 0, fmt.Errorf("xfs trial: %w", err)
	}
	defer mkfs.RemoveTemp(f)
	sb, err := readSuper(f)
	if err != nil {
		return 0, err
	}
	exts, err := filecopy.DataExtents(f, 0, 1<<40)
	if err != nil {
		return 0, err
	}
	logStart := sb.fsbOffset(sb.logStart)
	logEnd := logStart + sb.logBlocks*sb.blockSize
	var n int64
	for _, e := range exts {
		lo, hi := e.Offset, e.Offset+e.Length
		n += hi - lo
		if sb.logStart != 0 {
			n -= max(0, min(hi, logEnd)-max(lo, logStart))
		}
	}
	return n, nil
}

func roundUp(n int64) int64   { return (n + mib - 1) / mib * mib }
func roundDown(n int64) int64 { return n / mib * mib }
