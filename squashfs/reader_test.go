package squashfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// image is a small squashfs reader for the tests: it decodes the
// superblock, inodes, directories (with their index), the export table
// and xattrs, which unsquashfs reads without showing, and checks what
// the kernel relies on as it goes.
type image struct {
	b  []byte
	sb superblock
}

func readImage(b []byte) (*image, error) {
	le := binary.LittleEndian
	if len(b) < superblockSize || le.Uint32(b) != magic {
		return nil, fmt.Errorf("no squashfs superblock")
	}
	im := &image{b: b}
	s := &im.sb
	s.inodes, s.mkfsTime, s.blockSize, s.fragments = le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:]), le.Uint32(b[16:])
	s.compression, s.blockLog, s.flags, s.ids = le.Uint16(b[20:]), le.Uint16(b[22:]), le.Uint16(b[24:]), le.Uint16(b[26:])
	v := make([]uint64, 8)
	for i := range v {
		v[i] = le.Uint64(b[32+8*i:])
	}
	s.rootInode, s.bytesUsed, s.idTable, s.xattrTable, s.inodeTable, s.dirTable, s.fragTable, s.lookupTable = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	if !(s.inodeTable < s.dirTable && s.dirTable <= s.fragTable && s.fragTable <= s.lookupTable && s.lookupTable <= s.idTable && s.idTable <= s.bytesUsed) {
		return nil, fmt.Errorf("tables out of order: %+v", s)
	}
	return im, nil
}

func (im *image) decompress(data []byte) ([]byte, error) {
	switch im.sb.compression {
	case compGzip:
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case compXZ:
		r, err := xz.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case compLZ4:
		out := make([]byte, maxBlockSize)
		n, err := lz4.UncompressBlock(data, out)
		return out[:n], err
	case compZstd:
		d, err := zstd.NewReader(nil)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return d.DecodeAll(data, nil)
	}
	return nil, fmt.Errorf("compression %d", im.sb.compression)
}

// metaBlock returns the uncompressed metadata block at pos and the
// position of the next one.
func (im *image) metaBlock(pos uint64) ([]byte, uint64, error) {
	if pos+2 > uint64(len(im.b)) {
		return nil, 0, fmt.Errorf("metadata block at %d past the end", pos)
	}
	h := binary.LittleEndian.Uint16(im.b[pos:])
	n := uint64(h &^ metaUncompressed)
	data := im.b[pos+2 : pos+2+n]
	next := pos + 2 + n
	if h&metaUncompressed != 0 {
		return data, next, nil
	}
	out, err := im.decompress(data)
	if err == nil && len(out) > metaSize {
		err = fmt.Errorf("metadata block at %d of %d bytes", pos, len(out))
	}
	return out, next, err
}

// metaReader reads a stream of metadata blocks from (block, offset).
type metaReader struct {
	im    *image
	table uint64
	next  uint64 // the next block, relative to table
	buf   []byte
}

func (im *image) metaAt(table uint64, block uint64, offset int) (*metaReader, error) {
	m := &metaReader{im: im, table: table, next: block}
	if err := m.fill(); err != nil {
		return nil, err
	}
	if offset > len(m.buf) {
		return nil, fmt.Errorf("offset %d past block of %d", offset, len(m.buf))
	}
	m.buf = m.buf[offset:]
	return m, nil
}

func (m *metaReader) fill() error {
	b, next, err := m.im.metaBlock(m.table + m.next)
	if err != nil {
		return err
	}
	m.buf, m.next = b, next-m.table
	return nil
}

func (m *metaReader) read(n int) ([]byte, error) {
	var out []byte
	for len(out) < n {
		if len(m.buf) == 0 {
			if err := m.fill(); err != nil {
				return nil, err
			}
		}
		k := min(n-len(out), len(m.buf))
		out = append(out, m.buf[:k]...)
		m.buf = m.buf[k:]
	}
	return out, nil
}

