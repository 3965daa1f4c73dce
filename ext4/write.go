package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gorepart/gorepart/fstree"
)

// writer holds the state of one Write.
type writer struct {
	p             Params
	pl            *plan
	l             *layout
	dst           io.WriterAt
	fsSeed        uint32
	journalIBlock [60]byte
}

// Write writes a complete ext4 filesystem of size bytes (rounded down to
// whole blocks, minus a last block group too small to be useful, as mke2fs
// does) holding t to dst at offset 0. Blocks it does not write must read as
// zeros.
func Write(dst io.WriterAt, size int64, t *fstree.Tree, p Params) error {
	pl, err := newPlan(t, p)
	if err != nil {
		return err
	}
	g, err := newGeometry(size)
	if err != nil {
		return err
	}
	l, err := pl.allocate(g, true)
	if err != nil {
		return fmt.Errorf("laying out %d bytes: %w", size, err)
	}
	w := &writer{p: p, pl: pl, l: l, dst: dst, fsSeed: crc32c(^uint32(0), p.UUID[:])}
	if err := w.writeContents(); err != nil {
		return err
	}
	return w.writeMetadata()
}

// MinSize returns the smallest size, a multiple of the block size, whose
// filesystem as Write lays it out holds t.
func MinSize(t *fstree.Tree, p Params) (int64, error) {
	pl, err := newPlan(t, p)
	if err != nil {
		return 0, err
	}
	return pl.minSize()
}

// fits reports whether the plan fits a filesystem of blocks blocks.
func (pl *plan) fits(blocks uint64) (bool, error) {
	g, err := newGeometry(int64(blocks) * blockSize)
	if errors.Is(err, ErrTooSmall) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = pl.allocate(g, false)
	if errors.Is(err, ErrTooSmall) {
		return false, nil
	}
	return err == nil, err
}

