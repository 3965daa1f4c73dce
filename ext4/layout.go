package ext4

import (
	"fmt"

	"github.com/gorepart/gorepart/fstree"
)

// layout is the size-dependent part: where the metadata and the journal
// go, and the allocator state from which every inode's blocks follow.
// Nothing is kept per inode: the writers replay the allocation (place) in
// inode order from a recorded state, which gives each inode the same
// blocks the layout pass gave it.
type layout struct {
	g           *geometry
	used        []run // all used blocks (metadata and allocations), merged
	free        []run // the free runs the allocation starts from
	journal     []extent
	journalTree []uint64
	dind        uint64 // resize inode's double-indirect block
	// nodes is the allocator state at the first tree inode.
	nodes allocPos
	// chunks split the inodes into runs of about chunkBlocks blocks for
	// the content writers, each with the allocator state at its start.
	chunks []chunk
}

// chunk is a run of consecutive inode numbers [from, to).
type chunk struct {
	from, to uint32
	at       allocPos
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
//
// Without record only success matters (MinSize's search): no used-block
// map or chunks are kept, so the search makes little garbage.
func (pl *plan) allocate(g *geometry, record bool) (*layout, error) {
	if pl.maxIno > g.inodes {
		return nil, fmt.Errorf("%d inodes needed, %d available: %w", pl.maxIno, g.inodes, ErrTooSmall)
	}
	a := newAllocator(g.blocks, g.meta)
	a.record = record
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

	var p placement
	cur := chunk{from: 1, at: a.at}
	var blocks uint64
	for ino := range pl.nodes {
		n := &pl.nodes[ino]
		if n.in == nil {
			continue
		}
		if err := pl.place(a, n, &p); err != nil {
			return nil, err
		}
		if !record {
			continue
		}
		blocks += pl.dataBlocks(n) + 1
		if blocks >= chunkBlocks {
			cur.to = uint32(ino) + 1
			l.chunks = append(l.chunks, cur)
			cur, blocks = chunk{from: cur.to, at: a.at}, 0
		}
	}
	if record {
		cur.to = uint32(len(pl.nodes))
		l.chunks = append(l.chunks, cur)
		l.used = mergeRuns(append(append([]run(nil), g.meta...), a.used...))
	}
	return l, nil
}

// place allocates node n's blocks from a into p (reused from call to
// call): its xattr block, its data, its extent tree blocks.
func (pl *plan) place(a *allocator, n *node, p *placement) error {
	p.xblk, p.ext, p.tree = 0, p.ext[:0], p.tree[:0]
	fail := func(err error) error { return fmt.Errorf("allocating %s: %w", pl.path(n), err) }
	if n.x != nil && len(n.x.blk) > 0 {
		runs, err := a.alloc(1)
		if err != nil {
			return fail(err)
		}
		p.xblk = runs[0].start
	}
	switch {
	case n.in.Kind == fstree.File:
		for _, s := range pl.segments(n) {
			runs, err := a.alloc(s.n)
			if err != nil {
				return fail(err)
			}
			p.ext = appendExtents(p.ext, s.lblk, runs)
		}
	case n.dir != nil || (n.in.Kind == fstree.Symlink && len(n.in.Target) >= fastSymlink):
		runs, err := a.alloc(pl.dataBlocks(n))
		if err != nil {
			return fail(err)
		}
		p.ext = appendExtents(p.ext, 0, runs)
	}
	var err error
	if p.tree, err = a.blocks(p.tree, treeBlocks(len(p.ext))); err != nil {
		return fail(err)
	}
	return nil
}

// replay returns an allocator that hands out the blocks the layout pass
// handed out from at on.
func (l *layout) replay(at allocPos) *allocator {
	return &allocator{free: l.free, at: at}
}
