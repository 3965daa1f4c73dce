package ext4

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
)

// The write pass walks the tree again. The walk itself allocates each
// inode's blocks (from the demands the plan recorded), encodes its inode
// into its group's inode table and lays out directories; what has to be
// written goes, in allocation order, into jobs of about chunkBlocks
// blocks, which a few workers write: each job covers consecutive blocks,
// so every worker still makes large sequential writes, and reading the
// sources of one job overlaps with the others. Memory is bounded by the
// jobs in flight, not by the tree.
const (
	writeWorkers = 8
	chunkBlocks  = 2048
)

// job is a run of writes in allocation order.
type job struct {
	items  []item
	blocks uint64
}

// item is one write: a regular file's data (in), or encoded blocks
// (data, one block after another, shorter than a block for a symlink).
type item struct {
	n    *tnode // for messages
	in   *fstree.Inode
	ext  []extent
	data []byte
}

// treeWriter is the visitor of the write pass.
type treeWriter struct {
	w    *writer
	a    *allocator
	dem  demandReader
	d    demand
	p    placement
	itab inodeTable
	cur  job
	jobs chan<- job
	stop <-chan struct{}
}

// writeTree writes every inode of the tree: inode tables, extent tree
// blocks, xattr blocks, directories, symlinks and file data.
func (w *writer) writeTree() error {
	jobs := make(chan job)
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() {
			firstErr = err
			close(stop)
		})
	}
	for k := 0; k < writeWorkers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newStream(w.dst)
			for j := range jobs {
				err := w.writeJob(s, j)
				if err == nil {
					err = s.flush()
				}
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	w.dirs = make([]uint32, w.l.g.groups)
	tw := &treeWriter{w: w, a: w.l.replay(w.l.nodes), dem: demandReader{b: w.pl.demand}, jobs: jobs, stop: stop}
	err := tw.start()
	if err == nil {
		err = w.pl.walk(tw)
	}
	if err == nil {
		err = tw.finish()
	}
	close(jobs)
	wg.Wait()
	if err != nil && !errors.Is(err, errStopped) {
		return err
	}
	return firstErr
}

var errStopped = errors.New("stopped")

// send queues the current job.
func (tw *treeWriter) send() error {
	if len(tw.cur.items) == 0 {
		return nil
	}
	select {
	case tw.jobs <- tw.cur:
	case <-tw.stop:
		return errStopped
	}
	tw.cur = job{}
	return nil
}

func (tw *treeWriter) add(it item, blocks uint64) error {
	tw.cur.items = append(tw.cur.items, it)
	tw.cur.blocks += blocks
	if tw.cur.blocks >= chunkBlocks {
		return tw.send()
	}
	return nil
}

func (tw *treeWriter) visit(n *tnode) error {
	w, pl := tw.w, tw.w.pl
	if err := tw.dem.next(&tw.d); err != nil {
		return err
	}
	p := &tw.p
	if err := place(tw.a, &tw.d, p); err != nil {
		return fmt.Errorf("allocating %s: %w", nodePath(n), err)
	}
	in := n.in
	x, err := splitXattrs(in)
	if err != nil {
		return fmt.Errorf("writing xattrs of %s: %w", nodePath(n), err)
	}
	links := n.links
	if n.dir == nil {
		links = pl.links(in)
	} else {
		w.dirs[(n.ino-1)/w.l.g.ipg]++
	}
	b, err := tw.itab.slot(w, n.ino)
	if err != nil {
		return err
	}
	data := tw.d.blocks()
	tree := w.encodeNode(b, n, links, x, p, data)
	blocks := data + 1
	if p.xblk != 0 {
		if err := tw.add(item{n: n, ext: oneBlock(p.xblk), data: xattrBlock(x.blk, p.xblk, w.fsSeed)}, 0); err != nil {
			return err
		}
	}
	ext := append([]extent(nil), p.ext...)
	switch {
	case n.dir != nil:
		// Written when its entries have their numbers (done).
		n.dir.ext = ext
	case in.Kind == fstree.Symlink && len(ext) > 0:
		err = tw.add(item{n: n, ext: ext, data: []byte(in.Target)}, 0)
	case in.Kind == fstree.File && len(ext) > 0:
		err = tw.add(item{n: n, in: in, ext: ext}, 0)
	}
	if err != nil {
		return err
	}
	for i, tb := range tree {
		if err := tw.add(item{n: n, ext: oneBlock(p.tree[i]), data: tb}, 0); err != nil {
			return err
		}
	}
	tw.cur.blocks += blocks
	if tw.cur.blocks >= chunkBlocks {
		return tw.send()
	}
	return nil
}

func oneBlock(blk uint64) []extent { return []extent{{0, blk, 1}} }

func (tw *treeWriter) link(*openDir, *fstree.Entry, uint32) error { return nil }

