package verity

import (
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// readChunk is how much data one worker reads and hashes at a time.
const readChunk = 1 << 20

// Build hashes the first dataSize bytes of data (whole data blocks; a
// trailing partial block is ignored, as cryptsetup does) and writes the
// superblock and the hash tree at offset 0 of hash, HashSize(dataSize, p)
// bytes. It returns the root hash. The data is read in large chunks by one
// worker per core.
//
// When hash is also an io.ReaderAt (an *os.File), the tree is built in
// place: the leaf digests are written to hash as the data is hashed and
// each upper level is computed by reading the one below back in chunks, so
// memory stays a few MiB whatever dataSize is. Otherwise the whole area is
// built in memory and written in one WriteAt.
func Build(data io.ReaderAt, dataSize int64, hash io.WriterAt, p Params) ([32]byte, error) {
	t, err := treeFor(hash, dataSize, p)
	if err != nil {
		return [32]byte{}, err
	}
	if err := t.hashChunks([]blockRange{{0, t.g.dataBlocks}}, readFull(data)); err != nil {
		return [32]byte{}, err
	}
	return t.finish(hash)
}

// treeFor returns a tree built in place in hash if it can be read back,
// or in memory.
func treeFor(hash io.WriterAt, dataSize int64, p Params) (*tree, error) {
	if rw, ok := hash.(hashRW); ok {
		return newTreeIn(rw, dataSize, p)
	}
	return newTree(dataSize, p)
}

// blockRange is the data blocks [lo, hi).
type blockRange struct{ lo, hi int64 }

// readFull fills a buffer from data at off, or says why it cannot.
func readFull(data io.ReaderAt) func([]byte, int64) error {
	return func(b []byte, off int64) error {
		if n, err := data.ReadAt(b, off); n < len(b) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("reading verity data at %d: %w", off, err)
		}
		return nil
	}
}

// hashChunks fills the data blocks of the ranges with fill and puts their
// digests in the leaf level, one worker per core, in chunks of readChunk:
// in memory, or written to their place in the destination.
func (t *tree) hashChunks(ranges []blockRange, fill func(b []byte, off int64) error) error {
	bs := int64(t.p.DataBlockSize)
	per := int64(readChunk) / bs
	var chunks []blockRange
	for _, r := range ranges {
		for lo := r.lo; lo < r.hi; lo += per {
			chunks = append(chunks, blockRange{lo, min(lo+per, r.hi)})
		}
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			buf := make([]byte, per*bs)
			var dig []byte
			if t.inPlace() {
				dig = make([]byte, per*digestSize)
			}
			for !failed.Load() {
				c := next.Add(1) - 1
				if c >= int64(len(chunks)) {
					return
				}
				lo, hi := chunks[c].lo, chunks[c].hi
				b := buf[:(hi-lo)*bs]
				if err := fill(b, lo*bs); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
				if dig == nil {
					hashBlocks(h, t.p.Salt, b, int(bs), t.leaf[lo*digestSize:hi*digestSize])
					continue
				}
				d := dig[:(hi-lo)*digestSize]
				hashBlocks(h, t.p.Salt, b, int(bs), d)
				if err := t.writeAt(d, t.levelOffset(0)+lo*digestSize); err != nil {
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
