package ext4

import (
	"errors"
	"sort"
)

// ErrTooSmall means the filesystem size cannot hold the tree (or any
// filesystem at all).
var ErrTooSmall = errors.New("filesystem too small")

// mergeRuns sorts runs and joins touching ones.
func mergeRuns(rs []run) []run {
	sort.Slice(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
	out := rs[:0]
	for _, r := range rs {
		if r.n == 0 {
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].start+out[k].n == r.start {
			out[k].n += r.n
			continue
		}
		out = append(out, r)
	}
	return out
}

// allocator hands out free blocks in ascending order, first fit from a
// cursor: the plan allocates everything in the order it is written.
type allocator struct {
	free []run    // the free runs, ascending (never modified: shared by replays)
	at   allocPos // the cursor
	runs []run    // reused result
}

// allocPos is an allocator's cursor: the index of the current free run
// and what is left of it. Copying it saves the allocator's whole state.
type allocPos struct {
	i    int
	left run
}

func newAllocator(blocks uint64, meta []run) *allocator {
	a := &allocator{}
	var next uint64
	for _, m := range meta {
		if m.start > next {
			a.free = append(a.free, run{next, m.start - next})
		}
		next = m.start + m.n
	}
	if blocks > next {
		a.free = append(a.free, run{next, blocks - next})
	}
	if len(a.free) > 0 {
		a.at.left = a.free[0]
	}
	return a
}

// alloc returns n blocks as one or more runs, valid until the next call.
func (a *allocator) alloc(n uint64) ([]run, error) {
	out := a.runs[:0]
	defer func() { a.runs = out }()
	for n > 0 {
		if a.at.i >= len(a.free) {
			return nil, ErrTooSmall
		}
		f := &a.at.left
		k := min(n, f.n)
		r := run{f.start, k}
		out = append(out, r)
		f.start += k
		f.n -= k
		n -= k
		if f.n == 0 {
			a.at.i++
			if a.at.i < len(a.free) {
				a.at.left = a.free[a.at.i]
			}
		}
	}
	return out, nil
}

// blocks allocates n blocks and appends their numbers to dst.
func (a *allocator) blocks(dst []uint64, n uint64) ([]uint64, error) {
	runs, err := a.alloc(n)
	if err != nil {
		return dst, err
	}
	for _, r := range runs {
		for i := uint64(0); i < r.n; i++ {
			dst = append(dst, r.start+i)
		}
	}
	return dst, nil
}
