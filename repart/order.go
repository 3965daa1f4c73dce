package repart

import "sort"

// diskOrder reorders the partitions once every new one has its free area,
// as repart's context_sort_partitions() does: the partitions that stay
// where they are (existing ones) by offset, each new partition after the
// partition preceding its free area and after the new ones already put
// there, the dropped ones (and merged supplements) last. Weights are
// distributed, partition numbers assigned and the report printed in this
// order.
func diskOrder(parts []*slot, merged map[*slot]bool) []*slot {
	var fresh, dropped, kept []*slot
	for _, p := range parts {
		switch {
		case p.area != nil:
			fresh = append(fresh, p)
		case p.Dropped || merged[p]:
			dropped = append(dropped, p)
		default:
			kept = append(kept, p)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Offset < kept[j].Offset })
	out := kept
	for _, p := range fresh {
		// Insert after the area's predecessor (at the head for the
		// leading area) or the last new partition already in the area.
		at := -1
		for i, q := range out {
			if q == p.area.after || q.area == p.area {
				at = i
			}
		}
		out = append(out, nil)
		copy(out[at+2:], out[at+1:])
		out[at+1] = p
	}
	return append(out, dropped...)
}
