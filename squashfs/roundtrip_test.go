package squashfs

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/treefuzz"
)

// TestRoundTrip writes random trees with every compression (and 4 KiB
// blocks, tails packed or not, so trees of small files still have many
// blocks, holes and fragments) and extracts them with unsquashfs, which
// must find them whole: every file, link, device, owner, mode, mtime and
// xattr as in the tree.
func TestRoundTrip(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("extracting owners, devices and trusted. xattrs needs root")
	}
	comps := []string{"gzip", "xz", "lz4", "zstd"}
	for _, seed := range treefuzz.Seeds() {
		p := Params{Compression: comps[seed%len(comps)]}
		bs := DefaultBlockSize
		if seed%3 != 0 {
			bs = 4096
			p.BlockSize = bs
		}
		p.TailEnds = seed%2 == 1
		tr := genTree(int64(seed), bs)
		dir := t.TempDir()
		img, _ := build(t, dir, tr, p)
		x := unsquash(t, img, dir)
		if err := compareTree(tr, x, false); err != nil {
			t.Fatalf("seed %d (%+v): %v", seed, p, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnsquashfsStat checks the superblock as unsquashfs -stat reports
// it, for each compression and level.
func TestUnsquashfsStat(t *testing.T) {
	tool := testutil.Tool(t, "unsquashfs", "squashfs-tools")
	for _, c := range []struct {
		p    Params
		want []string
	}{
		{Params{}, []string{"Compression gzip", "Block size 131072", "Filesystem is exportable via NFS",
			"Always-use-fragments option is not specified", "Duplicates are removed"}},
		{Params{Compression: "gzip", CompressionLevel: 1}, []string{"Compression gzip", "compression-level 1"}},
		{Params{Compression: "zstd", CompressionLevel: 19}, []string{"Compression zstd", "compression-level 19"}},
		{Params{Compression: "zstd"}, []string{"Compression zstd"}},
		{Params{Compression: "xz"}, []string{"Compression xz"}},
		{Params{Compression: "lz4", TailEnds: true, BlockSize: 1 << 20}, []string{"Compression lz4", "Block size 1048576", "Always-use-fragments option is specified"}},
	} {
		dir := t.TempDir()
		img, size := build(t, dir, genTree(7, c.p.blockSize()), c.p)
		out, err := exec.Command(tool, "-stat", img).CombinedOutput()
		if err != nil {
			t.Fatalf("unsquashfs -stat: %v\n%s", err, out)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%+v: unsquashfs -stat lacks %q:\n%s", c.p, w, out)
			}
		}
		if size%4096 != 0 {
			t.Errorf("%+v: size %d not padded to 4 KiB", c.p, size)
		}
		// unsquashfs -lln lists every entry once.
		ls, err := exec.Command(tool, "-lln", img).CombinedOutput()
		if err != nil {
			t.Fatalf("unsquashfs -lln: %v\n%s", err, ls)
		}
		if strings.Count(string(ls), "\nlrwxrwxrwx") == 0 || !strings.Contains(string(ls), "squashfs-root/") {
			t.Errorf("unsquashfs -lln: unexpected listing:\n%.2000s", ls)
		}
	}
}

// TestEmptyRoot: a tree of the root alone (no data, no fragments, one
// id) is an image unsquashfs reads.
func TestEmptyRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("extracting owners needs root")
	}
	tr := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0700, UID: 5, GID: 6, Mtime: testTime,
		Xattrs: []fstree.Xattr{{Name: "user.validatefs.mount_point", Value: []byte("/usr\x00")}}}}
	dir := t.TempDir()
	img, size := build(t, dir, tr, Params{})
	if size != 4096 {
		t.Errorf("image of %d bytes, want 4096", size)
	}
	if err := compareTree(tr, unsquash(t, img, dir), true); err != nil {
		t.Fatal(err)
	}
}
