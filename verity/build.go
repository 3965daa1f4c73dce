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
// bytes in one write. It returns the root hash. The data is read in large
// chunks by one worker per core.
func Build(data io.ReaderAt, dataSize int64, hash io.WriterAt, p Params) ([32]byte, error) {
	t, err := newTree(dataSize, p)
	if err != nil {
		return [32]byte{}, err
	}
	bs := int64(p.DataBlockSize)
	chunkBlocks := int64(readChunk) / bs
	chunks := (t.g.dataBlocks + chunkBlocks - 1) / chunkBlocks
	workers := min(int64(runtime.GOMAXPROCS(0)), chunks)

	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			buf := make([]byte, chunkBlocks*bs)
			for !failed.Load() {
				c := next.Add(1) - 1
				if c >= chunks {
					return
				}
				lo := c * chunkBlocks
				hi := min(lo+chunkBlocks, t.g.dataBlocks)
				b := buf[:(hi-lo)*bs]
				if n, err := data.ReadAt(b, lo*bs); n < len(b) {
					if err == nil || err == io.EOF {
						err = io.ErrUnexpectedEOF
					}
					errOnce.Do(func() { first = fmt.Errorf("reading verity data at %d: %w", lo*bs, err) })
					failed.Store(true)
					return
				}
				hashBlocks(h, p.Salt, b, int(bs), t.leaf[lo*digestSize:hi*digestSize])
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return [32]byte{}, first
	}
	return t.finish(hash)
}
