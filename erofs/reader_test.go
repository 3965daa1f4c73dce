package erofs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// testReader is a small EROFS reader written from the format description,
// independent of the writer's code paths, for images the other readers
// cannot read (go-erofs reads no compressed images; Debian's fsck.erofs 1.5
// no zstd). It checks structure strictly: the superblock checksum, dirents
// sorted with "." and "..", lcluster indexes consistent with the extents.
type testReader struct {
	img       []byte
	metaBlk   uint64
	xattrBlk  uint64
	rootNid   uint64
	buildTime uint64
	buildNs   uint32
	incompat  uint32
}

type rInode struct {
	nid      uint64
	mode     uint16
	uid, gid uint32
	mtime    uint64
	mtimeNs  uint32
	nlink    uint32
	size     uint64
	iu       uint32
	layout   int
	isize    int
	xsize    int
	xattrs   map[string]string
}

func newTestReader(img []byte) (*testReader, error) {
	if len(img) < blockSize || len(img)%blockSize != 0 {
		return nil, fmt.Errorf("image size %d", len(img))
	}
	sb := img[superOffset:]
	le := binary.LittleEndian
	if le.Uint32(sb) != superMagic {
		return nil, errors.New("bad magic")
	}
	if sb[12] != blockBits {
		return nil, fmt.Errorf("block bits %d", sb[12])
	}
	blk0 := append([]byte(nil), img[superOffset:blockSize]...)
	want := le.Uint32(blk0[4:])
	le.PutUint32(blk0[4:], 0)
	if got := ^crc32.Checksum(blk0, crc32.MakeTable(crc32.Castagnoli)); got != want || le.Uint32(sb[8:])&featureCompatSBChecksum == 0 {
		return nil, fmt.Errorf("superblock checksum %08x, stored %08x", got, want)
	}
	if blocks := le.Uint32(sb[36:]); int(blocks)*blockSize != len(img) {
		return nil, fmt.Errorf("superblock says %d blocks, image has %d", blocks, len(img)/blockSize)
	}
	return &testReader{img: img, metaBlk: uint64(le.Uint32(sb[40:])), xattrBlk: uint64(le.Uint32(sb[44:])),
		rootNid: uint64(le.Uint16(sb[14:])), buildTime: le.Uint64(sb[24:]), buildNs: le.Uint32(sb[32:]),
		incompat: le.Uint32(sb[80:])}, nil
}

func (r *testReader) at(off uint64, n int) ([]byte, error) {
	if off+uint64(n) > uint64(len(r.img)) {
		return nil, fmt.Errorf("read of %d bytes at %d beyond the image", n, off)
	}
	return r.img[off : off+uint64(n)], nil
}

func (r *testReader) iloc(nid uint64) uint64 { return r.metaBlk*blockSize + nid*32 }

func (r *testReader) inode(nid uint64) (*rInode, error) {
	le := binary.LittleEndian
	b, err := r.at(r.iloc(nid), 32)
	if err != nil {
		return nil, err
	}
	fmtv := le.Uint16(b)
	in := &rInode{nid: nid, layout: int(fmtv>>1) & 7, mode: le.Uint16(b[4:])}
	if fmtv&^0xF != 0 {
		return nil, fmt.Errorf("nid %d: i_format %#x", nid, fmtv)
	}
	icount := int(le.Uint16(b[2:]))
	if fmtv&1 == 1 {
		if b, err = r.at(r.iloc(nid), 64); err != nil {
			return nil, err
		}
		in.isize = 64
		in.size = le.Uint64(b[8:])
		in.iu = le.Uint32(b[16:])
		in.uid, in.gid = le.Uint32(b[24:]), le.Uint32(b[28:])
		in.mtime, in.mtimeNs = le.Uint64(b[32:]), le.Uint32(b[40:])
		in.nlink = le.Uint32(b[44:])
	} else {
		in.isize = 32
		in.nlink = uint32(le.Uint16(b[6:]))
		in.size = uint64(le.Uint32(b[8:]))
		in.iu = le.Uint32(b[16:])
		in.uid, in.gid = uint32(le.Uint16(b[24:])), uint32(le.Uint16(b[26:]))
		in.mtime, in.mtimeNs = r.buildTime, r.buildNs
	}
	if icount > 0 {
		in.xsize = 12 + 4*(icount-1)
	}
	in.xattrs, err = r.readXattrs(in)
	return in, err
}

