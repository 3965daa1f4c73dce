package fstree

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

func TestSummary(t *testing.T) {
	f := &Inode{Kind: File, Size: 5000, Xattrs: []Xattr{{Name: "user.a", Value: []byte("xyz")}}}
	tree := &Tree{Root: &Inode{Kind: Dir, Entries: []*Entry{
		{Name: "bin", Inode: &Inode{Kind: Dir, Entries: []*Entry{
			{Name: "a", Inode: f},
			{Name: "b", Inode: f},
			{Name: "sh", Inode: &Inode{Kind: Symlink, Target: "a"}},
		}}},
		{Name: "dev", Inode: &Inode{Kind: Dir, Entries: []*Entry{
			{Name: "null", Inode: &Inode{Kind: CharDevice, Major: 1, Minor: 3}},
			{Name: "p", Inode: &Inode{Kind: FIFO}},
		}}},
		{Name: "empty", Inode: (&Inode{Kind: File}).WithData([]byte{})},
		{Name: "long-name-file", Inode: &Inode{Kind: File, Size: 4096}},
	}}}
	got := summarize(t, tree)
	want := Summary{
		Inodes: 9, Files: 3, Dirs: 3, Symlinks: 1, Other: 2,
		Entries: 9, HardlinkGroups: 1, HardlinkNames: 2,
		DataBytes: 9096, SymlinkBytes: 1, NameBytes: 3 + 1 + 1 + 2 + 3 + 4 + 1 + 5 + 14,
		XattrBytes: 9, XattrInodes: 1,
		MaxDirEntries: 4, MaxNameLen: 14, MaxFileSize: 5000,
	}
	if got != want {
		t.Errorf("Summarize:\n got %+v\nwant %+v", got, want)
	}
	if n := FileBlocks(tree, 4096); n != 3 {
		t.Errorf("FileBlocks(4096) = %d, want 3", n)
	}
	if n := FileBlocks(tree, 1024); n != 9 {
		t.Errorf("FileBlocks(1024) = %d, want 9", n)
	}
	lc := LinkCounts(tree)
	if lc[tree.Root] != 4 || lc[f] != 2 || lc[tree.Root.Entries[0].Inode] != 2 {
		t.Errorf("link counts root %d file %d bin %d", lc[tree.Root], lc[f], lc[tree.Root.Entries[0].Inode])
	}
}

func TestDataExtents(t *testing.T) {
	s := newSrc(t)
	const size = 8 << 20
	p := s.p("sparse")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 3 << 20} {
		if _, err := f.WriteAt(make([]byte, 4096), off); err != nil { // zeros written are data, not a hole
			t.Fatal(err)
		}
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s.file("dense", "dense data", 0o644)
	s.file("empty", "", 0o644)

	tree, _ := s.build(BuildOptions{Copies: []Copy{cp("/", "/")}})
	if !node(t, tree, "/sparse").Sparse || node(t, tree, "/dense").Sparse {
		t.Errorf("Sparse hint wrong")
	}
	ext, err := node(t, tree, "/sparse").DataExtents()
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	end := int64(-1)
	for _, e := range ext {
		if e.Offset <= end || e.Length <= 0 || e.Offset+e.Length > size {
			t.Fatalf("bad extents %v", ext)
		}
		end = e.Offset + e.Length
		total += e.Length
	}
	covers := func(off int64) bool {
		for _, e := range ext {
			if off >= e.Offset && off < e.Offset+e.Length {
				return true
			}
		}
		return false
	}
	if !covers(0) || !covers(3<<20) || covers(size-1) || total >= size/2 {
		t.Errorf("sparse file extents %v (the test directory's filesystem must support SEEK_DATA: ext4, xfs, btrfs, tmpfs)", ext)
	}
	if ext, err := node(t, tree, "/dense").DataExtents(); err != nil || len(ext) != 1 || ext[0] != (Extent{Offset: 0, Length: 10}) {
		t.Errorf("dense: %v %v", ext, err)
	}
	if ext, err := node(t, tree, "/empty").DataExtents(); err != nil || ext != nil {
		t.Errorf("empty: %v %v", ext, err)
	}
	mem := (&Inode{Kind: File, Size: 9}).WithData([]byte("generated"))
	if ext, err := mem.DataExtents(); err != nil || len(ext) != 1 || ext[0] != (Extent{Offset: 0, Length: 9}) {
		t.Errorf("data-backed: %v %v", ext, err)
	}
	if _, err := tree.Root.DataExtents(); err == nil {
		t.Errorf("extents of a directory: no error")
	}
}

// The tree's memory budget (< 300 bytes per node, the target)
// depends on Inode staying small: Sparse lives in Kind's padding, a
// file's source is a shared directory chain plus its name, and in-memory
// content shares the name's field. One pointer (nil in memory) refers an
// inode read from a spill file to it (spill.go).
func TestInodeSize(t *testing.T) {
	if n := unsafe.Sizeof(Inode{}); n > 152 {
		t.Errorf("Inode is %d bytes, budget 152", n)
	}
}

// SourcePath gives back the path SetSource was given, for absolute,
// relative and bare names.
func TestSetSourceRoundTrip(t *testing.T) {
	for _, p := range []string{"/abs/dir/file", "/file", "rel/dir/file", "file", "./file"} {
		var in Inode
		in.SetSource(p)
		got := in.SourcePath()
		if filepath.Clean(got) != filepath.Clean(p) {
			t.Errorf("SetSource(%q): SourcePath() = %q", p, got)
		}
		if !in.HasSource() || in.Data() != nil {
			t.Errorf("SetSource(%q): HasSource %v, Data %q", p, in.HasSource(), in.Data())
		}
	}
}
