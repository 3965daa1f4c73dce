package luks

import (
	"math/rand/v2"
	"testing"
)

// TestSpans compares the interval set with a bitmap under random inserts.
func TestSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		const n = 300
		var x spans
		var model [n]bool
		for range rng.IntN(40) {
			lo := rng.Int64N(n)
			hi := min(n, lo+rng.Int64N(30))
			x.add(lo, hi)
			for i := lo; i < hi; i++ {
				model[i] = true
			}
		}
		for i := range x.s {
			if x.s[i].lo >= x.s[i].hi || (i > 0 && x.s[i-1].hi >= x.s[i].lo) {
				t.Fatalf("round %d: spans not disjoint and separated: %v", round, x.s)
			}
		}
		var gap [n]bool
		x.gaps(0, n, func(lo, hi int64) error {
			for i := lo; i < hi; i++ {
				gap[i] = true
			}
			return nil
		})
		for i := range int64(n) {
			if x.has(i) != model[i] || gap[i] == model[i] {
				t.Fatalf("round %d: sector %d: has %v gap %v, want %v", round, i, x.has(i), gap[i], model[i])
			}
		}
	}
}