// table reads a table of fixed-size entries through its index.
func (im *image) table(start uint64, count, size int) ([]byte, error) {
	var out []byte
	for i := 0; len(out) < count*size; i++ {
		pos := binary.LittleEndian.Uint64(im.b[start+uint64(8*i):])
		b, _, err := im.metaBlock(pos)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out[:count*size], nil
}

// rinode is a decoded inode.
type rinode struct {
	typ, mode, uid, gid uint16
	mtime, ino, nlink   uint32
	xattr               uint32
	size                uint64
	target              string
	rdev                uint32
	// directories
	dirBlock  uint32
	dirOffset uint16
	parent    uint32
	index     []rindex
	// files
	sparse uint64
	frag   uint32
}

type rindex struct {
	offset, block uint32
	name          string
}

func (im *image) inode(ref inodeRef) (*rinode, error) {
	m, err := im.metaAt(im.sb.inodeTable, uint64(ref.block()), int(ref.offset()))
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	h, err := m.read(inodeBaseSize)
	if err != nil {
		return nil, err
	}
	n := &rinode{typ: le.Uint16(h), mode: le.Uint16(h[2:]), uid: le.Uint16(h[4:]), gid: le.Uint16(h[6:]),
		mtime: le.Uint32(h[8:]), ino: le.Uint32(h[12:]), xattr: noXattr, nlink: 1}
	u32 := func() uint32 {
		b, e := m.read(4)
		if e != nil {
			err = e
			return 0
		}
		return le.Uint32(b)
	}
	u64 := func() uint64 { lo := u32(); return uint64(lo) | uint64(u32())<<32 }
	switch n.typ {
	case typeDir:
		n.dirBlock, n.nlink = u32(), u32()
		x := u32()
		n.size, n.dirOffset = uint64(x&0xffff), uint16(x>>16)
		n.parent = u32()
	case typeDir + typeExtended:
		n.nlink, n.size, n.dirBlock, n.parent = u32(), uint64(u32()), u32(), u32()
		x := u32()
		count := x & 0xffff
		n.dirOffset = uint16(x >> 16)
		n.xattr = u32()
		for i := uint32(0); i < count && err == nil; i++ {
			e := rindex{offset: u32(), block: u32()}
			size := u32()
			b, e2 := m.read(int(size) + 1)
			if e2 != nil {
				return nil, e2
			}
			e.name = string(b)
			n.index = append(n.index, e)
		}
	case typeFile:
		u32() // start
		n.frag = u32()
		u32() // offset
		n.size = uint64(u32())
	case typeFile + typeExtended:
		u64() // start
		n.size, n.sparse = u64(), u64()
		n.nlink, n.frag = u32(), u32()
		u32() // offset
		n.xattr = u32()
	case typeSymlink, typeSymlink + typeExtended:
		n.nlink = u32()
		b, e := m.read(int(u32()))
		if e != nil {
			return nil, e
		}
		n.target = string(b)
		if n.typ > typeExtended {
			n.xattr = u32()
		}
	case typeBlockDev, typeCharDev, typeBlockDev + typeExtended, typeCharDev + typeExtended:
		n.nlink, n.rdev = u32(), u32()
		if n.typ > typeExtended {
			n.xattr = u32()
		}
	case typeFIFO, typeSocket, typeFIFO + typeExtended, typeSocket + typeExtended:
		n.nlink = u32()
		if n.typ > typeExtended {
			n.xattr = u32()
		}
	default:
		return nil, fmt.Errorf("inode type %d", n.typ)
	}
	return n, err
}

// rentry is a directory entry.
type rentry struct {
	name string
	ref  inodeRef
	ino  uint32
	typ  uint16
}

// readDir returns the entries of directory n and checks its index: each
// index point must be a header whose first name is the one indexed, in
// the block the index names.
func (im *image) readDir(n *rinode) ([]rentry, error) {
	if n.size < 3 {
		return nil, fmt.Errorf("directory size %d", n.size)
	}
	m, err := im.metaAt(im.sb.dirTable, uint64(n.dirBlock), int(n.dirOffset))
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	var out []rentry
	heads := map[uint32]string{}
	for pos := uint64(0); pos < n.size-3; {
		h, err := m.read(dirHeaderSize)
		if err != nil {
			return nil, err
		}
		start := uint32(pos)
		pos += dirHeaderSize
		count, block, base := le.Uint32(h)+1, le.Uint32(h[4:]), le.Uint32(h[8:])
		if count > dirHeaderMax {
			return nil, fmt.Errorf("directory header of %d entries", count)
		}
		for i := uint32(0); i < count; i++ {
			e, err := m.read(dirEntrySize)
			if err != nil {
				return nil, err
			}
			name, err := m.read(int(le.Uint16(e[6:])) + 1)
			if err != nil {
				return nil, err
			}
			pos += dirEntrySize + uint64(len(name))
			if i == 0 {
				heads[start] = string(name)
			}
			out = append(out, rentry{name: string(name), ref: makeRef(int64(block), int(le.Uint16(e))),
				ino: uint32(int64(base) + int64(int16(le.Uint16(e[2:])))), typ: le.Uint16(e[4:])})
		}
	}
	for _, x := range n.index {
		if heads[x.offset] != x.name {
			return nil, fmt.Errorf("index point at %d names %q, the header there starts with %q", x.offset, x.name, heads[x.offset])
		}
		// The block the index names holds the header's first byte.
		abs := int(n.dirOffset) + int(x.offset)
		mr, err := im.metaAt(im.sb.dirTable, uint64(x.block), abs%metaSize)
		if err != nil {
			return nil, fmt.Errorf("index point %q: %w", x.name, err)
		}
		h, err := mr.read(dirHeaderSize + dirEntrySize)
		if err != nil {
			return nil, err
		}
		nameLen := int(le.Uint16(h[dirHeaderSize+6:])) + 1
		name, err := mr.read(nameLen)
		if err != nil || string(name) != x.name {
			return nil, fmt.Errorf("index point %q: block %d offset %d holds %q (%v)", x.name, x.block, abs%metaSize, name, err)
		}
	}
	return out, nil
}

// xattrs returns the attributes of xattr id id as "name=value".
func (im *image) xattrs(id uint32) ([]string, error) {
	if id == noXattr {
		return nil, nil
	}
	le := binary.LittleEndian
	hdr := im.b[im.sb.xattrTable:]
	kvStart, count := le.Uint64(hdr), le.Uint32(hdr[8:])
	if id >= count {
		return nil, fmt.Errorf("xattr id %d of %d", id, count)
	}
	ids, err := im.table(im.sb.xattrTable+xattrTableHdr, int(count), xattrIDSize)
	if err != nil {
		return nil, err
	}
	e := ids[xattrIDSize*id:]
	ref, n := inodeRef(le.Uint64(e)), le.Uint32(e[8:])
	m, err := im.metaAt(kvStart, uint64(ref.block()), int(ref.offset()))
	if err != nil {
		return nil, err
	}
	var out []string
	for i := uint32(0); i < n; i++ {
		h, err := m.read(xattrEntrySize)
		if err != nil {
			return nil, err
		}
		typ := le.Uint16(h)
		name, err := m.read(int(le.Uint16(h[2:])))
		if err != nil {
			return nil, err
		}
		vs, err := m.read(xattrValSize)
		if err != nil {
			return nil, err
		}
		val, err := m.read(int(le.Uint32(vs)))
		if err != nil {
			return nil, err
		}
		if typ&xattrOutOfLine != 0 {
			r := inodeRef(le.Uint64(val))
			om, err := im.metaAt(kvStart, uint64(r.block()), int(r.offset()))
			if err != nil {
				return nil, err
			}
			vs, err := om.read(xattrValSize)
			if err != nil {
				return nil, err
			}
			if val, err = om.read(int(le.Uint32(vs))); err != nil {
				return nil, err
			}
		}
		out = append(out, xattrPrefixes[typ&0xff]+string(name)+"="+string(val))
	}
	return out, nil
}
