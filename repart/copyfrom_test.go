package repart

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/gpt"
)

// writeSourceImage writes an image of size bytes with GPT entries es,
// every partition filled with bytes seeded by its number.
func writeSourceImage(t *testing.T, path string, size int64, es []gpt.Entry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	g := NewGeometry(uint64(size), 512)
	tab := &gpt.Table{SectorSize: 512, TotalSectors: g.TotalSectors, DiskGUID: mustUUID(t, "1d2ce291-7cce-4f7d-bc83-fdb49ad74ebd"),
		FirstUsable: 34, LastUsable: g.LastLBA, Entries: es}
	regions, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if _, err := f.WriteAt(r.Data, r.Offset); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range es {
		data := make([]byte, (e.LastLBA-e.FirstLBA+1)*512)
		rand.New(rand.NewSource(int64(e.Index))).Read(data)
		if _, err := f.WriteAt(data, int64(e.FirstLBA)*512); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCopyFrom is testcase_copy_from_grain_padding and
// testcase_copy_from_respects_new_grain: each partition of the source
// keeps its size (rounded up to the grain), the gap after it (a partition
// ending last gets none of its own) and its UUID, label and flags; the
// data is copied block by block.
func TestCopyFrom(t *testing.T) {
	root, xbootldr := parseType(t, "root-x86-64"), parseType(t, "xbootldr")
	src := filepath.Join(t.TempDir(), "copy_from")
	entries := []gpt.Entry{
		{Index: 0, Type: root.UUID, UUID: mustUUID(t, "837c3d67-21b3-478e-be82-7e7f83bf96d3"), FirstLBA: 8192, LastLBA: 8192 + 40961 - 1,
			Name: "rootfs", Attributes: 1<<60 | 1},
		{Index: 1, Type: xbootldr.UUID, UUID: mustUUID(t, "4985c03e-eecb-4fe0-9f65-3f6345782214"), FirstLBA: 57344, LastLBA: 57344 + 10240 - 1},
	}
	writeSourceImage(t, src, 80<<20, entries)

	for _, tc := range []struct {
		grain uint64
		want  [][2]uint64 // start, size in sectors
	}{
		{512, [][2]uint64{{2048, 40961}, {51200, 10240}}},
		{4 << 20, [][2]uint64{{8192, 49152}, {65536, 16384}}}, // as systemd-repart 262 places them
	} {
		img := filepath.Join(t.TempDir(), "copy_to")
		if err := os.WriteFile(img, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, 100<<20); err != nil {
			t.Fatal(err)
		}
		res, err := Build(context.Background(), nil, BuildOptions{Image: img, Empty: "allow", CopyFrom: []string{src},
			Plan: Options{Seed: mustUUID(t, "750b6cd5-c4ae-4012-a15e-7be3c29e6a47"), GrainSize: tc.grain}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(img)
		if err != nil {
			t.Fatal(err)
		}
		tab, err := gpt.ReadTable(f, 512)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Entries) != 2 {
			t.Fatalf("grain %d: %d partitions, want 2", tc.grain, len(tab.Entries))
		}
		for i, e := range tab.Entries {
			w := tc.want[i]
			if e.FirstLBA != w[0] || e.LastLBA-e.FirstLBA+1 != w[1] {
				t.Errorf("grain %d: partition %d at %d, %d sectors, want %v", tc.grain, i+1, e.FirstLBA, e.LastLBA-e.FirstLBA+1, w)
			}
			s := entries[i]
			if e.Type != s.Type || e.UUID != s.UUID || e.Attributes != s.Attributes {
				t.Errorf("partition %d: type, UUID or flags not copied: %+v", i+1, e)
			}
			n := (s.LastLBA - s.FirstLBA + 1) * 512
			got, want := make([]byte, n), make([]byte, n)
			f.ReadAt(got, int64(e.FirstLBA)*512)
			rand.New(rand.NewSource(int64(i))).Read(want)
			if !bytes.Equal(got, want) {
				t.Errorf("grain %d: partition %d: data not copied", tc.grain, i+1)
			}
		}
		if tab.Entries[0].Name != "rootfs" || tab.Entries[1].Name != "xbootldr" {
			t.Errorf("labels %q %q, want the source's, else the type's", tab.Entries[0].Name, tab.Entries[1].Name)
		}
		f.Close()
		if res.Rows[0].File != src {
			t.Errorf("report file %q, want the source image", res.Rows[0].File)
		}
	}
}

// TestReadCopyFrom: the last image's partitions come first, the type
// filter applies, and an image without a GPT is refused.
func TestReadCopyFrom(t *testing.T) {
	root, home := parseType(t, "root-x86-64"), parseType(t, "home")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeSourceImage(t, a, 8<<20, []gpt.Entry{{Index: 0, Type: root.UUID, UUID: mustUUID(t, "837c3d67-21b3-478e-be82-7e7f83bf96d3"), FirstLBA: 2048, LastLBA: 4095}})
	writeSourceImage(t, b, 8<<20, []gpt.Entry{
		{Index: 0, Type: home.UUID, UUID: mustUUID(t, "4980595d-d74a-483a-aa9e-9903879a0ee5"), FirstLBA: 2048, LastLBA: 4095},
		{Index: 1, Type: root.UUID, UUID: mustUUID(t, "60f33797-1d71-4dcb-aa6f-20564f036cd0"), FirstLBA: 6144, LastLBA: 8191},
	})
	got, err := ReadCopyFrom([]string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range got {
		order = append(order, filepath.Base(c.Image)+":"+c.Def.Type.Name)
	}
	if strings.Join(order, " ") != "b:home b:root-x86-64 a:root-x86-64" {
		t.Errorf("order %v, want b's partitions first", order)
	}
	if p := got[0].Def.PaddingMin; p == nil || *p != 2048*512 {
		t.Errorf("home's padding %v, want the 1 MiB gap before the next partition", p)
	}
	if got[1].Def.PaddingMin != nil || got[2].Def.PaddingMin != nil {
		t.Error("a partition ending last got a fixed padding")
	}
	got, err = ReadCopyFrom([]string{b}, func(t definitions.PartitionType) bool { return t.Designator == "home" })
	if err != nil || len(got) != 1 || got[0].Def.Type.Designator != "root" {
		t.Errorf("filtered: %v, %v", got, err)
	}
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, make([]byte, 1<<20), 0o644)
	if _, err := ReadCopyFrom([]string{plain}, nil); err == nil || !strings.Contains(err.Error(), "no GPT") {
		t.Errorf("image without a GPT: %v", err)
	}
}
