package ext4

import "fmt"

// layout is the size-dependent part: where the metadata and the journal
// go, and the allocator's position before and after the tree's inodes.
// Nothing is kept per inode: the write pass allocates again, inode by
// inode from the recorded demands, and gets the blocks sizing got.
type layout struct {
	g           *geometry
	free        []run // the free runs the allocation starts from
	journal     []extent
	journalTree []uint64
	dind        uint64 // resize inode's double-indirect block
	// nodes is the allocator's position at the first tree inode, end
	// after the last.
	nodes, end allocPos
}

// placement is where one inode's blocks are.
type placement struct {
	xblk uint64   // xattr block (0: none)
	ext  []extent // data (and directory, symlink) blocks
	tree []uint64 // extent tree blocks
}

// allocate lays the plan out on g: the journal right after the first flex
// group's tables, the resize inode's block, then every inode in inode
// number order: its xattr block, its data, its extent tree blocks.
func (pl *plan) allocate(g *geometry) (*layout, error) {
	if pl.maxIno > g.inodes {
		return nil, fmt.Errorf("%d inodes needed, %d available: %w", pl.maxIno, g.inodes, ErrTooSmall)
	}
	a := newAllocator(g.blocks, g.meta)
	l := &layout{g: g, free: a.free}
	runs, err := a.alloc(uint64(g.journalBlocks))
	if err != nil {
		return nil, fmt.Errorf("allocating journal: %w", err)
	}
	l.journal = appendExtents(nil, 0, runs)
	if l.journalTree, err = a.blocks(nil, treeBlocks(len(l.journal))); err != nil {
		return nil, fmt.Errorf("allocating journal: %w", err)
	}
	d, err := a.blocks(nil, 1)
	if err != nil {
		return nil, fmt.Errorf("allocating resize inode: %w", err)
	}
	l.dind = d[0]
	l.nodes = a.at

	r := demandReader{b: pl.demand}
	var (
		dm demand
		p  placement
	)
	for !r.empty() {
		if err := r.next(&dm); err != nil {
			return nil, err
		}
		if err := place(a, &dm, &p); err != nil {
			return nil, fmt.Errorf("allocating: %w", err)
		}
	}
	l.end = a.at
	return l, nil
}

// place allocates one inode's blocks from a into p (reused from call to
// call): its xattr block, its data, its extent tree blocks.
func place(a *allocator, d *demand, p *placement) error {
	p.xblk, p.ext, p.tree = 0, p.ext[:0], p.tree[:0]
	if d.xattrBlock {
		runs, err := a.alloc(1)
		if err != nil {
			return err
		}
		p.xblk = runs[0].start
	}
	for _, s := range d.segs {
		runs, err := a.alloc(s.n)
		if err != nil {
			return err
		}
		p.ext = appendExtents(p.ext, s.lblk, runs)
	}
	var err error
	p.tree, err = a.blocks(p.tree, treeBlocks(len(p.ext)))
	return err
}

// replay returns an allocator that hands out the blocks the layout pass
// handed out from at on.
func (l *layout) replay(at allocPos) *allocator {
	return &allocator{free: l.free, at: at}
}

// used returns every used block: the metadata and what the allocator
// handed out, which is everything free before its final position (it
// allocates first fit from a cursor and never skips blocks).
func (l *layout) used() []run {
	rs := append([]run(nil), l.g.meta...)
	for i := 0; i < l.end.i && i < len(l.free); i++ {
		rs = append(rs, l.free[i])
	}
	if i := l.end.i; i < len(l.free) {
		rs = append(rs, run{l.free[i].start, l.end.left.start - l.free[i].start})
	}
	return mergeRuns(rs)
}
