package artifacts

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"testing"
)

// TestXzStored checks the stored-chunk stream alone with xz -d and xz -l,
// at sizes around the 64 KiB LZMA2 chunk limit.
func TestXzStored(t *testing.T) {
	xzBin := needTool(t, "xz", "xz-utils")
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 4, 5, lzma2MaxStored - 1, lzma2MaxStored, lzma2MaxStored + 1, 3*lzma2MaxStored + 7, 5 << 20} {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(r.Uint32())
		}
		for _, dict := range []int{256 << 10, 4 << 20, 64 << 20} {
			path := writeTemp(t, "s.xz", xzStored(nil, in, dict))
			got, err := exec.Command(xzBin, "-d", "-c", path).Output()
			if err != nil || !bytes.Equal(got, in) {
				t.Fatalf("size %d dict %d: xz -d: %v, equal %v", n, dict, err, bytes.Equal(got, in))
			}
			if out, err := exec.Command(xzBin, "-l", "-vv", path).CombinedOutput(); err != nil {
				t.Fatalf("size %d: xz -l: %v\n%s", n, err, out)
			}
		}
	}
}

// TestXzIncompressibleChunks: random chunks are stored (output barely
// larger than input, fast), mixed ones compressed; xz -d reads both.
func TestXzIncompressibleChunks(t *testing.T) {
	xzBin := needTool(t, "xz", "xz-utils")
	data := make([]byte, 7<<20)
	rand.NewChaCha8([32]byte{9}).Read(data[:4<<20])
	copy(data[4<<20:], bytes.Repeat([]byte("compressible text "), 3<<20/18))
	comp := compressBytes(t, data, Params{Algorithm: Xz, Level: 0, Workers: 2})
	if len(comp) > 4<<20+4<<20/100 {
		t.Errorf("compressed to %d bytes; the random 4 MiB should cost about their size", len(comp))
	}
	got, err := exec.Command(xzBin, "-d", "-c", writeTemp(t, "m.xz", comp)).Output()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("xz -d: %v, equal %v", err, bytes.Equal(got, data))
	}
}

func TestLzma2DictByte(t *testing.T) {
	for _, c := range []struct{ dict, want int }{{4096, 0}, {256 << 10, 12}, {1 << 20, 16}, {4 << 20, 20}, {3 << 20, 19}, {64 << 20, 28}, {64<<20 + 1, 29}} {
		if got := lzma2DictByte(c.dict); int(got) != c.want {
			t.Errorf("lzma2DictByte(%d) = %d, want %d", c.dict, got, c.want)
		}
	}
}
