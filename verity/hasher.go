package verity

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Hasher builds a hash tree from data written to it in order, so that the
// tree can be computed while the data partition is being written, without
// reading it back. Full chunks are hashed in the background on all cores
// while the writer produces the next ones. The first error sticks. The
// whole tree (about 1/127 of the data size) is kept in memory until
// Finish writes it.
//
//	h, err := verity.NewHasher(p, size)
//	io.Copy(io.MultiWriter(partition, h), source)
//	root, err := h.Finish(hashPartition)
type Hasher struct {
	t        *tree
	dataSize int64
	hashable int64 // bytes that belong to whole data blocks
	written  int64

	cur   []byte      // chunk being filled
	start int64       // data block index of cur[0]
	free  chan []byte // chunk buffers not in use; bounds the work in flight
	wg    sync.WaitGroup
	err   error
}

// NewHasher returns a Hasher expecting exactly dataSize bytes.
func NewHasher(p Params, dataSize int64) (*Hasher, error) {
	t, err := newTree(dataSize, p)
	if err != nil {
		return nil, err
	}
	n := runtime.GOMAXPROCS(0) + 2
	h := &Hasher{
		t:        t,
		dataSize: dataSize,
		hashable: t.g.dataBlocks * int64(p.DataBlockSize),
		free:     make(chan []byte, n),
	}
	for range n {
		h.free <- make([]byte, 0, readChunk)
	}
	return h, nil
}

// Write accepts the next bytes of data. It returns an error if more than
// dataSize bytes are written.
func (h *Hasher) Write(b []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	if int64(len(b)) > h.dataSize-h.written {
		h.err = fmt.Errorf("hashing verity data: more than the %d bytes announced", h.dataSize)
		return 0, h.err
	}
	n := len(b)
	if rest := h.hashable - h.written; int64(len(b)) > rest {
		b = b[:max(rest, 0)] // the trailing partial block is not hashed
	}
	h.written += int64(n)
	for len(b) > 0 {
		if h.cur == nil {
			h.cur = <-h.free
		}
		k := copy(h.cur[len(h.cur):cap(h.cur)], b)
		h.cur = h.cur[:len(h.cur)+k]
		b = b[k:]
		if len(h.cur) == cap(h.cur) {
			h.dispatch()
		}
	}
	return n, nil
}

// dispatch hashes the current chunk in the background.
func (h *Hasher) dispatch() {
	buf, first := h.cur, h.start
	bs := h.t.p.DataBlockSize
	h.start += int64(len(buf) / bs)
	h.cur = nil
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		dst := h.t.leaf[first*digestSize : (first+int64(len(buf)/bs))*digestSize]
		hashBlocks(sha256.New(), h.t.p.Salt, buf, bs, dst)
		h.free <- buf[:0]
	}()
}

// Finish waits for the data hashing, hashes the upper levels, writes the
// superblock and tree at offset 0 of hash and returns the root hash. It
// fails if fewer than dataSize bytes were written.
func (h *Hasher) Finish(hash io.WriterAt) ([32]byte, error) {
	if h.err == nil && h.written != h.dataSize {
		h.err = fmt.Errorf("hashing verity data: got %d of %d bytes", h.written, h.dataSize)
	}
	if len(h.cur) > 0 {
		h.dispatch()
	}
	h.wg.Wait()
	if h.err != nil {
		return [32]byte{}, h.err
	}
	h.err = errors.New("verity hasher already finished")
	return h.t.finish(hash)
}
