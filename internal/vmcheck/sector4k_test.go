package vmcheck_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestSectorSize4096 checks a disk of 4096-byte sectors: the guest's
// disk gets 4096-byte logical blocks, so Linux finds its GPT.
func TestSectorSize4096(t *testing.T) {
	if testing.Short() {
		t.Skip("boots a VM")
	}
	w := t.TempDir()
	files := map[string]string{"hello.txt": "hello from a 4K disk\n", "data.bin": string(blob(100000, 13))}
	put(t, filepath.Join(w, "tree"), files, nil)
	fs := filepath.Join(w, "fs.img")
	os.WriteFile(fs, nil, 0o644)
	os.Truncate(fs, 8<<20)
	tool(t, w, nil, "mkfs.ext4", "e2fsprogs", "-q", "-F", "-b", "4096", "-E", "root_owner=0:0", "-d", filepath.Join(w, "tree"), fs)

	const ss = 4096
	total := uint64(10<<20) / ss
	entrySectors := uint64(128*128) / ss
	tab := &gpt.Table{SectorSize: ss, TotalSectors: total, DiskGUID: guid("0F0F0F0F-1111-2222-3333-444444444444"),
		FirstUsable: 2 + entrySectors, LastUsable: total - 2 - entrySectors,
		Entries: []gpt.Entry{{Index: 0, Type: guid(linuxGeneric), UUID: guid("AAAAAAAA-0000-0000-0000-000000000001"),
			FirstLBA: (1 << 20) / ss, LastLBA: (9<<20)/ss - 1, Name: "data"}}}
	regions, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(w, "disk4k.raw")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(int64(total) * ss)
	for _, r := range regions {
		f.WriteAt(r.Data, r.Offset)
	}
	data, _ := os.ReadFile(fs)
	f.WriteAt(data, 1<<20)
	f.Close()

	spec := &vmcheck.Spec{SectorSize: ss, PartitionCount: 1, Partitions: []*vmcheck.Partition{
		{PartNo: 1, FSType: "ext4", Name: "data", UUID: "AAAAAAAA-0000-0000-0000-000000000001", Files: map[string]string{
			"hello.txt": sum(files["hello.txt"]), "data.bin": sum(files["data.bin"])}}}}
	res := testutil.VMCheck(t, img, spec)
	wantPass(t, res, "logical block 4096", "guest: p1: kernel sees vda1 start 2048 size 16384")
}

func guid(s string) gpt.GUID {
	var g gpt.GUID
	hex.Decode(g[:], []byte(strings.ReplaceAll(s, "-", "")))
	return g
}

// wantPass checks that a PASS line contains each of the texts.
func wantPass(t *testing.T, res *vmcheck.Result, texts ...string) {
	t.Helper()
	var passes []string
	for _, l := range res.Lines {
		if l.Kind == "PASS" {
			passes = append(passes, l.Text)
		}
	}
	all := strings.Join(passes, "\n")
	for _, s := range texts {
		if !strings.Contains(all, s) {
			t.Errorf("no PASS line mentions %q:\n%s", s, all)
		}
	}
}
