package verity

import (
	"fmt"
	"io"
)

// CopyAndBuild copies srcSize bytes from src to dst (both at offset 0) and
// builds the tree over the first dataSize bytes of the result, reading each
// chunk once, on all cores: what a CopyBlocks= data partition with a verity
// sibling needs. The bytes in [srcSize, dataSize) are hashed as zeros and not
// written, as in a new image file whose partition is larger than its
// CopyBlocks= source. It writes the superblock and tree at offset 0 of hash
// and returns the root hash. Like Build, it builds the tree in place when
// hash can be read back.
func CopyAndBuild(dst io.WriterAt, src io.ReaderAt, srcSize, dataSize int64, hash io.WriterAt, p Params) ([32]byte, error) {
	if srcSize < 0 || srcSize > dataSize {
		return [32]byte{}, fmt.Errorf("copying %d bytes into %d bytes of verity data", srcSize, dataSize)
	}
	t, err := treeFor(hash, dataSize, p)
	if err != nil {
		return [32]byte{}, err
	}
	read := readFull(src)
	copyChunk := func(b []byte, off int64) error {
		n := max(min(int64(len(b)), srcSize-off), 0)
		if err := read(b[:n], off); err != nil {
			return err
		}
		clear(b[n:])
		if n == 0 {
			return nil
		}
		if _, err := dst.WriteAt(b[:n], off); err != nil {
			return fmt.Errorf("writing verity data at %d: %w", off, err)
		}
		return nil
	}
	if err := t.hashChunks([]blockRange{{0, t.g.dataBlocks}}, copyChunk); err != nil {
		return [32]byte{}, err
	}
	// A trailing partial block of the source is copied but not hashed.
	if hashed := t.g.dataBlocks * int64(p.DataBlockSize); srcSize > hashed {
		if err := copyChunk(make([]byte, srcSize-hashed), hashed); err != nil {
			return [32]byte{}, err
		}
	}
	return t.finish(hash)
}
