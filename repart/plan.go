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
	// Size is the image size (--size=N); ignored when AutoSize.
	Size     uint64
	AutoSize bool
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

	size := roundUp(o.Size, 4096)
	if o.AutoSize {
		size = autoSize(pl.need(parts), ss, pl.grain)
		l.Notes = append(l.Notes, fmt.Sprintf("Automatically determined minimal disk image size as %s.", FormatBytes(size)))
	}
	l.Size = size
	if size/ss < 2*(2+entrySectors(ss))+1 {
		return nil, fmt.Errorf("image size %d bytes is too small for a GPT", size)
	}
	l.Geometry = NewGeometry(size, ss)
	start, end := l.Geometry.freeArea(pl.grain)
	area := end - start

	for pl.need(parts) > area {
		dropped, err := pl.dropLowestPriority(parts, area)
		if err != nil {
			return nil, err
		}
		l.Notes = append(l.Notes, dropped...)
	}

	var live []*Partition
	for _, p := range parts {
		p.Size, p.Padding, p.Offset, p.PartNo = 0, 0, 0, -1
		if !p.Dropped {
			live = append(live, p)
		}
	}
	pl.grow(live, area)

	off := start
	for i, p := range live {
		p.Offset = off
		p.PartNo = i
		off = roundUp(off+p.Size+p.Padding, pl.grain)
	}
	return l, nil
}

// need is the space all live partitions need at their minimum.
func (pl *planner) need(parts []*Partition) uint64 {
	var n uint64
	for _, p := range parts {
		if !p.Dropped {
			n += pl.minSizeWithPadding(p)
		}
	}
	return n
}

// dropLowestPriority drops every partition of the highest Priority= (and
// its verity siblings), as context_drop_or_foreignize_one_priority does.
func (pl *planner) dropLowestPriority(parts []*Partition, area uint64) ([]string, error) {
	var prio int32
	for _, p := range parts {
		if !p.Dropped {
			prio = max(prio, p.Def.Priority)
		}
	}
	if prio <= 0 {
		return nil, &NoSpaceError{Need: pl.need(parts), Have: area}
	}
	var notes []string
	for _, p := range parts {
		if p.Dropped || p.Def.Priority < prio {
			continue
		}
		p.Dropped = true
		notes = append(notes, fmt.Sprintf("Can't fit partition %s of priority %d, dropping.", p.Def.Path, p.Def.Priority))
		for _, q := range parts {
			if q != p && !q.Dropped && p.Def.VerityMatchKey != "" && q.Def.VerityMatchKey == p.Def.VerityMatchKey {
				q.Dropped = true
			}
		}
	}
	return notes, nil
}

// NoSpaceError says the partitions do not fit the image.
type NoSpaceError struct{ Need, Have uint64 }

func (e *NoSpaceError) Error() string {
	return fmt.Sprintf("can't fit the partitions into the image: they need %s (%d bytes) but %s (%d bytes) are free; use a larger --size= or --size=auto",
		FormatBytes(e.Need), e.Need, FormatBytes(e.Have), e.Have)
}
