package erofs

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

type sharedXattr struct {
	key      string // name + "\x00" + value
	entry    []byte
	count    int
	id       uint32
	isShared bool
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

// countXattrs counts the xattrs of n by name and value (the shared
// candidates), warning about those erofs cannot store.
func (pl *plan) countXattrs(n *node, counts map[string]*sharedXattr, key []byte) ([]byte, error) {
	for _, x := range n.in.Xattrs {
		idx, suffix, ok := splitXattrName(x.Name)
		if !ok {
			pl.p.warn("%s: skipping xattr %q: no erofs name prefix for it", pl.displayPath(n), x.Name)
			continue
		}
		if len(suffix) > math.MaxUint8 {
			return key, fmt.Errorf("%s: xattr name %q too long", pl.displayPath(n), x.Name)
		}
		if len(x.Value) > math.MaxUint16 {
			return key, fmt.Errorf("%s: xattr %q value of %d bytes too long", pl.displayPath(n), x.Name, len(x.Value))
		}
		key = xattrKey(key, x)
		s := counts[string(key)]
		if s == nil {
			s = &sharedXattr{key: string(key), entry: encodeXattrEntry(idx, suffix, x.Value)}
			counts[s.key] = s
		}
		s.count++
	}
	return key, nil
}

// shareXattrs decides which xattrs are shared. An xattr (name and value)
// used by c inodes is shared when that is smaller: c·E > E + 4·c for an
// entry of E bytes. The shared area is sorted by name and value, and
// starts after the superblock (and compression configuration) in block 0.
func (pl *plan) shareXattrs(counts map[string]*sharedXattr) error {
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
	pl.sharedID = make(map[string]uint32, len(pl.shared))
	for i := range pl.shared {
		s := &pl.shared[i]
		s.id = uint32(off / 4)
		pl.sharedID[s.key] = s.id
		off += int64(len(s.entry))
	}
	if off/4 > math.MaxUint32 {
		return fmt.Errorf("shared xattrs of %d bytes too large", off)
	}
	pl.dataStart = uint32((off + blockSize - 1) / blockSize)
	return nil
}

// xattrBody encodes n's xattr body, nil when it has none: the header, the
// shared ids in ascending order, the inline entries in name order.
func (pl *plan) xattrBody(n *node) ([]byte, error) {
	if len(n.in.Xattrs) == 0 {
		return nil, nil
	}
	var ids []uint32
	var inline [][]byte
	var key []byte
	for _, x := range n.in.Xattrs {
		idx, suffix, ok := splitXattrName(x.Name)
		if !ok {
			continue
		}
		key = xattrKey(key, x)
		if id, ok := pl.sharedID[string(key)]; ok && len(ids) < maxSharedXattrs {
			ids = append(ids, id)
		} else {
			inline = append(inline, encodeXattrEntry(idx, suffix, x.Value))
		}
	}
	if len(ids) == 0 && len(inline) == 0 {
		return nil, nil
	}
	var hdr [xattrHeaderSize]byte
	hdr[4] = uint8(len(ids))
	b := append([]byte(nil), hdr[:]...)
	slices.Sort(ids)
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint32(b, id)
	}
	for _, e := range inline {
		b = append(b, e...)
	}
	if (len(b)-xattrHeaderSize)/4+1 > math.MaxUint16 {
		return nil, fmt.Errorf("%s: xattrs of %d bytes too large", pl.displayPath(n), len(b))
	}
	return b, nil
}

// xattrKey returns x's name, a NUL and its value in buf's storage.
func xattrKey(buf []byte, x fstree.Xattr) []byte {
	buf = append(buf[:0], x.Name...)
	buf = append(buf, 0)
	return append(buf, x.Value...)
}

// xattrICount is i_xattr_icount for a body of size bytes.
func xattrICount(size int) uint16 {
	if size == 0 {
		return 0
	}
	return uint16((size-xattrHeaderSize)/4 + 1)
}
