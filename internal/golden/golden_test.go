package golden

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestBlob: the first block is sha256("SEED:0"), blocks follow in order,
// and the cut is exact.
func TestBlob(t *testing.T) {
	b := Blob(BlobSpec{Size: 70, Seed: 7})
	d0, d1, d2 := sha256.Sum256([]byte("7:0")), sha256.Sum256([]byte("7:1")), sha256.Sum256([]byte("7:2"))
	want := append(append(d0[:], d1[:]...), d2[:6]...)
	if !bytes.Equal(b, want) {
		t.Fatalf("Blob = %x, want %x", b, want)
	}
	// Reading in odd pieces gives the same bytes.
	r := BlobReader(BlobSpec{Size: 70, Seed: 7})
	var got []byte
	for buf := make([]byte, 5); ; {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("BlobReader in 5-byte reads = %x", got)
	}
}

// TestCases lays out every case: its definitions lose their
// placeholders, its blobs are written, and its COMMAND parses. (The
// verity package's golden test checks blob bytes against
// expected.partsha.)
func TestCases(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := Cases(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 16 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			work := t.TempDir()
			if err := c.Materialize(work); err != nil {
				t.Fatal(err)
			}
			confs, _ := filepath.Glob(filepath.Join(work, "repart.d", "*"))
			if len(confs) == 0 {
				t.Fatal("no definitions")
			}
			for _, f := range confs {
				b, _ := os.ReadFile(f)
				if bytes.Contains(b, []byte("@TREES@")) || bytes.Contains(b, []byte("@CASEDIR@")) {
					t.Errorf("%s keeps a placeholder", f)
				}
			}
			cmd, err := c.Command(work)
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Env["SOURCE_DATE_EPOCH"] != "1" || cmd.Flag("--definitions") != filepath.Join(work, "repart.d") ||
				cmd.Args[len(cmd.Args)-1] != "image.raw" || cmd.Flag("--seed") == "" {
				t.Errorf("COMMAND: %+v", cmd)
			}
			blobs, err := c.Blobs()
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range blobs {
				data, err := os.ReadFile(filepath.Join(work, "blobs", name))
				if err != nil || !bytes.Equal(data, Blob(b)) {
					t.Fatalf("blob %s: %d bytes, %v", name, len(data), err)
				}
			}
		})
	}
}
