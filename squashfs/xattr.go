package squashfs

import (
	"encoding/binary"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// Xattrs are stored as mksquashfs's xattr.c stores them: each distinct
// list of an inode's attributes once in the xattr table (entries of
// prefix type, name without prefix and value), found through an id table
// entry (the list's position, count and total size) whose number the
// inode holds. Values longer than 128 bytes go out of line (the entry
// holds their 8-byte reference), halving that bound while a list exceeds
// 64 KiB; a value of 8 bytes or more that was stored before is referred
// to instead of stored again. Ids and the table are in the order inodes
// first use them.

const (
	xattrInlineMax = 128
	xattrListMax   = 65536
)

// xattrPrefixes are the namespaces squashfs stores; Linux reads no
// other.
var xattrPrefixes = [...]string{xattrUser: "user.", xattrTrusted: "trusted.", xattrSecurity: "security."}

// xattrPrefix returns the namespace type of a full name, -1 if squashfs
// has none for it.
func xattrPrefix(name string) int {
	for t, p := range xattrPrefixes {
		if strings.HasPrefix(name, p) {
			return t
		}
	}
	return -1
}

type xattrTable struct {
	m      *metaWriter
	ids    []byte            // encoded id table entries
	lists  map[string]uint32 // an encoded list (names and values) → its id
	values map[string]uint64 // a value of 8 bytes or more → the reference of its stored copy
	key    []byte
	entry  []byte
}

func newXattrTable(m *metaWriter) *xattrTable {
	return &xattrTable{m: m, lists: make(map[string]uint32), values: make(map[string]uint64)}
}

func (x *xattrTable) count() int { return len(x.ids) / xattrIDSize }

// id returns the id of an inode's attributes (those squashfs can store;
// the others were reported when the tree was checked), noXattr if none.
func (x *xattrTable) id(attrs []fstree.Xattr) (uint32, error) {
	le := binary.LittleEndian
	x.key = x.key[:0]
	n := 0
	for _, a := range attrs {
		if xattrPrefix(a.Name) < 0 {
			continue
		}
		n++
		x.key = le.AppendUint32(x.key, uint32(len(a.Name)))
		x.key = append(x.key, a.Name...)
		x.key = le.AppendUint32(x.key, uint32(len(a.Value)))
		x.key = append(x.key, a.Value...)
	}
	if n == 0 {
		return noXattr, nil
	}
	if id, ok := x.lists[string(x.key)]; ok {
		return id, nil
	}
	// Choose the values stored out of line.
	limit := xattrInlineMax
	for {
		total := 0
		for _, a := range attrs {
			if t := xattrPrefix(a.Name); t >= 0 {
				total += xattrEntrySize + len(a.Name) - len(xattrPrefixes[t]) + xattrValSize
				if len(a.Value) > limit {
					total += xattrOOLValSize
				} else {
					total += len(a.Value)
				}
			}
		}
		if total <= xattrListMax || limit == xattrOOLValSize {
			break
		}
		limit = max(limit/2, xattrOOLValSize)
	}
	// Store the out-of-line values not stored before, then the list.
	refs := make([]uint64, len(attrs))
	for i, a := range attrs {
		if xattrPrefix(a.Name) < 0 || len(a.Value) <= limit {
			continue
		}
		if r, ok := x.values[string(a.Value)]; ok {
			refs[i] = r
			continue
		}
		r, err := x.putValue(a.Value)
		if err != nil {
			return 0, err
		}
		refs[i] = r
	}
	start := x.m.ref()
	size := 0
	for i, a := range attrs {
		t := xattrPrefix(a.Name)
		if t < 0 {
			continue
		}
		size += len(a.Name) + 1 + len(a.Value)
		r, known := x.values[string(a.Value)]
		ool := len(a.Value) > limit || (known && len(a.Value) >= xattrOOLValSize)
		if len(a.Value) > limit {
			r = refs[i]
		}
		typ := uint16(t)
		if ool {
			typ |= xattrOutOfLine
		}
		name := a.Name[len(xattrPrefixes[t]):]
		x.entry = le.AppendUint16(x.entry[:0], typ)
		x.entry = le.AppendUint16(x.entry, uint16(len(name)))
		x.entry = append(x.entry, name...)
		if err := x.m.write(x.entry); err != nil {
			return 0, err
		}
		if ool {
			x.entry = le.AppendUint32(x.entry[:0], xattrOOLValSize)
			x.entry = le.AppendUint64(x.entry, r)
			if err := x.m.write(x.entry); err != nil {
				return 0, err
			}
			continue
		}
		if _, err := x.putValue(a.Value); err != nil {
			return 0, err
		}
	}
	id := uint32(x.count())
	x.ids = le.AppendUint64(x.ids, uint64(start))
	x.ids = le.AppendUint32(x.ids, uint32(n))
	x.ids = le.AppendUint32(x.ids, uint32(size))
	x.lists[string(x.key)] = id
	return id, nil
}

// putValue stores a value (its length, then its bytes) and remembers
// where when it is long enough to be referred to later.
func (x *xattrTable) putValue(v []byte) (uint64, error) {
	r := uint64(x.m.ref())
	x.entry = binary.LittleEndian.AppendUint32(x.entry[:0], uint32(len(v)))
	if err := x.m.write(x.entry); err != nil {
		return 0, err
	}
	if err := x.m.write(v); err != nil {
		return 0, err
	}
	if len(v) >= xattrOOLValSize {
		if _, ok := x.values[string(v)]; !ok {
			x.values[string(v)] = r
		}
	}
	return r, nil
}

// idTable numbers the uids and gids in the order inodes first use them
// (each inode its uid, then its gid).
type idTable struct {
	index map[uint32]uint16
	ids   []byte
}

func (t *idTable) get(id uint32) uint16 {
	if i, ok := t.index[id]; ok {
		return i
	}
	i := uint16(len(t.ids) / 4)
	t.index[id] = i
	t.ids = binary.LittleEndian.AppendUint32(t.ids, id)
	return i
}
