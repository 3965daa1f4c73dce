package verity_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/gorepart/gorepart/verity"
)

type buffer struct{ b []byte }

func (w *buffer) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(w.b) {
		w.b = append(w.b, make([]byte, end-len(w.b))...)
	}
	return copy(w.b[off:], p), nil
}

func Example() {
	p := verity.Params{
		DataBlockSize: 4096,
		HashBlockSize: 4096,
		Salt:          bytes.Repeat([]byte{0xaa}, 32), // repart: HMAC-SHA256(seed, "verity-salt")
		UUID:          [16]byte{0x5b, 0x4c, 0xf5, 0x57, 0x82, 0x69, 0x4a, 0xa1, 0x86, 0x69, 0x41, 0xf3, 0x43, 0x12, 0x71, 0xc8},
	}
	data := bytes.Repeat([]byte("gorepart"), 8192*64) // 4 MiB: 1024 data blocks

	// Minimize=best sizes the hash partition exactly.
	fmt.Println("hash partition:", verity.HashSize(int64(len(data)), p))

	// Hash an existing data partition…
	var tree buffer
	root, _ := verity.Build(bytes.NewReader(data), int64(len(data)), &tree, p)

	// …or hash while the data partition is written.
	h, _ := verity.NewHasher(p, int64(len(data)))
	io.Copy(h, bytes.NewReader(data))
	var tree2 buffer
	root2, _ := h.Finish(&tree2)

	dataUUID, hashUUID := verity.PartitionUUIDs(root)
	fmt.Println(root == root2, bytes.Equal(tree.b, tree2.b), len(tree.b))
	fmt.Println(hex.EncodeToString(dataUUID[:])+hex.EncodeToString(hashUUID[:]) == hex.EncodeToString(root[:]))
	// Output:
	// hash partition: 40960
	// true true 40960
	// true
}
