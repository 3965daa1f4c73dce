package verity

import (
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// newTreeIn returns a tree built in place in rw: nothing of the area is
// kept in memory. It writes the superblock block.
func newTreeIn(rw hashRW, dataSize int64, p Params) (*tree, error) {
	if err := checkSize(dataSize, p); err != nil {
		return nil, err
	}
	t := &tree{p: p, g: newGeometry(dataSize, p), rw: rw}
	t.leaf = t.one[:]
	block := make([]byte, p.HashBlockSize)
	sb := superblock(p, uint64(t.g.dataBlocks))
	copy(block, sb[:])
	if err := t.writeAt(block, 0); err != nil {
		return nil, err
	}
	return t, nil
}

// inPlace says whether the leaf digests go to the destination rather than
// to memory: a tree in place with at least one level.
func (t *tree) inPlace() bool { return t.rw != nil && len(t.g.levelSize) > 0 }

// levelOffset is the byte offset of hash level i in the area.
func (t *tree) levelOffset(i int) int64 {
	return t.g.levelBlock[i] * int64(t.p.HashBlockSize)
}

func (t *tree) writeAt(b []byte, off int64) error {
	if _, err := t.rw.WriteAt(b, off); err != nil {
		return fmt.Errorf("writing verity hash area at %d: %w", off, err)
	}
	return nil
}

func (t *tree) readAt(b []byte, off int64) error {
	if n, err := t.rw.ReadAt(b, off); n < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading back verity hash level at %d: %w", off, err)
	}
	return nil
}

// padLevel writes the zeros after the n digests of level i up to the end
// of its last block: the destination may hold anything there.
func (t *tree) padLevel(i int, n int64) error {
	end := t.g.levelSize[i] * int64(t.p.HashBlockSize)
	if pad := end - n*digestSize; pad > 0 {
		return t.writeAt(make([]byte, pad), t.levelOffset(i)+n*digestSize)
	}
	return nil
}

// finishInPlace pads the leaf level, computes every upper level from the
// one below by reading it back from the destination in chunks of
// readChunk, on all cores, and returns the root hash: the hash of the top
// level's single block.
func (t *tree) finishInPlace() ([32]byte, error) {
	levels := len(t.g.levelSize)
	if levels == 0 {
		return t.one, nil
	}
	if err := t.padLevel(0, t.g.dataBlocks); err != nil {
		return [32]byte{}, err
	}
	for i := 1; i < levels; i++ {
		if err := t.hashLevel(i); err != nil {
			return [32]byte{}, err
		}
		if err := t.padLevel(i, t.g.levelSize[i-1]); err != nil {
			return [32]byte{}, err
		}
	}
	top := make([]byte, t.p.HashBlockSize) // the top level is one block
	if err := t.readAt(top, t.levelOffset(levels-1)); err != nil {
		return [32]byte{}, err
	}
	var root [32]byte
	hashBlocks(sha256.New(), t.p.Salt, top, t.p.HashBlockSize, root[:])
	return root, nil
}

// hashLevel reads level i-1 back in chunks, one worker per core, and writes
// the digests of its blocks as level i.
func (t *tree) hashLevel(i int) error {
	hbs := int64(t.p.HashBlockSize)
	per := int64(readChunk) / hbs
	blocks := t.g.levelSize[i-1]
	chunks := (blocks + per - 1) / per
	src, dst := t.levelOffset(i-1), t.levelOffset(i)
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range min(int64(runtime.GOMAXPROCS(0)), chunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			buf := make([]byte, per*hbs)
			dig := make([]byte, per*digestSize)
			for !failed.Load() {
				c := next.Add(1) - 1
				if c >= chunks {
					return
				}
				lo, hi := c*per, min((c+1)*per, blocks)
				b, d := buf[:(hi-lo)*hbs], dig[:(hi-lo)*digestSize]
				err := t.readAt(b, src+lo*hbs)
				if err == nil {
					hashBlocks(h, t.p.Salt, b, int(hbs), d)
					err = t.writeAt(d, dst+lo*digestSize)
				}
				if err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
