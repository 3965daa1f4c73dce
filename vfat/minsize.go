package vfat

import (
	"errors"
	"fmt"

	"github.com/gorepart/gorepart/fstree"
)

// minSizeUnit is the granularity of MinSize results (a multiple of every
// supported sector size).
const minSizeUnit = 4096

// MinSize returns the smallest size (a multiple of 4096 bytes) of a file
// system Write can fit t into with p, computed from the tree: mkfs.fat's
// geometry for each candidate size against the clusters the content needs
// (file data, every directory's clusters including "." / ".." and LFN
// slots, the root directory). The result is often a FAT32 with fewer than
// 65525 clusters; Write warns when the file system it finally writes is.
func MinSize(t *fstree.Tree, p Params) (int64, error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	label, _ := labelField(p.Label)
	c, err := analyze(t, string(label[:]) != noName)
	if err != nil {
		return 0, err
	}
	return c.minSize(p.SectorSize, p.FATBits)
}

type geomKey struct{ bits, spc, spt int }

// minSize searches the sizes in segments over which mkfs.fat's choices (FAT
// width, cluster size, track size) stay the same. Within a segment the
// cluster count grows with the size (up to dips of a cluster where the FAT
// grows), so the first segment whose largest size fits holds the answer.
func (c *content) minSize(ss, bits int) (int64, error) {
	const unit = minSizeUnit
	limit := min(int64(ss)*0xFFFFFFFF, 16<<40) / unit * unit
	key := func(size int64) geomKey {
		g, err := newGeometry(size, ss, bits)
		if err != nil {
			return geomKey{}
		}
		return geomKey{g.fatBits, g.secPerCluster, int(g.secPerTrack)}
	}
	fits := func(size int64) bool {
		g, err := newGeometry(size, ss, bits)
		if err != nil {
			return false
		}
		fixedRoot := g.fatBits != 32
		if fixedRoot && uint32(c.root.slots) > g.rootEntries {
			return false
		}
		return c.need(g.clusterBytes(), fixedRoot) <= int64(g.clusters)
	}
	for a := int64(unit); a <= limit; {
		ka := key(a)
		// Last size of the segment starting at a.
		b, step := a, int64(unit)
		for b+step <= limit && key(b+step) == ka {
			b += step
			step *= 2
		}
		lo, hi := b, min(b+step, limit+unit)
		for hi-lo > unit {
			mid := lo + (hi-lo)/2/unit*unit
			if key(mid) == ka {
				lo = mid
			} else {
				hi = mid
			}
		}
		b = lo
		if ka != (geomKey{}) && fits(b) {
			lo, hi := a-unit, b // fits(hi); search the first fitting size
			for hi-lo > unit {
				mid := lo + (hi-lo)/2/unit*unit
				if fits(mid) {
					hi = mid
				} else {
					lo = mid
				}
			}
			// Step over the small dips where a larger FAT costs a cluster.
			for s := hi - unit; s >= a && s >= hi-64*unit; s -= unit {
				if fits(s) {
					hi = s
				}
			}
			return hi, nil
		}
		a = b + unit
	}
	return 0, fmt.Errorf("vfat: %w: the tree does not fit in any FAT%s file system", errNoFit, bitsName(bits))
}

var errNoFit = errors.New("too large")

func bitsName(bits int) string {
	if bits == 0 {
		return ""
	}
	return fmt.Sprint(bits)
}
