package luks

// expandKey256 returns the 15 encryption round keys of AES-256 (FIPS-197
// §5.2) as the byte strings AESENC takes. crypto/aes keeps its schedule
// private, and the XTS kernel (xts_amd64.s) needs it.
func expandKey256(key *[32]byte) [240]byte {
	var w [60]uint32
	for i := range 8 {
		w[i] = uint32(key[4*i])<<24 | uint32(key[4*i+1])<<16 | uint32(key[4*i+2])<<8 | uint32(key[4*i+3])
	}
	rcon := uint32(1)
	for i := 8; i < 60; i++ {
		t := w[i-1]
		switch i % 8 {
		case 0:
			t = subWord(t<<8|t>>24) ^ rcon<<24
			rcon = uint32(gfMul(byte(rcon), 2))
		case 4:
			t = subWord(t)
		}
		w[i] = w[i-8] ^ t
	}
	var rk [240]byte
	for i, v := range w {
		rk[4*i], rk[4*i+1], rk[4*i+2], rk[4*i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	return rk
}

// subWord applies the S-box to each byte of w.
func subWord(w uint32) uint32 {
	return uint32(sbox(byte(w>>24)))<<24 | uint32(sbox(byte(w>>16)))<<16 |
		uint32(sbox(byte(w>>8)))<<8 | uint32(sbox(byte(w)))
}

// sbox computes the AES S-box (FIPS-197 §5.1.1): the inverse in GF(2^8)
// (0 for 0) followed by the affine transformation. The key schedule needs
// 56 lookups per key, so computing beats a table.
func sbox(x byte) byte {
	// x^254 is the multiplicative inverse (x^255 = 1).
	inv, p := byte(1), x
	for e := 254; e > 0; e >>= 1 {
		if e&1 == 1 {
			inv = gfMul(inv, p)
		}
		p = gfMul(p, p)
	}
	rotl := func(b byte, n uint) byte { return b<<n | b>>(8-n) }
	return inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63
}

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x+1.
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 == 1 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return p
}
