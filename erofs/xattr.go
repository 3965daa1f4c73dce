package erofs

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
)

// xattrRef is one xattr of an inode: shared (id into the shared area) or
// inline (the encoded entry).
type xattrRef struct {
	shared bool
	id     uint32
	entry  []byte
}

type sharedXattr struct {
	key   string // name + "\x00" + value
	entry []byte
	count int
	id    uint32
}

// splitXattrName maps a full name to its prefix index and suffix.
func splitXattrName(name string) (uint8, string, bool) {
	for _, p := range xattrPrefixes {
		if strings.HasSuffix(p.prefix, ".") {
			if strings.HasPrefix(name, p.prefix) {
				return p.index, name[len(p.prefix):], true
			}
		} else if name == p.prefix {
			return p.index, "", true
		}
	}
	return 0, "", false
}

// encodeXattrEntry returns an erofs_xattr_entry with name and value, padded
// to 4 bytes.
func encodeXattrEntry(index uint8, suffix string, value []byte) []byte {
	b := make([]byte, roundUp(xattrEntrySize+len(suffix)+len(value), 4))
	b[0] = uint8(len(suffix))
	b[1] = index
	binary.LittleEndian.PutUint16(b[2:], uint16(len(value)))
	copy(b[4:], suffix)
	copy(b[4+len(suffix):], value)
	return b
}

// planXattrs encodes every inode's xattrs and decides which are shared. An
// xattr (name and value) used by c inodes is shared when that is smaller:
// c·E > E + 4·c for an entry of E bytes. The shared area is sorted by name
// and value, and starts after the superblock (and compression
// configuration) in block 0.
func (pl *plan) planXattrs() error {
	type raw struct {
		key   string
		entry []byte
	}
	perNode := make([][]raw, len(pl.nodes))
	counts := make(map[string]*sharedXattr)
	for i, n := range pl.nodes {
		for _, x := range n.in.Xattrs {
			idx, suffix, ok := splitXattrName(x.Name)
			if !ok {
				pl.p.warn("%s: skipping xattr %q: no erofs name prefix for it", n.displayPath(), x.Name)
				continue
			}
			if len(suffix) > math.MaxUint8 {
				return fmt.Errorf("%s: xattr name %q too long", n.displayPath(), x.Name)
			}
			if len(x.Value) > math.MaxUint16 {
				return fmt.Errorf("%s: xattr %q value of %d bytes too long", n.displayPath(), x.Name, len(x.Value))
			}
			key := x.Name + "\x00" + string(x.Value)
			s := counts[key]
			if s == nil {
				s = &sharedXattr{key: key, entry: encodeXattrEntry(idx, suffix, x.Value)}
				counts[key] = s
			}
			s.count++
			perNode[i] = append(perNode[i], raw{key, s.entry})
		}
	}
	for _, s := range counts {
		e := len(s.entry)
		if s.count*e > e+4*s.count {
			pl.shared = append(pl.shared, *s)
		}
	}
	sort.Slice(pl.shared, func(i, j int) bool { return pl.shared[i].key < pl.shared[j].key })

	pl.sharedStart = superOffset + superSize
	if pl.p.Compression == "zstd" {
		pl.sharedStart += 2 + zstdCfgsSize
	}
	pl.sharedStart = int64(roundUp(int(pl.sharedStart), 4))
	off := pl.sharedStart
	ids := make(map[string]uint32, len(pl.shared))
	for i := range pl.shared {
		s := &pl.shared[i]
		s.id = uint32(off / 4)
		ids[s.key] = s.id
		off += int64(len(s.entry))
	}
	if off/4 > math.MaxUint32 {
		return fmt.Errorf("shared xattrs of %d bytes too large", off)
	}
	pl.dataStart = uint32((off + blockSize - 1) / blockSize)

	for i, n := range pl.nodes {
		rs := perNode[i]
		if len(rs) == 0 {
			continue
		}
		size := xattrHeaderSize
		nshared := 0
		for _, r := range rs {
			if id, ok := ids[r.key]; ok && nshared < maxSharedXattrs {
				n.xattrs = append(n.xattrs, xattrRef{shared: true, id: id})
				nshared++
				size += 4
			} else {
				n.xattrs = append(n.xattrs, xattrRef{entry: r.entry})
				size += len(r.entry)
			}
		}
		if (size-xattrHeaderSize)/4+1 > math.MaxUint16 {
			return fmt.Errorf("%s: xattrs of %d bytes too large", n.displayPath(), size)
		}
		n.xattrLen = size
	}
	return nil
}

// encodeXattrs appends the inode's xattr body: header, shared ids (in
// ascending order), inline entries.
func encodeXattrs(b []byte, n *node) []byte {
	var hdr [xattrHeaderSize]byte
	var ids []uint32
	for _, x := range n.xattrs {
		if x.shared {
			ids = append(ids, x.id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	hdr[4] = uint8(len(ids))
	b = append(b, hdr[:]...)
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint32(b, id)
	}
	for _, x := range n.xattrs {
		if !x.shared {
			b = append(b, x.entry...)
		}
	}
	return b
}

// xattrICount is i_xattr_icount for a body of size bytes.
func xattrICount(size int) uint16 {
	if size == 0 {
		return 0
	}
	return uint16((size-xattrHeaderSize)/4 + 1)
}
