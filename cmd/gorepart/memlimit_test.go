package main

import "testing"

func TestNextMemoryLimit(t *testing.T) {
	for _, c := range []struct{ live, limit, want int64 }{
		{0, defaultMemoryLimit, defaultMemoryLimit},
		{100 << 20, defaultMemoryLimit, defaultMemoryLimit}, // ordinary build: the limit holds
		{144 << 20, defaultMemoryLimit, defaultMemoryLimit}, // exactly 3/4: still holds
		{150 << 20, defaultMemoryLimit, 225 << 20},          // metadata nears the limit: 1.5x live
		{300 << 20, 225 << 20, 450 << 20},                   // and keeps moving with it
	} {
		if got := nextMemoryLimit(c.live, c.limit); got != c.want {
			t.Errorf("nextMemoryLimit(%d MiB, %d MiB) = %d MiB, want %d MiB", c.live>>20, c.limit>>20, got>>20, c.want>>20)
		}
	}
}
