package luks

import "sort"

// spans is a set of sector numbers kept as sorted, disjoint, non-adjacent
// half-open intervals. Filesystem writers write mostly long runs, so the set
// stays small however large the volume is.
type spans struct {
	s []span
}

type span struct{ lo, hi int64 }

// add inserts [lo, hi).
func (x *spans) add(lo, hi int64) {
	if lo >= hi {
		return
	}
	// First span that ends at or after lo (it may touch or overlap).
	i := sort.Search(len(x.s), func(i int) bool { return x.s[i].hi >= lo })
	j := i
	for j < len(x.s) && x.s[j].lo <= hi {
		lo = min(lo, x.s[j].lo)
		hi = max(hi, x.s[j].hi)
		j++
	}
	if i == j {
		x.s = append(x.s, span{})
		copy(x.s[i+1:], x.s[i:])
		x.s[i] = span{lo, hi}
		return
	}
	x.s[i] = span{lo, hi}
	x.s = append(x.s[:i+1], x.s[j:]...)
}

// has reports whether n is in the set.
func (x *spans) has(n int64) bool {
	i := sort.Search(len(x.s), func(i int) bool { return x.s[i].hi > n })
	return i < len(x.s) && x.s[i].lo <= n
}

// gaps calls fn for each maximal interval of [lo, hi) outside the set.
func (x *spans) gaps(lo, hi int64, fn func(lo, hi int64) error) error {
	pos := lo
	for _, s := range x.s {
		if s.hi <= pos {
			continue
		}
		if s.lo >= hi {
			break
		}
		if s.lo > pos {
			if err := fn(pos, s.lo); err != nil {
				return err
			}
		}
		pos = s.hi
	}
	if pos < hi {
		return fn(pos, hi)
	}
	return nil
}
