package vfat

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// dirTree reads a directory into a Tree (files by source path), clamping
// times to epoch as the content-tree builder does with SOURCE_DATE_EPOCH.
func dirTree(t testing.TB, root string, epoch time.Time) *fstree.Tree {
	t.Helper()
	var walk func(p string) *fstree.Inode
	walk = func(p string) *fstree.Inode {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		in := &fstree.Inode{Mode: uint32(fi.Mode().Perm()), Mtime: fi.ModTime()}
		if in.Mtime.After(epoch) {
			in.Mtime = epoch
		}
		switch {
		case fi.IsDir():
			in.Kind = fstree.Dir
			ents, err := os.ReadDir(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				in.Entries = append(in.Entries, &fstree.Entry{Name: e.Name(), Inode: walk(filepath.Join(p, e.Name()))})
			}
			sort.Slice(in.Entries, func(i, j int) bool { return in.Entries[i].Name < in.Entries[j].Name })
		case fi.Mode().IsRegular():
			in.Kind, in.Size = fstree.File, fi.Size()
			in.SetSource(p)
		case fi.Mode()&os.ModeSymlink != 0:
			in.Kind = fstree.Symlink
		}
		return in
	}
	return &fstree.Tree{Root: walk(root)}
}

// makeESP lays out an ESP-like directory, creating entries in the order
// perm gives.
func makeESP(t testing.TB, root string, big int, order []int) {
	t.Helper()
	type f struct {
		path string
		size int
	}
	files := []f{
		{"EFI/BOOT/BOOTX64.EFI", 120 << 10},
		{"EFI/systemd/systemd-bootx64.efi", 120 << 10},
		{"EFI/Linux/appliance_1.efi", big},
		{"EFI/Linux/appliance_2.efi", big / 2},
		{"loader/loader.conf", 30},
		{"loader/random-seed", 32},
		{"loader/entries/Long File Name Entry.conf", 200},
		{"loader/entries/entry-ünïcödé.conf", 0},
		{"loader/keys/auto/db.auth", 3 << 10},
	}
	for i := 0; i < 40; i++ {
		files = append(files, f{fmt.Sprintf("EFI/drivers/driver-number-%02d.efi", i), 500 + i*1000})
	}
	if order == nil {
		order = rand.Perm(len(files))
	}
	for _, i := range order {
		p := filepath.Join(root, files[i].path)
		if err := os.MkdirAll(filepath.Dir(p), 0755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, files[i].size)
		r := rand.New(rand.NewPCG(uint64(i), 1))
		for j := 0; j < len(data); j += 8 {
			v := r.Uint64()
			for k := 0; k < 8 && j+k < len(data); k++ {
				data[j+k] = byte(v >> (8 * k))
			}
		}
		if err := os.WriteFile(p, data, 0644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeterministic builds the same content twice, created in different
// orders under different umasks and time zones: the images must be equal.
func TestDeterministic(t *testing.T) {
	epoch := time.Unix(1700000000, 0)
	var sums [2][32]byte
	for run := 0; run < 2; run++ {
		old := syscall.Umask([]int{022, 077}[run])
		src := t.TempDir()
		makeESP(t, src, 9<<20, nil)
		syscall.Umask(old)
		loc := time.Local
		time.Local = []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800)}[run]
		tr := dirTree(t, src, epoch)
		p := Params{SectorSize: 512, FATBits: 32, VolumeID: 0x793a442b, Label: "ESP", Time: epoch}
		img := writeImage(t, t.TempDir(), 100<<20, tr, p)
		time.Local = loc
		fsckClean(t, img)
		mtoolsCheck(t, img, tr)
		f, err := os.Open(img)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		io.Copy(h, f)
		f.Close()
		copy(sums[run][:], h.Sum(nil))
	}
	if sums[0] != sums[1] {
		t.Fatalf("images differ: %x vs %x", sums[0], sums[1])
	}
	// Same tree written twice in memory: identical bytes.
	g := &treeGen{r: rand.New(rand.NewPCG(9, 9)), cs: 4096}
	tr := &fstree.Tree{Root: g.dir(3, 200)}
	p := Params{SectorSize: 4096, FATBits: 32, VolumeID: 1, Label: "X", Time: epoch}
	var a, b memImage
	if err := Write(&a, 300<<20, tr, p); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, 300<<20, tr, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.b, b.b) {
		t.Fatal("two writes of one tree differ")
	}
	// Entries out of order (a builder that did not sort): same bytes.
	rand.Shuffle(len(tr.Root.Entries), func(i, j int) {
		tr.Root.Entries[i], tr.Root.Entries[j] = tr.Root.Entries[j], tr.Root.Entries[i]
	})
	fstree.Walk(tr.Root, func(_ string, e *fstree.Entry) error {
		rand.Shuffle(len(e.Inode.Entries), func(i, j int) {
			e.Inode.Entries[i], e.Inode.Entries[j] = e.Inode.Entries[j], e.Inode.Entries[i]
		})
		return nil
	})
	var c memImage
	if err := Write(&c, 300<<20, tr, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.b, c.b) {
		t.Fatal("entry order changed the image")
	}
}

// memImage is an in-memory io.WriterAt.
type memImage struct{ b []byte }

func (m *memImage) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

// TestMinSizeTight checks that MinSize is the smallest size that works: 4
// KiB less fails with ErrNoSpace.
func TestMinSizeTight(t *testing.T) {
	for i := 0; i < 40; i++ {
		ss := []int{512, 4096}[i%2]
		bits := []int{32, 32, 0, 32}[i%4]
		g := &treeGen{r: rand.New(rand.NewPCG(uint64(i), 3)), cs: ss}
		tr := &fstree.Tree{Root: g.dir(2, i*20)}
		p := Params{SectorSize: ss, FATBits: bits}
		size, err := MinSize(tr, p)
		if err != nil {
			t.Fatal(err)
		}
		if size%4096 != 0 {
			t.Fatalf("tree %d: MinSize %d not a multiple of 4096", i, size)
		}
		if err := Write(discard{}, size, tr, p); err != nil {
			t.Fatalf("tree %d: Write at MinSize %d: %v", i, size, err)
		}
		err = Write(discard{}, size-minSizeUnit, tr, p)
		if err == nil || !(errors.Is(err, ErrNoSpace) || errors.Is(err, errTooSmall) || bytes.Contains([]byte(err.Error()), []byte("root directory needs"))) {
			t.Fatalf("tree %d: Write at MinSize-4096 = %d: %v", i, size-minSizeUnit, err)
		}
	}
}