// done encodes a directory once all its entries have inode numbers.
func (tw *treeWriter) done(d *openDir) error {
	minBlocks := 1
	if d.ino == lpfIno {
		minBlocks = 4
	}
	l := layoutDir(d.ents, minBlocks, tw.w.pl.seed)
	if l.blocks != d.blocks {
		return fmt.Errorf("writing %s: directory changed between passes", nodePath(d.node))
	}
	buf := make([]byte, 0, l.blocks*blockSize)
	dw := dirBlockWriter{seed: inodeSeed(tw.w.fsSeed, d.ino, 0)}
	scratch := make([]byte, blockSize)
	if err := dw.encode(l, d.ino, d.parent, scratch, func(b []byte) error {
		buf = append(buf, b...)
		return nil
	}); err != nil {
		return err
	}
	return tw.add(item{n: d.node, ext: d.ext, data: buf}, uint64(l.blocks))
}

// start encodes the reserved inodes.
func (tw *treeWriter) start() error {
	w := tw.w
	for ino := uint32(1); ino < firstIno; ino++ {
		if ino == rootIno {
			continue
		}
		b, err := tw.itab.slot(w, ino)
		if err != nil {
			return err
		}
		switch ino {
		case journalIno:
			tree := w.encodeJournalInode(b)
			copy(w.journalIBlock[:], b[iBlock:iBlock+60])
			for i, tb := range tree {
				if _, err := w.dst.WriteAt(tb, int64(w.l.journalTree[i])*blockSize); err != nil {
					return fmt.Errorf("writing extent tree of the journal: %w", err)
				}
			}
		case resizeIno:
			w.encodeResizeInode(b)
		default:
			w.encodeReservedInode(b, ino)
		}
	}
	return nil
}

// finish writes what is left after the walk.
func (tw *treeWriter) finish() error {
	if !tw.dem.empty() {
		return fmt.Errorf("writing: the tree has fewer inodes than planned")
	}
	if tw.a.at != tw.w.l.end {
		return fmt.Errorf("writing: allocation differs from the plan")
	}
	if err := tw.itab.flush(tw.w); err != nil {
		return err
	}
	return tw.send()
}

// inodeTable is the inode table of the group being written: inodes come
// in ascending order, so one group's table is buffered at a time.
type inodeTable struct {
	grp   uint32
	buf   []byte // nil: no group yet
	first uint32
}

// slot returns the 256 bytes of inode ino, writing out the tables of the
// groups before it.
func (t *inodeTable) slot(w *writer, ino uint32) ([]byte, error) {
	g := w.l.g
	grp := (ino - 1) / g.ipg
	if t.buf == nil || grp != t.grp {
		if grp < t.grp {
			return nil, fmt.Errorf("writing inode %d: inodes out of order", ino)
		}
		if err := t.flush(w); err != nil {
			return nil, err
		}
		t.grp, t.first = grp, grp*g.ipg+1
		last := min(w.pl.maxIno, t.first+g.ipg-1)
		nb := ceilDiv(uint64(last-t.first+1)*inodeSize, blockSize)
		if cap(t.buf) < int(nb)*blockSize {
			t.buf = make([]byte, nb*blockSize)
		}
		t.buf = t.buf[:nb*blockSize]
		clear(t.buf)
	}
	off := (ino - t.first) * inodeSize
	return t.buf[off : off+inodeSize], nil
}

func (t *inodeTable) flush(w *writer) error {
	if t.buf == nil {
		return nil
	}
	if _, err := w.dst.WriteAt(t.buf, int64(w.l.g.inodeTable[t.grp])*blockSize); err != nil {
		return fmt.Errorf("writing inode table: %w", err)
	}
	return nil
}

// writeJob writes one job's items.
func (w *writer) writeJob(s *stream, j job) error {
	for _, it := range j.items {
		var err error
		switch {
		case it.in != nil:
			err = w.writeFile(s, it.in, it.ext)
		case it.data != nil:
			err = putBlocks(s, it.ext, it.data)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", nodePath(it.n), err)
		}
	}
	return nil
}

// putBlocks writes data, block after block, at the physical blocks of ext.
func putBlocks(s *stream, ext []extent, data []byte) error {
	for _, e := range ext {
		for k := uint64(0); k < uint64(e.n) && len(data) > 0; k++ {
			b := data[:min(len(data), blockSize)]
			if err := s.put(e.start+k, b); err != nil {
				return err
			}
			data = data[len(b):]
		}
	}
	return nil
}

func (w *writer) writeFile(s *stream, in *fstree.Inode, ext []extent) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	size := in.Size
	if f, ok := r.(*os.File); ok && size >= filecopy.Min {
		if done, err := w.copyRange(in, ext, f); done || err != nil {
			return err
		}
	}
	for _, e := range ext {
		lblk, blk, left := uint64(e.lblk), e.start, uint64(e.n)
		for left > 0 {
			p, err := s.space(blk, left)
			if err != nil {
				return err
			}
			off := int64(lblk) * blockSize
			want := min(int64(len(p)), size-off)
			got, err := r.ReadAt(p[:want], off)
			if int64(got) < want {
				if err == nil || errors.Is(err, io.EOF) {
					return fmt.Errorf("source %s is shorter than %d bytes", in.SourcePath(), size)
				}
				return err
			}
			k := uint64(len(p)) / blockSize
			lblk += k
			blk += k
			left -= k
		}
	}
	return nil
}
