package fstree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Spilled directories (BuildOptions.SpillDir).
//
// Build writes the listing of every directory it reads from a source to
// one anonymous temporary file, a record per directory, instead of
// keeping Entries: what stays in memory per directory is its index entry
// (offset and length, 16 bytes), plus, with KeepHardlinks, a little per
// hardlink group. The directories Build changes (targets, their parents,
// merged directories, MakeDirectories=, MakeSymlinks=, the root) are
// decoded into Entries as it goes; that skeleton is all a tree holds.
//
// A record is, in order (uvarints unless said otherwise):
//
//	len, source path of the directory (no trailing "/")
//	count of entries (4 bytes, little endian)
//	per entry, sorted by name:
//	  len, name
//	  one byte: Kind | sparse<<3 | has-xattrs<<4
//	  mode, uid, gid, mtime seconds (signed varint), nanoseconds
//	  File: size, group; Symlink: len, target, group;
//	  CharDevice, BlockDevice: major, minor, group; FIFO, Socket: group;
//	  Dir: the directory's id (0: nothing was read below it)
//	  with xattrs: count, then len, name, len, value for each
//
// group is 0, or 1 + the index of the entry's hardlink group (KeepHardlinks
// and a source with more than one link). A regular file's source is the
// record's path plus its name, or its group's first path.

// spillIdx locates a directory's record; a zero length is an empty
// directory.
type spillIdx struct {
	off int64
	n   uint32
}

// spill is a tree's spill file.
type spill struct {
	mu    sync.Mutex
	f     *os.File // nil once closed
	end   int64
	index []spillIdx // by directory id
	ids   atomic.Uint32

	// Hardlink groups. While scanning, byKey finds the source inodes
	// with several links, numbered 1, 2, ... in the order met (scan);
	// finishScan replaces those with keys: keyOf maps that number to a
	// LinkKey id (0 for a source inode the line names once), and
	// groups[id-1] is the group's source.
	gmu    sync.Mutex
	byKey  map[groupKey]uint32
	scan   []scanGroup
	keyOf  []uint32
	groups []linkGroup
}

// groupKey is a source inode within one copy line.
type groupKey struct {
	line *scanLine
	key  devIno
}

// scanGroup is a source inode with several links met in a copy line.
type scanGroup struct {
	first string // the first path naming it, in the line's walk order
	line  int
	n     int // names in the line
}

// linkGroup is a source inode the line names more than once: the source
// of every member is the first path (as unifyHardlinks shares the first
// Inode).
type linkGroup struct {
	src  *srcDir
	name string
}

// spillRef is what an Inode read from a spill file holds: the file, the
// directory's id (0 for a non-directory or an empty directory), the
// hardlink group key, and where the directory came from, for errors.
type spillRef struct {
	s      *spill
	dir    uint32
	link   uint64
	parent *srcDir
	name   string
}

// spilled reports whether d is a directory whose listing is in a spill
// file.
func (d *Inode) spilled() bool { return d.spill != nil && d.Kind == Dir }

// materialize decodes a spilled directory into Entries, so Build can
// change it; the directory is then held in memory.
func materialize(d *Inode) error {
	if !d.spilled() {
		return nil
	}
	ents, err := d.spill.list()
	if err != nil {
		return err
	}
	d.Entries, d.spill = ents, nil
	return nil
}

// newSpill creates an anonymous spill file in dir.
func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, ".fstree-spill-*")
	if err != nil {
		return nil, fmt.Errorf("creating spill file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("creating spill file: %w", err)
	}
	s := &spill{f: f, index: []spillIdx{{}}, byKey: map[groupKey]uint32{}}
	return s, nil
}

// newDir returns a fresh directory id.
func (s *spill) newDir() uint32 { return s.ids.Add(1) }

func (s *spill) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	if err != nil {
		return fmt.Errorf("closing spill file: %w", err)
	}
	return nil
}

// group returns 1 + the index of the hardlink group of source inode k in
// line l, met at source path p.
func (s *spill) group(l *scanLine, k devIno, p string) uint32 {
	s.gmu.Lock()
	defer s.gmu.Unlock()
	gk := groupKey{l, k}
	if i, ok := s.byKey[gk]; ok {
		g := &s.scan[i-1]
		g.n++
		if walkBefore(p, g.first) {
			g.first = p
		}
		return i
	}
	s.scan = append(s.scan, scanGroup{first: p, line: l.idx, n: 1})
	i := uint32(len(s.scan))
	s.byKey[gk] = i
	return i
}

