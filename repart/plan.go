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
	// AutoSizeAlign, when set, rounds the --size=auto size up to a
	// multiple of it (a fixed VHD for Azure is a whole number of MiB).
	AutoSizeAlign uint64
	// DiskGUID and FirstLBA of an existing partition table, kept when
	// adding partitions to it.
	DiskGUID *UUID
	FirstLBA uint64
}

// Layout is a planned disk: the value Place returns.
type Layout struct {
	DiskGUID UUID
	Size     uint64 // image size in bytes
	Geometry
	// Partitions in disk order (diskOrder), dropped ones last (Dropped
	// set).
	Partitions []*Placed
	// Notes are what repart logs while planning ("Can't fit partition
	// ... dropping.", the automatically determined size).
	Notes []string
	// MinimalSize is the smallest image the placed partitions fit in
	// (determine_auto_size: existing ones at their current size).
	MinimalSize uint64
}

// Placed is a partition where Place put it. Offset and PartNo shadow the
// identity's (the existing table's) with the planned ones.
type Placed struct {
	*Partition
	// Dropped partitions are not in the image: dropped for Priority=, or
	// a supplement merged into its target (Merged).
	Dropped, Merged bool
	// Foreign is set for existing partitions kept exactly as they are:
	// those no definition claims, and those Priority= froze.
	Foreign bool
	// Placement in bytes, and the 0-based GPT entry index.
	Offset, Size, Padding uint64
	PartNo                int
	// CurrentPadding is the free space after an existing partition.
	CurrentPadding uint64
}

// Live reports whether the partition is in the image.
func (p *Placed) Live() bool { return !p.Dropped }

// Find returns the placed partition of p.
func (l *Layout) Find(p *Partition) *Placed {
	for _, q := range l.Partitions {
		if q.Partition == p {
			return q
		}
	}
	return nil
}

// slot is a partition while Place works on it: the identity (read only)
// and the planning state. Its own Offset, PartNo and Foreign shadow the
// identity's: they start from them and Place changes them.
type slot struct {
	*Partition
	CopySize    uint64
	HasCopySize bool
	Dropped     bool
	Foreign     bool

	supplementFor, suppressing *slot
	area, paddingArea          *freeArea
	sizeSet, paddingOK         bool

	Offset, Size, Padding uint64
	PartNo                int
	CurrentPadding        uint64
}

