package erofs

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// segJob is one segment of a compression candidate.
type segJob struct {
	n     *node
	off   int64
	len   int
	last  bool
	done  chan segResult
	alone bool // the only segment: keep the data for the uncompressed fallback
}

type segResult struct {
	exts   []extent
	blocks []byte
	raw    []byte
	err    error
}

// writeCompressed compresses the candidates' segments on all workers and
// writes their blocks in nid order from pl.dataEnd; it decides per file
// whether compression pays and returns the end block of the data.
func (pl *plan) writeCompressed(dst io.WriterAt) (uint32, error) {
	workers := pl.p.workers()
	order := make(chan *segJob, 2*workers)
	queue := make(chan *segJob, 2*workers)
	// Segment buffers are recycled: at most the jobs in flight hold one.
	pool := make(chan []byte, 4*workers+4)
	var stop atomic.Bool
	var walkErr error
	go func() {
		defer close(order)
		defer close(queue)
		walkErr = pl.walk(false, func(v *node) error {
			if err := pl.planInode(v); err != nil {
				return err
			}
			if !pl.candidate(v) {
				return nil
			}
			n := new(node)
			*n = *v
			for off := int64(0); off < int64(n.size); off += segmentSize {
				if stop.Load() {
					return errStopped
				}
				l := int(min(segmentSize, int64(n.size)-off))
				j := &segJob{n: n, off: off, len: l, done: make(chan segResult, 1)}
				j.last = off+int64(l) == int64(n.size)
				j.alone = off == 0 && j.last
				order <- j
				queue <- j
			}
			return nil
		})
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c destSizer
			var err error
			for j := range queue {
				if c == nil && err == nil {
					c, _, err = newDestSizer(pl.p)
				}
				if err != nil || stop.Load() {
					j.done <- segResult{err: err}
					continue
				}
				j.done <- pl.runSegment(c, j, pool)
			}
		}()
	}
	blk, err := pl.collectSegments(dst, order, pool)
	if err != nil {
		stop.Store(true)
		for j := range order {
			<-j.done
		}
	}
	wg.Wait()
	if err == nil {
		err = walkErr
	}
	return blk, err
}

// getBuf takes a buffer of at least n bytes from the pool.
func getBuf(pool chan []byte, n int) []byte {
	select {
	case b := <-pool:
		if cap(b) >= n {
			return b[:n]
		}
	default:
	}
	return make([]byte, n, max(n, segmentSize+blockSize))
}

func putBuf(pool chan []byte, b []byte) {
	if b == nil {
		return
	}
	select {
	case pool <- b:
	default:
	}
}

func (pl *plan) runSegment(c destSizer, j *segJob, pool chan []byte) segResult {
	f, err := j.n.in.Open()
	if err != nil {
		return segResult{err: fmt.Errorf("opening %s: %w", pl.displayPath(j.n), err)}
	}
	defer f.Close()
	data := getBuf(pool, j.len)
	if err := pl.readAt(j.n, f, data, j.off); err != nil {
		putBuf(pool, data)
		return segResult{err: err}
	}
	exts, blocks, err := compressSegment(c, data, getBuf(pool, 0))
	if err != nil {
		putBuf(pool, data)
		return segResult{err: fmt.Errorf("compressing %s: %w", pl.displayPath(j.n), err)}
	}
	r := segResult{exts: exts, blocks: blocks}
	if j.alone {
		r.raw = data
	} else {
		putBuf(pool, data)
	}
	return r
}

// collector places the compressed segments in order.
type collector struct {
	pl    *plan
	dst   io.WriterAt
	alg   uint8
	blk   uint32 // next free block
	start uint32 // first block of the current file
	exts  []extent
}

// collectSegments writes segment results in order and finishes each file.
func (pl *plan) collectSegments(dst io.WriterAt, order <-chan *segJob, pool chan []byte) (uint32, error) {
	_, alg, err := newDestSizer(pl.p)
	if err != nil {
		return 0, err
	}
	c := &collector{pl: pl, dst: dst, alg: alg, blk: pl.dataEnd}
	for j := range order {
		r := <-j.done
		if r.err != nil {
			return 0, r.err
		}
		if err := c.add(j, r); err != nil {
			return 0, err
		}
		putBuf(pool, r.blocks)
		putBuf(pool, r.raw)
	}
	return c.blk, nil
}

// add writes one segment's blocks and, after a file's last segment,
// decides whether the file stays compressed.
func (c *collector) add(j *segJob, r segResult) error {
	if j.off == 0 {
		c.start, c.exts = c.blk, c.exts[:0]
	}
	nb := uint32(len(r.blocks) / blockSize)
	if err := c.pl.checkSize(int64(c.blk+nb) * blockSize); err != nil {
		return err
	}
	if _, err := c.dst.WriteAt(r.blocks, int64(c.blk)*blockSize); err != nil {
		return err
	}
	for i, e := range r.exts {
		e.blk = c.blk + uint32(i)
		c.exts = append(c.exts, e)
	}
	c.blk += nb
	if !j.last {
		return nil
	}
	n := j.n
	index, err := buildIndex(c.exts, n.size, c.alg)
	if err != nil {
		return fmt.Errorf("%s: %w", c.pl.displayPath(n), err)
	}
	// As mkfs.erofs, judge with the size of full indexes, then store
	// compact ones.
	if cblocks := c.blk - c.start; uint64(cblocks)*blockSize+uint64(len(index)) < n.size {
		ncl := int((n.size + blockSize - 1) / blockSize)
		compact, err := compactIndex(index, ncl, n.inodeSize()+len(n.xattr), c.start)
		if err != nil {
			return fmt.Errorf("%s: %w", c.pl.displayPath(n), err)
		}
		c.pl.addIndex(n, compact)
		n.layout = layoutCompressedCompact
		n.startBlk = c.start
		n.dataBlocks = cblocks
		n.tail = 0
		c.pl.decide(n)
		return nil
	}
	// Compression does not pay: store the file flat from its start.
	c.blk = c.start
	c.pl.setFlat(n, &c.blk)
	c.pl.decide(n)
	if err := c.pl.checkSize(int64(c.blk) * blockSize); err != nil {
		return err
	}
	if c.pl.sizing {
		return nil
	}
	if r.raw == nil {
		f, err := n.in.Open()
		if err != nil {
			return fmt.Errorf("opening %s: %w", c.pl.displayPath(n), err)
		}
		defer f.Close()
		return c.pl.copyFlat(c.dst, n, f, make([]byte, copyChunk))
	}
	b := make([]byte, int(n.dataBlocks)*blockSize)
	copy(b, r.raw)
	_, err = c.dst.WriteAt(b, int64(n.startBlk)*blockSize)
	return err
}
