// Package treefuzz holds the flags of the writers' random-tree round-trip
// tests, whose oracle is the filesystem's own fsck and an independent
// reader: -trees sets how many trees a test writes (CI runs the default),
// -seed the first seed, so a long run explores trees CI never sees:
//
//	go test ./vfat ./ext4 ./erofs -run RoundTrip -trees=5000 -seed=$RANDOM -timeout 0
package treefuzz

import "flag"

var (
	trees = flag.Int("trees", 200, "random trees each round-trip test writes and checks")
	seed  = flag.Int("seed", 0, "seed of the first random tree")
)

// Seeds returns the seeds of the trees to test.
func Seeds() []int {
	s := make([]int, *trees)
	for i := range s {
		s[i] = *seed + i
	}
	return s
}
