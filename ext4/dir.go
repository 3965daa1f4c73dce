package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/gorepart/gorepart/fstree"
)

// dirent is a name in a directory (without "." and ".."): the content
// tree's entry, which holds the name and the file type, and the inode
// number it got.
type dirent struct {
	e   *fstree.Entry
	ino uint32
}

func (d dirent) name() string { return d.e.Name }
func (d dirent) ft() uint8    { return fileType(d.e.Inode.Kind) }

func recLen(nameLen int) int { return (8 + nameLen + 3) &^ 3 }

// dirLayout places a directory's entries into blocks. A directory that fits
// one block is linear; a larger one is an htree (dir_index) with the leaves
// in hash order, one index level when the root's 507 slots do not suffice.
type dirLayout struct {
	ents   []dirent // linear: name order; htree: hash order
	ht     *htree   // nil for a linear directory
	blocks int      // total blocks
}

// htree is the index of a large directory.
type htree struct {
	hashes []uint32 // of ents, in hash order
	leaves []int32  // index into ents where each leaf starts
	levels int      // indirect levels (0 or 1)
	nIndex int      // index node blocks (levels == 1)
}

const leafSpace = blockSize - dirTailSize

func layoutDir(ents []dirent, minBlocks int, seed [4]uint32) *dirLayout {
	used := 24 // "." and ".."
	for _, e := range ents {
		used += recLen(len(e.name()))
	}
	if used <= leafSpace {
		return &dirLayout{ents: ents, blocks: max(1, minBlocks)}
	}
	type hashed struct {
		d           dirent
		hash, minor uint32
	}
	hs := make([]hashed, len(ents))
	for i, e := range ents {
		hs[i].d = e
		hs[i].hash, hs[i].minor = dirHash(e.name(), seed)
	}
	sort.Slice(hs, func(i, j int) bool {
		a, b := &hs[i], &hs[j]
		if a.hash != b.hash {
			return a.hash < b.hash
		}
		if a.minor != b.minor {
			return a.minor < b.minor
		}
		return a.d.name() < b.d.name()
	})
	h := &htree{hashes: make([]uint32, len(ents))}
	l := &dirLayout{ents: ents, ht: h}
	fill := leafSpace
	for i, x := range hs {
		ents[i], h.hashes[i] = x.d, x.hash
		r := recLen(len(x.d.name()))
		if fill+r > leafSpace {
			h.leaves = append(h.leaves, int32(i))
			fill = 0
		}
		fill += r
	}
	nl := len(h.leaves)
	if nl > dxRootLimit {
		h.levels = 1
		h.nIndex = (nl + dxNodeLimit - 1) / dxNodeLimit
	}
	l.blocks = 1 + h.nIndex + nl
	return l
}

// check reports directories beyond what two htree levels can index.
func (l *dirLayout) check() error {
	if l.ht != nil && l.ht.nIndex > dxRootLimit {
		return fmt.Errorf("%d directory entries: more than an htree of depth 2 holds", len(l.ents))
	}
	return nil
}

// leafHash is the hash an index entry records for leaf i: the hash of its
// first entry, with the low bit set when it continues a run of equal hashes
// from the previous leaf.
func (l *dirLayout) leafHash(i int) uint32 {
	first := l.ht.leaves[i]
	h := l.ht.hashes[first]
	if i > 0 && l.ht.hashes[first-1] == h {
		h |= 1
	}
	return h
}

func (l *dirLayout) leafEnts(i int) []dirent {
	end := len(l.ents)
	if i+1 < len(l.ht.leaves) {
		end = int(l.ht.leaves[i+1])
	}
	return l.ents[l.ht.leaves[i]:end]
}

// dirBlockWriter encodes the blocks of one directory.
type dirBlockWriter struct {
	seed uint32 // inode checksum seed
}

func putDirent(b []byte, ino uint32, rec int, name string, ft uint8) {
	binary.LittleEndian.PutUint32(b[0:], ino)
	binary.LittleEndian.PutUint16(b[4:], uint16(rec))
	b[6] = uint8(len(name))
	b[7] = ft
	copy(b[8:], name)
}

