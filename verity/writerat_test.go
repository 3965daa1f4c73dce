package verity

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// writerAtFile makes a data partition file holding old (the bytes a write
// pattern must overwrite or leave alone).
func writerAtFile(t *testing.T, old []byte) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(old); err != nil {
		t.Fatal(err)
	}
	return f
}

// checkAgainstBuild compares a WriterAt's result with Build on the final
// content of f.
func checkAgainstBuild(t *testing.T, x *WriterAt, f *os.File, size int64, p Params) {
	t.Helper()
	var got, want memWriterAt
	root, err := x.Finish(f, &got)
	if err != nil {
		t.Fatal(err)
	}
	wantRoot, err := Build(f, size, &want, p)
	if err != nil {
		t.Fatal(err)
	}
	if root != wantRoot || !bytes.Equal(got.b, want.b) {
		t.Error("WriterAt tree differs from Build over the written data")
	}
}

func TestWriterAtRandomWrites(t *testing.T) {
	for i, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			p := testParams(c.dbs, c.hbs)
			f := writerAtFile(t, randomData(c.size, uint64(100+i)))
			x, err := NewWriterAt(f, p, c.size)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(uint64(i), 2))
			for range 200 {
				off := r.Int64N(c.size)
				n := min(c.size-off, 1+r.Int64N(int64(3*readChunk)))
				if r.IntN(2) == 0 { // block aligned
					off -= off % int64(c.dbs)
					n = min(c.size-off, max(n-n%int64(c.dbs), int64(c.dbs)))
				}
				if _, err := x.WriteAt(randomData(n, r.Uint64()), off); err != nil {
					t.Fatal(err)
				}
			}
			checkAgainstBuild(t, x, f, c.size, p)
		})
	}
}

func TestWriterAtNoReadBack(t *testing.T) {
	const size = 64<<20 + 4096
	p := testParams(4096, 4096)
	f := writerAtFile(t, nil)
	x, err := NewWriterAt(f, p, size)
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(size, 5)
	// Four goroutines writing disjoint whole-block pieces out of order.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := int64(w) * 3 * 4096; off < size; off += 4 * 3 * 4096 {
				end := min(off+3*4096, size)
				if _, err := x.WriteAt(data[off:end], off); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if rb := x.ReadBack(); rb != 0 {
		t.Errorf("would read back %d bytes after whole-block writes", rb)
	}
	checkAgainstBuild(t, x, f, size, p)
}
