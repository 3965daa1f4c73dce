package verity

import (
	"math"
	"testing"
)

func TestRepartMinHashSize(t *testing.T) {
	for _, c := range []struct {
		data     uint64
		dbs, hbs int
		want     uint64
	}{
		// systemd TEST-58 testcase_verity_hash_size: 10 GiB data, 4 KiB blocks.
		{10 << 30, 4096, 4096, 84557824},
		{1, 4096, 4096, 2 * 4096},
		{128 * 4096, 4096, 4096, 2 * 4096},
		{128*4096 + 1, 4096, 4096, 4 * 4096}, // rounds the data up to 129 blocks
		{16 * 4096, 4096, 512, 2 * 512},
		{17 * 4096, 4096, 512, 4 * 512},
		{math.MaxUint64, 512, 4096, math.MaxUint64},
	} {
		if got := RepartMinHashSize(c.data, c.dbs, c.hbs); got != c.want {
			t.Errorf("RepartMinHashSize(%d, %d, %d) = %d, want %d", c.data, c.dbs, c.hbs, got, c.want)
		}
	}
}

func TestHashSizeAgainstRepart(t *testing.T) {
	// For whole numbers of at least two blocks repart's estimate is exact.
	for _, blocks := range []int64{2, 127, 128, 129, 16384, 16385, 1 << 20, 3<<20 + 5} {
		for _, hbs := range []int{512, 1024, 4096} {
			p := testParams(4096, hbs)
			if got, want := HashSize(blocks*4096, p), int64(RepartMinHashSize(uint64(blocks*4096), 4096, hbs)); got != want {
				t.Errorf("%d blocks, hash block %d: HashSize %d, repart %d", blocks, hbs, got, want)
			}
		}
	}
	if got := HashSize(4096, testParams(4096, 4096)); got != 4096 {
		t.Errorf("one data block: HashSize %d, want only the superblock block", got)
	}
}

func TestRefusals(t *testing.T) {
	good := testParams(4096, 4096)
	for name, p := range map[string]Params{
		"data block 8192": {DataBlockSize: 8192, HashBlockSize: 4096, Salt: good.Salt},
		"hash block 256":  {DataBlockSize: 4096, HashBlockSize: 256, Salt: good.Salt},
		"hash block 3000": {DataBlockSize: 4096, HashBlockSize: 3000, Salt: good.Salt},
		"salt 257":        {DataBlockSize: 4096, HashBlockSize: 4096, Salt: make([]byte, 257)},
	} {
		if HashSize(1<<20, p) != 0 {
			t.Errorf("%s: HashSize not 0", name)
		}
		if _, err := Build(nil, 1<<20, nil, p); err == nil {
			t.Errorf("%s: Build accepted it", name)
		}
	}
	if _, err := Build(nil, 4095, nil, good); err == nil {
		t.Error("Build accepted less than one data block")
	}
}
