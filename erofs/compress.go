package erofs

import (
	"encoding/binary"
	"fmt"
)

// destSizer compresses the longest prefix of src that fits in limit bytes.
// reset forgets what earlier calls learnt (the guess of the input size),
// so that a segment's result does not depend on which worker ran before.
type destSizer interface {
	destSize(src []byte, limit int) (n int, out []byte, err error)
	reset()
}

func newDestSizer(p *Params) (destSizer, uint8, error) {
	switch p.Compression {
	case "lz4":
		return newLZ4(false, p.CompressionLevel), algLZ4, nil
	case "lz4hc":
		return newLZ4(true, p.CompressionLevel), algLZ4, nil
	case "zstd":
		z, err := newZstd(p.CompressionLevel)
		return z, algZstd, err
	}
	return nil, 0, fmt.Errorf("unsupported compression %q", p.Compression)
}

// extent is one physical cluster of a compressed file: len bytes of the
// file stored in one block, compressed or (raw) as they are.
type extent struct {
	len int
	raw bool
	blk uint32
}

// compressSegment cuts data into extents as mkfs.erofs does: up to one
// block of remaining data is stored raw; otherwise the longest prefix that
// compresses into one block is used if it is longer than a block (it saves
// a block), else one raw block. It returns the extents and their blocks.
func compressSegment(c destSizer, data, blocks []byte) ([]extent, []byte, error) {
	var exts []extent
	blocks = blocks[:0]
	c.reset()
	for pos := 0; pos < len(data); {
		rem := len(data) - pos
		if rem > blockSize {
			n, out, err := c.destSize(data[pos:pos+min(rem, maxExtentInput)], blockSize)
			if err != nil {
				return nil, nil, err
			}
			if n > blockSize {
				var blk [blockSize]byte
				copy(blk[blockSize-len(out):], out) // 0padding: data ends at the block end
				blocks = append(blocks, blk[:]...)
				exts = append(exts, extent{len: n})
				pos += n
				continue
			}
		}
		n := min(rem, blockSize)
		var blk [blockSize]byte
		copy(blk[:], data[pos:pos+n])
		blocks = append(blocks, blk[:]...)
		exts = append(exts, extent{len: n, raw: true})
		pos += n
	}
	return exts, blocks, nil
}

// buildIndex encodes the map header and the full (8-byte) lcluster indexes
// of a file made of exts, as erofs-utils' vle_write_indexes does: the
// lcluster where an extent starts holds a HEAD (or PLAIN for raw) index
// with the offset and block, the following ones NONHEAD indexes with the
// distances back to the head and on to the next head; a last partial
// lcluster in which no extent starts gets a PLAIN index at the file end.
func buildIndex(exts []extent, size uint64, alg uint8) ([]byte, error) {
	ncl := int((size + blockSize - 1) / blockSize)
	b := make([]byte, mapHeaderSize+legacyHeaderPadding, mapHeaderSize+legacyHeaderPadding+ncl*indexSize)
	b[6] = alg // h_algorithmtype; h_clusterbits 0: 4 KiB lclusters
	put := func(typ int, clusterofs int, u uint32) {
		var di [indexSize]byte
		binary.LittleEndian.PutUint16(di[0:], uint16(typ))
		binary.LittleEndian.PutUint16(di[2:], uint16(clusterofs))
		binary.LittleEndian.PutUint32(di[4:], u)
		b = append(b, di[:]...)
	}
	clusterofs := 0
	for _, e := range exts {
		head := clusterTypeHead
		if e.raw {
			head = clusterTypePlain
		}
		count := e.len
		d1 := (clusterofs + count) / blockSize
		if d1 == 0 {
			put(head, clusterofs, e.blk)
			clusterofs = 0
			continue
		}
		ofs := clusterofs
		for d0 := 0; ; d0++ {
			if d0 == 0 {
				put(head, ofs, e.blk)
			} else {
				put(clusterTypeNonHead, ofs, uint32(min(d0, d0CblkCnt-1))|uint32(d1)<<16)
			}
			count -= blockSize - clusterofs
			clusterofs = 0
			d1--
			if count < blockSize {
				break
			}
		}
		clusterofs = count
	}
	if clusterofs != 0 {
		put(clusterTypePlain, clusterofs, 0)
	}
	if len(b) != mapHeaderSize+legacyHeaderPadding+ncl*indexSize {
		return nil, fmt.Errorf("internal error: %d lcluster indexes for %d lclusters", (len(b)-16)/indexSize, ncl)
	}
	return b, nil
}
