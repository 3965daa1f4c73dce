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
	order := make(chan *segJob, 4*workers)
	queue := make(chan *segJob, 4*workers)
	var stop atomic.Bool
	go func() {
		defer close(order)
		defer close(queue)
		for _, n := range pl.nodes {
			if !n.candidate {
				continue
			}
			for off := int64(0); off < int64(n.size); off += segmentSize {
				if stop.Load() {
					return
				}
				l := int(min(segmentSize, int64(n.size)-off))
				j := &segJob{n: n, off: off, len: l, done: make(chan segResult, 1)}
				j.last = off+int64(l) == int64(n.size)
				j.alone = off == 0 && j.last
				order <- j
				queue <- j
			}
		}
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
				j.done <- runSegment(c, j)
			}
		}()
	}
	blk, err := pl.collectSegments(dst, order)
	if err != nil {
		stop.Store(true)
		for j := range order {
			<-j.done
		}
	}
	wg.Wait()
	return blk, err
}

func runSegment(c destSizer, j *segJob) segResult {
	f, err := j.n.in.Open()
	if err != nil {
		return segResult{err: fmt.Errorf("opening %s: %w", j.n.displayPath(), err)}
	}
	defer f.Close()
	data := make([]byte, j.len)
	if err := readAt(j.n, f, data, j.off); err != nil {
		return segResult{err: err}
	}
	exts, blocks, err := compressSegment(c, data)
	if err != nil {
		return segResult{err: fmt.Errorf("compressing %s: %w", j.n.displayPath(), err)}
	}
	r := segResult{exts: exts, blocks: blocks}
	if j.alone {
		r.raw = data
	}
	return r
}

// collectSegments writes segment results in order and finishes each file.
func (pl *plan) collectSegments(dst io.WriterAt, order <-chan *segJob) (uint32, error) {
	_, alg, err := newDestSizer(pl.p)
	if err != nil {
		return 0, err
	}
	blk := pl.dataEnd
	var start uint32
	var exts []extent
	for j := range order {
		r := <-j.done
		if r.err != nil {
			return 0, r.err
		}
		if j.off == 0 {
			start, exts = blk, exts[:0]
		}
		nb := uint32(len(r.blocks) / blockSize)
		if err := pl.checkSize(int64(blk+nb) * blockSize); err != nil {
			return 0, err
		}
		if _, err := dst.WriteAt(r.blocks, int64(blk)*blockSize); err != nil {
			return 0, err
		}
		for i, e := range r.exts {
			e.blk = blk + uint32(i)
			exts = append(exts, e)
		}
		blk += nb
		if !j.last {
			continue
		}
		n := j.n
		index, err := buildIndex(exts, n.size, alg)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", n.displayPath(), err)
		}
		if cblocks := blk - start; uint64(cblocks)*blockSize+uint64(len(index)) < n.size {
			n.layout = layoutCompressedFull
			n.index = index
			n.startBlk = start
			n.dataBlocks = cblocks
			continue
		}
		// Compression does not pay: store the file flat from start.
		blk = start
		pl.setFlat(n, &blk)
		if err := pl.checkSize(int64(blk) * blockSize); err != nil {
			return 0, err
		}
		if r.raw != nil {
			b := make([]byte, int(n.dataBlocks)*blockSize)
			copy(b, r.raw)
			if _, err := dst.WriteAt(b, int64(n.startBlk)*blockSize); err != nil {
				return 0, err
			}
		} else if err := copyFlat(dst, n, make([]byte, copyChunk)); err != nil {
			return 0, err
		}
	}
	return blk, nil
}
