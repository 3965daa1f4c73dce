package repart

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
)

// compressibleTree writes files of text that lz4 shrinks, larger than a
// block, so that erofs compresses them.
func compressibleTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		var b strings.Builder
		for j := 0; b.Len() < 20000+i*997; j++ {
			fmt.Fprintf(&b, "line %d of file %d: the quick brown fox %d\n", j, i, j*i%13)
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%4))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%02d.txt", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func parseDefs(t *testing.T, confs map[string]string) []*definitions.Definition {
	t.Helper()
	var defs []*definitions.Definition
	for _, name := range slices.Sorted(maps.Keys(confs)) {
		text := confs[name]
		d, _, err := definitions.ParseConf(name, []byte("[Partition]\n"+text), "x86-64", definitions.Specifiers{})
		if err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	return defs
}

func testBuild(t *testing.T, defs []*definitions.Definition, image, empty string, size uint64) (*Result, []string) {
	t.Helper()
	epoch := time.Unix(1, 0).UTC()
	var logs []string
	res, err := Build(context.Background(), defs, BuildOptions{
		Plan:  Options{Seed: UUID{7}, Size: size, AutoSize: size == 0},
		Image: image, Empty: empty, SourceDateEpoch: &epoch, Owner: fstree.OwnerRoot,
		Log: func(s string) { logs = append(logs, s) },
	})
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, strings.Join(logs, "\n"))
	}
	return res, logs
}

// grow is a partition without content that takes the free space, and
// fixed the same with the size it took.
const grow = "Type=linux-generic\n"

func fixed(size uint64) string {
	return fmt.Sprintf("Type=linux-generic\nSizeMinBytes=%d\nSizeMaxBytes=%d\n", size, size)
}

// TestInPlaceMissEqualsHit: a compressed erofs after a partition that
// grows into a fixed-size image is written while planning where that
// partition's share of the free space is not known yet, at the wrong
// offset; it is wiped there and written again. The image must be the one
// made when the first partition has its final size from the start and
// the erofs is written where it belongs the first time.
func TestInPlaceMissEqualsHit(t *testing.T) {
	usr := "Type=usr\nFormat=erofs\nCompression=lz4\nMinimize=best\nWeight=0\nCopyFiles=" + compressibleTree(t) + ":/\n"
	dir := t.TempDir()
	miss, hit := filepath.Join(dir, "miss.raw"), filepath.Join(dir, "hit.raw")
	res, logs := testBuild(t, parseDefs(t, map[string]string{"10-grow.conf": grow, "20-usr.conf": usr}), miss, "create", 32<<20)
	if !strings.Contains(strings.Join(logs, "\n"), "writing it again") {
		t.Fatalf("the erofs partition was placed where it was written while planning; the test needs a miss:\n%s", strings.Join(logs, "\n"))
	}
	_, logs = testBuild(t, parseDefs(t, map[string]string{"10-grow.conf": fixed(res.Layout.Partitions[0].Size), "20-usr.conf": usr}),
		hit, "create", 32<<20)
	if strings.Contains(strings.Join(logs, "\n"), "writing it again") {
		t.Fatalf("miss with a fixed first partition:\n%s", strings.Join(logs, "\n"))
	}
	compareFiles(t, miss, hit)
}

// TestNotInPlaceUponExisting: building upon an image (whose new
// partitions are cleared once laid out) a compressed erofs is sized apart
// and written at its place; it has the bytes the in-place path writes in
// the same layout from scratch.
func TestNotInPlaceUponExisting(t *testing.T) {
	usr := "Type=usr\nFormat=erofs\nCompression=lz4\nMinimize=best\nWeight=0\nCopyFiles=" + compressibleTree(t) + ":/\n"
	old := "Type=swap\nSizeMinBytes=1M\nSizeMaxBytes=1M\n"
	dir := t.TempDir()
	upon, fresh := filepath.Join(dir, "upon.raw"), filepath.Join(dir, "fresh.raw")
	testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old}), upon, "create", 32<<20)
	res, logs := testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old, "10-grow.conf": grow, "20-usr.conf": usr}),
		upon, "refuse", 0)
	all := strings.Join(logs, "\n")
	if i, j := strings.Index(all, "Minimal partition size of erofs"), strings.Index(all, "Formatting future partition 2"); i < 0 || j < i {
		t.Fatalf("the erofs partition was written while planning upon an existing image:\n%s", all)
	}
	res2, logs := testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old, "10-grow.conf": grow, "20-usr.conf": usr}),
		fresh, "create", 32<<20)
	all = strings.Join(logs, "\n")
	if i, j := strings.Index(all, "Minimal partition size of erofs"), strings.Index(all, "Formatting future partition 2"); j < 0 || i < j {
		t.Fatalf("the erofs partition was not written while planning from scratch:\n%s", all)
	}
	a, b := res.Layout.Partitions[2], res2.Layout.Partitions[2]
	if a.Offset != b.Offset || a.Size != b.Size {
		t.Fatalf("layouts differ: %d+%d, %d+%d", a.Offset, a.Size, b.Offset, b.Size)
	}
	da, err := os.ReadFile(upon)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(da[a.Offset:a.Offset+a.Size], db[b.Offset:b.Offset+b.Size]) {
		t.Error("the erofs partition written at its place differs from the one written while planning")
	}
}

func compareFiles(t *testing.T, a, b string) {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(da) != len(db) {
		t.Fatalf("%s is %d bytes, %s %d", a, len(da), b, len(db))
	}
	for i := 0; i < len(da); i += 4096 {
		e := min(i+4096, len(da))
		if !bytes.Equal(da[i:e], db[i:e]) {
			t.Fatalf("%s and %s differ in the block at byte %d", filepath.Base(a), filepath.Base(b), i)
		}
	}
}
