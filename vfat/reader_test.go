package vfat

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gorepart/gorepart/fstree"
)

// fatReader is a minimal FAT reader for tests: it takes the FAT width from
// the BPB the way Linux does (FAT32 when the 16-bit FAT length is 0), so it
// reads FAT32 images with fewer than 65525 clusters, which mtools cannot.
type fatReader struct {
	f           *os.File
	ss, cb      int
	bits        int
	fat         []byte
	dataStart   int
	rootCluster uint32
	rootOff     int // FAT12/16 fixed root
	rootLen     int
}

func openFAT(t testing.TB, path string) *fatReader {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r := &fatReader{f: f}
	img := r.read(t, 0, 512)
	le16 := func(o int) int { return int(binary.LittleEndian.Uint16(img[o:])) }
	r.ss = le16(11)
	r.cb = int(img[13]) * r.ss
	reserved, nfats, rootEntries := le16(14), int(img[16]), le16(17)
	fatLen := le16(22)
	total := le16(19)
	if total == 0 {
		total = int(binary.LittleEndian.Uint32(img[32:]))
	}
	if fatLen == 0 {
		fatLen = int(binary.LittleEndian.Uint32(img[36:]))
		r.bits = 32
		r.rootCluster = binary.LittleEndian.Uint32(img[44:])
	}
	r.fat = r.read(t, reserved*r.ss, fatLen*r.ss)
	if !bytes.Equal(r.fat, r.read(t, (reserved+fatLen)*r.ss, fatLen*r.ss)) || nfats != 2 {
		t.Fatalf("%s: the two FATs differ", path)
	}
	r.rootOff = (reserved + nfats*fatLen) * r.ss
	r.rootLen = rootEntries * 32
	r.dataStart = r.rootOff + (r.rootLen+r.ss-1)/r.ss*r.ss
	if r.bits == 0 {
		clusters := (total*r.ss - r.dataStart) / r.cb
		r.bits = 16
		if clusters < 4085 {
			r.bits = 12
		}
	}
	return r
}

func (r *fatReader) read(t testing.TB, off, n int) []byte {
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, int64(off)); err != nil {
		t.Fatal(err)
	}
	return b
}

func (r *fatReader) next(c uint32) uint32 {
	switch r.bits {
	case 12:
		v := uint32(binary.LittleEndian.Uint16(r.fat[c*3/2:]))
		if c&1 == 1 {
			v >>= 4
		}
		if v &= 0xFFF; v >= 0xFF8 {
			return 0
		}
		return v
	case 16:
		if v := uint32(binary.LittleEndian.Uint16(r.fat[c*2:])); v < 0xFFF8 {
			return v
		}
		return 0
	}
	if v := binary.LittleEndian.Uint32(r.fat[c*4:]) & 0x0FFFFFFF; v < 0x0FFFFFF8 {
		return v
	}
	return 0
}

// chain returns the bytes of the cluster chain starting at c, reading
// contiguous runs at once.
func (r *fatReader) chain(t testing.TB, c uint32) []byte {
	var b []byte
	for n := 0; c != 0; {
		start, k := c, 1
		for {
			if c < 2 || n > len(r.fat) {
				t.Fatalf("bad cluster chain at %d", c)
			}
			n++
			nx := r.next(c)
			if nx != c+1 {
				c = nx
				break
			}
			c, k = nx, k+1
		}
		b = append(b, r.read(t, r.dataStart+int(start-2)*r.cb, k*r.cb)...)
	}
	return b
}

