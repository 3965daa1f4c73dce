package repart

import (
	"testing"

	"github.com/gorepart/gorepart/definitions"
)

func sz(v uint64) *uint64 { return &v }

func typ(t testing.TB, name, designator, u string) definitions.PartitionType {
	return definitions.PartitionType{UUID: mustUUID(t, u), Name: name, Designator: designator}
}

func def(path string, ty definitions.PartitionType) *definitions.Definition {
	return &definitions.Definition{Path: path, Type: ty, Weight: 1000, SplitName: "%t"}
}

type wantPart struct {
	start, size uint64 // sectors
	uuid, label string
}

func checkLayout(t *testing.T, defs []*definitions.Definition, o Options, want []wantPart) *Layout {
	t.Helper()
	parts, _, err := Identify(defs, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Place(parts, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, p := range l.Partitions {
		if p.Dropped {
			continue
		}
		if i >= len(want) {
			t.Fatalf("more partitions than expected")
		}
		w := want[i]
		if p.Offset/512 != w.start || p.Size/512 != w.size {
			t.Errorf("%s: start %d size %d, want %d %d", p.Def.Path, p.Offset/512, p.Size/512, w.start, w.size)
		}
		if w.uuid != "" && formatUUID(p.UUID) != w.uuid {
			t.Errorf("%s: uuid %s want %s", p.Def.Path, formatUUID(p.UUID), w.uuid)
		}
		if w.label != "" && p.Label != w.label {
			t.Errorf("%s: label %q want %q", p.Def.Path, p.Label, w.label)
		}
		i++
	}
	return l
}

// The layouts below are the golden cases weights-three-roots and
// weights-padding-mix, planned from hand-built definitions (the golden
// test in cmd runs the whole pipeline on the real files).
func TestPlaceThreeRoots(t *testing.T) {
	home := typ(t, "home", "home", "933ac7e1-2eb4-4f13-b844-0e14e2aef915")
	root := typ(t, "root-x86-64", "root", "4f68bce3-e8cd-4db1-96e7-fbcaf984b709")
	swap := typ(t, "swap", "swap", "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f")
	sw := def("40-swap.conf", swap)
	sw.SizeMax, sw.PaddingMin = sz(64<<20), sz(92<<20)
	sw.Format = "swap"
	defs := []*definitions.Definition{def("10-home.conf", home), def("20-root.conf", root), def("30-root2.conf", root), sw}
	checkLayout(t, defs, Options{Seed: mustUUID(t, "750b6cd5c4ae4012a15e7be3c29e6a47"), Size: 1 << 30}, []wantPart{
		{2048, 591856, "4980595d-d74a-483a-aa9e-9903879a0ee5", "home"},
		{593904, 591856, "60f33797-1d71-4dcb-aa6f-20564f036cd0", "root-x86-64"},
		{1185760, 591864, "73a4ccd2-eaf5-44da-a366-f99188210fdc", "root-x86-64-2"},
		{1777624, 131072, "78c92db8-3d2b-4823-b0dc-792b78f66f1e", "swap"},
	})
}

func TestPlacePaddingMix(t *testing.T) {
	gen := typ(t, "linux-generic", "", "0fc63daf-8483-4772-8e79-3d69d8477de4")
	a := def("00-a.conf", gen)
	a.Weight, a.PaddingWeight, a.SizeMin = 250, 750, sz(100<<20)
	b := def("10-b.conf", gen)
	b.Weight, b.SizeMax, b.PaddingMin, b.PaddingMax = 3000, sz(1<<30), sz(13<<20), sz(50<<20)
	c := def("20-c.conf", typ(t, "var", "var", "4d21b016-b534-45c2-a9fb-5c16e091fd2d"))
	c.Weight, c.SizeMin = 0, sz(333<<20)
	d := def("30-d.conf", typ(t, "tmp", "tmp", "7ec6f557-3bc5-4aca-b293-16ef5df639d1"))
	d.PaddingWeight = 1
	checkLayout(t, []*definitions.Definition{a, b, c, d}, Options{Seed: mustUUID(t, "0867da16f251457da9e8c31f9a3c220b"), Size: 3 << 30}, []wantPart{
		{2048, 435232, "", "linux-generic"},
		{1742976, 2097152, "", "linux-generic-2"},
		{3866752, 681984, "", "var"},
		{4548736, 1740936, "", "tmp"},
	})
}

// TEST-58's --grain-size=2M vector: three 10M partitions start at sector
// 4096 and the auto-sized disk ends at last-lba 65535.
func TestPlaceGrainSize(t *testing.T) {
	gen := typ(t, "linux-generic", "", "0fc63daf-8483-4772-8e79-3d69d8477de4")
	var defs []*definitions.Definition
	for _, n := range []string{"a", "b", "c"} {
		d := def(n+".conf", gen)
		d.SizeMin, d.SizeMax = sz(10<<20), sz(10<<20)
		defs = append(defs, d)
	}
	l := checkLayout(t, defs, Options{Seed: UUID{1}, GrainSize: 2 << 20, AutoSize: true}, []wantPart{
		{4096, 20480, "", "linux-generic"}, {24576, 20480, "", "linux-generic-2"}, {45056, 20480, "", "linux-generic-3"},
	})
	if l.LastLBA != 65535 || l.TotalSectors != 65569 {
		t.Errorf("last LBA %d, total %d; want 65535, 65569", l.LastLBA, l.TotalSectors)
	}
}

// A partition that cannot fit and has no positive priority is an error.
func TestPlaceNoSpace(t *testing.T) {
	d := def("a.conf", typ(t, "linux-generic", "", "0fc63daf-8483-4772-8e79-3d69d8477de4"))
	d.SizeMin = sz(100 << 20)
	parts, _, _ := Identify([]*definitions.Definition{d}, UUID{1})
	if _, err := Place(parts, nil, Options{Size: 50 << 20}); err == nil {
		t.Fatal("expected an error")
	}
}
