package luks

import (
	"bytes"
	"crypto/aes"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/xts"
)

// TestExpandKey256 checks the key schedule with FIPS-197 Appendix A.3: the
// last round key (w[56..59]) depends on every step before it.
func TestExpandKey256(t *testing.T) {
	k := [32]byte{0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
		0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4}
	rk := expandKey256(&k)
	want := []byte{0xfe, 0x48, 0x90, 0xd1, 0xe6, 0x18, 0x8d, 0x0b, 0x04, 0x6d, 0xf3, 0x44, 0x70, 0x6c, 0x63, 0x1e}
	if !bytes.Equal(rk[224:], want) {
		t.Fatalf("last round key % x, want % x", rk[224:], want)
	}
}

// TestXTSMatchesReference compares both kernels (AES-NI, VAES/AVX-512) with
// x/crypto/xts for every sector size LUKS2 allows, and across sector
// numbers whose tweak doubling carries.
func TestXTSMatchesReference(t *testing.T) {
	if !haveXTSAsm() {
		t.Skip("no AES-NI kernel on this machine; the portable path is x/crypto/xts itself")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range []struct {
		ss   int
		vaes bool
	}{{512, false}, {1024, false}, {2048, false}, {4096, false}, {512, true}, {1024, true}, {2048, true}, {4096, true}} {
		ss := v.ss
		key := make([]byte, 64)
		fill(rng, key)
		c, err := newSectorCipher(key, ss)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case v.vaes && c.rk2 == nil:
			t.Logf("no VAES/AVX-512 kernel on this machine")
			continue
		case !v.vaes:
			c.rk2 = nil // the AES-NI kernel
		}
		ref, err := xts.NewCipher(aes.NewCipher, key)
		if err != nil {
			t.Fatal(err)
		}
		src := make([]byte, 8*ss)
		fill(rng, src)
		for _, first := range []uint64{0, 1, 0xffffffff, 1 << 50, 1<<61 - 8} {
			got := make([]byte, len(src))
			c.encrypt(got, src, first)
			want := make([]byte, len(src))
			for i := 0; i < len(src); i += ss {
				ref.Encrypt(want[i:i+ss], src[i:i+ss], (first+uint64(i/ss))*uint64(ss/512))
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("sector size %d, first %d, VAES %v: kernel and x/crypto/xts differ", ss, first, v.vaes)
			}
			back := make([]byte, len(src))
			c.decrypt(back, got, first)
			if !bytes.Equal(back, src) {
				t.Fatalf("sector size %d: decrypt(encrypt(x)) != x", ss)
			}
			inPlace := append([]byte(nil), src...)
			c.encrypt(inPlace, inPlace, first)
			if !bytes.Equal(inPlace, want) {
				t.Fatalf("sector size %d: in-place encryption differs", ss)
			}
		}
	}
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}
