package vdisk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDeterministic writes every container twice, the second time from a
// copy of the raw image whose holes are written zeros and whose written
// zeros are holes: the containers must be byte-identical, since they may
// depend on the bytes of the image only. A different seed must change
// the ids of every format that has any, a different time only VHD's
// timestamp.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	s := testShapes()[0]
	raw := makeRaw(t, dir, s)
	dense := filepath.Join(dir, "dense.raw")
	denseShape := shape{"dense", s.size, []piece{{0, s.size, true}}}
	for _, p := range s.pieces {
		if !p.zero {
			denseShape.pieces = append(denseShape.pieces, p)
		}
	}
	if got := makeRaw(t, dir, denseShape); got != dense {
		t.Fatal(got)
	}
	for _, v := range variants() {
		name := v.format + v.sub
		t.Run(name, func(t *testing.T) {
			p := testParams(v.format, v.sub)
			p.SectorSize = v.sectorSize
			a := read(t, convert(t, t.TempDir(), raw, p))
			b := read(t, convert(t, t.TempDir(), raw, p))
			c := read(t, convert(t, t.TempDir(), dense, p))
			if !bytes.Equal(a, b) {
				t.Fatal("two writes of the same image differ")
			}
			if !bytes.Equal(a, c) {
				t.Fatal("the container depends on where the raw image has holes")
			}
			p.Seed[0] ^= 1
			d := read(t, convert(t, t.TempDir(), raw, p))
			if changes := !bytes.Equal(a, d); changes != (v.format != "raw" && v.format != "qcow2") {
				t.Fatalf("another seed changes the container: %v", changes)
			}
			p.Seed[0] ^= 1
			p.Time = p.Time.AddDate(1, 0, 0)
			e := read(t, convert(t, t.TempDir(), raw, p))
			if changes := !bytes.Equal(a, e); changes != (v.format == "vpc") {
				t.Fatalf("another time changes the container: %v", changes)
			}
		})
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
