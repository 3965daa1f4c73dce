package artifacts

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// testImage returns size bytes mixing incompressible, zero and text-like
// runs, deterministic for a seed.
func testImage(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, size)
	words := []string{"usr ", "lib ", "systemd ", "nixos ", "store ", "/nix/store/", "0000", "abcdef "}
	for off := 0; off < size; {
		n := min(size-off, 1+r.IntN(3<<20))
		switch r.IntN(3) {
		case 0:
			for i := off; i < off+n; i++ {
				b[i] = byte(r.Uint32())
			}
		case 1: // zeros: already
		case 2:
			for i := off; i < off+n; {
				i += copy(b[i:off+n], words[r.IntN(len(words))])
			}
		}
		off += n
	}
	return b
}

func needTool(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %s", tool, pkg)
	}
	return p
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func compressBytes(t *testing.T, data []byte, p Params) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Compress(&out, bytes.NewReader(data), int64(len(data)), p); err != nil {
		t.Fatalf("Compress(%+v): %v", p, err)
	}
	return out.Bytes()
}

// TestDecompressWithTools checks that zstd -d and xz -d give back the
// input byte for byte, for sizes around chunk boundaries.
func TestDecompressWithTools(t *testing.T) {
	zstdBin := needTool(t, "zstd", "zstd")
	xzBin := needTool(t, "xz", "xz-utils")
	sizes := []int{0, 1, 4095, seekableFrameSize, seekableFrameSize + 1, 2*zstdChunk + 12345}
	for _, alg := range Algorithms() {
		for _, size := range sizes {
			data := testImage(size, uint64(size))
			p := Params{Algorithm: alg, Level: DefaultLevel, Workers: 3}
			tool := zstdBin
			if alg == Xz {
				// Level 0 has 1 MiB chunks: several streams at these sizes.
				tool, p.Level = xzBin, 0
			}
			comp := compressBytes(t, data, p)
			path := writeTemp(t, "img.raw.comp", comp)
			got, err := exec.Command(tool, "-d", "-c", path).Output()
			if err != nil {
				t.Fatalf("%s size %d: %s -d: %v", alg, size, tool, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s size %d: %s -d gave %d bytes differing from the %d input bytes", alg, size, filepath.Base(tool), len(got), len(data))
			}
		}
	}
}

// TestXzLevels checks every xz preset decompresses (dictionary sizes
// and chunk sizes differ per level).
func TestXzLevels(t *testing.T) {
	xzBin := needTool(t, "xz", "xz-utils")
	data := testImage(3<<19, 7)
	for level := 0; level <= 9; level++ {
		comp := compressBytes(t, data, Params{Algorithm: Xz, Level: level, Workers: 2})
		got, err := exec.Command(xzBin, "-d", "-c", writeTemp(t, "x.xz", comp)).Output()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("level %d: xz -d: err %v, equal %v", level, err, bytes.Equal(got, data))
		}
	}
}

// TestWorkersDoNotChangeOutput checks byte-identical output for 1 and
// many workers.
func TestWorkersDoNotChangeOutput(t *testing.T) {
	data := testImage(20<<20+7, 3)
	for _, alg := range Algorithms() {
		p := Params{Algorithm: alg, Workers: 1, Level: DefaultLevel}
		if alg == Xz {
			p.Level, data = 0, data[:5<<20+7]
		}
		one := compressBytes(t, data, p)
		p.Workers = 8
		many := compressBytes(t, data, p)
		if !bytes.Equal(one, many) {
			t.Errorf("%s: output with 1 worker (%d bytes) differs from 8 workers (%d bytes)", alg, len(one), len(many))
		}
	}
}

// TestSparseFile compresses a file with holes through *os.File.
func TestSparseFile(t *testing.T) {
	zstdBin := needTool(t, "zstd", "zstd")
	path := filepath.Join(t.TempDir(), "sparse.raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 64 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	payload := testImage(1<<20, 9)
	for _, off := range []int64{0, 17 << 20, size - 1<<20} {
		if _, err := f.WriteAt(payload, off); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := Compress(&out, f, size, Params{Algorithm: Zstd, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 8<<20 {
		t.Errorf("64 MiB mostly-hole file compressed to %d bytes", out.Len())
	}
	got, err := exec.Command(zstdBin, "-d", "-c", writeTemp(t, "s.zst", out.Bytes())).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zstd -d of the sparse file differs from the file")
	}
}

func TestParamsValidation(t *testing.T) {
	bad := []Params{
		{Algorithm: "gzip"},
		{Algorithm: ""},
		{Algorithm: Zstd, Level: 23},
		{Algorithm: Zstd, Level: -1},
		{Algorithm: ZstdSeekable, Level: 30},
		{Algorithm: Xz, Level: 10},
		{Algorithm: Xz, Level: -1},
	}
	for _, p := range bad {
		if err := Compress(&bytes.Buffer{}, bytes.NewReader(nil), 0, p); err == nil {
			t.Errorf("Compress(%+v) accepted", p)
		}
	}
	p, err := Params{Algorithm: Zstd}.Validate()
	if err != nil || p.Level != 3 || p.Workers < 1 {
		t.Errorf("Validate zstd defaults = %+v, %v; want level 3 and workers ≥ 1", p, err)
	}
}

func TestCompressedName(t *testing.T) {
	cases := []struct{ name, alg, want string }{
		{"image.raw", Zstd, "image.raw.zst"},
		{"image.raw", ZstdSeekable, "image.raw.zst"},
		{"image.raw", Xz, "image.raw.xz"},
		{"image.usr-x86-64.raw", Xz, "image.usr-x86-64.raw.xz"},
	}
	for _, c := range cases {
		got, err := CompressedName(c.name, c.alg)
		if err != nil || got != c.want {
			t.Errorf("CompressedName(%q, %q) = %q, %v; want %q", c.name, c.alg, got, err, c.want)
		}
	}
	if _, err := CompressedName("image.raw", "lz4"); err == nil {
		t.Error("CompressedName accepted lz4")
	}
}
