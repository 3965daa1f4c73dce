package testtree

import (
	"fmt"
	"io"
	"os"
)

// DiffFiles counts the bytes that differ between two files of one size,
// reading them a MiB at a time, and returns the offset of the first (-1
// when they are equal).
func DiffFiles(a, b string) (n int, first int64, err error) {
	fa, err := os.Open(a)
	if err != nil {
		return 0, -1, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return 0, -1, err
	}
	defer fb.Close()
	x, y := make([]byte, 1<<20), make([]byte, 1<<20)
	first = -1
	for off := int64(0); ; off += int64(len(x)) {
		k, errA := io.ReadFull(fa, x)
		m, _ := io.ReadFull(fb, y)
		if k != m {
			return n, first, fmt.Errorf("%s and %s differ in size", a, b)
		}
		for i := range k {
			if x[i] != y[i] {
				if first < 0 {
					first = off + int64(i)
				}
				n++
			}
		}
		if errA != nil {
			return n, first, nil
		}
	}
}
