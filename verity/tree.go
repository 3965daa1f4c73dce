package verity

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
)

// tree is a hash area being built: the superblock block followed by the
// levels, laid out exactly as they are written. It lives either in memory
// (area) or in place in its destination (rw, see inplace.go).
type tree struct {
	p    Params
	g    geometry
	area []byte   // the whole hash area, g.totalBytes long; nil in place
	leaf []byte   // where the data block digests go: level 0, or single
	one  [32]byte // the only leaf digest when there is a single data block
	rw   hashRW   // the destination the area is built in, or nil
}

// hashRW is a hash destination that can be read back, so that the tree can
// be built in it instead of in memory.
type hashRW interface {
	io.WriterAt
	io.ReaderAt
}

// checkSize refuses parameters and data sizes that Build refuses.
func checkSize(dataSize int64, p Params) error {
	if err := p.check(); err != nil {
		return err
	}
	if dataSize < int64(p.DataBlockSize) {
		return fmt.Errorf("verity data of %d bytes: need at least one %d-byte data block", dataSize, p.DataBlockSize)
	}
	return nil
}

// newTree returns a tree built in memory.
func newTree(dataSize int64, p Params) (*tree, error) {
	if err := checkSize(dataSize, p); err != nil {
		return nil, err
	}
	g := newGeometry(dataSize, p)
	if g.totalBytes > int64(^uint(0)>>1) {
		return nil, fmt.Errorf("verity hash area of %d bytes does not fit in memory", g.totalBytes)
	}
	t := &tree{p: p, g: g, area: make([]byte, g.totalBytes)}
	sb := superblock(p, uint64(g.dataBlocks))
	copy(t.area, sb[:])
	if len(g.levelSize) > 0 {
		t.leaf = t.level(0)
	} else {
		t.leaf = t.one[:]
	}
	return t, nil
}

// level returns the bytes of hash level i (0 = digests of the data blocks).
func (t *tree) level(i int) []byte {
	hbs := int64(t.p.HashBlockSize)
	start := t.g.levelBlock[i] * hbs
	return t.area[start : start+t.g.levelSize[i]*hbs]
}

// hashBlocks writes sha256(salt ‖ block) of every bs-sized block of src into
// dst, 32 bytes each.
func hashBlocks(h hash.Hash, salt, src []byte, bs int, dst []byte) {
	for off, k := 0, 0; off+bs <= len(src); off, k = off+bs, k+digestSize {
		h.Reset()
		h.Write(salt)
		h.Write(src[off : off+bs])
		h.Sum(dst[k:k])
	}
}

// hashParallel hashes the bs-sized blocks of an in-memory src into dst on
// all cores.
func hashParallel(salt, src []byte, bs int, dst []byte) {
	blocks := len(src) / bs
	workers := min(runtime.GOMAXPROCS(0), max(1, blocks/64))
	per := (blocks + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, blocks)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashBlocks(sha256.New(), salt, src[lo*bs:hi*bs], bs, dst[lo*digestSize:hi*digestSize])
		}()
	}
	wg.Wait()
}

// finish hashes the upper levels once the leaf digests are in place, writes
// the area at offset 0 of w and returns the root hash. A tree built in
// place is finished in its destination and w is not used.
func (t *tree) finish(w io.WriterAt) ([32]byte, error) {
	if t.rw != nil {
		return t.finishInPlace()
	}
	hbs := t.p.HashBlockSize
	for i := 1; i < len(t.g.levelSize); i++ {
		hashParallel(t.p.Salt, t.level(i-1), hbs, t.level(i))
	}
	root := t.root()
	if err := t.write(w); err != nil {
		return [32]byte{}, err
	}
	return root, nil
}

// root is the root hash once every level is in memory.
func (t *tree) root() [32]byte {
	hbs := t.p.HashBlockSize
	root := t.one
	if top := len(t.g.levelSize) - 1; top >= 0 {
		hashBlocks(sha256.New(), t.p.Salt, t.level(top), hbs, root[:])
	}
	return root
}

// write writes the in-memory area at offset 0 of w.
func (t *tree) write(w io.WriterAt) error {
	if _, err := w.WriteAt(t.area, 0); err != nil {
		return fmt.Errorf("writing verity hash area: %w", err)
	}
	return nil
}
