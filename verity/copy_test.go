package verity

import (
	"bytes"
	"testing"
)

func TestCopyAndBuild(t *testing.T) {
	p := testParams(4096, 4096)
	for _, c := range []struct {
		name            string
		srcSize, dataSz int64
	}{
		{"same size", 300 * 4096, 300 * 4096},
		{"partition larger", 300*4096 + 5, 1000 * 4096},
		{"partial tail", 300*4096 + 5, 300*4096 + 5},
		{"big", 20<<20 + 4096, 24 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := randomData(c.srcSize, uint64(c.srcSize))
			var dst, got, want memWriterAt
			root, err := CopyAndBuild(&dst, bytes.NewReader(src), c.srcSize, c.dataSz, &got, p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dst.b, src) {
				t.Fatalf("copied %d bytes, not the %d source bytes", len(dst.b), len(src))
			}
			full := append(bytes.Clone(src), make([]byte, c.dataSz-c.srcSize)...)
			wantRoot, err := Build(bytes.NewReader(full), c.dataSz, &want, p)
			if err != nil {
				t.Fatal(err)
			}
			if root != wantRoot || !bytes.Equal(got.b, want.b) {
				t.Error("tree differs from Build over the zero-padded source")
			}
		})
	}
	if _, err := CopyAndBuild(&memWriterAt{}, bytes.NewReader(nil), 8192, 4096, &memWriterAt{}, p); err == nil {
		t.Error("accepted a source larger than the data")
	}
}
