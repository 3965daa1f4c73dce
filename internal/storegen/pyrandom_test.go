package storegen

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// TestPyRandom compares a mix of calls with what CPython 3.11 returned
// for the same seed (random.Random("path-1-7"), the calls in this order;
// the printed values are Python's repr).
func TestPyRandom(t *testing.T) {
	r := newPyRandom("path-1-7")
	var got []string
	got = append(got, fmt.Sprint([]float64{r.random(), r.random(), r.random()}))
	got = append(got, fmt.Sprint([]int{r.randint(0, 30), r.randint(0, 30), r.randint(0, 30), r.randint(0, 30), r.randint(0, 30)}))
	got = append(got, hex.EncodeToString(r.randbytes(7)), hex.EncodeToString(r.randbytes(9)))
	got = append(got, fmt.Sprint(r.sample(200, 8)), fmt.Sprint(r.sample(20, 7)))
	got = append(got, fmt.Sprint(r.gauss(95, 38)), fmt.Sprint(r.gauss(95, 38)))
	got = append(got, fmt.Sprint(r.uniform(4.5, 9.25)), fmt.Sprint(r.randrange(0, 1048000)))
	got = append(got, string(nix32[r.choice(len(nix32))]))
	want := []string{
		"[0.6941257484045881 0.4345422582197104 0.8888180436874911]",
		"[16 10 20 14 17]",
		"b7ea5f7e0a6951", "3bbc462e99dd93dc11",
		"[64 46 8 35 12 70 75 4]", "[19 10 11 16 12 1 4]",
		"102.2001055588615", "120.33791517975746",
		"8.172951105445522", "1008313",
		"r",
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("call %d: got %s, CPython %s", i, got[i], want[i])
		}
	}
}
