package ext4

import "fmt"

// layout is the size-dependent part: where every block goes.
type layout struct {
	g           *geometry
	used        []run               // all used blocks (metadata and allocations), merged
	ext         [][]extent          // by inode number
	tree        map[uint32][]uint64 // extent tree blocks by inode number
	xblk        map[uint32]uint64   // xattr block by inode number
	journal     []extent
	journalTree []uint64
	dind        uint64 // resize inode's double-indirect block
}

// allocate lays the plan out on g: the journal right after the first flex
// group's tables, the resize inode's block, then every inode in inode
// number order: its xattr block, its data, its extent tree blocks.
//
// Without record only success matters (MinSize's search): nothing per inode
// is kept, so the search makes little garbage.
func (pl *plan) allocate(g *geometry, record bool) (*layout, error) {
	if pl.maxIno > g.inodes {
		return nil, fmt.Errorf("%d inodes needed, %d available: %w", pl.maxIno, g.inodes, ErrTooSmall)
	}
	a := newAllocator(g.blocks, g.meta)
	a.record = record
	l := &layout{
		g:    g,
		tree: map[uint32][]uint64{},
		xblk: map[uint32]uint64{},
	}
	if record {
		l.ext = make([][]extent, len(pl.nodes))
	}
	var scratch []extent
	takeBlocks := func(n uint64) ([]uint64, error) {
		runs, err := a.alloc(n)
		if err != nil {
			return nil, err
		}
		var out []uint64
		for _, r := range runs {
			for i := uint64(0); i < r.n; i++ {
				out = append(out, r.start+i)
			}
		}
		return out, nil
	}
	runs, err := a.alloc(uint64(g.journalBlocks))
	if err != nil {
		return nil, fmt.Errorf("allocating journal: %w", err)
	}
	l.journal = appendExtents(nil, 0, runs)
	if l.journalTree, err = takeBlocks(treeBlocks(len(l.journal))); err != nil {
		return nil, fmt.Errorf("allocating journal: %w", err)
	}
	d, err := takeBlocks(1)
	if err != nil {
		return nil, fmt.Errorf("allocating resize inode: %w", err)
	}
	l.dind = d[0]
	for _, n := range pl.nodes {
		if n == nil {
			continue
		}
		if n.x != nil && len(n.x.blk) > 0 {
			b, err := takeBlocks(1)
			if err != nil {
				return nil, fmt.Errorf("allocating %s: %w", n.path(), err)
			}
			l.xblk[n.ino] = b[0]
		}
		var ext []extent
		if !record {
			ext = scratch[:0]
		}
		if n.segs != nil {
			for _, s := range n.segs {
				runs, err := a.alloc(s.n)
				if err != nil {
					return nil, fmt.Errorf("allocating %s: %w", n.path(), err)
				}
				ext = appendExtents(ext, s.lblk, runs)
			}
		} else if k := n.dataBlocks(); k > 0 && (n.dir != nil || len(n.in.Target) >= fastSymlink) {
			runs, err := a.alloc(k)
			if err != nil {
				return nil, fmt.Errorf("allocating %s: %w", n.path(), err)
			}
			ext = appendExtents(ext, 0, runs)
		}
		if !record {
			scratch = ext
			if _, err := a.alloc(treeBlocks(len(ext))); err != nil {
				return nil, err
			}
			continue
		}
		l.ext[n.ino] = ext
		if t := treeBlocks(len(ext)); t > 0 {
			tb, err := takeBlocks(t)
			if err != nil {
				return nil, fmt.Errorf("allocating %s: %w", n.path(), err)
			}
			l.tree[n.ino] = tb
		}
	}
	l.used = mergeRuns(append(append([]run(nil), g.meta...), a.used...))
	return l, nil
}
