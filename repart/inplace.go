package repart

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/minimize"
)

// A compressed read-only filesystem (fsformat.SizedByWriting) is sized
// only by compressing it. Rather than compressing it twice, once to
// size it and once to write it, or writing it into a temporary file and
// copying that into the image, the builder writes it once, straight into
// the image, while the image is still being planned: the other
// partitions are sized first, then the layout is placed with this
// partition's size unknown, which tells its offset; the filesystem is
// written there and its size is known. A partition's offset depends only
// on the partitions before it in all but a few layouts (a fixed --size
// with a growing partition before it; a Minimize= hash partition before
// its data): when the final layout puts it elsewhere, the bytes written
// are wiped and the filesystem is written again at its place like any
// other. (Building upon an existing image, whose new partitions are
// cleared once the layout is known, such filesystems are sized apart
// and compressed twice instead.)

// inPlace is a filesystem written into the image while planning.
type inPlace struct {
	// offset is where it was written, dirty how many bytes from there
	// may have been; written is set once it was written whole.
	offset, dirty uint64
	written       bool
	// hit is set once the final layout put it where it was written.
	hit bool
}

// inPlaceEnd is the limit of a partition window without one.
const inPlaceEnd = 1 << 62

// deferInPlace reports whether p's filesystem, planned in c, is to be
// sized by writing it in place (writeInPlace) and marks it so: a
// SizedByWriting plan whose Minimize= size is its MinSize, in a new,
// plain (not encrypted, not deferred, no supplement) partition of an
// image being written from scratch, planned for the first time.
func (b *builder) deferInPlace(p *Partition, c *content) bool {
	if _, ok := c.fs.(fsformat.SizedByWriting); !ok || b.image == nil || b.image.old.table != nil || b.layout != nil {
		return false
	}
	if !minimize.Exact(c.format, p.Def.Minimize) || p.Exists || b.deferred[p] || encrypted(p) ||
		p.Supplement != nil || p.SupplementFor != nil {
		return false
	}
	if b.inplace == nil {
		b.inplace = map[*Partition]*inPlace{}
	}
	b.inplace[p] = &inPlace{}
	return true
}

