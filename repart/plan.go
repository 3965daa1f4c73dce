package repart

import (
	"fmt"
)

// Options are the disk-wide planning inputs (the CLI flags).
type Options struct {
	Seed       UUID
	SectorSize uint64 // logical sector size; 0 means 512
	GrainSize  uint64 // --grain-size; 0 means 4096
	// DefaultFSSectorSize is --sector-size when given, else 0 (4096).
	DefaultFSSectorSize uint64
	// Size is the image size (--size=N, which repart rounds up to 4096),
	// the minimum size when AutoSize.
	Size     uint64
	AutoSize bool
	// DiskGUID and FirstLBA of an existing partition table, kept when
	// adding partitions to it.
	DiskGUID *UUID
	FirstLBA uint64
}

// Layout is a planned disk.
type Layout struct {
	DiskGUID UUID
	Size     uint64 // image size in bytes
	Geometry
	// Partitions in list order, dropped ones included (Dropped set).
	Partitions []*Partition
	// Notes are what repart logs while planning ("Can't fit partition
	// ... dropping.", the automatically determined size).
	Notes []string
}

type planner struct {
	opts  Options
	grain uint64
}

func newPlanner(o Options) *planner {
	if o.SectorSize == 0 {
		o.SectorSize = 512
	}
	if o.DefaultFSSectorSize == 0 {
		o.DefaultFSSectorSize = 4096
	}
	g := o.GrainSize
	if g == 0 {
		g = defaultGrain
	}
	return &planner{opts: o, grain: max(g, o.SectorSize)}
}

// MinSize is the space partition p needs at least (partition_min_size).
func MinSize(p *Partition, o Options) uint64 { return newPlanner(o).minSize(p) }

// MaxSize is the most partition p may grow to, or Unlimited.
func MaxSize(p *Partition, o Options) uint64 { return newPlanner(o).maxSize(p) }

// FSSectorSize is the sector size the filesystem of p is made with.
func FSSectorSize(p *Partition, o Options) uint64 { return newPlanner(o).fsSectorSize(p) }

// Place sizes the disk (AutoSize), drops partitions by Priority= when they
// do not fit, distributes free space by weight and assigns offsets and
// partition numbers (spec §3). parts come from Identify, with CopySize set
// for partitions whose content size is known. Place is pure.
func Place(parts []*Partition, o Options) (*Layout, error) {
	pl := newPlanner(o)
	ss := pl.opts.SectorSize
	l := &Layout{DiskGUID: DiskGUID(o.Seed), Partitions: parts}
	if o.DiskGUID != nil {
		l.DiskGUID = *o.DiskGUID
	}
	for _, p := range parts {
		p.Dropped = p.Dropped && !p.Exists
		p.sizeSet, p.paddingOK = false, false
		if !p.Exists {
			p.Size, p.Padding, p.Offset, p.PartNo = 0, 0, 0, -1
		}
	}

	size := o.Size
	if o.AutoSize {
		size = max(size, autoSize(pl.need(parts), ss, pl.grain))
		l.Notes = append(l.Notes, fmt.Sprintf("Automatically determined minimal disk image size as %s.", FormatBytes(size)))
	}
	l.Size = size
	if size/ss < 2*(2+entrySectors(ss))+1 {
		return nil, fmt.Errorf("image size %d bytes is too small for a GPT", size)
	}
	l.Geometry = NewGeometry(size, ss)
	if o.FirstLBA != 0 {
		l.Geometry.FirstLBA = o.FirstLBA
	}
	areas, start := pl.freeAreas(parts, l.Geometry)

	for !pl.allocate(parts, areas) && !pl.unmergeAndAllocate(parts, areas) {
		dropped, err := pl.dropLowestPriority(parts, areas)
		if err != nil {
			return nil, err
		}
		l.Notes = append(l.Notes, dropped...)
	}
	for _, p := range parts {
		if p.suppressed() {
			p.Dropped = true // merged into its target: no partition of its own
		} else if p.supplementFor != nil && !p.Exists {
			l.Notes = append(l.Notes, fmt.Sprintf("Couldn't allocate partitions with %s merged into %s, using supplement verbatim.",
				p.Def.Path, p.supplementFor.Def.Path))
		}
	}
	for _, a := range areas {
		pl.growArea(parts, a)
	}
	for _, p := range parts {
		if p.Exists && p.paddingArea == nil && !p.sizeSet {
			p.Size, p.Padding = p.CurrentSize, p.CurrentPadding
		}
	}
	for _, a := range areas {
		off := start
		if a.after != nil {
			off = a.after.Offset + a.after.Size + a.after.Padding
		}
		off = roundUp(off, pl.grain)
		for _, p := range parts {
			if p.area != a {
				continue
			}
			p.Offset = off
			p.PartNo = firstUnusedPartNo(parts)
			off = roundUp(off+p.Size+p.Padding, pl.grain)
		}
	}
	return l, nil
}

func firstUnusedPartNo(parts []*Partition) int {
	for n := 0; ; n++ {
		used := false
		for _, p := range parts {
			if p.PartNo == n {
				used = true
				break
			}
		}
		if !used {
			return n
		}
	}
}

// need is the space all live partitions need at their minimum.
func (pl *planner) need(parts []*Partition) uint64 {
	var n uint64
	for _, p := range parts {
		if !p.Dropped && !p.suppressed() {
			n += pl.minSizeWithPadding(p)
		}
	}
	return n
}

// dropLowestPriority drops every new partition of the highest Priority=
// (and its verity siblings) and freezes existing ones, as
// context_drop_or_foreignize_one_priority does.
func (pl *planner) dropLowestPriority(parts []*Partition, areas []*freeArea) ([]string, error) {
	var prio int32
	for _, p := range parts {
		if !p.Dropped {
			prio = max(prio, p.Def.Priority)
		}
	}
	if prio <= 0 {
		var have uint64
		for _, a := range areas {
			have += pl.availableForNew(a)
		}
		return nil, &NoSpaceError{Need: pl.need(parts), Have: have}
	}
	var notes []string
	for _, p := range parts {
		if p.Dropped || p.Foreign || p.Def.Priority < prio {
			continue
		}
		pl.dropOrFreeze(p)
		notes = append(notes, fmt.Sprintf("Can't fit partition %s of priority %d, dropping.", p.Def.Path, p.Def.Priority))
		for _, q := range parts {
			if q != p && !q.Dropped && !q.Foreign && p.Def.VerityMatchKey != "" && q.Def.VerityMatchKey == p.Def.VerityMatchKey {
				pl.dropOrFreeze(q)
			}
		}
	}
	return notes, nil
}

func (pl *planner) dropOrFreeze(p *Partition) {
	if p.Exists {
		p.Foreign = true
	} else {
		p.Dropped = true
	}
}

// NoSpaceError says the partitions do not fit the image.
type NoSpaceError struct{ Need, Have uint64 }

func (e *NoSpaceError) Error() string {
	return fmt.Sprintf("can't fit the partitions into the image: they need %s (%d bytes) but %s (%d bytes) are free; use a larger --size= or --size=auto",
		FormatBytes(e.Need), e.Need, FormatBytes(e.Have), e.Have)
}
