// Package minimize sizes filesystems for Minimize=guess the way
// systemd-repart does, but from an exact computation instead of a trial
// mkfs: repart measures the allocated bytes of a trial filesystem, adds
// half of it as headroom (the filesystem is writable and should have room
// at first boot), rounds to the grain and never goes below the
// partition's minimum (spec §3.7). Read-only formats (erofs, Verity=hash)
// are simply the written size, which their writers return.
package minimize

import "fmt"

// Guess turns the bytes a writable filesystem needs (its exact minimum
// for the tree) into the partition content size repart's Minimize=guess
// would choose: need + need/2, rounded up to grain, at least floor.
// It fails when the result exceeds max (0 = no maximum).
func Guess(need, grain, floor, max uint64) (uint64, error) {
	sz := need + need/2
	sz = (sz + grain - 1) / grain * grain
	if sz < floor {
		sz = floor
	}
	if max != 0 && sz > max {
		return 0, fmt.Errorf("minimal size %d bytes exceeds the partition's maximum of %d bytes", sz, max)
	}
	return sz, nil
}