var prefixByIndex = func() map[uint8]string {
	m := map[uint8]string{}
	for _, p := range xattrPrefixes {
		m[p.index] = p.prefix
	}
	return m
}()

func (r *testReader) readXattrs(in *rInode) (map[string]string, error) {
	if in.xsize == 0 {
		return nil, nil
	}
	body, err := r.at(r.iloc(in.nid)+uint64(in.isize), in.xsize)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	entry := func(b []byte) (int, error) {
		if len(b) < 4 {
			return 0, errors.New("short xattr entry")
		}
		nl, idx, vl := int(b[0]), b[1], int(binary.LittleEndian.Uint16(b[2:]))
		if len(b) < 4+nl+vl {
			return 0, errors.New("xattr entry overflows")
		}
		p, ok := prefixByIndex[idx]
		if !ok {
			return 0, fmt.Errorf("xattr prefix index %d", idx)
		}
		m[p+string(b[4:4+nl])] = string(b[4+nl : 4+nl+vl])
		return roundUp(4+nl+vl, 4), nil
	}
	shared := int(body[4])
	p := 12
	for i := 0; i < shared; i++ {
		id := binary.LittleEndian.Uint32(body[p:])
		p += 4
		b, err := r.at(r.xattrBlk*blockSize+uint64(id)*4, 4)
		if err != nil {
			return nil, err
		}
		sz := 4 + int(b[0]) + int(binary.LittleEndian.Uint16(b[2:]))
		if b, err = r.at(r.xattrBlk*blockSize+uint64(id)*4, sz); err != nil {
			return nil, err
		}
		if _, err := entry(b); err != nil {
			return nil, err
		}
	}
	for p < len(body) {
		n, err := entry(body[p:])
		if err != nil {
			return nil, fmt.Errorf("nid %d: %w", in.nid, err)
		}
		p += n
	}
	return m, nil
}