// finishScan numbers the hardlink groups in line and walk order, so keys
// do not depend on scheduling, and trims what scanning needed.
func (s *spill) finishScan() {
	s.byKey = nil
	var order []int
	for i, g := range s.scan {
		if g.n > 1 {
			order = append(order, i)
		}
	}
	sort.Slice(order, func(a, b int) bool {
		ga, gb := &s.scan[order[a]], &s.scan[order[b]]
		if ga.line != gb.line {
			return ga.line < gb.line
		}
		return walkBefore(ga.first, gb.first)
	})
	if len(order) > 0 {
		s.keyOf = make([]uint32, len(s.scan))
		s.groups = make([]linkGroup, len(order))
	}
	for k, i := range order {
		first := s.scan[i].first
		j := strings.LastIndexByte(first, '/')
		s.groups[k] = linkGroup{src: &srcDir{name: first[:j]}, name: first[j+1:]}
		s.keyOf[i] = uint32(k + 1)
	}
	s.scan = nil
	s.mu.Lock()
	n := int(s.ids.Load()) + 1
	idx := make([]spillIdx, n)
	copy(idx, s.index)
	s.index = idx
	s.mu.Unlock()
}

// walkBefore reports whether path a comes before path b in Walk order:
// the first differing component decides, bytewise.
func walkBefore(a, b string) bool {
	for {
		ia, ib := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		ca, cb := a, b
		if ia >= 0 {
			ca = a[:ia]
		}
		if ib >= 0 {
			cb = b[:ib]
		}
		if ca != cb {
			return ca < cb
		}
		if ia < 0 || ib < 0 {
			return ia < 0 && ib >= 0
		}
		a, b = a[ia+1:], b[ib+1:]
	}
}

// spillBatch is a scan worker's records not yet written: appended to the
// file in one write when it fills, and when the worker stops.
type spillBatch struct {
	buf  []byte
	recs []batchRec
}

type batchRec struct {
	dir uint32
	off int
	n   int
}

const spillBatchSize = 1 << 20

// flush appends the batch to the file and indexes its records.
func (s *spill) flush(b *spillBatch) error {
	if len(b.buf) == 0 {
		return nil
	}
	s.mu.Lock()
	f := s.f
	base := s.end
	s.end += int64(len(b.buf))
	for _, r := range b.recs {
		for int(r.dir) >= len(s.index) {
			s.index = append(s.index, spillIdx{})
		}
		s.index[r.dir] = spillIdx{off: base + int64(r.off), n: uint32(r.n)}
	}
	s.mu.Unlock()
	if f == nil {
		return fmt.Errorf("writing spill file: %w", os.ErrClosed)
	}
	if _, err := f.WriteAt(b.buf, base); err != nil {
		return fmt.Errorf("writing spill file: %w", err)
	}
	b.buf, b.recs = b.buf[:0], b.recs[:0]
	return nil
}

// recordWriter encodes one directory's record into a batch.
type recordWriter struct {
	b       *spillBatch
	start   int
	countAt int
	count   uint32
}

func (b *spillBatch) begin(srcPath string) recordWriter {
	r := recordWriter{b: b, start: len(b.buf)}
	b.buf = binary.AppendUvarint(b.buf, uint64(len(srcPath)))
	b.buf = append(b.buf, srcPath...)
	r.countAt = len(b.buf)
	b.buf = append(b.buf, 0, 0, 0, 0)
	return r
}

// add encodes one entry: child is a directory's id, group its hardlink
// group (1-based, 0 for none).
func (r *recordWriter) add(name string, n *Inode, child, group uint32) {
	b := r.b.buf
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	flags := byte(n.Kind)
	if n.Sparse {
		flags |= 1 << 3
	}
	if len(n.Xattrs) > 0 {
		flags |= 1 << 4
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(n.Mode))
	b = binary.AppendUvarint(b, uint64(n.UID))
	b = binary.AppendUvarint(b, uint64(n.GID))
	b = binary.AppendVarint(b, n.Mtime.Unix())
	b = binary.AppendUvarint(b, uint64(n.Mtime.Nanosecond()))
	switch n.Kind {
	case Dir:
		b = binary.AppendUvarint(b, uint64(child))
	case File:
		b = binary.AppendUvarint(b, uint64(n.Size))
	case Symlink:
		b = binary.AppendUvarint(b, uint64(len(n.Target)))
		b = append(b, n.Target...)
	case CharDevice, BlockDevice:
		b = binary.AppendUvarint(b, uint64(n.Major))
		b = binary.AppendUvarint(b, uint64(n.Minor))
	}
	if n.Kind != Dir {
		b = binary.AppendUvarint(b, uint64(group))
	}
	if len(n.Xattrs) > 0 {
		b = binary.AppendUvarint(b, uint64(len(n.Xattrs)))
		for _, x := range n.Xattrs {
			b = binary.AppendUvarint(b, uint64(len(x.Name)))
			b = append(b, x.Name...)
			b = binary.AppendUvarint(b, uint64(len(x.Value)))
			b = append(b, x.Value...)
		}
	}
	r.b.buf = b
	r.count++
}

// end finishes the record of directory dir; an empty one is dropped.
func (r *recordWriter) end(dir uint32) {
	if r.count == 0 {
		r.b.buf = r.b.buf[:r.start]
		return
	}
	binary.LittleEndian.PutUint32(r.b.buf[r.countAt:], r.count)
	r.b.recs = append(r.b.recs, batchRec{dir: dir, off: r.start, n: len(r.b.buf) - r.start})
}

