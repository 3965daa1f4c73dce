package repart

import (
	"strings"
	"testing"

	"github.com/gorepart/gorepart/definitions"
)

func parseType(t *testing.T, s string) definitions.PartitionType {
	t.Helper()
	ty, err := definitions.ParseType(s, "x86-64")
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// TestDiskOrder is TEST-58's testcase_output_order: new partitions are
// listed (and weighed, and numbered) after the existing partition whose
// free area they go into, so the esp growing into the area after it
// comes before the new home there and gets the smaller share of the
// 4096-byte crumb; an existing partition without a name shows its type's
// name, a foreign one too.
func TestDiskOrder(t *testing.T) {
	seed := mustUUID(t, "750b6cd5-c4ae-4012-a15e-7be3c29e6a47")
	root, xbootldr, esp := parseType(t, "root-x86-64"), parseType(t, "xbootldr"), parseType(t, "esp")
	home, swap := parseType(t, "home"), parseType(t, "swap")
	homeDef := def("01-home.conf", home)
	homeDef.SizeMin = sz(20 << 20)
	defs := []*definitions.Definition{homeDef, def("02-swap.conf", swap), def("03-esp.conf", esp), def("04-root.conf", root)}
	existing := []Existing{
		{PartNo: 0, Type: root.UUID, UUID: mustUUID(t, "837c3d67-21b3-478e-be82-7e7f83bf96d3"), Offset: 2048 * 512, Size: 20480 * 512},
		{PartNo: 1, Type: xbootldr.UUID, UUID: mustUUID(t, "4985c03e-eecb-4fe0-9f65-3f6345782214"), Offset: 22528 * 512, Size: 10240 * 512},
		{PartNo: 2, Type: esp.UUID, UUID: mustUUID(t, "91c30bc9-0187-4db6-81a2-c648294197f8"), Offset: 61440 * 512, Size: 20480 * 512},
	}
	parts, _, err := IdentifyExisting(defs, seed, existing)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Place(parts, nil, Options{Seed: seed, SectorSize: 512, Size: 80 << 20, FirstLBA: 2048})
	if err != nil {
		t.Fatal(err)
	}
	rows := Report(l, Outcome{}, "order", false)
	want := []struct {
		label                 string
		partno                int
		offset, size, padding uint64
	}{
		{"root-x86-64", 0, 1048576, 10485760, 0},
		{"xbootldr", 1, 11534336, 5242880, 0},
		{"swap", 3, 16777216, 14680064, 0},
		{"esp", 2, 31457280, 26202112, 0},
		{"home", 4, 57659392, 26206208, 0},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Label != w.label || r.PartNo != w.partno || r.Offset != w.offset || r.RawSize != w.size || r.RawPad != w.padding {
			t.Errorf("row %d: %s partno %d offset %d size %d padding %d, want %+v", i, r.Label, r.PartNo, r.Offset, r.RawSize, r.RawPad, w)
		}
	}
	js := string(StyledJSON(rows, true, ReportStyle{Debug: true, ASCII: true}))
	for _, s := range []string{`"size" : "10M -> 24.9M"`, `"padding" : "39.9M -> 0B"`, `"padding" : "14M -> 0B"`, `"size" : "-> 14M"`, `"size" : "5M"`} {
		if !strings.Contains(js, s) {
			t.Errorf("debug JSON lacks %s:\n%s", s, js)
		}
	}
	if js := string(JSON(rows, true)); strings.Contains(js, `"size"`) || strings.Contains(js, `"padding"`) {
		t.Errorf("JSON without debug has size or padding:\n%s", js)
	}
}

// TestStyledTable: repart's columns, right-aligned numbers, the Σ footer,
// ASCII glyphs, and every column under debug logging.
func TestStyledTable(t *testing.T) {
	rows := []ReportRow{
		{Type: "swap", Label: "swap", UUID: "9f77b6a6-6333-4b04-ba32-24ec36c178ed", PartNo: 0, File: "/d/a.conf", Node: "e.img1",
			Offset: 1048576, RawSize: 33554432, Activity: "create"},
		{Type: "home", Label: "home", UUID: "259bc0e0-fe99-455f-849d-130316e0a559", PartNo: 1, File: "/d/b.conf", Node: "e.img2",
			Offset: 34603008, RawSize: 70234112, Activity: "create"},
	}
	// As systemd-repart 262 printed them (stdout, not a terminal).
	want := "" +
		"TYPE LABEL UUID                                 PART FILE   RAW SIZE      SIZE PADDING\n" +
		"swap swap  9f77b6a6-6333-4b04-ba32-24ec36c178ed    0 a.conf 33554432     → 32M    → 0B\n" +
		"home home  259bc0e0-fe99-455f-849d-130316e0a559    1 b.conf 70234112   → 66.9M    → 0B\n" +
		"                                                                     Σ = 98.9M  Σ = 0B\n"
	if got := StyledTable(rows, ReportStyle{}, true); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	debug := "" +
		"TYPE LABEL UUID                                 PART FILE   NODE     OFFSET OLD SIZE RAW SIZE      SIZE OLD PADDING RAW PADDING PADDING ACTIVITY\n" +
		"swap swap  9f77b6a6-6333-4b04-ba32-24ec36c178ed    0 a.conf e.img1  1048576        0 33554432    -> 32M 0                     0   -> 0B create\n" +
		"home home  259bc0e0-fe99-455f-849d-130316e0a559    1 b.conf e.img2 34603008        0 70234112  -> 66.9M 0                     0   -> 0B create\n" +
		"                                                                                              S = 98.9M                          S = 0B \n"
	if got := StyledTable(rows, ReportStyle{Debug: true, ASCII: true}, true); got != debug {
		t.Errorf("debug table:\n%s\nwant:\n%s", got, debug)
	}
	if got := StyledTable(rows, ReportStyle{}, false); strings.Contains(got, "TYPE") {
		t.Errorf("--no-legend table has the header:\n%s", got)
	}
	if got := string(JSON(nil, true)); got != "[]\n" {
		t.Errorf("empty JSON report %q, want \"[]\\n\"", got)
	}
}