// data returns the content of an inode.
func (r *testReader) data(in *rInode) ([]byte, error) {
	switch in.layout {
	case layoutFlatPlain, layoutFlatInline:
		full := in.size / blockSize
		if in.layout == layoutFlatPlain && in.size%blockSize != 0 {
			full++
		}
		var out []byte
		if full > 0 {
			b, err := r.at(uint64(in.iu)*blockSize, int(full*blockSize))
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
		if in.layout == layoutFlatInline {
			tail := int(in.size % blockSize)
			start := r.iloc(in.nid) + uint64(in.isize+in.xsize)
			if start%blockSize+uint64(tail) > blockSize {
				return nil, fmt.Errorf("nid %d: inline tail crosses a block", in.nid)
			}
			b, err := r.at(start, tail)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
		return out[:in.size], nil
	case layoutCompressedFull, layoutCompressedCompact:
		return r.decompress(in)
	}
	return nil, fmt.Errorf("nid %d: layout %d", in.nid, in.layout)
}

func (r *testReader) decompress(in *rInode) ([]byte, error) {
	le := binary.LittleEndian
	if r.incompat&featureIncompatZeroPadding == 0 {
		return nil, errors.New("compressed inode without 0padding")
	}
	hpos := r.iloc(in.nid) + uint64(roundUp(in.isize+in.xsize, 8))
	hdr, err := r.at(hpos, 8)
	if err != nil {
		return nil, err
	}
	alg := hdr[6] & 0xF
	wantAdvise := uint16(0)
	if in.layout == layoutCompressedCompact {
		wantAdvise = zAdviseCompacted2B
	}
	if hdr[7] != 0 || le.Uint16(hdr[4:]) != wantAdvise {
		return nil, fmt.Errorf("nid %d: map header %x", in.nid, hdr)
	}
	ncl := int((in.size + blockSize - 1) / blockSize)
	var idx []byte
	if in.layout == layoutCompressedCompact {
		if idx, err = r.expandCompact(hpos+mapHeaderSize, ncl); err != nil {
			return nil, fmt.Errorf("nid %d: %w", in.nid, err)
		}
	} else if idx, err = r.at(hpos+16, ncl*8); err != nil {
		return nil, err
	}
	type head struct {
		lcn, start int
		raw        bool
		blk        uint32
	}
	var heads []head
	for i := 0; i < ncl; i++ {
		di := idx[i*8:]
		typ := int(le.Uint16(di)) & 3
		ofs := int(le.Uint16(di[2:]))
		switch typ {
		case clusterTypePlain, clusterTypeHead:
			heads = append(heads, head{i, i*blockSize + ofs, typ == clusterTypePlain, le.Uint32(di[4:])})
		case clusterTypeNonHead:
			d0 := int(le.Uint16(di[4:]))
			if len(heads) == 0 || heads[len(heads)-1].lcn != i-d0 {
				return nil, fmt.Errorf("nid %d: lcluster %d delta0 %d does not point at its head", in.nid, i, d0)
			}
		default:
			return nil, fmt.Errorf("nid %d: lcluster type %d", in.nid, typ)
		}
	}
	// delta1 must point at the next head (or past the end).
	for i := 0; i < ncl; i++ {
		di := idx[i*8:]
		if int(le.Uint16(di))&3 != clusterTypeNonHead {
			continue
		}
		next := i + int(le.Uint16(di[6:]))
		j := sort.Search(len(heads), func(k int) bool { return heads[k].lcn > i })
		if (j < len(heads) && heads[j].lcn != next) || (j == len(heads) && next != ncl) {
			return nil, fmt.Errorf("nid %d: lcluster %d delta1 points at %d", in.nid, i, next)
		}
	}
	out := make([]byte, 0, in.size)
	blocks := 0
	for k, h := range heads {
		end := int(in.size)
		if k+1 < len(heads) {
			end = heads[k+1].start
		}
		if h.start != len(out) {
			return nil, fmt.Errorf("nid %d: extent at %d, expected %d", in.nid, h.start, len(out))
		}
		n := end - h.start
		if n == 0 && h.raw && (h.blk == 0 || in.layout == layoutCompressedCompact) {
			continue // the end-of-file marker
		}
		blk, err := r.at(uint64(h.blk)*blockSize, blockSize)
		if err != nil {
			return nil, err
		}
		blocks++
		if h.raw {
			if n > blockSize {
				return nil, fmt.Errorf("nid %d: plain extent of %d bytes", in.nid, n)
			}
			out = append(out, blk[:n]...)
			continue
		}
		src := bytes.TrimLeft(blk, "\x00")
		var dec []byte
		switch alg {
		case algLZ4:
			dec = make([]byte, n)
			m, err := lz4.UncompressBlock(src, dec)
			if err != nil || m != n {
				return nil, fmt.Errorf("nid %d: lz4 extent at %d: %d bytes, %v", in.nid, h.start, m, err)
			}
		case algZstd:
			d, _ := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(1<<(zstdWindowLog+10)))
			dec, err = d.DecodeAll(src, nil)
			d.Close()
			if err != nil || len(dec) != n {
				return nil, fmt.Errorf("nid %d: zstd extent at %d: %d bytes, %v", in.nid, h.start, len(dec), err)
			}
		default:
			return nil, fmt.Errorf("nid %d: algorithm %d", in.nid, alg)
		}
		out = append(out, dec...)
	}
	if uint32(blocks) != in.iu {
		return nil, fmt.Errorf("nid %d: %d pclusters, i_blocks %d", in.nid, blocks, in.iu)
	}
	if uint64(len(out)) != in.size {
		return nil, fmt.Errorf("nid %d: %d bytes decompressed, size %d", in.nid, len(out), in.size)
	}
	return out, nil
}

type rDirent struct {
	name string
	nid  uint64
	ft   uint8
}

func (r *testReader) readDir(in *rInode, parent uint64) ([]rDirent, error) {
	d, err := r.data(in)
	if err != nil {
		return nil, err
	}
	var out []rDirent
	for off := 0; off < len(d); off += blockSize {
		b := d[off:min(off+blockSize, len(d))]
		n := int(binary.LittleEndian.Uint16(b[8:])) / 12
		for i := 0; i < n; i++ {
			e := b[i*12:]
			start := int(binary.LittleEndian.Uint16(e[8:]))
			end := len(b)
			if i+1 < n {
				end = int(binary.LittleEndian.Uint16(b[(i+1)*12+8:]))
			}
			name := string(bytes.TrimRight(b[start:end], "\x00"))
			out = append(out, rDirent{name, binary.LittleEndian.Uint64(e), e[10]})
		}
	}
	for i := 1; i < len(out); i++ {
		if out[i-1].name >= out[i].name {
			return nil, fmt.Errorf("nid %d: dirents %q, %q out of order", in.nid, out[i-1].name, out[i].name)
		}
	}
	var dots int
	for _, e := range out {
		if (e.name == "." && e.nid == in.nid) || (e.name == ".." && e.nid == parent) {
			dots++
		}
	}
	if dots != 2 {
		return nil, fmt.Errorf("nid %d: no proper . and .. entries", in.nid)
	}
	return out, nil
}

// expandCompact decodes compact lcluster indexes starting at ebase into the
// full 8-byte form, following the kernel's z_erofs_load_compact_lcluster:
// where each lcluster's pack is, its type and 12-bit value, and a head's
// block from the pack's base and the heads before it in the pack.
func (r *testReader) expandCompact(ebase uint64, ncl int) ([]byte, error) {
	le := binary.LittleEndian
	init := int((32 - ebase%32) / 4)
	if init == 8 {
		init = 0
	}
	n2b := 0
	if init < ncl {
		n2b = (ncl - init) / 16 * 16
	}
	out := make([]byte, ncl*8)
	for lcn := 0; lcn < ncl; lcn++ {
		pos, shift, l := ebase, 2, lcn
		switch {
		case l < init:
		case l-init < n2b:
			pos += uint64(init * 4)
			shift, l = 1, l-init
		default:
			pos += uint64(init*4 + n2b*2)
			l -= init + n2b
		}
		pos += uint64(l << shift)
		vcnt := 2
		if shift == 1 {
			vcnt = 16
		}
		packSize := vcnt << shift
		bits := (packSize*8 - 32) / vcnt
		base := pos - pos%uint64(packSize)
		packBytes, err := r.at(base, packSize)
		if err != nil {
			return nil, err
		}
		i := int(pos-base) >> shift
		decode := func(i int) (int, int) {
			p := bits * i
			v := int(le.Uint32(append(append([]byte(nil), packBytes...), 0, 0, 0, 0)[p/8:]) >> (p % 8))
			return (v >> blockBits) & 3, v & (blockSize - 1)
		}
		typ, lo := decode(i)
		di := out[lcn*8:]
		le.PutUint16(di, uint16(typ))
		if typ == clusterTypeNonHead {
			d0, d1 := lo, 0
			if i == vcnt-1 {
				d1 = lo
				pt, plo := decode(i - 1)
				d0 = 1
				if pt == clusterTypeNonHead {
					d0 = plo + 1
				}
			} else { // delta[1]: count forward, as get_compacted_la_distance
				for j := i; ; j++ {
					t, v := decode(j)
					if t != clusterTypeNonHead {
						break
					}
					d1++
					if j == vcnt-1 {
						d1 += v - 1
						break
					}
				}
			}
			le.PutUint16(di[4:], uint16(d0))
			le.PutUint16(di[6:], uint16(d1))
			continue
		}
		le.PutUint16(di[2:], uint16(lo))
		nblk := 1
		for j := i; j > 0; {
			j--
			t, v := decode(j)
			if t == clusterTypeNonHead {
				j -= v
			}
			if j >= 0 {
				nblk++
			}
		}
		le.PutUint32(di[4:], le.Uint32(packBytes[packSize-4:])+uint32(nblk))
	}
	return out, nil
}