// writeInPlace writes the filesystems deferInPlace chose, in partition
// order, each where the layout places it with what is known so far, and
// sets their content sizes.
func (b *builder) writeInPlace() error {
	for _, p := range b.parts {
		ip := b.inplace[p]
		if ip == nil || ip.written {
			continue
		}
		if err := b.cancelled(); err != nil {
			return err
		}
		c := b.content[p]
		maxSz := MaxSize(p, b.opts.Plan)
		if maxSz == Unlimited {
			maxSz = 0
		}
		n, err := b.writeOneInPlace(p, c, ip)
		if errors.Is(err, fsformat.ErrLimit) || errors.Is(err, errNoPlace) {
			// No room where it would go: size it without writing; it is
			// written at its place with the others.
			var m int64
			if m, err = c.fs.MinSize(); err == nil {
				n = m
			}
		}
		if err != nil {
			return fmt.Errorf("%s: writing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
		sz, err := minimize.Written(n, minimize.Limits{Grain: b.grain(), Floor: MinSize(p, 0, false, b.opts.Plan), Max: maxSz})
		if err != nil {
			return fmt.Errorf("%s: sizing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
		b.opts.log("Minimal partition size of %s filesystem of partition %s is %s", p.Format, p.Def.Path, FormatBytes(sz))
		c.size, c.sized = sz, true
	}
	return nil
}

// errNoPlace is returned when the layout cannot be placed yet.
var errNoPlace = errors.New("no place in the image known yet")

// writeOneInPlace writes p's filesystem where Place, given the sizes
// known now, puts p, up to the end of a fixed-size image; it returns its
// size.
func (b *builder) writeOneInPlace(p *Partition, c *content, ip *inPlace) (int64, error) {
	sum, err := fstree.Summarize(c.tree)
	if err != nil {
		return 0, err
	}
	// Its size counts only where the disk is tiny (under 4 MiB, the
	// first partition not aligned) or free space is shared out: guess
	// the file data's size, or, where that does not fit, nothing.
	var pp *Placed
	var l *Layout
	for _, guess := range []bool{true, false} {
		sizes := b.sizes()
		if guess {
			sizes[p] = uint64(max(sum.DataBytes, 1))
		}
		if l, err = Place(b.parts, sizes, b.opts.Plan); err == nil {
			if pp = l.Find(p); pp != nil && !pp.Dropped {
				break
			}
		}
		pp = nil
	}
	if pp == nil {
		return 0, errNoPlace
	}
	end := uint64(inPlaceEnd)
	if !b.opts.Plan.AutoSize {
		end = (l.LastLBA + 1) * l.SectorSize
	}
	if end <= pp.Offset {
		return 0, errNoPlace
	}
	f, err := b.image.open()
	if err != nil {
		return 0, err
	}
	limit := end - pp.Offset
	var written atomic.Int64
	w := &partitionWriter{f: f, off: int64(pp.Offset), size: int64(limit), ctx: b.ctx, wb: b.image.wb, written: &written}
	b.opts.log("Formatting future partition %d as %s.", pp.PartNo, p.Format)
	ip.offset, ip.dirty = pp.Offset, limit
	if limit == inPlaceEnd {
		limit = 0
	}
	var n int64
	totals := func() (int64, int64) { return sum.Files, sum.DataBytes }
	err = b.track(pp, p.Format, totals, &written, func() (err error) {
		n, err = c.fs.(fsformat.SizedByWriting).WriteMin(w, int64(limit))
		return err
	})
	if err != nil {
		return 0, err
	}
	ip.dirty, ip.written = uint64(n), true
	return n, nil
}

// settleInPlace compares where the filesystems written in place are with
// where the layout puts them. Those at their place are done (writeContent
// skips them); the bytes of the others are wiped where no filesystem at
// its place lies, and they are written again. It runs before any other
// partition is written.
func (b *builder) settleInPlace() error {
	type span struct{ off, end uint64 }
	var keep, wipe []span
	for _, pp := range b.layout.Partitions {
		ip := b.inplace[pp.Partition]
		if ip == nil || ip.dirty == 0 {
			continue
		}
		ip.hit = ip.written && !pp.Dropped && pp.Offset == ip.offset
		if ip.hit {
			keep = append(keep, span{pp.Offset, pp.Offset + b.content[pp.Partition].size})
			continue
		}
		if !pp.Dropped {
			b.opts.log("%s: written at offset %d while planning, but placed at %d: writing it again.", pp.Def.Path, ip.offset, pp.Offset)
		}
		wipe = append(wipe, span{ip.offset, min(ip.offset+ip.dirty, b.layout.Size)})
	}
	for _, w := range wipe {
		// The parts of w outside every kept span.
		parts := []span{w}
		for _, k := range keep {
			var next []span
			for _, s := range parts {
				if k.end <= s.off || k.off >= s.end {
					next = append(next, s)
					continue
				}
				if s.off < k.off {
					next = append(next, span{s.off, k.off})
				}
				if k.end < s.end {
					next = append(next, span{k.end, s.end})
				}
			}
			parts = next
		}
		for _, s := range slices.DeleteFunc(parts, func(s span) bool { return s.end <= s.off }) {
			if err := zeroRange(b.img, int64(s.off), int64(s.end-s.off), !b.opts.NoDiscard); err != nil {
				return fmt.Errorf("wiping a filesystem written at the wrong place: %w", err)
			}
		}
	}
	return nil
}

// writtenInPlace reports whether p's content is already at its place.
func (b *builder) writtenInPlace(p *Partition) bool {
	ip := b.inplace[p]
	return ip != nil && ip.hit
}