// path is the source path of a spilled directory, for errors.
func (r *spillRef) path() string {
	if r.parent == nil {
		return r.name
	}
	return r.parent.path() + r.name
}

var errCorrupt = errors.New("corrupt record")

// list reads and decodes the record of r's directory.
func (r *spillRef) list() ([]*Entry, error) {
	ents, err := r.s.list(r.dir)
	if err != nil {
		return nil, fmt.Errorf("reading spilled directory %s: %w", r.path(), err)
	}
	return ents, nil
}

func (s *spill) list(dir uint32) ([]*Entry, error) {
	s.mu.Lock()
	f := s.f
	var ix spillIdx
	if int(dir) < len(s.index) {
		ix = s.index[dir]
	}
	s.mu.Unlock()
	if f == nil {
		return nil, os.ErrClosed
	}
	if dir == 0 || ix.n == 0 {
		return nil, nil
	}
	buf := make([]byte, ix.n)
	if _, err := f.ReadAt(buf, ix.off); err != nil {
		return nil, err
	}
	return s.decode(buf)
}

// decoder reads a record; a short or malformed one sets bad.
type decoder struct {
	b   []byte
	off int
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 {
		d.bad = true
		d.off = len(d.b)
		return 0
	}
	d.off += k
	return v
}

func (d *decoder) varint() int64 {
	v, k := binary.Varint(d.b[d.off:])
	if k <= 0 {
		d.bad = true
		d.off = len(d.b)
		return 0
	}
	d.off += k
	return v
}

// span returns the offsets of the next length-prefixed bytes.
func (d *decoder) span() (int, int) {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.off) {
		d.bad = true
		d.off = len(d.b)
		return d.off, d.off
	}
	start := d.off
	d.off += int(n)
	return start, d.off
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.bad = true
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

// decode turns a record into Entries: one allocation each for the names
// (one string), the inodes, the entries and the references.
func (s *spill) decode(buf []byte) ([]*Entry, error) {
	d := &decoder{b: buf}
	strs := string(buf)
	ps, pe := d.span()
	if d.bad || len(buf)-d.off < 4 {
		return nil, errCorrupt
	}
	src := &srcDir{name: strs[ps:pe]}
	count := int(binary.LittleEndian.Uint32(buf[d.off:]))
	d.off += 4
	if count > len(buf) {
		return nil, errCorrupt
	}
	inodes := make([]Inode, count)
	entries := make([]Entry, count)
	list := make([]*Entry, count)
	var refs []spillRef
	ref := func() *spillRef {
		if refs == nil {
			refs = make([]spillRef, 0, count)
		}
		refs = append(refs, spillRef{s: s})
		return &refs[len(refs)-1]
	}
	plain := &spillRef{s: s}
	for i := range count {
		ns, ne := d.span()
		name := strs[ns:ne]
		flags := d.byte()
		n := &inodes[i]
		n.Kind = Kind(flags & 7)
		n.Sparse = flags&(1<<3) != 0
		n.Mode = uint32(d.uvarint())
		n.UID = uint32(d.uvarint())
		n.GID = uint32(d.uvarint())
		sec := d.varint()
		n.Mtime = time.Unix(sec, int64(d.uvarint())).UTC()
		n.spill = plain
		var group uint64
		switch n.Kind {
		case Dir:
			r := ref()
			r.dir = uint32(d.uvarint())
			r.parent, r.name = src, name
			n.spill = r
		case File:
			n.Size = int64(d.uvarint())
			n.setSourceIn(src, name)
		case Symlink:
			ts, te := d.span()
			n.Target = strs[ts:te]
		case CharDevice, BlockDevice:
			n.Major = uint32(d.uvarint())
			n.Minor = uint32(d.uvarint())
		case FIFO, Socket:
		default:
			return nil, errCorrupt
		}
		if n.Kind != Dir {
			group = d.uvarint()
		}
		if group > 0 && s.keyOf != nil {
			if group > uint64(len(s.keyOf)) {
				return nil, errCorrupt
			}
			if id := s.keyOf[group-1]; id != 0 {
				r := ref()
				r.link = uint64(id)
				n.spill = r
				if g := &s.groups[id-1]; n.Kind == File {
					n.setSourceIn(g.src, g.name)
				}
			}
		}
		if flags&(1<<4) != 0 {
			nx := d.uvarint()
			if nx > uint64(len(buf)) {
				return nil, errCorrupt
			}
			n.Xattrs = make([]Xattr, nx)
			for k := range n.Xattrs {
				xs, xe := d.span()
				vs, ve := d.span()
				n.Xattrs[k] = Xattr{Name: strs[xs:xe], Value: buf[vs:ve:ve]}
			}
		}
		if d.bad {
			return nil, errCorrupt
		}
		e := &entries[i]
		e.Name, e.Inode = name, n
		list[i] = e
	}
	if d.off != len(buf) {
		return nil, errCorrupt
	}
	return list, nil
}
