package repart

// This file distributes each free area among the partitions allocated into
// it (and the existing partition preceding it) by weight, as repart's
// context_grow_partitions_on_free_area() does (spec §3.4).

type growPhase int

const (
	phaseForeign growPhase = iota
	phaseOvercharge
	phaseUndercharge
	phaseDistribute
	phaseCount
)

// scaleByWeight is floor(value*weight/sum) without overflow, rounding the
// way repart does when the product would not fit in 64 bits.
func scaleByWeight(value, weight, sum uint64) uint64 {
	for {
		if weight == 0 {
			return 0
		}
		if weight == sum {
			return value
		}
		if value <= Unlimited/weight {
			return value * weight / sum
		}
		sum = (sum + 1) / 2
		weight /= 2
	}
}

// chargeSize subtracts amount, rounded up to the grain, saturating at 0.
func (pl *planner) chargeSize(total, amount uint64) uint64 {
	a := roundUp(amount, pl.grain)
	if a >= total {
		return 0
	}
	return total - a
}

func inArea(p *slot, a *freeArea) bool { return p.area == a || p.paddingArea == a }

func (pl *planner) weight(p *slot) uint64 {
	switch {
	case p.Foreign:
		return 0
	case p.suppressing != nil:
		return uint64(p.suppressing.Def.Weight)
	}
	return uint64(p.Def.Weight)
}

func (pl *planner) paddingWeight(p *slot) uint64 {
	switch {
	case p.Foreign:
		return 0
	case p.suppressing != nil:
		return uint64(p.suppressing.Def.PaddingWeight)
	}
	return uint64(p.Def.PaddingWeight)
}

// growArea assigns Size and Padding of the partitions of area a.
func (pl *planner) growArea(parts []*slot, a *freeArea) {
	var wsum uint64
	for _, p := range parts {
		if inArea(p, a) {
			wsum += pl.weight(p) + pl.paddingWeight(p)
		}
	}
	span := a.size
	if a.after != nil {
		span += roundUp(a.after.Offset+a.after.CurrentSize, pl.grain) - a.after.Offset
	}
	for phase := phaseForeign; phase < phaseCount; {
		if pl.growPhase(parts, a, phase, &span, &wsum) {
			phase++
		}
	}
	// Crumbs left by rounding or maximum sizes go to whoever takes them,
	// in disk order; what nobody takes becomes padding of the last
	// partition of the area (the one preceding it when nothing new was
	// allocated into it).
	var last *slot
	for _, p := range parts {
		if !inArea(p, a) {
			continue
		}
		last = p
		if span == 0 {
			continue
		}
		m := roundDown(p.Size+span, pl.grain)
		m = max(m, p.Size)
		m = min(m, pl.maxSize(p))
		span = pl.chargeSize(span, m-p.Size)
		p.Size = m
	}
	if span > 0 && last != nil {
		last.Padding += roundDown(span, pl.grain)
	}
}

// growPhase runs one pass; it reports whether the phase is complete (no
// assignment that requires recomputing the shares).
func (pl *planner) growPhase(parts []*slot, a *freeArea, phase growPhase, span, wsum *uint64) bool {
	tryAgain := false
	for _, p := range parts {
		if !inArea(p, a) {
			continue
		}
		if !p.sizeSet {
			w := pl.weight(p)
			share := scaleByWeight(*span, w, *wsum)
			rsz, xsz := pl.minSize(p), pl.maxSize(p)
			charge := false
			switch {
			case phase == phaseForeign && p.Foreign:
				p.Size, charge = p.CurrentSize, true
			case phase == phaseOvercharge && rsz > share:
				p.Size, charge, tryAgain = rsz, true, true
			case phase == phaseUndercharge && xsz < share:
				p.Size, charge, tryAgain = xsz, true, true
			case phase == phaseDistribute:
				p.Size = clamp(roundDown(share, pl.grain), rsz, xsz)
				charge = true
			}
			if charge {
				p.sizeSet = true
				*span = pl.chargeSize(*span, p.Size)
				*wsum -= w
			}
		}
		if !p.paddingOK {
			w := pl.paddingWeight(p)
			share := scaleByWeight(*span, w, *wsum)
			rsz, xsz := pl.minPadding(p), pl.maxPadding(p)
			charge := false
			switch {
			case phase == phaseOvercharge && rsz > share:
				p.Padding, charge, tryAgain = rsz, true, true
			case phase == phaseUndercharge && xsz < share:
				p.Padding, charge, tryAgain = xsz, true, true
			case phase == phaseDistribute:
				p.Padding = clamp(roundDown(share, pl.grain), rsz, xsz)
				charge = true
			}
			if charge {
				p.paddingOK = true
				*span = pl.chargeSize(*span, p.Padding)
				*wsum -= w
			}
		}
	}
	return !tryAgain
}

func clamp(v, lo, hi uint64) uint64 {
	return min(max(v, lo), hi)
}
