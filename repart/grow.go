package repart

// This file distributes a free area among the partitions allocated into it
// by weight, as repart's context_grow_partitions_on_free_area() does
// (spec §3.4). Only from-scratch images are planned, so there is one free
// area and no preceding (existing) partition.

type growPhase int

const (
	phaseOvercharge growPhase = iota
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

type growState struct {
	sizeSet, paddingSet []bool
}

// grow assigns Size and Padding of every partition in parts (the live,
// allocated ones, in list order) from span bytes.
func (pl *planner) grow(parts []*Partition, span uint64) {
	var wsum uint64
	for _, p := range parts {
		wsum += uint64(p.Def.Weight) + uint64(p.Def.PaddingWeight)
	}
	st := growState{make([]bool, len(parts)), make([]bool, len(parts))}
	for phase := phaseOvercharge; phase < phaseCount; {
		if pl.growPhase(parts, phase, &span, &wsum, &st) {
			phase++
		}
	}
	// Crumbs left by rounding or maximum sizes go to the partitions in
	// list order.
	for _, p := range parts {
		if span == 0 {
			break
		}
		m := roundDown(p.Size+span, pl.grain)
		m = max(m, p.Size)
		m = min(m, pl.maxSize(p))
		span = pl.chargeSize(span, m-p.Size)
		p.Size = m
	}
	// Still some left (every partition is at its maximum): systemd 262
	// makes it padding of the last partition, as the golden dropins case
	// shows (a 32M swap in a 100M image gets 66.9M of padding).
	if span > 0 && len(parts) > 0 {
		parts[len(parts)-1].Padding += span
	}
}

// growPhase runs one pass; it reports whether the phase is complete (no
// assignment that requires recomputing the shares).
func (pl *planner) growPhase(parts []*Partition, phase growPhase, span, wsum *uint64, st *growState) bool {
	tryAgain := false
	for i, p := range parts {
		if !st.sizeSet[i] {
			w := uint64(p.Def.Weight)
			share := scaleByWeight(*span, w, *wsum)
			rsz, xsz := pl.minSize(p), pl.maxSize(p)
			charge := false
			switch {
			case phase == phaseOvercharge && rsz > share:
				p.Size, charge, tryAgain = rsz, true, true
			case phase == phaseUndercharge && xsz < share:
				p.Size, charge, tryAgain = xsz, true, true
			case phase == phaseDistribute:
				p.Size = clamp(roundDown(share, pl.grain), rsz, xsz)
				charge = true
			}
			if charge {
				st.sizeSet[i] = true
				*span = pl.chargeSize(*span, p.Size)
				*wsum -= w
			}
		}
		if !st.paddingSet[i] {
			w := uint64(p.Def.PaddingWeight)
			share := scaleByWeight(*span, w, *wsum)
			rsz, xsz := minPadding(p), maxPadding(p)
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
				st.paddingSet[i] = true
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
