package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// dirent is a name in a directory (without "." and "..").
type dirent struct {
	name        string
	ino         uint32
	ft          uint8
	hash, minor uint32
}

func recLen(nameLen int) int { return (8 + nameLen + 3) &^ 3 }

// dirLayout places a directory's entries into blocks. A directory that fits
// one block is linear; a larger one is an htree (dir_index) with the leaves
// in hash order, one index level when the root's 507 slots do not suffice.
type dirLayout struct {
	ents   []dirent // linear: name order; htree: hash order
	leaves []int    // htree: index into ents where each leaf starts
	htree  bool
	levels int // htree indirect levels (0 or 1)
	nIndex int // index node blocks (levels == 1)
	blocks int // total blocks
}

const leafSpace = blockSize - dirTailSize

func layoutDir(ents []dirent, minBlocks int, seed [4]uint32) *dirLayout {
	used := 24 // "." and ".."
	for _, e := range ents {
		used += recLen(len(e.name))
	}
	if used <= leafSpace {
		return &dirLayout{ents: ents, blocks: max(1, minBlocks)}
	}
	l := &dirLayout{ents: ents, htree: true}
	for i := range l.ents {
		l.ents[i].hash, l.ents[i].minor = dirHash(l.ents[i].name, seed)
	}
	sort.Slice(l.ents, func(i, j int) bool {
		a, b := &l.ents[i], &l.ents[j]
		if a.hash != b.hash {
			return a.hash < b.hash
		}
		if a.minor != b.minor {
			return a.minor < b.minor
		}
		return a.name < b.name
	})
	fill := leafSpace
	for i, e := range l.ents {
		r := recLen(len(e.name))
		if fill+r > leafSpace {
			l.leaves = append(l.leaves, i)
			fill = 0
		}
		fill += r
	}
	nl := len(l.leaves)
	if nl > dxRootLimit {
		l.levels = 1
		l.nIndex = (nl + dxNodeLimit - 1) / dxNodeLimit
	}
	l.blocks = 1 + l.nIndex + nl
	return l
}

// check reports directories beyond what two htree levels can index.
func (l *dirLayout) check() error {
	if l.htree && l.nIndex > dxRootLimit {
		return fmt.Errorf("%d directory entries: more than an htree of depth 2 holds", len(l.ents))
	}
	return nil
}

// leafHash is the hash an index entry records for leaf i: the hash of its
// first entry, with the low bit set when it continues a run of equal hashes
// from the previous leaf.
func (l *dirLayout) leafHash(i int) uint32 {
	first := l.ents[l.leaves[i]]
	h := first.hash
	if i > 0 && l.ents[l.leaves[i]-1].hash == h {
		h |= 1
	}
	return h
}

func (l *dirLayout) leafEnts(i int) []dirent {
	end := len(l.ents)
	if i+1 < len(l.leaves) {
		end = l.leaves[i+1]
	}
	return l.ents[l.leaves[i]:end]
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
		r := recLen(len(e.name))
		putDirent(b[off:], e.ino, r, e.name, e.ft)
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
	if !l.htree {
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
	nl := len(l.leaves)
	firstLeaf := uint32(1 + l.nIndex)
	// Root: fake "." and "..", dx_root_info, then entries.
	clear(b)
	putDirent(b[0:], self, 12, ".", ftDir)
	putDirent(b[12:], parent, blockSize-12, "..", ftDir)
	b[24+4] = hashHalfMD4
	b[24+5] = 8
	b[24+6] = uint8(l.levels)
	var hashes, blocks []uint32
	if l.levels == 0 {
		for i := 0; i < nl; i++ {
			hashes = append(hashes, l.leafHash(i))
			blocks = append(blocks, firstLeaf+uint32(i))
		}
	} else {
		for j := 0; j < l.nIndex; j++ {
			hashes = append(hashes, l.leafHash(j*dxNodeLimit))
			blocks = append(blocks, 1+uint32(j))
		}
	}
	w.putDx(b, 32, dxRootLimit, hashes, blocks)
	if err := emit(b); err != nil {
		return err
	}
	for j := 0; j < l.nIndex; j++ {
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
