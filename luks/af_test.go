package luks

import (
	"bytes"
	"testing"
)

// TestAFRoundTrip splits and merges keys of several sizes with both hashes
// and checks that every stripe matters.
func TestAFRoundTrip(t *testing.T) {
	r := newTestRand(1)
	for _, hash := range []string{"sha256", "sha512"} {
		for _, n := range []int{16, 32, 64, 100} {
			key := make([]byte, n)
			r.Read(key)
			split, err := afSplit(key, 4000, hash, r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := afMerge(split, n, 4000, hash)
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("%s, %d bytes: merge gave %x, want %x (%v)", hash, n, got, key, err)
			}
			split[n*1234] ^= 1
			if got, _ := afMerge(split, n, 4000, hash); bytes.Equal(got, key) {
				t.Fatalf("%s: a changed stripe still merges to the key", hash)
			}
		}
	}
	if _, err := afSplit(make([]byte, 64), 4000, "md5", r); err == nil {
		t.Fatal("md5 accepted")
	}
}
