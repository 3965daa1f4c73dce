package verity

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
)

// veritysetup returns the path of the real tool; the tests compare against it.
func veritysetup(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("veritysetup")
	if err != nil {
		t.Fatalf("veritysetup not found (install the Debian package cryptsetup-bin): %v", err)
	}
	return p
}

var rootHashLine = regexp.MustCompile(`(?m)^Root hash:\s+([0-9a-f]{64})$`)

// referenceFormat runs `veritysetup format` with p on the data file and
// returns the hash device bytes and the root hash it printed.
func referenceFormat(t *testing.T, dataPath string, p Params) ([]byte, string) {
	t.Helper()
	hashPath := filepath.Join(t.TempDir(), "ref.hash")
	if err := os.WriteFile(hashPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(veritysetup(t), "format",
		"--hash=sha256", "--format=1",
		"--salt="+hex.EncodeToString(p.Salt),
		"--uuid="+uuidString(p.UUID),
		fmt.Sprintf("--data-block-size=%d", p.DataBlockSize),
		fmt.Sprintf("--hash-block-size=%d", p.HashBlockSize),
		dataPath, hashPath)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	m := rootHashLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no root hash in veritysetup output:\n%s", out)
	}
	ref, err := os.ReadFile(hashPath)
	if err != nil {
		t.Fatal(err)
	}
	return ref, string(m[1])
}

// verifyWithTool runs `veritysetup verify` on our output.
func verifyWithTool(t *testing.T, dataPath, hashPath string, root [32]byte) {
	t.Helper()
	cmd := exec.Command(veritysetup(t), "verify", dataPath, hashPath, hex.EncodeToString(root[:]))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
}

func uuidString(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func testParams(dbs, hbs int) Params {
	p := Params{DataBlockSize: dbs, HashBlockSize: hbs, Salt: make([]byte, 32)}
	r := rand.New(rand.NewPCG(uint64(dbs), uint64(hbs)))
	for i := range p.Salt {
		p.Salt[i] = byte(r.IntN(256))
	}
	for i := range p.UUID {
		p.UUID[i] = byte(r.IntN(256))
	}
	return p
}

func randomData(size int64, seed uint64) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, size)
	rand.NewChaCha8(key).Read(b)
	return b
}

// memWriterAt is an in-memory io.WriterAt that takes parallel writes.
type memWriterAt struct {
	mu sync.Mutex
	b  []byte
}

func (m *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if need := off + int64(len(p)); need > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, need-int64(len(m.b)))...)
	}
	return copy(m.b[off:], p), nil
}

var formatCases = []struct {
	name     string
	dbs, hbs int
	size     int64
}{
	{"1block", 4096, 4096, 4096},
	{"2blocks", 4096, 4096, 2 * 4096},
	{"128blocks", 4096, 4096, 128 * 4096},
	{"129blocks", 4096, 4096, 129 * 4096},
	{"16385blocks", 4096, 4096, (128*128 + 1) * 4096},
	{"partial-tail", 4096, 4096, 300*4096 + 1000},
	{"hash512", 4096, 512, 1000 * 4096},
	{"hash512-3levels", 4096, 512, 16*16*16*4096 + 4096},
	{"data512", 512, 4096, 5000 * 512},
	{"both1024", 1024, 1024, 777 * 1024},
	{"1block-hash512", 4096, 512, 4096},
}

func TestBuildMatchesVeritysetup(t *testing.T) {
	for i, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			p := testParams(c.dbs, c.hbs)
			data := randomData(c.size, uint64(i))
			dir := t.TempDir()
			dataPath := filepath.Join(dir, "data")
			if err := os.WriteFile(dataPath, data, 0o644); err != nil {
				t.Fatal(err)
			}
			ref, refRoot := referenceFormat(t, dataPath, p)

			var got memWriterAt
			root, err := Build(bytes.NewReader(data), c.size, &got, p)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(root[:]) != refRoot {
				t.Errorf("root hash %x, veritysetup %s", root, refRoot)
			}
			if int64(len(got.b)) != HashSize(c.size, p) {
				t.Errorf("wrote %d bytes, HashSize says %d", len(got.b), HashSize(c.size, p))
			}
			if !bytes.Equal(got.b, ref) {
				t.Errorf("hash area differs from veritysetup's (%d vs %d bytes)", len(got.b), len(ref))
			}
			hashPath := filepath.Join(dir, "hash")
			if err := os.WriteFile(hashPath, got.b, 0o644); err != nil {
				t.Fatal(err)
			}
			verifyWithTool(t, dataPath, hashPath, root)
		})
	}
}

