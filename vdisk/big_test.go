package vdisk

import (
	"math/rand/v2"
	"os"
	"testing"
)

// bigShape is a 4 GiB image holding 500 MiB: 250 pieces of 2 MiB at
// 4 KiB-aligned random places, one in each 16 MiB of the image, so most
// pieces straddle 64 KiB clusters.
func bigShape() shape {
	s := shape{name: "big", size: 4 * giB}
	r := rand.New(rand.NewPCG(1, 2))
	const slot = 4 * giB / 256
	for i := range int64(250) {
		off := i*slot + r.Int64N((slot-2*miB)/(4*kiB))*4*kiB
		s.pieces = append(s.pieces, piece{off, 2 * miB, false})
	}
	s.pieces = append(s.pieces, piece{s.size - 64*kiB, 64 * kiB, false})
	return s
}

// TestBig converts the 4 GiB image holding 500 MiB to qcow2: the file must
// stay under 600 MiB, pass qemu-img check and compare equal.
func TestBig(t *testing.T) {
	dir := t.TempDir()
	s := bigShape()
	raw := makeRaw(t, dir, s)
	path := convert(t, dir, raw, testParams("qcow2", ""))
	if got := fileSize(t, path); got > 600*miB {
		t.Fatalf("qcow2 of 500 MiB of data is %d bytes, more than 600 MiB", got)
	}
	qemuCheck(t, "qcow2", path)
	qemuCompare(t, raw, "qcow2", path)
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
