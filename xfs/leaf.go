package xfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
)

// Attribute leaf blocks (struct xfs_attr3_leaf_hdr and friends,
// xfs_da_format.h), used when an inode's xattrs do not fit in it.
const (
	leafMagicV4     = 0xfbee // XFS_ATTR_LEAF_MAGIC
	leafMagicV5     = 0x3bee // XFS_ATTR3_LEAF_MAGIC
	leafMagicOff    = 8      // da_blkinfo: forw, back, magic
	leafCRCOff      = 12     // da3_blkinfo: after da_blkinfo
	leafHdrV4       = 32     // blkinfo, count, usedbytes, firstused, holes, pad, freemap
	leafHdrV5       = 80
	leafCountOff4   = 12
	leafCountOff5   = 56
	entryLocal      = 1 // XFS_ATTR_LOCAL: the value is in the block
	entryIncomplete = 0x80
)

// attrStore is where one inode's xattrs are: the attribute fork in the
// inode (shortform), or its one leaf block.
type attrStore struct {
	sf      []byte // the fork, part of the inode buffer
	leaf    []byte // the leaf block, read from leafOff
	leafOff int64
	v5      bool
	xs      []xattr
}

// loadAttrs finds and reads the xattrs of the inode in fx.buf.
func (fx *fixer) loadAttrs() (*attrStore, error) {
	d := fx.buf
	s := &attrStore{v5: d.v3()}
	if d[diForkoff] == 0 {
		return s, nil
	}
	fork := d[literal(d)+8*int(d[diForkoff]):]
	var err error
	switch d[diAformat] {
	case fmtLocal:
		s.sf = fork
		s.xs, err = parseShortform(fork)
		return s, err
	case fmtExtents:
	default:
		return nil, fmt.Errorf("attribute fork in format %d", d[diAformat])
	}
	n := uint64(binary.BigEndian.Uint16(d[diAnextents:]))
	if d.v3() && d.u64(diFlags2)&flags2Nrext64 != 0 {
		n = uint64(d.u32(diNextents))
	}
	if n == 0 {
		return s, nil
	}
	if n != 1 || len(fork) < 16 {
		return nil, fmt.Errorf("attribute fork of %d extents", n)
	}
	l0, l1 := binary.BigEndian.Uint64(fork), binary.BigEndian.Uint64(fork[8:])
	startoff := (l0 &^ (1 << 63)) >> 9
	start := (l0&0x1ff)<<43 | l1>>21
	count := l1 & (1<<21 - 1)
	if startoff != 0 || count != 1 {
		return nil, fmt.Errorf("attribute fork of %d blocks at %d: not one leaf", count, startoff)
	}
	s.leafOff = fx.sb.fsbOffset(start)
	s.leaf = make([]byte, fx.sb.blockSize)
	if _, err := fx.img.ReadAt(s.leaf, s.leafOff); err != nil {
		return nil, fmt.Errorf("reading an attribute leaf: %w", err)
	}
	s.xs, err = s.parseLeaf()
	return s, err
}

// literal is the offset of an inode's literal area (its forks).
func literal(d dinode) int {
	if d.v3() {
		return diCoreV3
	}
	return diCoreV2
}

// leafEntries returns the offset of each entry's local name structure
// (valuelen, namelen, name, value) and its flags.
func (s *attrStore) leafEntries() ([][2]int, error) {
	b := s.leaf
	hdr, countOff, magic := leafHdrV4, leafCountOff4, uint16(leafMagicV4)
	if s.v5 {
		hdr, countOff, magic = leafHdrV5, leafCountOff5, leafMagicV5
	}
	if got := binary.BigEndian.Uint16(b[leafMagicOff:]); got != magic {
		return nil, fmt.Errorf("attribute block magic %#x, want a leaf (%#x)", got, magic)
	}
	count := int(binary.BigEndian.Uint16(b[countOff:]))
	out := make([][2]int, 0, count)
	for i := range count {
		e := b[hdr+8*i:]
		idx, flags := int(binary.BigEndian.Uint16(e[4:])), int(e[6])
		if flags&entryLocal == 0 || flags&entryIncomplete != 0 {
			return nil, errors.New("an xattr value outside the leaf block")
		}
		if idx+3 > len(b) || idx+3+int(b[idx+2])+int(binary.BigEndian.Uint16(b[idx:])) > len(b) {
			return nil, errors.New("attribute entry past the block")
		}
		out = append(out, [2]int{idx, flags})
	}
	return out, nil
}

func (s *attrStore) parseLeaf() ([]xattr, error) {
	ents, err := s.leafEntries()
	if err != nil {
		return nil, err
	}
	out := make([]xattr, 0, len(ents))
	for _, e := range ents {
		b := s.leaf[e[0]:]
		vl, nl := int(binary.BigEndian.Uint16(b)), int(b[2])
		out = append(out, xattr{flags: uint8(e[1]) &^ entryLocal, name: string(b[3 : 3+nl]), value: b[3+nl : 3+nl+vl]})
	}
	return out, nil
}

// setValues replaces the placeholder values of want's attributes.
func (s *attrStore) setValues(want []xattr) error {
	got := s.xs
	for _, x := range want {
		i := indexOf(got, x)
		if i < 0 {
			return fmt.Errorf("xfs_db did not set xattr %s", x.name)
		}
		got[i].value = x.value
	}
	if s.sf != nil {
		return writeShortform(s.sf, got)
	}
	if s.leaf == nil {
		return errors.New("no attribute fork")
	}
	ents, err := s.leafEntries()
	if err != nil {
		return err
	}
	for i, e := range ents {
		b := s.leaf[e[0]:]
		vl, nl := int(binary.BigEndian.Uint16(b)), int(b[2])
		nv := len(got[i].value)
		switch {
		case nv == vl:
		case nv == 0 && vl == 1 && (3+nl+1+3)/4 == (3+nl+3)/4:
			// The entry keeps its size, rounded to 4 bytes.
			binary.BigEndian.PutUint16(b, 0)
			b[3+nl] = 0
		default:
			return fmt.Errorf("xattr %s: the leaf entry holds %d bytes, the value %d", got[i].name, vl, nv)
		}
		copy(b[3+nl:], got[i].value)
	}
	return nil
}

// storeLeaf writes back a changed leaf block with its CRC (version 5).
func (s *attrStore) storeLeaf(img *os.File) error {
	if s.leaf == nil {
		return nil
	}
	if s.v5 {
		clear(s.leaf[leafCRCOff : leafCRCOff+4])
		binary.LittleEndian.PutUint32(s.leaf[leafCRCOff:], crc32.Checksum(s.leaf, castagnoli))
	}
	if _, err := img.WriteAt(s.leaf, s.leafOff); err != nil {
		return fmt.Errorf("writing an attribute leaf: %w", err)
	}
	return nil
}