func TestHasherMatchesBuild(t *testing.T) {
	for i, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			p := testParams(c.dbs, c.hbs)
			data := randomData(c.size, uint64(i))
			var want memWriterAt
			wantRoot, err := Build(bytes.NewReader(data), c.size, &want, p)
			if err != nil {
				t.Fatal(err)
			}
			h, err := NewHasher(p, c.size)
			if err != nil {
				t.Fatal(err)
			}
			// Odd write sizes cross block and chunk boundaries.
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for off := 0; off < len(data); {
				n := min(len(data)-off, 1+r.IntN(3*readChunk/2))
				if k, err := h.Write(data[off : off+n]); err != nil || k != n {
					t.Fatalf("Write: %d, %v", k, err)
				}
				off += n
			}
			var got memWriterAt
			root, err := h.Finish(&got)
			if err != nil {
				t.Fatal(err)
			}
			if root != wantRoot || !bytes.Equal(got.b, want.b) {
				t.Errorf("streamed tree differs from Build's")
			}
		})
	}
}

func TestHasherSizeErrors(t *testing.T) {
	p := testParams(4096, 4096)
	h, _ := NewHasher(p, 8192)
	h.Write(make([]byte, 4096))
	if _, err := h.Finish(&memWriterAt{}); err == nil {
		t.Error("Finish accepted short data")
	}
	h, _ = NewHasher(p, 8192)
	if _, err := h.Write(make([]byte, 8193)); err == nil {
		t.Error("Write accepted more than announced")
	}
}

// TestVeritysetupDumpAndTamper checks `veritysetup dump` reads our
// superblock back, and that `veritysetup verify` notices a flipped data byte.
func TestVeritysetupDumpAndTamper(t *testing.T) {
	p := testParams(4096, 1024)
	const size = 3000 * 4096
	data := randomData(size, 99)
	dir := t.TempDir()
	dataPath, hashPath := filepath.Join(dir, "data"), filepath.Join(dir, "hash")
	if err := os.WriteFile(dataPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var hash memWriterAt
	root, err := Build(bytes.NewReader(data), size, &hash, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hashPath, hash.b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(veritysetup(t), "dump", hashPath).CombinedOutput()
	if err != nil {
		t.Fatalf("veritysetup dump: %v\n%s", err, out)
	}
	for _, want := range []string{
		`UUID:\s+` + uuidString(p.UUID),
		`Hash type:\s+1`,
		`Data blocks:\s+3000`,
		`Data block size:\s+4096`,
		`Hash block size:\s+1024`,
		`Hash algorithm:\s+sha256`,
		`Salt:\s+` + hex.EncodeToString(p.Salt),
	} {
		if !regexp.MustCompile(`(?m)^` + want + `$`).Match(out) {
			t.Errorf("veritysetup dump lacks %q:\n%s", want, out)
		}
	}
	verifyWithTool(t, dataPath, hashPath, root)

	data[1234*4096+17] ^= 1
	if err := os.WriteFile(dataPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(veritysetup(t), "verify", dataPath, hashPath, hex.EncodeToString(root[:]))
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("veritysetup verify accepted tampered data:\n%s", out)
	}
}

func TestParseSuperblockOfVeritysetup(t *testing.T) {
	p := testParams(4096, 512)
	dataPath := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(dataPath, randomData(77*4096, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, _ := referenceFormat(t, dataPath, p)
	q, n, err := ParseSuperblock(ref)
	if err != nil {
		t.Fatal(err)
	}
	if n != 77 || q.DataBlockSize != 4096 || q.HashBlockSize != 512 || q.UUID != p.UUID || !bytes.Equal(q.Salt, p.Salt) {
		t.Errorf("parsed %+v, %d blocks; want %+v, 77", q, n, p)
	}
}
