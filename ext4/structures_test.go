package ext4

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

func dirOf(entries ...*fstree.Entry) *fstree.Inode {
	d := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: time.Unix(1600000000, 0), Entries: entries}
	sortEntries(d)
	return d
}

// TestExtentTreeDepth2 writes a file with more extents than one level of
// index blocks in the inode can address.
func TestExtentTreeDepth2(t *testing.T) {
	const n = 4*extentsBlock + 10 // > 1360 extents
	data := make([]byte, 2*n*blockSize)
	for i := 0; i < n; i++ {
		data[2*i*blockSize+7] = byte(i) | 1
	}
	f := (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: int64(len(data)), Mtime: time.Unix(1, 0)}).WithData(data)
	tree := &fstree.Tree{Root: dirOf(&fstree.Entry{Name: "frag", Inode: f})}
	img := writeImage(t, tree, 0, testParams())
	fsck(t, img)
	compareImage(t, img, tree)
	if out := debugfs(t, img, []string{"stat /frag"}); !strings.Contains(out, "Level Entries") && !strings.Contains(out, "EXTENTS") {
		t.Fatalf("stat /frag:\n%.2000s", out)
	}
}

// TestHtreeTwoLevels makes a directory whose leaves overflow the dx root.
func TestHtreeTwoLevels(t *testing.T) {
	g := &gen{r: rand.New(rand.NewSource(1)), o: genOpts{bigDir: 8000, longNames: true}}
	root := g.dir(0)
	tree := &fstree.Tree{Root: root}
	pl, err := newPlan(tree, testParams())
	if err != nil {
		t.Fatal(err)
	}
	var ents []dirent
	for _, e := range root.Lookup("big").Inode.Entries {
		ents = append(ents, dirent{e: e})
	}
	big := layoutDir(ents, 1, pl.seed)
	if big.ht == nil || big.ht.levels != 1 {
		t.Fatalf("big directory is not an htree with 1 level: %+v", big.ht)
	}
	img := writeImage(t, tree, 0, testParams())
	fsck(t, img)
	// rdump of thousands of long names takes debugfs many seconds; the
	// names, the shared inode and its link count are checked by
	// compareMeta, the content by reading one name.
	compareMeta(t, img, tree)
	e := big.ents[len(big.ents)-1].e
	out := debugfs(t, img, []string{fmt.Sprintf("cat %q", "/big/"+e.Name)})
	if want := string(root.Lookup("big").Inode.Entries[0].Inode.Data()); !strings.Contains(out, want) {
		t.Fatalf("cat /big/%s: %q, want %q", e.Name, out, want)
	}
}

// TestSourceTree builds a tree from a real directory with fstree.Build,
// including a sparse file, a 20 MiB file and a lost+found with content,
// round-trips it, and checks that the spilled build of the same directory
// writes the same image.
func TestSourceTree(t *testing.T) {
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "a/b/c"), 0755))
	must(os.WriteFile(filepath.Join(src, "a/file"), []byte("hello\n"), 0640))
	must(os.Link(filepath.Join(src, "a/file"), filepath.Join(src, "a/b/link")))
	must(os.Symlink("../file", filepath.Join(src, "a/b/sym")))
	must(syscall.Mkfifo(filepath.Join(src, "a/fifo"), 0600))
	sp, err := os.Create(filepath.Join(src, "sparse"))
	must(err)
	_, err = sp.WriteAt([]byte("start"), 0)
	must(err)
	_, err = sp.WriteAt([]byte("middle"), 30<<20)
	must(err)
	must(sp.Truncate(64 << 20))
	must(sp.Close())
	big, err := os.Create(filepath.Join(src, "big"))
	must(err)
	chunk := []byte(strings.Repeat("0123456789abcdef", 1<<16)) // 1 MiB
	for i := 0; i < 20; i++ {
		chunk[i] = byte(i)
		_, err := big.Write(chunk)
		must(err)
	}
	must(big.Close())
	must(os.MkdirAll(filepath.Join(src, "lost+found/kept"), 0700))
	epoch := time.Unix(1700000000, 0)
	for _, keep := range []bool{true, false} {
		build := func(spill string) *fstree.Tree {
			tree, _, err := fstree.Build(fstree.BuildOptions{
				Copies:          []fstree.Copy{{Source: src, Target: "/", HostPath: true}},
				Owner:           fstree.OwnerRoot,
				KeepHardlinks:   keep,
				SourceDateEpoch: &epoch,
				DefaultTime:     epoch,
				SpillDir:        spill,
			})
			must(err)
			return tree
		}
		tree := build("")
		img := writeImage(t, tree, 0, testParams())
		fsck(t, img)
		compareImage(t, img, tree)
		st, err := os.Stat(img)
		must(err)
		if st.Sys().(*syscall.Stat_t).Blocks*512 > 40<<20 {
			t.Fatalf("image takes %d bytes: the 64 MiB sparse file was not kept sparse", st.Sys().(*syscall.Stat_t).Blocks*512)
		}
		// The same tree spilled to disk (walked through List, hardlinks
		// by LinkKey) gives the same bytes.
		spilled := build(t.TempDir())
		img2 := writeImage(t, spilled, 0, testParams())
		must(spilled.Close())
		a, err := os.ReadFile(img)
		must(err)
		b, err := os.ReadFile(img2)
		must(err)
		if !bytes.Equal(a, b) {
			t.Fatalf("KeepHardlinks=%v: the spilled tree's image differs from the in-memory tree's", keep)
		}
	}
}