// readDir returns name → (short entry) for a directory's bytes, joining LFN
// slots and checking their checksums.
func (r *fatReader) readDir(t testing.TB, b []byte) map[string][]byte {
	m := map[string][]byte{}
	var lfn []uint16
	var sum byte
	for i := 0; i+32 <= len(b); i += 32 {
		e := b[i : i+32]
		if e[0] == 0 {
			break
		}
		if e[11] == attrLFN {
			ord := int(e[0] &^ lfnLast)
			part := make([]uint16, 0, 13)
			for _, off := range lfnOffsets {
				part = append(part, binary.LittleEndian.Uint16(e[off:]))
			}
			if e[0]&lfnLast != 0 {
				lfn = make([]uint16, ord*13)
				sum = e[13]
			}
			copy(lfn[(ord-1)*13:], part)
			continue
		}
		if e[11]&attrVolume != 0 || e[0] == '.' {
			lfn = nil
			continue
		}
		var short [11]byte
		copy(short[:], e[:11])
		name := strings.TrimRight(string(e[:8]), " ")
		if ext := strings.TrimRight(string(e[8:11]), " "); ext != "" {
			name += "." + ext
		}
		if lfn != nil {
			if lfnChecksum(short) != sum {
				t.Fatalf("LFN checksum mismatch for %q", name)
			}
			end := 0
			for end < len(lfn) && lfn[end] != 0 && lfn[end] != 0xFFFF {
				end++
			}
			name = string(utf16.Decode(lfn[:end]))
		}
		if m[name] != nil {
			t.Fatalf("name %q twice in one directory", name)
		}
		m[name] = e
		lfn = nil
	}
	return m
}

// readCheck compares the whole image with the tree: every name, every
// file's bytes and size, every time stamp.
func readCheck(t testing.TB, path string, tr *fstree.Tree) {
	t.Helper()
	r := openFAT(t, path)
	var root []byte
	if r.bits == 32 {
		root = r.chain(t, r.rootCluster)
	} else {
		root = r.read(t, r.rootOff, r.rootLen)
	}
	var walk func(p string, d *fstree.Inode, b []byte)
	walk = func(p string, d *fstree.Inode, b []byte) {
		got := r.readDir(t, b)
		n := 0
		for _, e := range d.Entries {
			in := e.Inode
			if in.Kind != fstree.File && in.Kind != fstree.Dir {
				continue
			}
			n++
			de := got[e.Name]
			if de == nil {
				t.Fatalf("%s/%s missing", p, e.Name)
			}
			date, tm, _ := fatTime(in.Mtime)
			if binary.LittleEndian.Uint16(de[22:]) != tm || binary.LittleEndian.Uint16(de[24:]) != date {
				t.Fatalf("%s/%s: time stamp", p, e.Name)
			}
			c := uint32(binary.LittleEndian.Uint16(de[20:]))<<16 | uint32(binary.LittleEndian.Uint16(de[26:]))
			if in.Kind == fstree.Dir {
				if de[11]&attrDir == 0 {
					t.Fatalf("%s/%s: not a directory", p, e.Name)
				}
				walk(p+"/"+e.Name, in, r.chain(t, c))
				continue
			}
			size := int(binary.LittleEndian.Uint32(de[28:]))
			data := r.chain(t, c)
			if size != int(in.Size) || len(data) < size || !bytes.Equal(data[:size], treeData(t, in)) {
				t.Fatalf("%s/%s: content differs", p, e.Name)
			}
			if len(data)-size >= r.cb {
				t.Fatalf("%s/%s: %d clusters for %d bytes", p, e.Name, len(data)/r.cb, size)
			}
		}
		if n != len(got) {
			t.Fatalf("%s: %d entries in image, %d in tree", p, len(got), n)
		}
	}
	walk("", tr.Root, root)
}

func TestReaderSelfCheck(t *testing.T) {
	// The reader must notice a corrupted file.
	g := &treeGen{r: newRand(5), cs: 512}
	tr := &fstree.Tree{Root: g.dir(2, 30)}
	img := writeImage(t, t.TempDir(), 40<<20, tr, p32)
	readCheck(t, img, tr)
	b, _ := os.ReadFile(img)
	r := openFAT(t, img)
	for i := r.dataStart + r.cb; i < len(b); i++ { // skip the root directory
		if b[i] != 0 {
			b[i] ^= 0xFF
			break
		}
	}
	if err := os.WriteFile(img, b, 0644); err != nil {
		t.Fatal(err)
	}
	ft := &failT{TB: t}
	func() {
		defer func() { recover() }()
		readCheck(ft, img, tr)
	}()
	if !ft.failed {
		t.Fatal("corruption not noticed")
	}
}

// failT records a Fatalf instead of failing the test.
type failT struct {
	testing.TB
	failed bool
}

func (f *failT) Fatalf(format string, args ...any) {
	f.failed = true
	panic(fmt.Sprintf(format, args...))
}
func (f *failT) Fatal(args ...any) { f.failed = true; panic(fmt.Sprint(args...)) }
func (f *failT) Helper()           {}