// suppressed reports whether s is a supplement merged into its target.
func (s *slot) suppressed() bool {
	return s.supplementFor != nil && s.supplementFor.suppressing == s
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

// MinSize is the space new partition p needs at least
// (partition_min_size), its content (if known) counted, its supplement
// merged.
func MinSize(p *Partition, content uint64, known bool, o Options) uint64 {
	return newPlanner(o).minSize(alone(p, content, known))
}

// MaxSize is the most new partition p may grow to, or Unlimited.
func MaxSize(p *Partition, o Options) uint64 { return newPlanner(o).maxSize(alone(p, 0, false)) }

// FSSectorSize is the sector size the filesystem of p is made with.
func FSSectorSize(p *Partition, o Options) uint64 {
	return newPlanner(o).fsSectorSize(alone(p, 0, false))
}

// alone is p as a new partition, before placement, with its supplement
// merged (as sizing assumes).
func alone(p *Partition, content uint64, known bool) *slot {
	s := &slot{Partition: p, CopySize: content, HasCopySize: known, PartNo: -1}
	if p.Supplement != nil && !p.Supplement.Exists {
		s.suppressing = &slot{Partition: p.Supplement, supplementFor: s}
	}
	return s
}

// Place sizes the disk (AutoSize), drops partitions by Priority= when they
// do not fit, distributes free space by weight and assigns offsets and
// partition numbers (spec §3). parts come from Identify; content holds
// the size of the partitions whose content size is known before
// placement (CopyBlocks= files, minimized filesystems and hash trees).
// Place is pure: it returns the Layout and changes none of its inputs.
func Place(parts []*Partition, content map[*Partition]uint64, o Options) (*Layout, error) {
	pl := newPlanner(o)
	ss := pl.opts.SectorSize
	l := &Layout{DiskGUID: DiskGUID(o.Seed)}
	if o.DiskGUID != nil {
		l.DiskGUID = *o.DiskGUID
	}
	slots := make([]*slot, len(parts))
	of := map[*Partition]*slot{}
	for i, p := range parts {
		s := &slot{Partition: p, Foreign: p.Foreign, PartNo: -1}
		if p.Exists {
			s.Offset, s.PartNo = p.Offset, p.PartNo
		}
		if n, ok := content[p]; ok {
			s.CopySize, s.HasCopySize = n, true
		}
		slots[i], of[p] = s, s
	}
	for _, s := range slots {
		if t := s.Partition.SupplementFor; t != nil && of[t] != nil {
			// A supplement the table already has is not merged into its
			// target (as repart loads a table).
			s.supplementFor = of[t]
			if !s.Exists {
				of[t].suppressing = s
			}
		}
	}

	size := o.Size
	if o.AutoSize {
		size = max(size, autoSize(pl.need(slots), ss, pl.grain))
		if a := o.AutoSizeAlign; a > 0 {
			size = roundUp(size, a)
		}
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
	areas, start := pl.freeAreas(slots, l.Geometry)

	for !pl.allocate(slots, areas) && !pl.unmergeAndAllocate(slots, areas) {
		dropped, err := pl.dropLowestPriority(slots, areas)
		if err != nil {
			return nil, err
		}
		l.Notes = append(l.Notes, dropped...)
	}
	merged := map[*slot]bool{}
	for _, p := range slots {
		if p.suppressed() {
			merged[p] = true // merged into its target: no partition of its own
		} else if p.supplementFor != nil && !p.Exists {
			l.Notes = append(l.Notes, fmt.Sprintf("Couldn't allocate partitions with %s merged into %s, using supplement verbatim.",
				p.Def.Path, p.supplementFor.Def.Path))
		}
	}
	slots = diskOrder(slots, merged)
	for _, a := range areas {
		pl.growArea(slots, a)
	}
	for _, p := range slots {
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
		for _, p := range slots {
			if p.area != a {
				continue
			}
			p.Offset = off
			p.PartNo = unusedPartNo(slots, p)
			off = roundUp(off+p.Size+p.Padding, pl.grain)
		}
	}
	l.MinimalSize = autoSize(pl.need(slots), ss, pl.grain)
	for _, s := range slots {
		l.Partitions = append(l.Partitions, &Placed{Partition: s.Partition, Dropped: s.Dropped || merged[s], Merged: merged[s],
			Foreign: s.Foreign, Offset: s.Offset, Size: s.Size, Padding: s.Padding, PartNo: s.PartNo, CurrentPadding: s.CurrentPadding})
	}
	return l, nil
}

// unusedPartNo is find_unused_partno() of repart 262: the first free GPT
// entry after the existing partitions of p's type (they are matched to
// definitions in partition number order), else the first free entry.
func unusedPartNo(parts []*slot, p *slot) int {
	n := 0
	for _, q := range parts {
		if q.Exists && q.PartNo >= 0 && q.Type.UUID == p.Type.UUID {
			n = max(n, q.PartNo+1)
		}
	}
	used := func(n int) bool {
		for _, q := range parts {
			if q.PartNo == n {
				return true
			}
		}
		return false
	}
	for ; n < gptEntries; n++ {
		if !used(n) {
			return n
		}
	}
	for n = 0; used(n); n++ {
	}
	return n
}

// need is the space all live partitions need at their minimum.
func (pl *planner) need(parts []*slot) uint64 {
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
func (pl *planner) dropLowestPriority(parts []*slot, areas []*freeArea) ([]string, error) {
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
		e := &NoSpaceError{Need: pl.need(parts), Have: have, Minimal: autoSize(pl.need(parts), pl.opts.SectorSize, pl.grain)}
		if pl.opts.FirstLBA != 0 { // building upon a table
			e.Current = autoSize(0, pl.opts.SectorSize, pl.grain)
		}
		for _, p := range parts {
			if p.Exists {
				e.Current += p.CurrentSize
			}
			if p.Foreign {
				e.Foreign += p.CurrentSize
			}
		}
		return nil, e
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

func (pl *planner) dropOrFreeze(p *slot) {
	if p.Exists {
		p.Foreign = true
	} else {
		p.Dropped = true
	}
}

// NoSpaceError says the partitions do not fit the image: they Need
// bytes, Have are free. Minimal is the smallest image they would fit in,
// Current what the image's table and existing partitions take, Foreign
// what its foreign partitions take (repart's determine_auto_size()).
type NoSpaceError struct{ Need, Have, Minimal, Current, Foreign uint64 }

func (e *NoSpaceError) Error() string {
	return fmt.Sprintf("can't fit the partitions into the image: they need %s (%d bytes) but %s (%d bytes) are free; use a larger --size= or --size=auto",
		FormatBytes(e.Need), e.Need, FormatBytes(e.Have), e.Have)
}
