package verity

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/internal/golden"
)

// writerOnly hides the ReadAt of a destination, so that Build keeps the
// tree in memory.
type writerOnly struct{ w io.WriterAt }

func (w writerOnly) WriteAt(b []byte, off int64) (int, error) { return w.w.WriteAt(b, off) }

// garbageFile returns a file of size bytes of 0xa5, standing for a hash
// partition that does not start zeroed.
func garbageFile(t *testing.T, name string, size int64) *os.File {
	f, err := os.Create(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(bytes.Repeat([]byte{0xa5}, int(size))); err != nil {
		t.Fatal(err)
	}
	return f
}

func readAll(t *testing.T, f *os.File) []byte {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInPlaceMatchesMemory builds the same trees in place in an *os.File
// and in memory through a WriterAt-only destination, with Build and
// CopyAndBuild, and compares the bytes and root hashes.
func TestInPlaceMatchesMemory(t *testing.T) {
	type shape struct {
		dbs, hbs int
		blocks   []int64 // nil: 1 block, one hash block's worth and +1, three levels
	}
	// 512-byte hash blocks over 98309 data blocks: the level above the
	// leaves is read back in more than one chunk of readChunk.
	shapes := []shape{{512, 512, nil}, {1024, 1024, nil}, {4096, 4096, nil}, {4096, 512, nil}, {512, 4096, nil},
		{512, 512, []int64{3*readChunk/512*16 + 5}}}
	for _, s := range shapes {
		dbs, hbs := s.dbs, s.hbs
		per := int64(hbs / digestSize)
		blocks := s.blocks
		if blocks == nil {
			blocks = []int64{1, 2, per, per + 1, per*per + 1}
		}
		for _, blocks := range blocks {
			for _, salt := range [][]byte{nil, bytes.Repeat([]byte{0x5c}, 32)} {
				name := fmt.Sprintf("dbs%d-hbs%d-blocks%d-salt%d", dbs, hbs, blocks, len(salt))
				t.Run(name, func(t *testing.T) {
					p := Params{DataBlockSize: dbs, HashBlockSize: hbs, Salt: salt, UUID: [16]byte{1, 2, 3}}
					size := blocks*int64(dbs) + int64(dbs)/2 // and a trailing partial block
					data := golden.Blob(golden.BlobSpec{Size: size, Seed: int64(blocks)})
					hs := HashSize(size, p)
					slack := int64(3 * hbs) // bytes after HashSize are left alone
					mem := garbageFile(t, "mem", hs+slack)
					in := garbageFile(t, "in", hs+slack)
					want, err := Build(bytes.NewReader(data), size, writerOnly{mem}, p)
					if err != nil {
						t.Fatal(err)
					}
					got, err := Build(bytes.NewReader(data), size, in, p)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Fatalf("root %x in place, %x in memory", got, want)
					}
					wantBytes, gotBytes := readAll(t, mem), readAll(t, in)
					if !bytes.Equal(gotBytes, wantBytes) {
						t.Fatalf("hash area in place differs from the one built in memory")
					}
					if !bytes.Equal(gotBytes[hs:], bytes.Repeat([]byte{0xa5}, int(slack))) {
						t.Fatalf("bytes after HashSize were changed")
					}

					copied := garbageFile(t, "copied", size)
					cin := garbageFile(t, "cin", hs+slack)
					root, err := CopyAndBuild(copied, bytes.NewReader(data), size, size, cin, p)
					if err != nil {
						t.Fatal(err)
					}
					if root != want || !bytes.Equal(readAll(t, cin), wantBytes) {
						t.Fatalf("CopyAndBuild in place differs from Build in memory")
					}
				})
			}
		}
	}
}