// TestShortSource checks that a source shorter than its size is an error
// naming the path.
func TestShortSource(t *testing.T) {
	for _, have := range []int{3, 2 << 20} { // buffered and copy_file_range paths
		p := filepath.Join(t.TempDir(), "short")
		if err := os.WriteFile(p, make([]byte, have), 0644); err != nil {
			t.Fatal(err)
		}
		f := &fstree.Inode{Kind: fstree.File, Mode: 0644, Size: int64(have) + 100000}
		f.SetSource(p)
		tree := &fstree.Tree{Root: dirOf(&fstree.Entry{Name: "f", Inode: f})}
		img, err := os.Create(filepath.Join(t.TempDir(), "img"))
		if err != nil {
			t.Fatal(err)
		}
		img.Truncate(64 << 20)
		err = Write(img, 64<<20, tree, testParams())
		img.Close()
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("Write with a short source: %v, want an error naming %s", err, p)
		}
	}
}

// TestReservedInodes compares checksums of inodes mke2fs writes the same
// way with values from a mke2fs 1.47.0 image of the same UUID and time.
func TestReservedInodes(t *testing.T) {
	p := testParams()
	copy(p.UUID[:], []byte{1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef})
	w := &writer{p: p, fsSeed: crc32c(^uint32(0), p.UUID[:])}
	b := make([]byte, inodeSize)
	for ino, want := range map[uint32]uint16{1: 0xd6a7, 3: 0xfd54} {
		w.encodeReservedInode(b, ino)
		if got := uint16(b[iCsumLo]) | uint16(b[iCsumLo+1])<<8; got != want {
			t.Errorf("inode %d checksum %#x, want %#x", ino, got, want)
		}
	}
}

// TestClampedTimeWarns checks that a time ext4 cannot store is clamped
// with a warning.
func TestClampedTimeWarns(t *testing.T) {
	f := &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)}
	tree := &fstree.Tree{Root: dirOf(&fstree.Entry{Name: "old", Inode: f})}
	var warnings []string
	p := testParams()
	p.Warn = func(m string) { warnings = append(warnings, m) }
	img := writeImage(t, tree, 0, p)
	fsck(t, img)
	if len(warnings) == 0 || !strings.Contains(warnings[0], "/old") {
		t.Fatalf("warnings %q, want one about /old", warnings)
	}
}

// TestParamsChecked checks that bad labels and sector sizes are refused.
func TestParamsChecked(t *testing.T) {
	tree := &fstree.Tree{Root: dirOf()}
	for _, mod := range []func(*Params){
		func(p *Params) { p.Label = "seventeen-bytes-x" },
		func(p *Params) { p.SectorSize = 8192 },
		func(p *Params) { p.SectorSize = 1000 },
	} {
		p := testParams()
		mod(&p)
		if err := Write(discard{}, 64<<20, tree, p); err == nil {
			t.Errorf("Write with %+v: no error", p)
		}
	}
	if got := MangleLabel("root-x86-64-ääää-long"); got != "root-x86-64-ää" {
		t.Errorf("MangleLabel: %q", got)
	}
}
