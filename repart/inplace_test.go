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

// TestInPlaceMissRestores: building upon an image, the bytes a miss
// wiped are those of the image built upon again where no new partition
// writes them.
func TestInPlaceMissRestores(t *testing.T) {
	usr := "Type=usr\nFormat=erofs\nCompression=lz4\nMinimize=best\nWeight=0\nCopyFiles=" + compressibleTree(t) + ":/\n"
	dir := t.TempDir()
	base := filepath.Join(dir, "base.raw")
	old := "Type=swap\nSizeMinBytes=1M\nSizeMaxBytes=1M\n"
	testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old}), base, "create", 32<<20)
	// Old bytes in the free space, which the new partitions do not
	// write: the growing one is left as it is.
	f, err := os.OpenFile(base, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte("old bytes! "), 30<<20/11)
	if _, err := f.WriteAt(junk[:30<<20-64<<10], 2<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	miss, hit := filepath.Join(dir, "miss.raw"), filepath.Join(dir, "hit.raw")
	for _, p := range []string{miss, hit} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, logs := testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old, "10-grow.conf": grow, "20-usr.conf": usr}),
		miss, "refuse", 0)
	if !strings.Contains(strings.Join(logs, "\n"), "writing it again") {
		t.Fatalf("no miss:\n%s", strings.Join(logs, "\n"))
	}
	var size uint64
	for _, p := range res.Layout.Partitions {
		if p.Def.Path == "10-grow.conf" {
			size = p.Size
		}
	}
	testBuild(t, parseDefs(t, map[string]string{"00-old.conf": old, "10-grow.conf": fixed(size), "20-usr.conf": usr}),
		hit, "refuse", 0)
	compareFiles(t, miss, hit)
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
