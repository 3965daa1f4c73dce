package golden

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Materialize lays the case out in work, as it was before systemd-repart
// ran: work/repart.d holds the case's definitions with @CASEDIR@ replaced
// by work and @TREES@ by the trees folder beside the case, and
// work/blobs/NAME is generated for every entry of the case's blobs.json.
func (c Case) Materialize(work string) error {
	work, err := filepath.Abs(work)
	if err != nil {
		return err
	}
	trees, err := filepath.Abs(Trees(filepath.Dir(c.Dir)))
	if err != nil {
		return err
	}
	src := filepath.Join(c.Dir, "repart.d")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(work, "repart.d", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		s := strings.NewReplacer("@CASEDIR@", work, "@TREES@", trees).Replace(string(text))
		return os.WriteFile(dst, []byte(s), 0o644)
	})
	if err != nil {
		return fmt.Errorf("laying out %s: %w", c.Name, err)
	}
	blobs, err := c.Blobs()
	if err != nil || len(blobs) == 0 {
		return err
	}
	if err := os.MkdirAll(filepath.Join(work, "blobs"), 0o755); err != nil {
		return err
	}
	for name, b := range blobs {
		if err := writeBlob(filepath.Join(work, "blobs", name), b); err != nil {
			return fmt.Errorf("laying out %s: %w", c.Name, err)
		}
	}
	return nil
}

// BlobSpec is one entry of blobs.json: "NAME": [SIZE, SEED].
type BlobSpec struct {
	Size int64
	Seed int64
}

// UnmarshalJSON reads the [SIZE, SEED] pair.
func (b *BlobSpec) UnmarshalJSON(data []byte) error {
	var pair []int64
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}
	if len(pair) != 2 || pair[0] < 0 {
		return fmt.Errorf("blob %s: want [size, seed]", data)
	}
	b.Size, b.Seed = pair[0], pair[1]
	return nil
}

// Blobs reads the case's blobs.json; a case without one has none.
func (c Case) Blobs() (map[string]BlobSpec, error) {
	data, err := c.ReadFile("blobs.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m map[string]BlobSpec
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("reading %s/blobs.json: %w", c.Name, err)
	}
	return m, nil
}

// BlobReader streams a blob's bytes: SHA-256 in counter mode, block k the
// digest of the ASCII text "SEED:k", the digests concatenated and cut to
// the size.
func BlobReader(b BlobSpec) io.Reader {
	return io.LimitReader(&counterStream{seed: b.Seed, used: sha256.Size}, b.Size)
}

// Blob returns a whole blob.
func Blob(b BlobSpec) []byte {
	out := make([]byte, b.Size)
	io.ReadFull(BlobReader(b), out)
	return out
}

type counterStream struct {
	seed  int64
	k     int64
	block [sha256.Size]byte
	used  int // bytes of block already returned
}

func (s *counterStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if s.used == len(s.block) {
			s.block = sha256.Sum256([]byte(strconv.FormatInt(s.seed, 10) + ":" + strconv.FormatInt(s.k, 10)))
			s.k++
			s.used = 0
		}
		c := copy(p[n:], s.block[s.used:])
		s.used += c
		n += c
	}
	return n, nil
}

func writeBlob(path string, b BlobSpec) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, BlobReader(b)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