// putLeaf writes entries into a leaf block (after "." and ".." when dots),
// the last one stretched to the checksum tail, and the tail.
func (w dirBlockWriter) putLeaf(b []byte, ents []dirent, dots *[2]uint32) {
	clear(b)
	off := 0
	last := -1
	if dots != nil {
		putDirent(b[0:], dots[0], 12, ".", ftDir)
		putDirent(b[12:], dots[1], 12, "..", ftDir)
		last, off = 12, 24
	}
	for _, e := range ents {
		r := recLen(len(e.name()))
		putDirent(b[off:], e.ino, r, e.name(), e.ft())
		last = off
		off += r
	}
	if last < 0 {
		putDirent(b[0:], 0, leafSpace, "", 0)
	} else {
		binary.LittleEndian.PutUint16(b[last+4:], uint16(leafSpace-last))
	}
	t := b[leafSpace:]
	binary.LittleEndian.PutUint16(t[4:], dirTailSize)
	t[7] = dirTailType
	binary.LittleEndian.PutUint32(t[8:], crc32c(w.seed, b[:leafSpace]))
}

// putDx writes count/limit and the entries of an index block starting at
// off, and its dx_tail checksum.
func (w dirBlockWriter) putDx(b []byte, off, limit int, hashes []uint32, blocks []uint32) {
	binary.LittleEndian.PutUint16(b[off:], uint16(limit))
	binary.LittleEndian.PutUint16(b[off+2:], uint16(len(blocks)))
	binary.LittleEndian.PutUint32(b[off+4:], blocks[0])
	for i := 1; i < len(blocks); i++ {
		binary.LittleEndian.PutUint32(b[off+8*i:], hashes[i])
		binary.LittleEndian.PutUint32(b[off+8*i+4:], blocks[i])
	}
	tail := off + 8*limit
	csum := crc32c(w.seed, b[:off+8*len(blocks)])
	csum = crc32c(csum, b[tail:tail+4])
	csum = crc32c(csum, []byte{0, 0, 0, 0})
	binary.LittleEndian.PutUint32(b[tail+4:], csum)
}

// encode calls emit for each block of the directory in logical order,
// encoding into b (one block, reused).
func (w dirBlockWriter) encode(l *dirLayout, self, parent uint32, b []byte, emit func([]byte) error) error {
	dots := [2]uint32{self, parent}
	if l.ht == nil {
		w.putLeaf(b, l.ents, &dots)
		if err := emit(b); err != nil {
			return err
		}
		for i := 1; i < l.blocks; i++ {
			w.putLeaf(b, nil, nil)
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	}
	h := l.ht
	nl := len(h.leaves)
	firstLeaf := uint32(1 + h.nIndex)
	// Root: fake "." and "..", dx_root_info, then entries.
	clear(b)
	putDirent(b[0:], self, 12, ".", ftDir)
	putDirent(b[12:], parent, blockSize-12, "..", ftDir)
	b[24+4] = hashHalfMD4
	b[24+5] = 8
	b[24+6] = uint8(h.levels)
	var hashes, blocks []uint32
	if h.levels == 0 {
		for i := 0; i < nl; i++ {
			hashes = append(hashes, l.leafHash(i))
			blocks = append(blocks, firstLeaf+uint32(i))
		}
	} else {
		for j := 0; j < h.nIndex; j++ {
			hashes = append(hashes, l.leafHash(j*dxNodeLimit))
			blocks = append(blocks, 1+uint32(j))
		}
	}
	w.putDx(b, 32, dxRootLimit, hashes, blocks)
	if err := emit(b); err != nil {
		return err
	}
	for j := 0; j < h.nIndex; j++ {
		clear(b)
		binary.LittleEndian.PutUint16(b[4:], blockSize) // fake empty dirent
		hashes, blocks = hashes[:0], blocks[:0]
		for i := j * dxNodeLimit; i < min(nl, (j+1)*dxNodeLimit); i++ {
			hashes = append(hashes, l.leafHash(i))
			blocks = append(blocks, firstLeaf+uint32(i))
		}
		w.putDx(b, 8, dxNodeLimit, hashes, blocks)
		if err := emit(b); err != nil {
			return err
		}
	}
	for i := 0; i < nl; i++ {
		w.putLeaf(b, l.leafEnts(i), nil)
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}
