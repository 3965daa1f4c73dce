package repart

import "sort"

// freeArea is unallocated space: the leading area before the first
// existing partition (after == nil), or the space following an existing
// partition (after), as context_add_free_area() records them.
type freeArea struct {
	size, allocated uint64
	after           *slot
	order           int // creation order, the tie-breaker when sorting
}

func (a *freeArea) available() uint64 { return a.size - a.allocated }

func (pl *planner) currentEnd(a *freeArea) uint64 {
	if a.after == nil {
		return a.available()
	}
	return roundUp(a.after.Offset+a.after.CurrentSize, pl.grain) + a.available()
}

func (pl *planner) minEnd(a *freeArea) uint64 {
	if a.after == nil {
		return 0
	}
	return roundUp(a.after.Offset+pl.minSizeWithPadding(a.after), pl.grain)
}

func (pl *planner) availableForNew(a *freeArea) uint64 {
	c, m := pl.currentEnd(a), pl.minEnd(a)
	if c < m {
		return 0
	}
	return c - m
}

// freeAreas lists the free space of a disk whose existing partitions are
// those with Exists set: before the first one, and after each one up to
// the next (its current padding), all grain-aligned.
func (pl *planner) freeAreas(parts []*slot, g Geometry) ([]*freeArea, uint64) {
	start, end := g.freeArea(pl.grain)
	var existing []*slot
	for _, p := range parts {
		p.paddingArea = nil
		if p.Exists {
			existing = append(existing, p)
		}
	}
	if len(existing) == 0 {
		if end <= start {
			return nil, start
		}
		return []*freeArea{{size: end - start}}, start
	}
	sort.SliceStable(existing, func(i, j int) bool { return existing[i].Offset < existing[j].Offset })
	var areas []*freeArea
	// Areas are created in partition-table order in repart, each
	// partition's after reading it, the leading one last.
	for _, p := range existing {
		next := (g.LastLBA + 1) * g.SectorSize
		for _, q := range existing {
			if q != p && q.Offset >= p.Offset+p.CurrentSize && q.Offset < next {
				next = q.Offset
			}
		}
		lo, hi := roundUp(p.Offset+p.CurrentSize, pl.grain), roundDown(next, pl.grain)
		p.CurrentPadding = 0
		if hi > lo {
			p.CurrentPadding = hi - lo
			a := &freeArea{size: hi - lo, after: p, order: len(areas)}
			p.paddingArea = a
			areas = append(areas, a)
		}
	}
	if left := roundDown(existing[0].Offset, pl.grain); left > start {
		areas = append(areas, &freeArea{size: left - start, order: len(areas)})
	}
	return areas, start
}

// allocate is context_allocate_partitions(): first fit of every new
// partition's minimum into the smallest free area that holds it. It
// reports false when something does not fit.
func (pl *planner) allocate(parts []*slot, areas []*freeArea) bool {
	for _, a := range areas {
		a.allocated = 0
	}
	for _, p := range parts {
		p.area = nil
	}
	sort.SliceStable(areas, func(i, j int) bool {
		ai, aj := pl.availableForNew(areas[i]), pl.availableForNew(areas[j])
		if ai != aj {
			return ai < aj
		}
		return areas[i].order < areas[j].order
	})
	for _, a := range areas {
		if pl.currentEnd(a) < pl.minEnd(a) {
			return false
		}
	}
	for _, p := range parts {
		if p.Dropped || p.Foreign || p.suppressed() {
			continue
		}
		required := pl.minSizeWithPadding(p)
		if p.Exists {
			if p.CurrentSize+p.CurrentPadding < required {
				return false
			}
			continue
		}
		var fit *freeArea
		for _, a := range areas {
			if pl.availableForNew(a) >= required {
				fit = a
				break
			}
		}
		if fit == nil {
			return false
		}
		p.area = fit
		fit.allocated += required
	}
	return true
}

// unmergeAndAllocate is context_unmerge_and_allocate_partitions(): when
// the merged layout does not fit, try un-suppressing one supplement, then
// combinations, placing the supplements verbatim.
func (pl *planner) unmergeAndAllocate(parts []*slot, areas []*freeArea) bool {
	for _, p := range parts {
		if p.suppressing == nil {
			continue
		}
		s := p.suppressing
		p.suppressing = nil
		if pl.allocate(parts, areas) {
			return true
		}
		p.suppressing = s
	}
	for _, p := range parts {
		if p.suppressing == nil {
			continue
		}
		s := p.suppressing
		p.suppressing = nil
		if pl.unmergeAndAllocate(parts, areas) {
			return true
		}
		p.suppressing = s
	}
	return false
}
