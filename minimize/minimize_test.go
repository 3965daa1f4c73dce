package minimize

import "testing"

func TestGuess(t *testing.T) {
	for _, tc := range []struct{ need, grain, floor, max, want uint64 }{
		{0, 4096, 32 << 20, 0, 32 << 20},
		{100 << 20, 4096, 32 << 20, 0, 150 << 20},
		{4097, 4096, 0, 0, 8192},
		{3 << 20, 1 << 20, 0, 0, 5 << 20},
	} {
		got, err := Guess(tc.need, tc.need/2, Limits{Grain: tc.grain, Floor: tc.floor, Max: tc.max})
		if err != nil || got != tc.want {
			t.Errorf("Guess(%d, %d, %d) = %d, %v; want %d", tc.need, tc.grain, tc.floor, got, err, tc.want)
		}
	}
	if _, err := Guess(100<<20, 50<<20, Limits{Grain: 4096, Max: 64 << 20}); err == nil {
		t.Error("expected an error above the maximum")
	}
}