// minSize searches the smallest fitting block count. Fitting is monotonic
// within a journal size band (the journal grows in steps with the size), so
// each band is searched separately and the smallest result wins.
func (pl *plan) minSize() (int64, error) {
	bands := []uint64{2048, 32768, 256 * 1024, 512 * 1024, 4096 * 1024, 8192 * 1024, 16384 * 1024, 32768 * 1024, maxBlocks}
	for i := 0; i+1 < len(bands); i++ {
		lo, hi := bands[i], bands[i+1]-1
		ok, err := pl.fits(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			ok, err := pl.fits(mid)
			if err != nil {
				return 0, err
			}
			if ok {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return int64(lo) * blockSize, nil
	}
	return 0, fmt.Errorf("tree does not fit any ext4 filesystem: %w", ErrTooSmall)
}

// Content is written by a few workers, each taking a run of consecutive
// inodes of about chunkBlocks blocks: the runs are contiguous on disk, so
// each worker still makes large sequential writes, and reading the sources
// of one run overlaps with the others.
const (
	writeWorkers = 4
	chunkBlocks  = 2048
)

// writeContents writes xattr blocks, directory blocks, symlink blocks and
// file data in allocation order. Extent tree blocks are written with the
// inode tables.
func (w *writer) writeContents() error {
	nodes := w.pl.nodes
	var chunks [][2]int
	from, blocks := 0, uint64(0)
	for i, n := range nodes {
		if n == nil {
			continue
		}
		blocks += n.dataBlocks() + 1
		if blocks >= chunkBlocks {
			chunks = append(chunks, [2]int{from, i + 1})
			from, blocks = i+1, 0
		}
	}
	chunks = append(chunks, [2]int{from, len(nodes)})

	jobs := make(chan [2]int)
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for k := 0; k < writeWorkers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newStream(w.dst)
			for c := range jobs {
				err := w.writeNodes(s, nodes[c[0]:c[1]])
				if err == nil {
					err = s.flush()
				}
				if err != nil {
					once.Do(func() {
						firstErr = err
						close(stop)
					})
				}
			}
		}()
	}
feed:
	for _, c := range chunks {
		select {
		case jobs <- c:
		case <-stop:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

func (w *writer) writeNodes(s *stream, nodes []*node) error {
	l := w.l
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if x := l.xblk[n.ino]; x != 0 {
			if err := s.put(x, xattrBlock(n.x.blk, x, w.fsSeed)); err != nil {
				return fmt.Errorf("writing xattrs of %s: %w", n.path(), err)
			}
		}
		ext := l.ext[n.ino]
		var err error
		switch {
		case n.dir != nil:
			err = w.writeDir(s, n, ext)
		case n.in.Kind == fstree.Symlink && len(ext) > 0:
			err = s.put(ext[0].start, []byte(n.in.Target))
		case n.in.Kind == fstree.File && len(ext) > 0:
			err = w.writeFile(s, n, ext)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", n.path(), err)
		}
	}
	return nil
}

func (w *writer) writeDir(s *stream, n *node, ext []extent) error {
	var phys []uint64
	for _, e := range ext {
		for k := uint32(0); k < e.n; k++ {
			phys = append(phys, e.start+uint64(k))
		}
	}
	i := 0
	dw := dirBlockWriter{seed: inodeSeed(w.fsSeed, n.ino, 0)}
	return dw.encode(n.dir, n.ino, n.parent, s.scratch, func(b []byte) error {
		err := s.put(phys[i], b)
		i++
		return err
	})
}

func (w *writer) writeFile(s *stream, n *node, ext []extent) error {
	r, err := n.in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	size := n.in.Size
	if f, ok := r.(*os.File); ok && size >= copyRangeMin {
		if done, err := w.copyRange(n, ext, f); done || err != nil {
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
					return fmt.Errorf("source %s is shorter than %d bytes", n.in.Source, size)
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

// writeMetadata writes inode tables, extent tree blocks, the journal
// superblock, the resize inode's blocks, bitmaps, descriptors and
// superblocks.
func (w *writer) writeMetadata() error {
	l, g, pl := w.l, w.l.g, w.pl
	le := binary.LittleEndian
	// Inode tables, group by group, only as far as inodes are in use.
	ibuf := make([]byte, 0)
	for grp := uint32(0); grp < g.groups; grp++ {
		first := grp*g.ipg + 1
		if first > pl.maxIno {
			break
		}
		last := min(pl.maxIno, first+g.ipg-1)
		nb := ceilDiv(uint64(last-first+1)*inodeSize, blockSize)
		if cap(ibuf) < int(nb)*blockSize {
			ibuf = make([]byte, nb*blockSize)
		}
		buf := ibuf[:nb*blockSize]
		clear(buf)
		for ino := first; ino <= last; ino++ {
			b := buf[(ino-first)*inodeSize : (ino-first+1)*inodeSize]
			var tree [][]byte
			var treeAt []uint64
			switch {
			case ino == journalIno:
				tree, treeAt = w.encodeJournalInode(b), l.journalTree
				copy(w.journalIBlock[:], b[iBlock:iBlock+60])
			case ino == resizeIno:
				w.encodeResizeInode(b)
			case int(ino) < len(pl.nodes) && pl.nodes[ino] != nil:
				tree, treeAt = w.encodeNode(b, pl.nodes[ino]), l.tree[ino]
			default:
				w.encodeReservedInode(b, ino)
			}
			for i, tb := range tree {
				if _, err := w.dst.WriteAt(tb, int64(treeAt[i])*blockSize); err != nil {
					return fmt.Errorf("writing extent tree of inode %d: %w", ino, err)
				}
			}
		}
		if _, err := w.dst.WriteAt(buf, int64(g.inodeTable[grp])*blockSize); err != nil {
			return fmt.Errorf("writing inode table: %w", err)
		}
	}

	// Journal superblock (jbd2, big endian).
	jsb := make([]byte, blockSize)
	be := binary.BigEndian
	be.PutUint32(jsb[0:], jbd2Magic)
	be.PutUint32(jsb[4:], jbd2SuperblockV2)
	be.PutUint32(jsb[12:], blockSize)
	be.PutUint32(jsb[16:], g.journalBlocks) // s_maxlen
	be.PutUint32(jsb[20:], 1)               // s_first
	be.PutUint32(jsb[24:], 1)               // s_sequence
	copy(jsb[48:64], w.p.UUID[:])           // s_uuid
	be.PutUint32(jsb[64:], 1)               // s_nr_users
	if _, err := w.dst.WriteAt(jsb, int64(l.journal[0].start)*blockSize); err != nil {
		return fmt.Errorf("writing journal: %w", err)
	}

	// Resize inode: the double-indirect block lists the primary reserved
	// descriptor blocks, each of which lists its backups.
	dind := make([]byte, blockSize)
	ind := make([]byte, blockSize)
	for k := uint32(0); k < g.rsvGDT; k++ {
		pblk := uint64(1 + g.descBlocks + k)
		le.PutUint32(dind[4*((g.descBlocks+k)%addrPerBlock):], uint32(pblk))
		clear(ind)
		i := 0
		for grp := uint32(1); grp < g.groups; grp++ {
			if g.hasSuper(grp) {
				le.PutUint32(ind[4*i:], uint32(pblk+g.groupStart(grp)))
				i++
			}
		}
		if _, err := w.dst.WriteAt(ind, int64(pblk)*blockSize); err != nil {
			return fmt.Errorf("writing reserved descriptor blocks: %w", err)
		}
	}
	if _, err := w.dst.WriteAt(dind, int64(l.dind)*blockSize); err != nil {
		return fmt.Errorf("writing resize inode: %w", err)
	}

	st, err := w.writeBitmaps()
	if err != nil {
		return err
	}
	var freeBlocks uint64
	var freeInodes uint32
	for _, s := range st {
		freeBlocks += uint64(s.freeBlocks)
		freeInodes += s.freeInodes
	}
	gdt := w.groupDescs(st)
	for grp := uint32(0); grp < g.groups; grp++ {
		if !g.hasSuper(grp) {
			continue
		}
		sb := w.superblock(grp, freeBlocks, freeInodes)
		off := int64(g.groupStart(grp)) * blockSize
		if grp == 0 {
			off = 1024
		}
		if _, err := w.dst.WriteAt(sb, off); err != nil {
			return fmt.Errorf("writing superblock: %w", err)
		}
		if _, err := w.dst.WriteAt(gdt, int64(g.groupStart(grp)+1)*blockSize); err != nil {
			return fmt.Errorf("writing group descriptors: %w", err)
		}
	}
	return nil
}

// writeBitmaps computes the group counters and writes the bitmaps of the
// groups that are initialized.
func (w *writer) writeBitmaps() ([]groupStats, error) {
	l, g, pl := w.l, w.l.g, w.pl
	st := make([]groupStats, g.groups)
	dirs := make([]uint32, g.groups)
	for _, n := range pl.nodes {
		if n != nil && n.dir != nil {
			dirs[(n.ino-1)/g.ipg]++
		}
	}
	bm := make([]byte, blockSize)
	ui := 0 // index into l.used
	for grp := uint32(0); grp < g.groups; grp++ {
		s := &st[grp]
		start, glen := g.groupStart(grp), g.groupLen(grp)
		end := start + glen
		clear(bm)
		var used uint64
		for ; ui < len(l.used); ui++ {
			r := l.used[ui]
			a, b := max(r.start, start), min(r.start+r.n, end)
			if a >= end {
				break
			}
			if a < b {
				used += b - a
				for x := a - start; x < b-start; x++ {
					bm[x>>3] |= 1 << (x & 7)
				}
			}
			if r.start+r.n > end {
				break // continues into the next group
			}
		}
		s.freeBlocks = uint32(glen - used)
		if grp != g.groups-1 && used == g.superBlocks(grp) {
			s.flags |= bgBlockUninit
		} else {
			for x := glen; x < blocksPerGrp; x++ {
				bm[x>>3] |= 1 << (x & 7)
			}
			s.blockCsum = crc32c(w.fsSeed, bm)
			if _, err := w.dst.WriteAt(bm, int64(g.blockBitmap[grp])*blockSize); err != nil {
				return nil, fmt.Errorf("writing block bitmap: %w", err)
			}
		}

		first := grp*g.ipg + 1
		inUse := uint32(0)
		if pl.maxIno >= first {
			inUse = min(g.ipg, pl.maxIno-first+1)
		}
		s.freeInodes = g.ipg - inUse
		s.unused = g.ipg - inUse
		s.usedDirs = dirs[grp]
		if inUse == 0 {
			s.flags |= bgInodeUninit
			continue
		}
		clear(bm)
		for x := uint32(0); x < inUse; x++ {
			bm[x>>3] |= 1 << (x & 7)
		}
		for x := g.ipg; x < blockSize*8; x++ {
			bm[x>>3] |= 1 << (x & 7)
		}
		s.inodeCsum = crc32c(w.fsSeed, bm[:g.ipg/8])
		if _, err := w.dst.WriteAt(bm, int64(g.inodeBitmap[grp])*blockSize); err != nil {
			return nil, fmt.Errorf("writing inode bitmap: %w", err)
		}
	}
	return st, nil
}
