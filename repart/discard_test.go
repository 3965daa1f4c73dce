package repart

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gorepart/gorepart/definitions"
)

// fixedDef is a partition of exactly size bytes.
func fixedDef(path string, ty definitions.PartitionType, size uint64) *definitions.Definition {
	d := def(path, ty)
	d.SizeMin, d.SizeMax = sz(size), sz(size)
	return d
}

// TestZeroNewPartitions: building upon an existing table, what the image
// held where a new partition goes reads as zeros afterwards, and with
// discard (the default) so does the gap after it; an existing partition
// keeps its bytes. --discard=no leaves the gap and grows the image by
// allocation.
func TestZeroNewPartitions(t *testing.T) {
	root, home := parseType(t, "root-x86-64"), parseType(t, "home")
	seed := mustUUID(t, "750b6cd5-c4ae-4012-a15e-7be3c29e6a47")
	for _, discard := range []bool{true, false} {
		img := filepath.Join(t.TempDir(), "disk.raw")
		o := BuildOptions{Image: img, Empty: "create", Plan: Options{Seed: seed, Size: 64 << 20}}
		if _, err := Build(context.Background(), []*definitions.Definition{fixedDef("10-root.conf", root, 10<<20)}, o); err != nil {
			t.Fatal(err)
		}
		// Garbage everywhere after the table's first sectors: in root
		// and in the free space.
		garbage := make([]byte, 60<<20)
		rand.New(rand.NewSource(1)).Read(garbage)
		f, err := os.OpenFile(img, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(garbage, 1<<20)
		f.Close()

		o = BuildOptions{Image: img, Empty: "refuse", NoDiscard: !discard, Plan: Options{Seed: seed, Size: 72 << 20}}
		defs := []*definitions.Definition{fixedDef("10-root.conf", root, 10<<20), fixedDef("20-home.conf", home, 5<<20)}
		res, err := Build(context.Background(), defs, o)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		h := res.Layout.Partitions[1]
		if h.Def.Path != "20-home.conf" || h.Exists {
			t.Fatalf("second partition %s, want the new home", h.Def.Path)
		}
		if !bytes.Equal(data[1<<20:11<<20], garbage[:10<<20]) {
			t.Errorf("discard=%v: the existing root partition changed", discard)
		}
		if !allZero(data[h.Offset : h.Offset+h.Size]) {
			t.Errorf("discard=%v: the new partition holds old bytes", discard)
		}
		gap := data[h.Offset+h.Size : 61<<20]
		if allZero(gap) != discard {
			t.Errorf("discard=%v: the gap after the new partition is zero: %v", discard, allZero(gap))
		}
		st, err := os.Stat(img)
		if err != nil {
			t.Fatal(err)
		}
		allocated := st.Sys().(*syscall.Stat_t).Blocks * 512
		if !discard && allocated < 72<<20 {
			t.Errorf("--discard=no: %d bytes allocated, want the whole image (72 MiB)", allocated)
		}
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// TestFactoryReset: --factory-reset=yes removes the existing partitions
// of FactoryReset=yes definitions and makes them anew (here: zeroed),
// leaves the others; CanFactoryReset says whether there is one.
func TestFactoryReset(t *testing.T) {
	root, home := parseType(t, "root-x86-64"), parseType(t, "home")
	seed := mustUUID(t, "750b6cd5-c4ae-4012-a15e-7be3c29e6a47")
	img := filepath.Join(t.TempDir(), "disk.raw")
	homeDef := fixedDef("20-home.conf", home, 5<<20)
	defs := []*definitions.Definition{fixedDef("10-root.conf", root, 10<<20), homeDef}
	if _, err := Build(context.Background(), defs, BuildOptions{Image: img, Empty: "create", Plan: Options{Seed: seed, Size: 64 << 20}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := CanFactoryReset(defs, BuildOptions{Image: img, Plan: Options{Seed: seed}}); ok || err != nil {
		t.Errorf("CanFactoryReset without FactoryReset=yes: %v, %v", ok, err)
	}
	f, _ := os.OpenFile(img, os.O_RDWR, 0)
	f.WriteAt(bytes.Repeat([]byte{0xa5}, 15<<20), 1<<20) // root and home
	f.Close()

	homeDef.FactoryReset = true
	if ok, err := CanFactoryReset(defs, BuildOptions{Image: img, Plan: Options{Seed: seed}}); !ok || err != nil {
		t.Errorf("CanFactoryReset with FactoryReset=yes: %v, %v", ok, err)
	}
	var log []string
	o := BuildOptions{Image: img, FactoryReset: true, Plan: Options{Seed: seed}, Log: func(s string) { log = append(log, s) }}
	res, err := Build(context.Background(), defs, o)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(img)
	if !bytes.Equal(data[1<<20:11<<20], bytes.Repeat([]byte{0xa5}, 10<<20)) {
		t.Error("root (no FactoryReset=) changed")
	}
	h := res.Layout.Partitions[1]
	if h.Exists || !allZero(data[h.Offset:h.Offset+h.Size]) {
		t.Errorf("home was not made anew (exists %v)", h.Exists)
	}
	if res.Rows[1].Activity != "create" {
		t.Errorf("home's activity %q, want create", res.Rows[1].Activity)
	}
	found := false
	for _, l := range log {
		found = found || l == "Removing partition 1 for factory reset."
	}
	if !found {
		t.Errorf("log %q lacks the removal", log)
	}
}
