package erofs

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// TestLZ4DestSize checks the destsize wrapper on data of every kind: the
// block fits, decodes (with pierrec's decoder) to exactly the consumed
// prefix, and the prefix is not much shorter than what fits.
func TestLZ4DestSize(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		size := 1 + r.Intn(300000)
		src := make([]byte, size)
		switch i % 5 {
		case 0:
			r.Read(src)
		case 1:
		case 2:
			for j := range src {
				src[j] = "abcdefgh  \n"[r.Intn(11)]
			}
		case 3:
			for j := 0; j < size; j += 1 + r.Intn(5000) {
				r.Read(src[j:min(j+r.Intn(300), size)])
			}
		case 4:
			copy(src, bytes.Repeat([]byte("repeat me, "), size/11+1))
		}
		for _, hc := range []bool{false, true} {
			c := newLZ4(hc, -1)
			limit := []int{4096, 100, 20, 8192}[i%4]
			n, out, err := c.destSize(src, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) > limit || n < 1 || n > size {
				t.Fatalf("case %d hc %v: %d bytes out for %d in (limit %d)", i, hc, len(out), n, limit)
			}
			dec := make([]byte, n)
			m, err := lz4.UncompressBlock(out, dec)
			if err != nil || m != n || !bytes.Equal(dec, src[:n]) {
				t.Fatalf("case %d hc %v: decoding %d of %d: %v", i, hc, m, n, err)
			}
			if n < size && n < limit-limit/64-16 {
				t.Fatalf("case %d hc %v: only %d bytes in %d (limit %d)", i, hc, n, len(out), limit)
			}
		}
	}
}

func TestMaxLiterals(t *testing.T) {
	for avail := 1; avail < 70000; avail++ {
		l := maxLiterals(avail)
		if literalCost(l) > avail || literalCost(l+1) <= avail {
			t.Fatalf("avail %d: %d literals (cost %d)", avail, l, literalCost(l))
		}
	}
}
