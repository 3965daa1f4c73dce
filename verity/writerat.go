package verity

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// inlineHash is the size below which a WriteAt hashes its fresh blocks
// itself instead of in the background.
const inlineHash = 64 << 10

// Block states of a WriterAt.
const (
	blockUnwritten = iota // never written: read back at Finish
	blockHashed           // written whole, once: digest computed on the way
	blockDirty            // written partially or more than once: read back at Finish
)

// WriterAt passes writes through to a data partition's io.WriterAt and hashes
// every data block that a single write covers whole, in the background, so
// that a file system writer writing at arbitrary offsets gets its hash tree
// without reading most of the data back. Blocks written partially, written
// more than once or never written are read back at Finish. WriteAt may be
// called from several goroutines on disjoint ranges. The first error sticks.
// The tree is kept in memory (about 1/127 of the data size) until Finish.
type WriterAt struct {
	w io.WriterAt
	t *tree

	mu    sync.Mutex
	state []byte      // one of the block* states per data block
	free  chan []byte // copy buffers; bounds the hashing in flight
	wg    sync.WaitGroup
	err   error
}

// NewWriterAt returns a WriterAt writing to w (offsets relative to the data
// partition's start) whose tree covers the first dataSize bytes.
func NewWriterAt(w io.WriterAt, p Params, dataSize int64) (*WriterAt, error) {
	t, err := newTree(dataSize, p)
	if err != nil {
		return nil, err
	}
	n := runtime.GOMAXPROCS(0) + 2
	x := &WriterAt{w: w, t: t, state: make([]byte, t.g.dataBlocks), free: make(chan []byte, n)}
	for range n {
		x.free <- make([]byte, readChunk)
	}
	return x, nil
}

// WriteAt writes b at off to the underlying writer and hashes the data
// blocks it is the first to write whole.
func (x *WriterAt) WriteAt(b []byte, off int64) (int, error) {
	n, err := x.w.WriteAt(b, off)
	if err != nil {
		x.mu.Lock()
		if x.err == nil {
			x.err = fmt.Errorf("writing verity data: %w", err)
		}
		x.mu.Unlock()
		return n, err
	}
	bs := int64(x.t.p.DataBlockSize)
	end := min(off+int64(n), x.t.g.dataBlocks*bs)
	if off < 0 || off >= end {
		return n, nil
	}
	first, last := off/bs, (end-1)/bs // blocks touched
	lo, hi := (off+bs-1)/bs, end/bs   // blocks covered whole: [lo, hi)

	var fresh []blockRange // covered blocks written for the first time
	x.mu.Lock()
	for k := first; k <= last; k++ {
		switch {
		case k < lo || k >= hi || x.state[k] != blockUnwritten:
			x.state[k] = blockDirty
		default:
			x.state[k] = blockHashed
			if len(fresh) > 0 && fresh[len(fresh)-1].hi == k {
				fresh[len(fresh)-1].hi++
			} else {
				fresh = append(fresh, blockRange{k, k + 1})
			}
		}
	}
	x.mu.Unlock()

	for _, r := range fresh {
		if (r.hi-r.lo)*bs < inlineHash {
			// Small runs are hashed here: cheaper than a copy and a goroutine.
			hashBlocks(sha256.New(), x.t.p.Salt, b[r.lo*bs-off:r.hi*bs-off], int(bs), x.t.leaf[r.lo*digestSize:r.hi*digestSize])
			continue
		}
		for k := r.lo; k < r.hi; {
			buf := <-x.free
			m := min(r.hi-k, int64(len(buf))/bs)
			copy(buf, b[k*bs-off:(k+m)*bs-off])
			x.wg.Add(1)
			go func(buf []byte, k, m int64) {
				defer x.wg.Done()
				hashBlocks(sha256.New(), x.t.p.Salt, buf[:m*bs], int(bs), x.t.leaf[k*digestSize:(k+m)*digestSize])
				x.free <- buf
			}(buf, k, m)
			k += m
		}
	}
	return n, nil
}

// Finish waits for the background hashing, reads back from data (the
// partition as written) the blocks that were not hashed on the way, hashes
// the upper levels and writes the superblock and tree at offset 0 of hash.
// It returns the root hash.
func (x *WriterAt) Finish(data io.ReaderAt, hash io.WriterAt) ([32]byte, error) {
	x.wg.Wait()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err != nil {
		return [32]byte{}, x.err
	}
	x.err = errors.New("verity writer already finished")
	if err := x.t.hashChunks(x.unhashed(), readFull(data)); err != nil {
		return [32]byte{}, err
	}
	return x.t.finish(hash)
}

// ReadBack is how many bytes Finish reads back (blocks not hashed on the way).
func (x *WriterAt) ReadBack() int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	var n int64
	for _, r := range x.unhashed() {
		n += r.hi - r.lo
	}
	return n * int64(x.t.p.DataBlockSize)
}

// unhashed lists the runs of blocks whose digest was not computed on the way.
func (x *WriterAt) unhashed() []blockRange {
	var rs []blockRange
	for k := int64(0); k < int64(len(x.state)); k++ {
		if x.state[k] == blockHashed {
			continue
		}
		if len(rs) > 0 && rs[len(rs)-1].hi == k {
			rs[len(rs)-1].hi++
		} else {
			rs = append(rs, blockRange{k, k + 1})
		}
	}
	return rs
}
